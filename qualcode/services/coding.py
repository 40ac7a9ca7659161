"""Coding: applying codes to character ranges of documents, and listing codings.

A coding is ``(document, start, end, code, coder, valence, memo)`` with Python
``str`` offsets (start inclusive, end exclusive). Each call is one committed
transaction, so nothing is lost when the program is killed afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qualcode.errors import ConflictError, InvalidInputError, NotFoundError
from qualcode.services.codebook import (
    code_id_by_path,
    code_paths,
    paths_from_links,
    resolve_code,
)
from qualcode.services.documents import resolve_document
from qualcode.services.project import Project
from qualcode.store.models import (
    VALENCES,
    Case,
    Code,
    Coder,
    Coding,
    Document,
    Participant,
    Segment,
)


@dataclass(frozen=True)
class CodingRow:
    """One coding with everything a reader, a list or an export needs."""

    id: int
    document: str
    document_id: int
    participant: str | None
    case: str | None
    start: int
    end: int
    text: str
    code: str
    code_id: int
    code_path: tuple[str, ...]
    valence: str | None
    coder: str
    memo: str
    created_at: datetime
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        """Every field in order, as ``asdict`` gives them, without its deep copy of each."""
        d = dict(zip(_ROW_FIELDS, _ROW_VALUES(self), strict=True))
        d["code_path"] = list(self.code_path)
        d["created_at"] = self.created_at.isoformat()
        d["updated_at"] = self.updated_at.isoformat()
        return d


_ROW_FIELDS = tuple(f.name for f in fields(CodingRow))
_ROW_VALUES = attrgetter(*_ROW_FIELDS)


def check_valence(valence: str | None) -> str | None:
    """Accept a valence or its first letter (f/b/n); None means not set."""
    if valence in (None, ""):
        return None
    v = valence.strip().lower()
    for full in VALENCES:
        if v in (full, full[0]):
            return full
    raise InvalidInputError(f"Valence {valence!r} is not one of {', '.join(VALENCES)}.")


def _query() -> Select[Any]:
    cols = [
        Coding.id,
        Document.name.label("document"),
        Coding.document_id,
        Participant.label.label("participant"),
        Case.name.label("case"),
        Coding.start,
        Coding.end,
        Code.name.label("code"),
        Coding.code_id,
        Coding.valence,
        Coder.name.label("coder"),
        Coding.memo,
        Coding.created_at,
        Coding.updated_at,
    ]
    return (
        select(*cols)
        .join(Document, Coding.document_id == Document.id)
        .join(Code, Coding.code_id == Code.id)
        .join(Coder, Coding.coder_id == Coder.id)
        .outerjoin(Participant, Document.participant_id == Participant.id)
        .outerjoin(Case, Case.id == func.coalesce(Participant.case_id, Document.case_id))
        .order_by(Document.name, Coding.start, Coding.end, Coding.id)
    )


@dataclass(frozen=True)
class _Target:
    """The document a coding goes into, read as one plain row with its participant and case."""

    id: int
    name: str
    text: str
    participant: str | None
    case: str | None


_STATEMENTS: dict[str, Any] = {}


def _statement(key: str) -> Any:
    """Statements for the one-coding path, built once (building one costs more than running it)."""
    if not _STATEMENTS:
        target = (
            select(Document.id, Document.name, Document.text, Participant.label, Case.name)
            .outerjoin(Participant, Document.participant_id == Participant.id)
            .outerjoin(Case, Case.id == func.coalesce(Participant.case_id, Document.case_id))
        )
        _STATEMENTS["doc_by_name"] = target.where(Document.name == bindparam("name"))
        _STATEMENTS["doc_by_id"] = target.where(Document.id == bindparam("id"))
        _STATEMENTS["codes"] = select(Code.id, Code.name, Code.parent_id, Code.codable)
        _STATEMENTS["turns"] = (
            select(Segment.start, Segment.end, Segment.speaker)
            .where(
                Segment.document_id == bindparam("doc"),
                Segment.kind == "turn",
                Segment.start < bindparam("end"),
                Segment.end > bindparam("start"),
            )
            .order_by(Segment.start)
        )
        _STATEMENTS["by_id"] = _query().where(Coding.id == bindparam("cid"))
        _STATEMENTS["text"] = select(Document.text).where(Document.id == bindparam("id"))
        _STATEMENTS["dup"] = select(Coding.id).where(
            Coding.document_id == bindparam("doc"),
            Coding.start == bindparam("start"),
            Coding.end == bindparam("end"),
            Coding.code_id == bindparam("code"),
            Coding.coder_id == bindparam("coder"),
        )
        table = Coding.__table__
        # a plain row (no ORM flush) that returns what the new coding's row needs
        _STATEMENTS["insert"] = insert(table).returning(
            table.c.id, table.c.created_at, table.c.updated_at
        )
    return _STATEMENTS[key]


def _rows(
    s: Session,
    q: Select[Any],
    params: dict[str, Any] | None = None,
) -> list[CodingRow]:
    """Run a codings query; quotes are sliced in Python from each document's text, read once.

    (Cutting them out in SQL with substr() scans the document from its start for every
    coding: seconds for a thousand codings on a long transcript.)
    """
    paths = code_paths(s)
    found = s.execute(q, params).all()
    texts: dict[int, str] = {}
    doc_ids = sorted({r.document_id for r in found})
    for i in range(0, len(doc_ids), 500):
        texts.update(
            s.execute(
                select(Document.id, Document.text).where(Document.id.in_(doc_ids[i : i + 500]))
            ).all()
        )
    return [
        CodingRow(
            r.id,
            r.document,
            r.document_id,
            r.participant,
            r.case,
            r.start,
            r.end,
            texts[r.document_id][r.start : r.end],
            r.code,
            r.code_id,
            paths[r.code_id],
            r.valence,
            r.coder,
            r.memo or "",
            r.created_at,
            r.updated_at,
        )
        for r in found
    ]


def descendants(s: Session, code_id: int) -> list[int]:
    """The code and every code below it."""
    ids = [code_id]
    parent = dict(s.execute(select(Code.id, Code.parent_id)).all())
    changed = True
    while changed:
        changed = False
        for cid, pid in parent.items():
            if pid in ids and cid not in ids:
                ids.append(cid)
                changed = True
    return ids


def _filtered(
    s: Session,
    document: str | int | None,
    code: str | int | None,
    coder: str | None,
    case: str | None,
    valence: str | None,
    include_children: bool,
) -> Select[Any]:
    q = _query()
    if document is not None:
        q = q.where(Coding.document_id == resolve_document(s, document).id)
    if code is not None:
        cid = resolve_code(s, code).id
        q = q.where(
            Coding.code_id.in_(descendants(s, cid)) if include_children else Coding.code_id == cid
        )
    if coder:
        q = q.where(Coder.name == coder)
    if case:
        q = q.where(Case.name == case)
    if valence:
        q = q.where(Coding.valence == check_valence(valence))
    return q


def list_codings(
    project: Project,
    *,
    document: str | int | None = None,
    code: str | int | None = None,
    coder: str | None = None,
    case: str | None = None,
    valence: str | None = None,
    include_children: bool = False,
) -> list[CodingRow]:
    """Codings, filtered; ordered by document and position."""
    with project.read() as s:
        return _rows(s, _filtered(s, document, code, coder, case, valence, include_children))


def iter_codings(
    project: Project,
    *,
    document: str | int | None = None,
    code: str | int | None = None,
    coder: str | None = None,
    case: str | None = None,
    valence: str | None = None,
    include_children: bool = False,
) -> Iterator[CodingRow]:
    """As ``list_codings``, streamed: memory stays flat however large the project.

    Rows come in document order, so one document's text is held at a time.
    """
    with project.read() as s:
        q = _filtered(s, document, code, coder, case, valence, include_children)
        paths = code_paths(s)
        current, text = None, ""
        conn = s.connection()  # plain rows: nothing here is an ORM object
        # columns in _query()'s order, unpacked (a named lookup per field costs more)
        for (
            cid,
            doc_name,
            doc_id,
            participant,
            case_name,
            start,
            end,
            code_name,
            code_id,
            valence_,
            coder_name,
            memo,
            created,
            updated,
        ) in conn.execute(q.execution_options(yield_per=1000)):
            if doc_id != current:
                current = doc_id
                text = conn.scalar(_statement("text"), {"id": current}) or ""
            yield CodingRow(
                cid,
                doc_name,
                doc_id,
                participant,
                case_name,
                start,
                end,
                text[start:end],
                code_name,
                code_id,
                paths[code_id],
                valence_,
                coder_name,
                memo or "",
                created,
                updated,
            )


def get_coding(project: Project, coding_id: int) -> CodingRow:
    with project.read() as s:
        return _get(s, coding_id)


def _get(s: Session, coding_id: int) -> CodingRow:
    rows = _rows(s, _statement("by_id"), {"cid": coding_id})
    if not rows:
        raise NotFoundError(f"No coding with id {coding_id}. See `qualcode codings`.")
    return rows[0]


def check_within_turn(s: Session, doc: Document | _Target, start: int, end: int) -> None:
    """Refuse a range that runs from one speaker's turn into another's, or over a speaker label.

    A quote is one person's words: a coding that crossed turns would put the interviewer's
    question (and the labels between) into a participant's quote in every chart.
    Text outside all turns (a preamble) may be coded on its own.
    """
    turns = (
        s.connection()
        .execute(_statement("turns"), {"doc": doc.id, "start": start, "end": end})
        .all()
    )
    if not turns:
        return
    where = f"{doc.name} {start}-{end}"
    if len(turns) > 1:
        first, second = turns[0], turns[1]
        raise InvalidInputError(
            f"{where} runs from {first.speaker}'s turn into {second.speaker}'s turn (at "
            f"{second.start}): a coding stays within one speaker's turn. Code each turn on "
            f"its own (the first ends at {first.end})."
        )
    turn = turns[0]
    outside = doc.text[start : max(start, turn.start)] + doc.text[min(end, turn.end) : end]
    if outside.strip():
        raise InvalidInputError(
            f"{where} reaches outside {turn.speaker}'s turn ({turn.start}-{turn.end}) into "
            f"{outside.strip()[:40]!r}: a quote holds one speaker's words, without labels. "
            "Code the words inside the turn."
        )


def add_coding(
    project: Project,
    document: str | int,
    start: int,
    end: int,
    code: str | int,
    *,
    valence: str | None = None,
    memo: str = "",
    coder: str | None = None,
    coding_id: int | None = None,
    across_turns: bool = False,
) -> CodingRow:
    """Code ``document[start:end]``; one committed transaction. Returns the new coding.

    The range must stay within one speaker's turn (:func:`check_within_turn`);
    ``across_turns=True`` is only for putting back a coding exactly as it was stored.
    """
    valence = check_valence(valence)
    with project.transaction(
        "add coding", document=str(document), start=start, end=end, code=str(code), valence=valence
    ) as s:
        conn = s.connection()  # plain rows throughout: no ORM objects for one coding
        doc = _target(s, document)
        links = tuple(map(tuple, conn.execute(_statement("codes"))))
        paths = _paths(links)
        if isinstance(code, int) or code.isdigit():  # as resolve_code reads it
            code_id = resolve_code(s, code, paths).id
        else:
            code_id = code_id_by_path(paths, code)
        code_name, codable = next((r[1], r[3]) for r in links if r[0] == code_id)
        if not codable:
            raise InvalidInputError(
                f"{code_name!r} is a heading, not a codable code. Pick one of its children."
            )
        _check_range(doc, start, end)
        if not across_turns:
            check_within_turn(s, doc, start, end)
        coder_name = project.coder_key(coder)
        coder_id = project.coder_id(s, coder_name)
        dup = conn.scalar(
            _statement("dup"),
            {"doc": doc.id, "start": start, "end": end, "code": code_id, "coder": coder_id},
        )
        if dup is not None:
            raise _already_coded(doc, start, end, code_name, dup)
        values = {
            "document_id": doc.id,
            "start": start,
            "end": end,
            "code_id": code_id,
            "coder_id": coder_id,
            "valence": valence,
            "memo": memo,
        }
        if coding_id is not None:  # restoring an undone coding keeps its id
            values["id"] = coding_id
        try:
            new_id, created, updated = conn.execute(_statement("insert"), values).one()
        except IntegrityError as e:  # the same coding stored by another process just now
            if coding_id is not None or not _is_duplicate(e):
                raise
            raise _already_coded(doc, start, end, code_name) from None
        return CodingRow(
            new_id,
            doc.name,
            doc.id,
            doc.participant,
            doc.case,
            start,
            end,
            doc.text[start:end],
            code_name,
            code_id,
            paths[code_id],
            valence,
            coder_name,
            memo or "",
            created,
            updated,
        )


_PATHS: dict[tuple[tuple[Any, ...], ...], dict[int, tuple[str, ...]]] = {}


def _paths(links: tuple[tuple[Any, ...], ...]) -> dict[int, tuple[str, ...]]:
    """The code tree of these codes rows, built once while the codebook stays the same."""
    paths = _PATHS.get(links)
    if paths is None:
        _PATHS.clear()  # only the latest codebook is kept
        paths = _PATHS[links] = paths_from_links(links)
    return paths


def _target(s: Session, document: str | int) -> _Target:
    """The document by id or exact name in one plain row; else as ``resolve_document`` finds it."""
    conn = s.connection()
    if isinstance(document, int) or document.isdigit():
        row = conn.execute(_statement("doc_by_id"), {"id": int(document)}).first()
    else:
        row = conn.execute(_statement("doc_by_name"), {"name": document.strip()}).first()
    if row is None:  # a participant label, another case, a file name; or the message
        found = resolve_document(s, document)
        row = conn.execute(_statement("doc_by_id"), {"id": found.id}).one()
    return _Target(*row)


def _check_range(doc: Document | _Target, start: int, end: int) -> None:
    """A coding covers at least one character of its document's text."""
    n = len(doc.text)
    if not 0 <= start < end <= n:
        raise InvalidInputError(
            f"Range {start}-{end} is outside {doc.name!r} (0-{n}); start must be before end."
        )


def _already_coded(
    doc: Document | _Target, start: int, end: int, code_name: str, coding_id: int | None = None
) -> ConflictError:
    """The one message for a duplicate coding, whether seen before the insert or by it."""
    which = f" (coding {coding_id})" if coding_id is not None else ""
    return ConflictError(
        f"{doc.name} {start}-{end} is already coded {code_name!r}{which}. "
        "Change its valence or memo instead."
    )


def _is_duplicate(exc: IntegrityError) -> bool:
    """Whether an insert or update hit the one-coding-per-coder-code-span rule."""
    msg = str(exc.orig).lower()
    return "ux_codings_coder_doc_code_span" in msg or (
        "unique" in msg and "codings.coder_id" in msg
    )


def segment_range(
    s: Session, document_id: int, seq: int, kind: str = "sentence"
) -> tuple[int, int]:
    seg = s.scalar(
        select(Segment).where(
            Segment.document_id == document_id, Segment.kind == kind, Segment.seq == seq
        )
    )
    if seg is None:
        total = s.scalar(
            select(func.count())
            .select_from(Segment)
            .where(Segment.document_id == document_id, Segment.kind == kind)
        )
        raise NotFoundError(f"No {kind} {seq} in that document (it has {total}, numbered from 1).")
    return seg.start, seg.end


def add_coding_by_segment(
    project: Project,
    document: str | int,
    seq: int,
    code: str | int,
    *,
    kind: str = "sentence",
    **kw: Any,
) -> CodingRow:
    """Code a whole sentence or turn (numbered from 1, as ``qualcode show`` prints them)."""
    with project.read() as s:
        doc = resolve_document(s, document)
        start, end = segment_range(s, doc.id, seq, kind)
    return add_coding(project, doc.id, start, end, code, **kw)


def find_phrase(
    text: str, phrase: str, occurrence: int | None = None, *, where: str = ""
) -> tuple[int, int]:
    """Locate an exact phrase; if it occurs more than once, ``occurrence`` (1-based) picks one."""
    if not phrase:
        raise InvalidInputError("The phrase to code is empty.")
    hits, i = [], text.find(phrase)
    while i != -1:
        hits.append(i)
        i = text.find(phrase, i + 1)
    if not hits:
        raise NotFoundError(
            f"Phrase {phrase[:60]!r} does not occur in {where or 'the document'}. "
            "Copy it exactly (quotes and dashes included)."
        )
    if occurrence is None:
        if len(hits) > 1:
            raise InvalidInputError(
                f"Phrase {phrase[:60]!r} occurs {len(hits)} times in "
                f"{where or 'the document'}; say which with --occurrence N "
                "or give a longer phrase."
            )
        occurrence = 1
    if not 1 <= occurrence <= len(hits):
        raise InvalidInputError(f"--occurrence {occurrence}: the phrase occurs {len(hits)} times.")
    start = hits[occurrence - 1]
    return start, start + len(phrase)


def add_coding_by_phrase(
    project: Project,
    document: str | int,
    phrase: str,
    code: str | int,
    *,
    occurrence: int | None = None,
    **kw: Any,
) -> CodingRow:
    """Code the exact phrase in the document."""
    with project.read() as s:
        doc = resolve_document(s, document)
        start, end = find_phrase(doc.text, phrase, occurrence, where=doc.name)
    return add_coding(project, doc.id, start, end, code, **kw)


def remove_coding(project: Project, coding_id: int) -> CodingRow:
    """Delete a coding; returns it as it was (so it can be restored)."""
    with project.transaction("remove coding", coding=coding_id) as s:
        row = _get(s, coding_id)
        s.delete(s.get(Coding, coding_id))
        return row


def update_coding(
    project: Project,
    coding_id: int,
    *,
    valence: str | None | type[...] = ...,
    memo: str | None = None,
    code: str | int | None = None,
    start: int | None = None,
    end: int | None = None,
) -> CodingRow:
    """Change a coding's valence, memo, code or range. ``valence=None`` clears it."""
    with project.transaction(
        "update coding", coding=coding_id, memo=memo is not None, code=code, start=start, end=end
    ) as s:
        c = s.get(Coding, coding_id)
        if c is None:
            raise NotFoundError(f"No coding with id {coding_id}.")
        if valence is not ...:
            c.valence = check_valence(valence)  # type: ignore[arg-type]
        if memo is not None:
            c.memo = memo
        if code is not None:
            c.code_id = resolve_code(s, code).id
        if start is not None or end is not None:
            doc = s.get(Document, c.document_id)
            assert doc is not None
            new_start, new_end = (
                start if start is not None else c.start,
                end if end is not None else c.end,
            )
            _check_range(doc, new_start, new_end)
            check_within_turn(s, doc, new_start, new_end)
            c.start, c.end = new_start, new_end
        try:
            s.flush()
        except IntegrityError as e:
            if not _is_duplicate(e):
                raise
            raise ConflictError(
                f"Coding {coding_id} would then be the same as another coding "
                "of yours (same code, same text); nothing was changed."
            ) from None
        return _get(s, coding_id)
