"""What every chart export shares: the chart's content, its tables, labels, and safe writing.

:func:`collect_chart` gathers a built matrix and all its quotes (one chunked
query) into a :class:`Chart`; each writer (docx, xlsx, csv, html) only lays it
out. :func:`atomic_output` writes to a temporary file beside the target and
renames it into place, so a failed or interrupted export never leaves a
half-written file where the old one was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.matrix import Matrix, MatrixColumn, MatrixRow
from qualcode.analysis.quotes import Quote, illustrative, load_quotes
from qualcode.errors import InvalidInputError
from qualcode.store.models import WorkshopComment

Progress = Callable[[int, int, str], None]
QuoteSource = Callable[[Sequence[int]], list[Quote]]
ROWS_PER_LOAD = 100
"""Rows whose quotes are read together when a chart streams its quotes from the database."""
QUOTE_CHARS = 320
LONG_COLUMNS = (
    "case",
    "participant",
    "document",
    "code_path",
    "valence",
    "quote",
    "start",
    "end",
    "coder",
)
COMMENTS_TITLE = "Workshop comments"
STATUS_WORDS = {"empty": "no summary yet", "draft": "draft", "reviewed": "reviewed"}


def no_progress(done: int, total: int, message: str) -> None:
    """The default progress callback: report nothing."""


@dataclass(frozen=True)
class ChartTable:
    """One table of the chart: a domain (or part of one) and its column indices."""

    title: str
    domain: str
    columns: tuple[int, ...]


@dataclass(frozen=True)
class RowGroup:
    """Rows of one case (by participant), or every case row under one heading (by case)."""

    case: MatrixRow | None
    rows: tuple[int, ...]


@dataclass(frozen=True)
class ChartComment:
    """A workshop comment on one of the chart's cells, for the appendix."""

    row: MatrixRow
    column: MatrixColumn
    author: str
    text: str
    created_at: datetime

    @property
    def when(self) -> str:
        return self.created_at.astimezone().strftime("%d %b %Y %H:%M")


@dataclass
class Chart:
    """A framework chart ready to lay out: matrix, quotes, and what it was made from."""

    project: str
    frameworks: list[str]
    filters: list[str]
    matrix: Matrix
    quotes: list[Quote]
    quotes_per_cell: int | None = 3
    max_columns: int | None = None
    repeat_child_quotes: bool = False
    """Also quote a child code's codings under its parent's column when the child has its own."""
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    comments: list[ChartComment] = field(default_factory=list)
    quote_source: QuoteSource | None = None
    """When set, ``quotes`` is empty and :meth:`streamed_rows` reads quotes a chunk at a time."""
    _by_id: dict[int, tuple[int, Quote]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {q.coding_id: (n, q) for n, q in enumerate(self.quotes)}

    @property
    def title(self) -> str:
        return f"Framework chart: {self.project}"

    @property
    def date(self) -> str:
        return self.created.astimezone().strftime("%d %B %Y")

    def cell_quotes(self, ri: int, ci: int) -> list[Quote]:
        """The illustrative quotes of a cell (several voices first), in transcript order."""
        found = sorted(
            self._by_id[i] for i in self.matrix.cell(ri, ci).coding_ids if i in self._by_id
        )
        quotes = [q for _, q in found]
        if not self.repeat_child_quotes:
            below = self._own_columns_below(ci)
            quotes = [q for q in quotes if not any(q.code_id in m for m in below)]
        return illustrative(quotes, self.quotes_per_cell)

    def streamed_rows(self, chunk: int | None = None) -> Iterator[tuple[RowGroup, int]]:
        """Every row (with its group) in chart order, its quotes loaded when it comes up.

        With a ``quote_source`` only the quotes of ``chunk`` rows are in memory at a time,
        and :meth:`cell_quotes` answers only for the rows of the current chunk.
        """
        order = [(g, ri) for g in self.row_groups() for ri in g.rows]
        chunk = chunk or ROWS_PER_LOAD
        for i in range(0, len(order), chunk):
            part = order[i : i + chunk]
            if self.quote_source is not None:
                self._load(ri for _, ri in part)
            yield from part
        if self.quote_source is not None:
            self._by_id = {}

    def _load(self, rows: Iterable[int]) -> None:
        m = self.matrix
        ids = sorted(
            {i for ri in rows for ci in range(len(m.columns)) for i in m.cell(ri, ci).coding_ids}
        )
        self._by_id = {}  # let the last chunk's quotes go before reading the next
        assert self.quote_source is not None
        self._by_id = {q.coding_id: (n, q) for n, q in enumerate(self.quote_source(ids))}

    def _own_columns_below(self, ci: int) -> list[frozenset[int]]:
        """The codes under column ``ci`` that the chart shows in columns of their own."""
        col = self.matrix.columns[ci]
        return [
            c.member_ids
            for c in self.matrix.columns
            if c.code_id != col.code_id and c.code_id in col.member_ids
        ]

    def tables(self, max_columns: int | None = None) -> list[ChartTable]:
        """A table per domain, split into parts of at most N code columns.

        N is the user's choice (``Chart.max_columns``), else the writer's default.
        """
        limit = self.max_columns or max_columns
        out = []
        for domain in self.matrix.domains:
            cols = self.matrix.columns_in(domain)
            parts = [cols[i : i + limit] for i in range(0, len(cols), limit)] if limit else [cols]
            for n, part in enumerate(parts, 1):
                title = domain if len(parts) == 1 else f"{domain} ({n} of {len(parts)})"
                out.append(ChartTable(title, domain, tuple(part)))
        return out

    def row_groups(self) -> list[RowGroup]:
        """Participant rows grouped under their case; case rows as one group."""
        m = self.matrix
        if m.spec.by == "case":
            return [RowGroup(None, tuple(range(len(m.rows))))]
        groups: dict[int | None, list[int]] = {}
        for ri, row in enumerate(m.rows):
            groups.setdefault(row.case_id, []).append(ri)
        out = []
        for rows in groups.values():
            first = m.rows[rows[0]]
            case = MatrixRow(
                "case",
                first.case_id,
                first.case or "(no case)",
                first.case_id,
                first.case,
                first.group,
                first.attributes,
            )
            out.append(RowGroup(case, tuple(rows)))
        return out

    def long_rows(self) -> Iterator[tuple[object, ...]]:
        """One row per coding in the chart: the long format of CSV and the xlsx sheet."""
        if self.quote_source is not None:
            raise RuntimeError("the long format needs the chart collected with all its quotes")
        for q in self.quotes:
            yield (
                q.case or "",
                q.participant or "",
                q.document,
                "/".join(q.code_path),
                q.valence or "",
                q.text,
                q.start,
                q.end,
                q.coder,
            )


def collect_chart(
    s: Session,
    matrix: Matrix,
    *,
    project_name: str,
    frameworks: list[str],
    filters: list[str],
    quotes_per_cell: int | None = 3,
    max_columns: int | None = None,
    repeat_child_quotes: bool = False,
    stream_quotes: bool = False,
) -> Chart:
    """Load every quote of the matrix once and wrap it all up for a writer.

    With ``stream_quotes`` no quote is read yet: the writer reads them a chunk of rows at a
    time through :meth:`Chart.streamed_rows`, using ``s``, which must stay open until then.
    """
    ids = [] if stream_quotes else sorted({i for c in matrix.cells.values() for i in c.coding_ids})
    return Chart(
        project_name,
        frameworks,
        filters,
        matrix,
        load_quotes(s, ids),
        quotes_per_cell,
        max_columns,
        repeat_child_quotes,
        comments=load_comments(s, matrix),
        quote_source=(lambda ids: load_quotes(s, ids)) if stream_quotes else None,
    )


def load_comments(s: Session, matrix: Matrix) -> list[ChartComment]:
    """The workshop comments on the matrix's cells (one query), in row, column, time order."""
    row_of = {r.id: i for i, r in enumerate(matrix.rows) if r.id is not None}
    col_of = {c.code_id: i for i, c in enumerate(matrix.columns)}
    if not row_of or not col_of:
        return []
    found = []
    q = (
        select(
            WorkshopComment.row_id,
            WorkshopComment.code_id,
            WorkshopComment.author,
            WorkshopComment.text,
            WorkshopComment.created_at,
            WorkshopComment.id,
        )
        .where(WorkshopComment.row_type == matrix.spec.by)
        .order_by(WorkshopComment.id)
    )
    for row_id, code_id, author, text, created, cid in s.execute(q):
        ri, ci = row_of.get(row_id), col_of.get(code_id)
        if ri is not None and ci is not None:
            found.append(
                (
                    (ri, ci, cid),
                    ChartComment(matrix.rows[ri], matrix.columns[ci], author, text, created),
                )
            )
    return [c for _, c in sorted(found, key=lambda pair: pair[0])]


# -- labels shared by the layouts -----------------------------------------------------------


def column_heading(col: MatrixColumn) -> str:
    """The column's name, with its parent constructs below the domain (``Leadership / Access``)."""
    return (
        " / ".join(col.path[1:])
        if len(col.path) > 1 and col.domain == col.path[0]
        else " / ".join(col.path)
    )


def attribute_text(row: MatrixRow) -> str:
    """``fidelity 13 · engagement 74 · locality urban`` (the group is shown separately)."""
    return " · ".join(f"{k} {v}" for k, v in row.attributes.items() if k.lower() != "group")


def case_line(row: MatrixRow) -> str:
    """``group high · fidelity 13 · engagement 74``: a case's group, then its attributes."""
    attrs = attribute_text(row)
    return " · ".join(([f"group {row.group}"] if row.group else []) + ([attrs] if attrs else []))


def quote_text(q: Quote, limit: int = QUOTE_CHARS) -> str:
    """The passage on one line, cut at a word boundary when long."""
    text = q.clean_text
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def quote_citation(q: Quote) -> str:
    """``S3PW1, turn 4`` (the participant id first: that is how quotes are cited)."""
    return q.citation


def counts_text(count: int, participants: int) -> str:
    if not count:
        return "no codings"
    return (
        f"{count} coding{'s' if count != 1 else ''} · "
        f"{participants} participant{'s' if participants != 1 else ''}"
    )


# -- writing files safely -----------------------------------------------------------------------


@contextmanager
def atomic_output(out: str | Path) -> Iterator[Path]:
    """A temporary path beside ``out``; renamed onto ``out`` only if the block succeeds."""
    out = Path(out)
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{out.stem}.", suffix=f".tmp{out.suffix}", dir=out.parent
        )
    except OSError as e:
        raise InvalidInputError(f"{out}: cannot write in {out.parent} ({e.strerror}).") from e
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o600)  # exports hold interview text: owner-only
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
