"""Documents: finding them, listing them with coding progress, reading their segments."""

from __future__ import annotations

import json
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from qualcode.errors import NotFoundError
from qualcode.ingest.timecodes import format_timecode
from qualcode.services.project import Project
from qualcode.store.models import (
    Case,
    Document,
    DocumentProgress,
    DocumentProgressStale,
    Participant,
    Segment,
)
from qualcode.store.progress import coded_share as coded_share
from qualcode.store.progress import measure, percent_of
from qualcode.store.progress import merged_length as merged_length


@dataclass(frozen=True)
class DocumentInfo:
    """A document in a list: who it is from, how long, how much is coded."""

    id: int
    name: str
    source_file: str
    file_format: str
    participant: str | None
    case: str | None
    words: int
    chars: int
    codings: int
    coded_chars: int
    """Characters of what was said (turn text, no speaker labels) that some coding covers."""
    spoken_chars: int = 0
    """Characters of what was said: the turns' text, or the whole text if it has no turns."""

    @property
    def percent_coded(self) -> int:
        return percent_of(self.coded_chars, self.spoken_chars)


@dataclass(frozen=True)
class SegmentInfo:
    kind: str
    seq: int
    start: int
    end: int
    speaker: str | None
    is_participant: bool | None
    role: str | None = None  # interviewer / participant / other; None: not settled
    timecode_ms: int | None = None  # from the start of the recording, when the file had one

    def to_json(self, text: str) -> dict[str, object]:
        return {
            "seq": self.seq,
            "speaker": self.speaker,
            "role": self.role,
            "start": self.start,
            "end": self.end,
            "timecode_ms": self.timecode_ms,
            "timecode": format_timecode(self.timecode_ms) or None,
            "text": text[self.start : self.end],
        }


@dataclass(frozen=True)
class DocumentText:
    """A document opened for reading: its full text and its turns and sentences."""

    id: int
    name: str
    participant: str | None
    case: str | None
    text: str
    turns: tuple[SegmentInfo, ...]
    sentences: tuple[SegmentInfo, ...]


_BY_NAME = select(Document).where(Document.name == bindparam("name"))


def resolve_document(session: Session, ref: str | int) -> Document:
    """Find a document by id, name, source file name or participant label."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        doc = session.get(Document, int(ref))
        if doc is None:
            raise NotFoundError(f"No document with id {ref}. See `qualcode documents`.")
        return doc
    key = ref.strip()
    # Names are unique and indexed, and an exact name always wins over other matches, so
    # try it first: the fallback below compares every row case-insensitively.
    doc = session.scalar(_BY_NAME, {"name": key})
    if doc is not None:
        return doc
    lowered = key.lower()
    docs = session.scalars(
        select(Document)
        .outerjoin(Participant, Document.participant_id == Participant.id)
        .where(
            or_(
                func.lower(Document.name) == lowered,
                func.lower(Document.source_file) == lowered,
                func.lower(Participant.label) == lowered,
            )
        )
    ).all()
    if len(docs) == 1:
        return docs[0]
    if len(docs) > 1:
        exact = [d for d in docs if d.name == key]
        if len(exact) == 1:
            return exact[0]
        names = ", ".join(d.name for d in docs)
        raise NotFoundError(f"{key!r} matches several documents ({names}); give the document name.")
    raise NotFoundError(f"No document {key!r}. See `qualcode documents` for the names.")


_LISTING_ORDER = (Case.name, Participant.label, Document.name)


def _listing(*extra: Any) -> Select[Any]:
    """The documents in listing order (case, participant, name) with extra columns."""
    return (
        select(
            Document.id,
            Document.name,
            Document.source_file,
            Document.file_format,
            Participant.label,
            Case.name,
            Document.word_count,
            *extra,
        )
        .outerjoin(Participant, Document.participant_id == Participant.id)
        .outerjoin(Case, Case.id == func.coalesce(Participant.case_id, Document.case_id))
        .order_by(*_LISTING_ORDER)
    )


_PROGRESS, _STALE = DocumentProgress.__table__.c, DocumentProgressStale.__table__.c


def list_documents(project: Project) -> list[DocumentInfo]:
    """Every document with words, codings and coded share, in one query.

    The figures are stored per document (:mod:`qualcode.store.progress`); a document
    a write has noted as changed but not yet recounted is counted here, so the list
    is never stale. Rows are read through the session's connection (Core, not the ORM).
    """
    with project.read() as s:
        con = s.connection()
        q = (
            _listing(
                _PROGRESS.chars,
                _PROGRESS.spoken_chars,
                _PROGRESS.coded_chars,
                _PROGRESS.codings,
                _STALE.document_id,
            )
            .outerjoin(DocumentProgress, _PROGRESS.document_id == Document.id)
            .outerjoin(DocumentProgressStale, _STALE.document_id == Document.id)
        )
        rows = (
            _rows_at_once(con, q, _LISTING_ORDER)
            if con.dialect.name == "sqlite"
            else con.execute(q).all()
        )
        unknown = [r[0] for r in rows if r[7] is None or r[11] is not None]
        counted = measure(con, unknown) if unknown else {}
        out = []
        for did, name, src, fmt, pid, case, words, *stored, _stale in rows:
            chars, spoken, coded, codings = counted.get(did) or stored
            out.append(
                DocumentInfo(did, name, src, fmt, pid, case, words, chars, codings, coded, spoken)
            )
        return out


def _rows_at_once(con: Any, q: Select[Any], order: tuple[Any, ...]) -> list[Any]:
    """The query's rows (as lists) fetched as one JSON value, in its ``order``.

    Python's sqlite3 lets go of the GIL for every row it steps through; beside a busy
    event loop (the workbench starting) each row then waits for the loop to let go in
    turn, and 2,000 rows took a third of a second instead of 30 ms. One row holding
    them all crosses once. A row number, dropped here, keeps the order explicit.
    """
    ordered = q.add_columns(func.row_number().over(order_by=order))
    inner = ordered.order_by(None).subquery()
    packed = select(func.json_group_array(func.json_array(*inner.c)))
    text = con.execute(packed).scalar()
    rows = json.loads(text) if text else []
    rows.sort(key=itemgetter(-1))
    return [row[:-1] for row in rows]


def open_document(project: Project, ref: str | int) -> DocumentText:
    """Load a document's text and segments for reading."""
    with project.read() as s:
        doc = resolve_document(s, ref)
        segs = s.execute(
            select(
                Segment.kind,
                Segment.seq,
                Segment.start,
                Segment.end,
                Segment.speaker,
                Segment.is_participant,
                Segment.role,
                Segment.timecode_ms,
            )
            .where(Segment.document_id == doc.id)
            .order_by(Segment.kind, Segment.seq)
        ).all()
        part = doc.participant
        case = part.case if part and part.case else doc.case
        turns = tuple(SegmentInfo(*r) for r in segs if r[0] == "turn")
        sents = tuple(SegmentInfo(*r) for r in segs if r[0] == "sentence")
        return DocumentText(
            doc.id,
            doc.name,
            part.label if part else None,
            case.name if case else None,
            doc.text,
            turns,
            sents,
        )
