"""The framework matrix (charting): cases or participants down the side, codes across the top.

Built with a handful of set-based queries whatever the size of the project: one
narrow pass over the codings (id, code, document, valence; counted into cells by
:mod:`qualcode.analysis.matrix_tally`), one for the analysts' summaries and one for
workshop comment counts, plus the small code, case, participant and document tables.
Construct columns can roll up their child codes; the roll-up happens in memory as
the codings are counted, never with a query per cell. Quotes are
fetched only when asked for (:func:`qualcode.analysis.quotes.load_quotes`), a cell or
an export at a time.

Everything here is plain SQL over a DB-API connection (:mod:`qualcode.store.sql`), so the
same code serves a SQLAlchemy session and the read-only SQLite path of the command line:
no services, no Textual, no SQLAlchemy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from qualcode.analysis.code_tree import ordered_code_rows
from qualcode.analysis.gc_pause import collection_paused
from qualcode.analysis.matrix_spec import (
    NO_VALENCE,
    MatrixSpec,
    Value,
    case_matches,
    parse_where,
)
from qualcode.analysis.matrix_tally import (
    columns_of_code,
    document_places,
    keep_used_rows,
    summed,
    tally_codings,
)
from qualcode.analysis.rules import check_attributes_known
from qualcode.errors import InvalidInputError
from qualcode.store.sql import driver_connection, fetch, id_list, stored_time, text_literal
from qualcode.store.values import attribute_value

if TYPE_CHECKING:  # a hint only: the matrix is read with plain SQL
    from sqlalchemy.orm import Session

INDUCTIVE_DOMAIN = "Inductive"


def natural_key(text: str | None) -> tuple[Any, ...]:
    """Sort "Site 2" before "Site 10" and "S3PW2" before "S3PW10"."""
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text or ""))


# -- the matrix -------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixColumn:
    """A code as a column; ``member_ids`` are the codes whose codings it counts."""

    code_id: int
    name: str
    path: tuple[str, ...]
    domain: str
    depth: int
    codable: bool
    origin: str
    colour: str | None
    member_ids: frozenset[int]
    definition: str = ""

    @property
    def path_str(self) -> str:
        return "/".join(self.path)

    @property
    def rolls_up(self) -> bool:
        return len(self.member_ids) > 1


@dataclass(frozen=True)
class MatrixRow:
    """A case, or a participant (with the case they belong to). ``id`` is None for "no case"."""

    row_type: str
    id: int | None
    label: str
    case_id: int | None
    case: str | None
    group: str | None
    attributes: dict[str, Value] = field(default_factory=dict, hash=False, compare=False)
    role: str | None = None

    @property
    def chartable(self) -> bool:
        """Only a real case or participant can hold a summary."""
        return self.id is not None


@dataclass(frozen=True)
class SummaryInfo:
    """The analyst's summary of a cell as last saved."""

    id: int
    text: str
    status: str
    author: str | None
    updated_at: datetime


@dataclass(slots=True)
class Cell:
    """What one case (or participant) said about one code, in numbers."""

    count: int = 0
    participants: tuple[str, ...] = ()
    coding_ids: tuple[int, ...] = ()
    valences: dict[str, int] = field(default_factory=dict)
    summary: SummaryInfo | None = None
    comments: int = 0

    @property
    def status(self) -> str:
        return self.summary.status if self.summary else "empty"

    @property
    def summary_text(self) -> str:
        return self.summary.text if self.summary else ""


EMPTY_CELL = Cell()


@dataclass
class Matrix:
    """Rows × columns with sparse cells; look cells up by row and column index."""

    spec: MatrixSpec
    rows: list[MatrixRow]
    columns: list[MatrixColumn]
    cells: dict[tuple[int, int], Cell]
    codings: int

    def cell(self, ri: int, ci: int) -> Cell:
        return self.cells.get((ri, ci), EMPTY_CELL)

    @property
    def max_count(self) -> int:
        return max((c.count for c in self.cells.values()), default=0)

    @property
    def domains(self) -> list[str]:
        """Domains in column order."""
        return list(dict.fromkeys(c.domain for c in self.columns))

    def columns_in(self, domain: str) -> list[int]:
        return [i for i, c in enumerate(self.columns) if c.domain.lower() == domain.lower()]

    def column_index(self, code_id: int) -> int | None:
        return next((i for i, c in enumerate(self.columns) if c.code_id == code_id), None)

    def row_index(self, row_id: int | None) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.id == row_id), None)

    def status_counts(self, columns: Iterable[int] | None = None) -> dict[str, int]:
        """How many chartable cells are empty, draft or reviewed."""
        cols = list(range(len(self.columns))) if columns is None else list(columns)
        out = {"empty": 0, "draft": 0, "reviewed": 0}
        for ri, row in enumerate(self.rows):
            if row.chartable:
                for ci in cols:
                    out[self.cell(ri, ci).status] += 1
        return out


@dataclass(frozen=True)
class _Node:
    id: int
    parent_id: int | None
    name: str
    origin: str
    codable: bool
    colour: str | None
    definition: str
    path: tuple[str, ...]
    domain: str


def code_tree(s: Session) -> list[_Node]:
    """Codes depth-first in codebook order, each with its domain (its framework root)."""
    return code_nodes(driver_connection(s))


def code_nodes(conn: Any) -> list[_Node]:
    """As :func:`code_tree`, over a DB-API connection."""
    out: list[_Node] = []
    domain_of: dict[int, str] = {}
    for c, path in ordered_code_rows(conn):
        if c.parent_id is None:
            domain = c.name if c.origin == "framework" else INDUCTIVE_DOMAIN
        else:
            domain = domain_of[c.parent_id]
        domain_of[c.id] = domain
        out.append(
            _Node(
                c.id,
                c.parent_id,
                c.name,
                c.origin,
                c.codable,
                c.colour,
                c.definition or "",
                path,
                domain,
            )
        )
    return out


def _columns(tree: list[_Node], spec: MatrixSpec) -> list[MatrixColumn]:
    below: dict[int, set[int]] = {n.id: {n.id} for n in tree}
    for n in reversed(tree):  # children come after their parent: fold upwards
        if n.parent_id is not None:
            below[n.parent_id] |= below[n.id]
    if spec.domains:
        known = {n.domain.lower(): n.domain for n in tree}
        missing = [d for d in spec.domains if d.lower() not in known]
        if missing:
            raise InvalidInputError(
                f"No domain {missing[0]!r}; the domains are "
                f"{', '.join(dict.fromkeys(known.values())) or 'none yet'}."
            )
    wanted_domains = {d.lower() for d in spec.domains}
    chosen = []
    for n in tree:
        depth = len(n.path) - 1
        if spec.code_ids:
            keep = n.id in spec.code_ids
        else:
            keep = (
                (not wanted_domains or n.domain.lower() in wanted_domains)
                and (spec.max_depth is None or depth <= spec.max_depth)
                and (n.codable or spec.headings or depth == spec.max_depth)
            )
        if keep:
            members = below[n.id] if spec.roll_up else {n.id}
            chosen.append(
                MatrixColumn(
                    n.id,
                    n.name,
                    n.path,
                    n.domain,
                    depth,
                    n.codable,
                    n.origin,
                    n.colour,
                    frozenset(members),
                    n.definition,
                )
            )
    return chosen


def _case_attributes(conn: Any) -> dict[int, dict[str, Value]]:
    """case id -> {attribute: value}."""
    attrs: dict[int, dict[str, Value]] = {}
    q = (
        "SELECT case_id, name, value_type, number_value, text_value FROM case_attributes "
        "ORDER BY name"
    )
    for case_id, name, value_type, number, text in fetch(conn, q):
        value = attribute_value(value_type, number, text)
        attrs.setdefault(case_id, {})[name] = value  # type: ignore[assignment]
    return attrs


def _case_rows(conn: Any, spec: MatrixSpec) -> list[MatrixRow]:
    attrs = _case_attributes(conn)
    cases = [_CaseRow(*r) for r in fetch(conn, "SELECT id, name, group_name FROM cases")]
    if spec.cases:
        names = {c.name.lower() for c in cases}
        missing = [c for c in spec.cases if c.lower() not in names]
        if missing:
            raise InvalidInputError(
                f"No case {missing[0]!r} (cases: "
                f"{', '.join(sorted((c.name for c in cases), key=natural_key))})."
            )
    filters = [(text, parse_where(text)) for text in spec.where]
    known = sorted({name for values in attrs.values() for name in values})
    for text, node in filters:  # a typo is an error, never an empty matrix
        check_attributes_known(
            node,
            text,
            known,
            label=f"--where {text!r}",
            fix="Fix the name, or give the cases that attribute first.",
        )
    wanted_cases = {x.lower() for x in spec.cases}
    wanted_groups = {g.lower() for g in spec.groups}
    rows = []
    for c in cases:
        a = attrs.get(c.id, {})
        if wanted_cases and c.name.lower() not in wanted_cases:
            continue
        if wanted_groups and (c.group_name or "").lower() not in wanted_groups:
            continue
        if not all(case_matches(text, node, a, c.name) for text, node in filters):
            continue
        rows.append(MatrixRow("case", c.id, c.name, c.id, c.name, c.group_name, a))
    return sorted(rows, key=lambda r: natural_key(r.label))


class _CaseRow(NamedTuple):
    id: int
    name: str
    group_name: str | None


def _participant_rows(conn: Any, cases: list[MatrixRow]) -> list[MatrixRow]:
    by_case = {r.id: r for r in cases}
    rows = []
    for pid, label, case_id, role in fetch(
        conn, "SELECT id, label, case_id, role FROM participants"
    ):
        case = by_case.get(case_id)
        if case is not None:
            rows.append(
                MatrixRow(
                    "participant",
                    pid,
                    label,
                    case.id,
                    case.label,
                    case.group,
                    case.attributes,
                    role,
                )
            )
    order = {r.id: i for i, r in enumerate(cases)}
    return sorted(rows, key=lambda r: (order[r.case_id], natural_key(r.label)))


def _codings_query(conn: Any, spec: MatrixSpec, code_ids: list[int] | None) -> str:
    """The codings to count, filtered by code, valence, coder and document, in id order."""
    where = []
    if code_ids is not None:
        where.append(f"code_id IN ({id_list(code_ids)})" if code_ids else "1 = 0")
    if spec.valences:
        vals = [v for v in spec.valences if v != NO_VALENCE]
        cond = f"valence IN ({', '.join(map(text_literal, vals))})" if vals else "1 = 0"
        if NO_VALENCE in spec.valences:
            cond = f"({cond} OR valence IS NULL)"
        where.append(cond)
    if spec.coders:
        known = {n.lower(): i for i, n in fetch(conn, "SELECT id, name FROM coders")}
        missing = [c for c in spec.coders if c.lower() not in known]
        if missing:
            raise InvalidInputError(
                f"No coder {missing[0]!r} (coders: {', '.join(sorted(known)) or 'none yet'})."
            )
        where.append(f"coder_id IN ({id_list(known[c.lower()] for c in spec.coders)})")
    if spec.document_ids:
        where.append(f"document_id IN ({id_list(spec.document_ids)})")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT id, code_id, document_id, valence FROM codings{clause} ORDER BY id"


def build_matrix(s: Session, spec: MatrixSpec) -> Matrix:
    """Count codings per row and column (roll-ups included) and attach summaries."""
    return matrix_from_rows(driver_connection(s), spec)


def matrix_from_rows(conn: Any, spec: MatrixSpec) -> Matrix:
    """As :func:`build_matrix`, over a DB-API connection."""
    with collection_paused():  # every object made here lives as long as the matrix
        return _matrix_from_rows(conn, spec)


def _matrix_from_rows(conn: Any, spec: MatrixSpec) -> Matrix:
    tree = code_nodes(conn)
    columns = _columns(tree, spec)
    cases = _case_rows(conn, spec)
    rows = cases if spec.by == "case" else _participant_rows(conn, cases)
    columns_of = columns_of_code(columns)

    query = _codings_query(conn, spec, list(columns_of) if len(columns_of) < len(tree) else None)
    places = document_places(conn, spec, rows, cases)
    tallies, counted = tally_codings(conn, query, places, columns_of)

    if any(ri == len(rows) for ri, _ in tallies):  # documents with no case / participant
        rows = [*rows, MatrixRow(spec.by, None, f"(no {spec.by})", None, None, None)]
    if spec.document_ids:  # only the rows those documents belong to
        rows, tallies = keep_used_rows(rows, tallies)

    labels = _participant_labels(conn)
    cells = {}
    for key, hits in tallies.items():
        ids, people, valences = summed(hits)
        cells[key] = Cell(len(ids), labels.in_order(people), tuple(ids), valences)
    matrix = Matrix(spec, rows, columns, cells, counted)
    _attach_summaries(conn, matrix)
    return matrix


@dataclass(frozen=True)
class _ParticipantLabels:
    """Participant labels, and their natural sort position for listing a cell's speakers."""

    position: dict[int, int]
    label: dict[int, str]

    def in_order(self, participant_ids: set[int]) -> tuple[str, ...]:
        if len(participant_ids) == 1:  # the usual cell: no sort needed
            return (self.label[next(iter(participant_ids))],)
        return tuple(self.label[p] for p in sorted(participant_ids, key=self.position.__getitem__))


def _participant_labels(conn: Any) -> _ParticipantLabels:
    pairs = sorted(
        fetch(conn, "SELECT id, label FROM participants"), key=lambda r: natural_key(r[1])
    )
    return _ParticipantLabels(
        {pid: n for n, (pid, _) in enumerate(pairs)}, {pid: label for pid, label in pairs}
    )


def _attach_summaries(conn: Any, matrix: Matrix) -> None:
    """One query for summaries and one for workshop comment counts of the whole matrix."""
    row_of = {r.id: i for i, r in enumerate(matrix.rows) if r.id is not None}
    col_of = {c.code_id: i for i, c in enumerate(matrix.columns)}
    by = text_literal(matrix.spec.by)
    q = (
        "SELECT cell_summaries.id, cell_summaries.row_id, cell_summaries.code_id, "
        "cell_summaries.text, cell_summaries.status, coders.name, cell_summaries.updated_at "
        "FROM cell_summaries LEFT OUTER JOIN coders ON coders.id = cell_summaries.coder_id "
        f"WHERE cell_summaries.row_type = {by}"
    )
    for sid, row_id, code_id, text, status, author, updated in fetch(conn, q):
        ri, ci = row_of.get(row_id), col_of.get(code_id)
        if ri is not None and ci is not None:
            cell = matrix.cells.setdefault((ri, ci), Cell())
            cell.summary = SummaryInfo(sid, text or "", status, author, stored_time(updated))
    q2 = (
        "SELECT row_id, code_id, count(*) FROM workshop_comments "
        f"WHERE row_type = {by} GROUP BY row_id, code_id"
    )
    for row_id, code_id, n in fetch(conn, q2):
        ri, ci = row_of.get(row_id), col_of.get(code_id)
        if ri is not None and ci is not None:
            matrix.cells.setdefault((ri, ci), Cell()).comments = n
