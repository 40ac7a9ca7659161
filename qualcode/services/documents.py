"""Documents: finding them, listing them with coding progress, reading their segments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from qualcode.errors import NotFoundError
from qualcode.ingest.timecodes import format_timecode
from qualcode.services.project import Project
from qualcode.store.models import Case, Coding, Document, Participant, Segment


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
    measured: bool = True
    """False in :func:`list_documents_brief`: chars, coded and spoken are not counted (0)."""

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


def merged_length(ranges: Iterable[tuple[int, int]]) -> int:
    """Total characters covered by possibly overlapping ranges."""
    total, cur_s, cur_e = 0, -1, -1
    for s, e in sorted(ranges):
        if s > cur_e:
            total += max(0, cur_e - cur_s)
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    return total + max(0, cur_e - cur_s)


def coded_share(
    text_length: int, turns: Iterable[tuple[int, int]], codings: Iterable[tuple[int, int]]
) -> tuple[int, int]:
    """``(coded, spoken)`` characters: the one definition of how much of a document is coded.

    What was said is the turns' text (speaker labels and timecodes left out), or the
    whole text when it has no turns; coded is the part of it that any coding covers
    (overlaps counted once). The home screen, the reader and ``qualcode documents``
    all show :func:`percent_of` these two numbers, so they always agree.
    """
    spoken = sorted(turns) or [(0, text_length)]
    merged: list[list[int]] = []
    for st, en in sorted(codings):
        if merged and st <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], en)
        elif en > st:
            merged.append([st, en])
    coded, i = 0, 0
    for ts, te in spoken:
        while i < len(merged) and merged[i][1] <= ts:
            i += 1
        j = i
        while j < len(merged) and merged[j][0] < te:
            coded += max(0, min(te, merged[j][1]) - max(ts, merged[j][0]))
            j += 1
    return coded, merged_length(spoken)


def percent_of(part: int, whole: int) -> int:
    """A whole percentage, halves rounded up (0 when there is nothing to count)."""
    return (200 * part + whole) // (2 * whole) if whole > 0 else 0


def _listing(last: Any) -> Select[Any]:
    """The documents in listing order (case, participant, name) with one extra column."""
    return (
        select(
            Document.id,
            Document.name,
            Document.source_file,
            Document.file_format,
            Participant.label,
            Case.name,
            Document.word_count,
            last,
        )
        .outerjoin(Participant, Document.participant_id == Participant.id)
        .outerjoin(Case, Case.id == func.coalesce(Participant.case_id, Document.case_id))
        .order_by(Case.name, Participant.label, Document.name)
    )


def list_documents(project: Project) -> list[DocumentInfo]:
    """Every document with words, codings and coded share (three queries).

    The rows are read through the session's connection (Core, not the ORM): at
    2,000 documents that is 180,000 plain tuples, and ORM row processing would
    double the time the workbench home waits for them.
    """
    with project.read() as s:
        con = s.connection()
        spans: dict[int, list[tuple[int, int]]] = {}
        for did, st, en in con.execute(select(Coding.document_id, Coding.start, Coding.end)).all():
            spans.setdefault(did, []).append((st, en))
        turns: dict[int, list[tuple[int, int]]] = {}
        for did, st, en in con.execute(
            select(Segment.document_id, Segment.start, Segment.end).where(Segment.kind == "turn")
        ).all():
            turns.setdefault(did, []).append((st, en))
        q = _listing(func.length(Document.text))
        out = []
        for did, name, src, fmt, pid, case, words, chars in con.execute(q).all():
            coded, spoken = coded_share(chars or 0, turns.get(did, []), spans.get(did, []))
            out.append(
                DocumentInfo(
                    did,
                    name,
                    src,
                    fmt,
                    pid,
                    case,
                    words,
                    chars or 0,
                    len(spans.get(did, ())),
                    coded,
                    spoken,
                )
            )
        return out


def list_documents_brief(project: Project) -> list[DocumentInfo]:
    """Every document in :func:`list_documents` order with its codings, nothing measured.

    One grouped query, a few milliseconds at 2,000 documents: the workbench home shows
    these rows at once while :func:`list_documents` works out how much of each is coded.
    """
    with project.read() as s:
        counts = (
            select(Coding.document_id, func.count().label("n"))
            .group_by(Coding.document_id)
            .subquery()
        )
        q = _listing(func.coalesce(counts.c.n, 0)).outerjoin(
            counts, counts.c.document_id == Document.id
        )
        return [
            DocumentInfo(did, name, src, fmt, pid, case, words, 0, n, 0, measured=False)
            for did, name, src, fmt, pid, case, words, n in s.connection().execute(q).all()
        ]


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
