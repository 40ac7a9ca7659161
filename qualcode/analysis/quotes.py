"""Quotes behind a matrix cell: the coded passages, labelled by participant and located.

Fetched lazily (a cell at a time in the workbench, all at once for an export) by
coding id, in chunks, with the speaker turn of each passage found by bisecting
the document's turn starts (one query for all the documents involved).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.analysis.matrix import code_tree, natural_key
from qualcode.store.models import Case, Coder, Coding, Document, Participant, Segment

_ID_CHUNK = 5000
_DOC_CHUNK = 200  # documents whose texts are held at once while quotes are cut
SHORT_QUOTE_WORDS = 6
"""A passage of fewer words (an in-vivo phrase, say) is quoted with the sentence around it."""


@dataclass(frozen=True)
class Quote:
    """A coded passage, labelled by participant id and located in its transcript."""

    coding_id: int
    document_id: int
    document: str
    participant: str | None
    case: str | None
    code_id: int
    code_path: tuple[str, ...]
    start: int
    end: int
    text: str
    valence: str | None
    coder: str
    turn: int | None = None
    sentence: str = ""
    """For a short coded phrase (an in-vivo code, say): the sentence it was said in."""

    @property
    def label(self) -> str:
        """Participant id (the document name when the participant is not known)."""
        return self.participant or self.document

    @property
    def where(self) -> str:
        """Where in its transcript: ``turn 4`` (or a character range when turns are unknown)."""
        return f"turn {self.turn}" if self.turn else f"chars {self.start}-{self.end}"

    @property
    def location(self) -> str:
        return f"{self.document}, {self.where}"

    @property
    def citation(self) -> str:
        """How a quote is cited: ``S3PW1, turn 4`` (participant and turn, never the file name)."""
        return f"{self.label}, {self.where}"

    @property
    def clean_text(self) -> str:
        """What to quote, on one line: the passage, or the sentence around a short phrase."""
        return " ".join((self.sentence or self.text).split())


def load_quotes(s: Session, coding_ids: Sequence[int]) -> list[Quote]:
    """The quotes of these codings, ordered by case, participant, document and position.

    Codings are read in chunks of ids; each document involved is read once and the
    passages sliced from its text here (slicing in SQL would re-read a whole
    transcript for every coding).
    """
    if not coding_ids:
        return []
    paths = _paths(s)
    rows: list[Any] = []
    ids = sorted(set(coding_ids))
    for i in range(0, len(ids), _ID_CHUNK):
        q = (
            select(
                Coding.id,
                Coding.document_id,
                Coding.code_id,
                Coding.start,
                Coding.end,
                Coding.valence,
                Coder.name,
            )
            .join(Coder, Coder.id == Coding.coder_id)
            .where(Coding.id.in_(ids[i : i + _ID_CHUNK]))
        )
        rows.extend(s.execute(q).all())
    by_doc: dict[int, list[Any]] = {}
    for r in rows:
        by_doc.setdefault(r[1], []).append(r)
    del rows
    keys: dict[int, Any] = {}
    out = []
    doc_ids = sorted(by_doc)
    # A chunk of documents at a time: only their texts are in memory at once.
    for lo in range(0, len(doc_ids), _DOC_CHUNK):
        chunk = doc_ids[lo : lo + _DOC_CHUNK]
        docs = _documents(s, set(chunk))
        keys.update((did, docs[did][4]) for did in chunk)
        part_rows = [r for did in chunk for r in by_doc[did]]
        out += _chunk_quotes(s, part_rows, docs, paths)
        del docs
    out.sort(key=lambda q: (keys[q.document_id], q.start, q.coding_id))
    return out


def _chunk_quotes(
    s: Session, rows: list[Any], docs: dict[int, tuple[Any, ...]], paths: dict[int, Any]
) -> list[Quote]:
    """The quotes of ``rows`` (codings), whose documents are all in ``docs``."""
    turns, turn_ends = _turn_starts(s, set(docs))
    short = {r[1] for r in rows if len(docs[r[1]][3][r[3] : r[4]].split()) < SHORT_QUOTE_WORDS}
    sentences = _sentences(s, short)
    out = []
    for cid, did, code_id, start, end, valence, coder in rows:
        name, part, case, text, _key = docs[did]
        starts = turns.get(did)
        turn = bisect_right(starts, start) if starts else None
        passage = _within_turn(text, start, end, starts or [], turn_ends.get(did, []))
        sentence = ""
        if did in short and len(passage.split()) < SHORT_QUOTE_WORDS:
            s0, e0 = _sentence_around(sentences.get(did, ([], [])), start, end)
            if (s0, e0) != (start, end):
                sentence = text[s0:e0]
        out.append(
            Quote(
                cid,
                did,
                name,
                part,
                case,
                code_id,
                paths.get(code_id, ()),
                start,
                end,
                passage,
                valence,
                coder,
                turn or None,
                sentence,
            )
        )
    return out


def _documents(s: Session, document_ids: set[int]) -> dict[int, tuple[Any, ...]]:
    """id -> (name, participant label, case name, text, sort key) for each document, once."""
    out: dict[int, tuple[Any, ...]] = {}
    docs = sorted(document_ids)
    case_expr = func.coalesce(Participant.case_id, Document.case_id)
    for i in range(0, len(docs), _ID_CHUNK):
        q = (
            select(Document.id, Document.name, Participant.label, Case.name, Document.text)
            .outerjoin(Participant, Participant.id == Document.participant_id)
            .outerjoin(Case, Case.id == case_expr)
            .where(Document.id.in_(docs[i : i + _ID_CHUNK]))
        )
        for did, name, part, case, text in s.execute(q):
            key = (natural_key(case), natural_key(part or name), name)
            out[did] = (name, part, case, text or "", key)
    return out


def _paths(s: Session) -> dict[int, tuple[str, ...]]:
    return {n.id: n.path for n in code_tree(s)}


def _turn_starts(
    s: Session, document_ids: set[int]
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Start and end offsets of each document's speaker turns (turn n at index n-1)."""
    out: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    docs = sorted(document_ids)
    for i in range(0, len(docs), _ID_CHUNK):
        q = (
            select(Segment.document_id, Segment.start, Segment.end)
            .where(Segment.kind == "turn", Segment.document_id.in_(docs[i : i + _ID_CHUNK]))
            .order_by(Segment.document_id, Segment.seq)
        )
        for did, start, end in s.execute(q):
            out.setdefault(did, []).append(start)
            ends.setdefault(did, []).append(end)
    return out, ends


def _within_turn(text: str, start: int, end: int, starts: list[int], ends: list[int]) -> str:
    """The passage, kept to the first speaker turn it touches.

    New codings cannot cross turns (the coding service refuses them), but one stored
    before that rule or imported from another tool may: its quote must still be one
    person's words, never the next speaker's label and answer.
    """
    k = bisect_right(ends, start)  # the first turn that ends after the passage starts
    if k >= len(starts) or (starts[k] <= start and end <= ends[k]):
        return text[start:end]
    s0, e0 = max(start, starts[k]), min(end, ends[k])
    return text[s0:e0].strip() if s0 < e0 else text[start:end]


def _sentences(s: Session, document_ids: set[int]) -> dict[int, tuple[list[int], list[int]]]:
    """Sentence starts and ends of these documents (only those with short quotes are read)."""
    out: dict[int, tuple[list[int], list[int]]] = {}
    docs = sorted(document_ids)
    for i in range(0, len(docs), _ID_CHUNK):
        q = (
            select(Segment.document_id, Segment.start, Segment.end)
            .where(Segment.kind == "sentence", Segment.document_id.in_(docs[i : i + _ID_CHUNK]))
            .order_by(Segment.document_id, Segment.start)
        )
        for did, start, end in s.execute(q):
            starts, ends = out.setdefault(did, ([], []))
            starts.append(start)
            ends.append(end)
    return out


def _sentence_around(
    sentences: tuple[list[int], list[int]], start: int, end: int
) -> tuple[int, int]:
    """The span of the sentences a passage lies in (the passage itself if none is known)."""
    starts, ends = sentences
    first = bisect_right(starts, start) - 1
    last = bisect_right(starts, max(start, end - 1)) - 1
    if first < 0 or last < 0 or ends[last] < end:
        return start, end
    return starts[first], ends[last]


def illustrative(quotes: Sequence[Quote], limit: int | None) -> list[Quote]:
    """Up to ``limit`` quotes, taking one participant at a time so several voices are heard."""
    if limit is None or len(quotes) <= limit:
        return list(quotes)
    by_person: dict[str, list[Quote]] = {}
    for q in quotes:
        by_person.setdefault(q.label, []).append(q)
    queues = list(by_person.values())
    picked: list[Quote] = []
    depth = 0
    while len(picked) < limit:
        for queue in queues:
            if depth < len(queue) and len(picked) < limit:
                picked.append(queue[depth])
        depth += 1
    order = {id(q): i for i, q in enumerate(quotes)}
    return sorted(picked, key=lambda q: order[id(q)])
