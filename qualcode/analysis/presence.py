"""Where each code is present: codings per code (× valence) × document, read in one pass.

Pattern matching needs, for every code (× valence), the set of cases where it is
present. SQLite lists the documents of each code's codings by walking a covering
index in order (no sorting, no table rows); mapping a document to its case and
participant is a dictionary look-up in Python. Joining to the documents in SQL and
grouping by case instead needs temporary B-trees and was about ten times slower on
a 100,000-coding project.

Presence at the default thresholds (one coding from one participant) is only "the
cases of the coded documents"; the per-cell counts (codings and distinct
participants) are built when a table or an export asks for them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInputError
from qualcode.store.models import Code, Coder, Coding, Document, Participant

# Core tables, not the ORM classes: a read like this one then never pays for mapper
# configuration (tens of milliseconds in a command that runs once).
_codes, _codings = Code.__table__.c, Coding.__table__.c
_documents, _participants = Document.__table__.c, Participant.__table__.c

Key = tuple[int, "str | None"]  # (code id, valence); valence None = all codings when not by valence


class CellCount(NamedTuple):
    """Codings of one code (× valence) in one case, and how many participants gave them."""

    refs: int
    participants: int


@dataclass(frozen=True)
class CodedDocuments:
    """For each code (× valence): the document of every coding made with it.

    Document ids are kept as the text SQLite returns (one entry per coding, so a
    document coded three times appears three times); the look-up tables are keyed
    the same way, which saves converting a hundred thousand numbers.
    """

    by_valence: bool
    roll_up: bool
    documents: dict[Key, list[str]]
    case_of: dict[str, int | None]  # document -> case (its participant's, else its own)
    who_of: dict[str, int]  # document -> participant (a document with none counts as one)

    def present_cases(self, key: Key, min_refs: int = 1, min_participants: int = 1) -> set[int]:
        """Cases where the code has at least ``min_refs`` codings from ``min_participants``."""
        docs = self.documents.get(key)
        if docs is None:
            return set()
        if min_refs == 1 and min_participants == 1:
            case_of = self.case_of
            found = {case_of[d] for d in docs}
            found.discard(None)  # type: ignore[arg-type]
            return found  # type: ignore[return-value]
        return {
            case
            for case, c in self.cell_counts(key).items()
            if c.refs >= min_refs and c.participants >= min_participants
        }

    def cell_counts(self, key: Key) -> dict[int, CellCount]:
        """Codings and distinct participants per case (documents with no case left out)."""
        docs = self.documents.get(key)
        if docs is None:
            return {}
        refs: dict[int, int] = defaultdict(int)
        people: dict[int, set[int]] = defaultdict(set)
        case_of, who_of = self.case_of, self.who_of
        for doc, n in Counter(docs).items():
            case = case_of[doc]
            if case is not None:
                refs[case] += n
                people[case].add(who_of[doc])
        return {case: CellCount(n, len(people[case])) for case, n in refs.items()}

    def uncased_codings(self) -> int:
        """Codings in documents attached to no case (counted once each without roll-up)."""
        orphans = {d for d, case in self.case_of.items() if case is None}
        if not orphans:
            return 0
        return sum(1 for docs in self.documents.values() for d in docs if d in orphans)


def coded_documents(
    s: Session,
    *,
    by_valence: bool = False,
    roll_up: bool = False,
    portable: bool | None = None,
    coders: tuple[str, ...] = (),
) -> CodedDocuments:
    """Read the coded documents per code (× valence) in one grouped query.

    Without ``by_valence`` the key's valence is None and covers every coding of the
    code. With ``roll_up`` each code also holds the codings of every code below it.
    ``portable`` forces the plain SQL used on databases other than SQLite.
    """
    docs = s.execute(
        select(
            _documents.id,
            func.coalesce(_participants.case_id, _documents.case_id),
            func.coalesce(_documents.participant_id, -_documents.id),
        )
        .select_from(Document.__table__)
        .outerjoin(Participant.__table__, _participants.id == _documents.participant_id)
    ).all()
    case_of = {str(d): case for d, case, _ in docs}
    who_of = {str(d): who for d, _, who in docs}
    documents = _fetch(s, by_valence, portable, coder_ids(s, coders) if coders else None)
    if roll_up:
        documents = _roll_up(s, documents)
    return CodedDocuments(by_valence, roll_up, documents, case_of, who_of)


def coder_ids(s: Session, names: tuple[str, ...]) -> list[int]:
    """Ids of the named coders; an unknown name is an error listing the known ones."""
    known = dict(s.execute(select(Coder.__table__.c.name, Coder.__table__.c.id)).all())
    missing = [n for n in names if n not in known]
    if missing:
        raise InvalidInputError(
            f"No coder {', '.join(repr(m) for m in missing)} in this "
            f"project. Coders: {', '.join(sorted(known)) or 'none yet'}."
        )
    return [known[n] for n in names]


def _fetch(
    s: Session, by_valence: bool, portable: bool | None, coders: list[int] | None = None
) -> dict[Key, list[str]]:
    keys = [_codings.code_id] + ([_codings.valence] if by_valence else [])
    conn = s.connection()
    out: dict[Key, list[str]] = {}
    if coders is not None:
        portable = True  # a filtered read; the grouped index walk below reads every coding
    if not (conn.dialect.name != "sqlite" if portable is None else portable):
        # One row per code (× valence) listing its codings' documents: the index on
        # (code, valence, document) is walked in order, nothing is sorted, and a few
        # hundred rows come back instead of one per coding.
        q = select(*keys, func.group_concat(_codings.document_id)).group_by(*keys)
        for row in _plain_rows(conn, q):
            out[(row[0], row[1] if by_valence else None)] = row[-1].split(",")
        return out
    q = select(*keys, _codings.document_id, func.count()).group_by(*keys, _codings.document_id)
    if coders is not None:
        q = q.where(_codings.coder_id.in_(coders))
    for row in conn.execute(q):
        key = (row[0], row[1] if by_valence else None)
        out.setdefault(key, []).extend([str(row[-2])] * row[-1])
    return out


def _plain_rows(conn: Any, q: Any) -> list[tuple[Any, ...]]:
    """Rows as plain tuples straight from the SQLite driver (no Row objects)."""
    compiled = q.compile(dialect=conn.dialect)
    params = [compiled.params[name] for name in (compiled.positiontup or ())]
    cursor = conn.connection.driver_connection.cursor()
    try:
        return cursor.execute(str(compiled), params).fetchall()
    finally:
        cursor.close()


def _roll_up(s: Session, documents: dict[Key, list[str]]) -> dict[Key, list[str]]:
    """Each code's entry extended with those of all its descendants (same valence)."""
    parent = dict(s.execute(select(_codes.id, _codes.parent_id)).all())
    out: dict[Key, list[str]] = {}
    for (code, valence), docs in documents.items():
        for target in _self_and_ancestors(code, parent):
            out.setdefault((target, valence), []).extend(docs)
    return out


def _self_and_ancestors(code: int, parent: Mapping[int, int | None]) -> Iterator[int]:
    seen: set[int] = set()
    node: int | None = code
    while node is not None and node not in seen:  # a cycle cannot loop for ever
        seen.add(node)
        yield node
        node = parent.get(node)


@dataclass
class LazyCaseCounts(Mapping[str, CellCount]):
    """Per-case counts of one pattern row, built on first use from the coded documents.

    Classification needs only the present cases; tables and exports show the counts.
    Cases come in the order given (natural order of case names).
    """

    source: CodedDocuments
    key: Key
    names: Mapping[int, str]
    order: Mapping[int, int]
    _cells: dict[str, CellCount] | None = field(default=None, repr=False)

    def _load(self) -> dict[str, CellCount]:
        if self._cells is None:
            cells = self.source.cell_counts(self.key)
            self._cells = {
                self.names[c]: cells[c] for c in sorted(cells, key=self.order.__getitem__)
            }
        return self._cells

    def __getitem__(self, case: str) -> CellCount:
        return self._load()[case]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __contains__(self, case: object) -> bool:
        return case in self._load()


def counts_by_key(source: CodedDocuments) -> dict[Key, dict[int, CellCount]]:
    """Per-case counts of every code (× valence) at once."""
    return {key: source.cell_counts(key) for key in source.documents}
