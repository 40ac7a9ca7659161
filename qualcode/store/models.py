"""SQLAlchemy 2.0 typed models: the whole schema of a qualcode project.

One project is one database. Codings point at text by character offsets into a
document's stored text (start inclusive, end exclusive, Python ``str`` indices);
segments (speaker turns, sentences) exist for navigation only.

Schema changes need a migration in ``qualcode/store/migrations/versions``; a test
checks that the migrations build exactly this schema.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from qualcode.store.values import VALENCES as VALENCES
from qualcode.store.values import attribute_value

SEGMENT_KINDS = ("turn", "sentence")
SUMMARY_STATUSES = ("empty", "draft", "reviewed")
MEMO_TARGETS = ("project", "code", "document", "case", "participant", "coding")


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware now; stored as UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Setting(Base):
    """Project-wide key/value settings (project name, id, speaker patterns...)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class Coder(Base):
    """A person who codes; every coding and summary names its coder."""

    __tablename__ = "coders"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    guid: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Framework(Base):
    """A framework applied to the project (its codes are ``Code`` rows)."""

    __tablename__ = "frameworks"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(50), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Code(Base):
    """A node of the codebook tree: a framework construct or an inductive code."""

    __tablename__ = "codes"
    __table_args__ = (
        CheckConstraint("origin IN ('framework', 'inductive')", name="origin"),
        Index("ix_codes_parent", "parent_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    framework_id: Mapped[int | None] = mapped_column(
        ForeignKey("frameworks.id", ondelete="SET NULL")
    )
    origin: Mapped[str] = mapped_column(String(20), default="inductive")
    name: Mapped[str] = mapped_column(String(300))
    codable: Mapped[bool] = mapped_column(Boolean, default=True)
    definition: Mapped[str] = mapped_column(Text, default="")
    inclusion: Mapped[str] = mapped_column(Text, default="")
    exclusion: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str | None] = mapped_column(String(20))
    shortcut: Mapped[str | None] = mapped_column(String(10))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    guid: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    parent: Mapped[Code | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Code]] = relationship(back_populates="parent", order_by="Code.sort_order")


class Case(Base):
    """A case (a site) with typed attributes and an optional comparison group."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    group_name: Mapped[str | None] = mapped_column(String(50))
    group_source: Mapped[str | None] = mapped_column(String(20))  # manual | attribute | rule
    group_reason: Mapped[str | None] = mapped_column(Text)
    guid: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    attributes: Mapped[list[CaseAttribute]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseAttribute.name"
    )
    participants: Mapped[list[Participant]] = relationship(back_populates="case")


class CaseAttribute(Base):
    """One typed attribute value of a case (number or text)."""

    __tablename__ = "case_attributes"
    __table_args__ = (
        UniqueConstraint("case_id", "name"),
        CheckConstraint("value_type IN ('number', 'text')", name="value_type"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    value_type: Mapped[str] = mapped_column(String(10))
    number_value: Mapped[float | None] = mapped_column(Float)
    text_value: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="attributes")

    @property
    def value(self) -> float | int | str | None:
        return attribute_value(self.value_type, self.number_value, self.text_value)


class Participant(Base):
    """A pseudonymised participant (e.g. ``S3PW1``), attached to their case."""

    __tablename__ = "participants"
    __table_args__ = (Index("ix_participants_case", "case_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(100), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    role: Mapped[str | None] = mapped_column(String(50))
    number: Mapped[int | None] = mapped_column(Integer)

    case: Mapped[Case | None] = relationship(back_populates="participants")
    attributes: Mapped[list[ParticipantAttribute]] = relationship(
        back_populates="participant", cascade="all, delete-orphan"
    )


class ParticipantAttribute(Base):
    """One typed attribute value of a participant."""

    __tablename__ = "participant_attributes"
    __table_args__ = (
        UniqueConstraint("participant_id", "name"),
        CheckConstraint("value_type IN ('number', 'text')", name="value_type"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    value_type: Mapped[str] = mapped_column(String(10))
    number_value: Mapped[float | None] = mapped_column(Float)
    text_value: Mapped[str | None] = mapped_column(Text)

    participant: Mapped[Participant] = relationship(back_populates="attributes")


class Document(Base):
    """An imported transcript: its text is stored once and never changed."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_participant", "participant_id"),
        Index("ix_documents_case", "case_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    source_file: Mapped[str] = mapped_column(Text, default="")
    file_format: Mapped[str] = mapped_column(String(20), default="txt")
    encoding: Mapped[str | None] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    guid: Mapped[str | None] = mapped_column(String(36))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    participant: Mapped[Participant | None] = relationship()
    case: Mapped[Case | None] = relationship()


class DocumentProgress(Base):
    """A document's coded share, stored so a list of 2,000 documents need not recount it.

    Kept current by :mod:`qualcode.store.progress`: triggers note which documents a
    write touched (:class:`DocumentProgressStale`) and the write recounts them before
    it commits.
    """

    __tablename__ = "document_progress"
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    chars: Mapped[int] = mapped_column(Integer)
    spoken_chars: Mapped[int] = mapped_column(Integer)
    coded_chars: Mapped[int] = mapped_column(Integer)
    codings: Mapped[int] = mapped_column(Integer)


class DocumentProgressStale(Base):
    """Documents whose codings, turns or text changed since their progress was counted."""

    __tablename__ = "document_progress_stale"
    document_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class Segment(Base):
    """A navigation unit: a speaker turn or a sentence, as a character range."""

    __tablename__ = "segments"
    __table_args__ = (
        Index("ix_segments_doc_kind_start", "document_id", "kind", "start"),
        CheckConstraint("kind IN ('turn', 'sentence')", name="kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    seq: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(String(100))
    is_participant: Mapped[bool | None] = mapped_column(Boolean)
    role: Mapped[str | None] = mapped_column(String(20))  # interviewer/participant/other
    timecode_ms: Mapped[int | None] = mapped_column(Integer)  # from the recording's start


class Coding(Base):
    """A code applied to a span of a document by a coder, with a valence."""

    __tablename__ = "codings"
    __table_args__ = (
        Index("ix_codings_code_doc_valence", "code_id", "document_id", "valence"),
        Index("ix_codings_code_valence_doc", "code_id", "valence", "document_id"),
        Index("ix_codings_doc_start", "document_id", "start"),
        Index("ix_codings_coder", "coder_id"),
        # the same coder cannot store the same code on the same span twice
        Index(
            "ux_codings_coder_doc_code_span",
            "coder_id",
            "document_id",
            "code_id",
            "start",
            "end",
            unique=True,
        ),
        CheckConstraint('start >= 0 AND "end" > start', name="range"),
        CheckConstraint(
            "valence IS NULL OR valence IN ('facilitator', 'barrier', 'neutral')", name="valence"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    valence: Mapped[str | None] = mapped_column(String(20))
    memo: Mapped[str] = mapped_column(Text, default="")
    guid: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    document: Mapped[Document] = relationship()
    code: Mapped[Code] = relationship()
    coder: Mapped[Coder] = relationship()


class Memo(Base):
    """A free-text memo on the project, a code, a document, a case or a coding."""

    __tablename__ = "memos"
    __table_args__ = (Index("ix_memos_target", "target_type", "target_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coders.id", ondelete="SET NULL"))
    guid: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class CellSummary(Base):
    """The analyst's charted summary of one matrix cell (case or participant × code)."""

    __tablename__ = "cell_summaries"
    __table_args__ = (
        UniqueConstraint("row_type", "row_id", "code_id"),
        CheckConstraint("row_type IN ('case', 'participant')", name="row_type"),
        CheckConstraint("status IN ('empty', 'draft', 'reviewed')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    row_type: Mapped[str] = mapped_column(String(20))
    row_id: Mapped[int] = mapped_column(Integer)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coders.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class CellSummaryRevision(Base):
    """Every saved version of a cell summary (its history)."""

    __tablename__ = "cell_summary_revisions"
    __table_args__ = (Index("ix_cell_summary_revisions_summary", "summary_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("cell_summaries.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coders.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkshopComment(Base):
    """A comment recorded in a co-production workshop on a matrix cell or a pattern row.

    A pattern row's comment has row_type ``pattern``, row_id 0 (the row spans every
    case) and the row's valence (None for the code alone).
    """

    __tablename__ = "workshop_comments"
    __table_args__ = (Index("ix_workshop_comments_cell", "row_type", "row_id", "code_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    row_type: Mapped[str] = mapped_column(String(20))
    row_id: Mapped[int] = mapped_column(Integer)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    valence: Mapped[str | None] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GroupRule(Base):
    """A rule assigning cases to a comparison group, e.g. ``fidelity >= 10 and engagement >= 60``."""

    __tablename__ = "group_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_name: Mapped[str] = mapped_column(String(50), unique=True)
    expression: Mapped[str] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class AuditEntry(Base):
    """One user operation, for the audit trail (who did what, when)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    coder: Mapped[str | None] = mapped_column(String(200))
    operation: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text, default="")
