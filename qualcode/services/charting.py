"""Charting: the framework matrix, its cells' quotes, summaries with history, workshop comments.

What the CLI and the workbench call. Reads build a :class:`Matrix` in one read
session; each write (a summary, a status, a workshop comment) is one committed
transaction with an audit entry, and every saved summary also becomes a
:class:`CellSummaryRevision`, so the history of a cell is never lost. Two people
editing the same cell cannot overwrite each other unnoticed: pass the revision the
editor started from and a newer one in the database is a ConflictError.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.analysis.matrix import (
    Cell,
    Matrix,
    SummaryInfo,
    build_matrix,
    natural_key,
)
from qualcode.analysis.matrix_spec import ROW_TYPES, MatrixSpec
from qualcode.analysis.quotes import Quote, load_quotes
from qualcode.errors import ConflictError, InvalidInputError, NotFoundError
from qualcode.export.chart_common import collect_chart
from qualcode.export.chart_csv import write_chart_csv
from qualcode.export.chart_html import write_chart_html
from qualcode.services.cases import resolve_case
from qualcode.services.codebook import code_paths, resolve_code
from qualcode.services.documents import resolve_document
from qualcode.services.leaks import PseudonymKey, gated_export
from qualcode.services.listings import plain_spec
from qualcode.services.project import Project
from qualcode.store.models import (
    SUMMARY_STATUSES,
    Case,
    CellSummary,
    CellSummaryRevision,
    Coder,
    Document,
    Framework,
    Participant,
    WorkshopComment,
)

Progress = Callable[[int, int, str], None]
EXPORT_FORMATS = ("docx", "xlsx", "csv", "html")


# -- building the matrix ---------------------------------------------------------------


def make_spec(
    project: Project,
    *,
    codes: Sequence[str | int] = (),
    documents: Sequence[str | int] = (),
    **options: Any,
) -> MatrixSpec:
    """A MatrixSpec from names as a user types them (code paths, document names); the other
    options are :func:`~qualcode.services.listings.plain_spec`'s."""
    with project.read() as s:
        code_ids = tuple(resolve_code(s, c).id for c in codes)
        doc_ids = tuple(resolve_document(s, d).id for d in documents)
    return plain_spec(code_ids=code_ids, document_ids=doc_ids, **options)


def matrix(project: Project, spec: MatrixSpec | None = None) -> Matrix:
    """Build the matrix (a few grouped queries, whatever the size of the project)."""
    with project.read() as s:
        return build_matrix(s, spec or MatrixSpec())


def quotes(project: Project, coding_ids: Sequence[int]) -> list[Quote]:
    """The quotes behind a cell (or any codings), labelled and located."""
    with project.read() as s:
        return load_quotes(s, coding_ids)


def describe_spec(project: Project, spec: MatrixSpec) -> list[str]:
    """The filters of a spec in words, with code and document names."""
    with project.read() as s:
        paths = code_paths(s)
        docs = (
            dict(
                s.execute(
                    select(Document.id, Document.name).where(Document.id.in_(spec.document_ids))
                ).all()
            )
            if spec.document_ids
            else {}
        )
    return spec.describe(docs, {i: "/".join(p) for i, p in paths.items()})


def framework_names(project: Project) -> list[str]:
    with project.read() as s:
        return [
            f"{n} {v}".strip()
            for n, v in s.execute(
                select(Framework.name, Framework.version).order_by(Framework.applied_at)
            )
        ]


# -- cells -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellRef:
    """One cell: a case or participant row and a code column."""

    row_type: str
    row_id: int
    code_id: int
    row_label: str
    code_path: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"{self.row_label} × {'/'.join(self.code_path)}"


@dataclass(frozen=True)
class RevisionInfo:
    id: int
    text: str
    status: str
    author: str | None
    saved_at: datetime


@dataclass(frozen=True)
class CommentInfo:
    id: int
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class CellDetail:
    """Everything the cell editor shows: counts, quotes, summary, its history, comments."""

    ref: CellRef
    cell: Cell
    quotes: tuple[Quote, ...]
    summary: SummaryInfo | None
    revisions: tuple[RevisionInfo, ...]
    comments: tuple[CommentInfo, ...]

    @property
    def revision_id(self) -> int:
        """The revision the summary editor starts from (0: none yet)."""
        return self.revisions[0].id if self.revisions else 0


def _resolve_cell(s: Session, row_type: str, row: str | int, code: str | int) -> CellRef:
    if row_type not in ROW_TYPES:
        raise InvalidInputError(f"A cell's row is a 'case' or a 'participant', not {row_type!r}.")
    if row_type == "case":
        if isinstance(row, int):
            found = s.get(Case, row)
            if found is None:
                raise NotFoundError(f"No case with id {row}.")
        else:
            found = resolve_case(s, row)
        row_id, label = found.id, found.name
    else:
        q = (
            select(Participant).where(Participant.id == row)
            if isinstance(row, int)
            else select(Participant).where(func.lower(Participant.label) == row.strip().lower())
        )
        part = s.scalar(q)
        if part is None:
            raise NotFoundError(
                f"No participant {row!r}. Participant ids look like S3PW1; "
                "see `qualcode documents`."
            )
        row_id, label = part.id, part.label
    cd = resolve_code(s, code)
    return CellRef(row_type, row_id, cd.id, label, code_paths(s)[cd.id])


def _summary_row(s: Session, ref: CellRef) -> CellSummary | None:
    return s.scalar(
        select(CellSummary).where(
            CellSummary.row_type == ref.row_type,
            CellSummary.row_id == ref.row_id,
            CellSummary.code_id == ref.code_id,
        )
    )


def _summary_info(s: Session, row: CellSummary | None) -> SummaryInfo | None:
    if row is None:
        return None
    author = s.get(Coder, row.coder_id).name if row.coder_id else None  # type: ignore[union-attr]
    return SummaryInfo(row.id, row.text, row.status, author, row.updated_at)


def _revisions(s: Session, summary_id: int | None) -> tuple[RevisionInfo, ...]:
    if summary_id is None:
        return ()
    q = (
        select(
            CellSummaryRevision.id,
            CellSummaryRevision.text,
            CellSummaryRevision.status,
            Coder.name,
            CellSummaryRevision.saved_at,
        )
        .outerjoin(Coder, Coder.id == CellSummaryRevision.coder_id)
        .where(CellSummaryRevision.summary_id == summary_id)
        .order_by(CellSummaryRevision.id.desc())
    )
    return tuple(RevisionInfo(*r) for r in s.execute(q))


def _comments(s: Session, ref: CellRef) -> tuple[CommentInfo, ...]:
    q = (
        select(
            WorkshopComment.id,
            WorkshopComment.author,
            WorkshopComment.text,
            WorkshopComment.created_at,
        )
        .where(
            WorkshopComment.row_type == ref.row_type,
            WorkshopComment.row_id == ref.row_id,
            WorkshopComment.code_id == ref.code_id,
        )
        .order_by(WorkshopComment.id)
    )
    return tuple(CommentInfo(*r) for r in s.execute(q))


def cell_detail(
    project: Project, row_type: str, row: str | int, code: str | int, *, cell: Cell | None = None
) -> CellDetail:
    """Open one cell: its quotes (from the matrix cell given), summary, history, comments."""
    with project.read() as s:
        ref = _resolve_cell(s, row_type, row, code)
        summary = _summary_info(s, _summary_row(s, ref))
        cell = cell if cell is not None else Cell()
        return CellDetail(
            ref,
            cell,
            tuple(load_quotes(s, cell.coding_ids)),
            summary,
            _revisions(s, summary.id if summary else None),
            _comments(s, ref),
        )


def matrix_cell_detail(project: Project, m: Matrix, ri: int, ci: int) -> CellDetail:
    """Open the cell at row ``ri``, column ``ci`` of a built matrix."""
    row = m.rows[ri]
    if row.id is None:
        raise InvalidInputError(
            f"{row.label} collects codings of documents with no "
            f"{row.row_type}; assign them to one to chart them."
        )
    return cell_detail(project, row.row_type, row.id, m.columns[ci].code_id, cell=m.cell(ri, ci))


# -- summaries ---------------------------------------------------------------------------


def _check_status(status: str | None, text: str) -> str | None:
    if status is None:
        return None
    status = status.strip().lower()
    if status not in SUMMARY_STATUSES:
        raise InvalidInputError(f"Status {status!r} is not one of {', '.join(SUMMARY_STATUSES)}.")
    if status == "empty" and text:
        raise InvalidInputError(
            "Status 'empty' is for a cell with no summary; a written summary "
            "is 'draft' or 'reviewed'."
        )
    return status


def normalise_summary(text: str) -> str:
    """The text as stored: outer blank lines and trailing spaces removed."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def write_summary(
    project: Project,
    row_type: str,
    row: str | int,
    code: str | int,
    text: str,
    *,
    status: str | None = None,
    expected_revision: int | None = None,
) -> SummaryInfo:
    """Save a cell's summary (one transaction, one new revision).

    Without ``status`` a changed text becomes a draft (a change needs review again)
    and an unchanged one keeps its status. An empty text marks the cell empty.
    ``expected_revision`` is the revision the editor started from (0 for none): if
    someone saved since, nothing is written and a ConflictError says so.
    """
    text = normalise_summary(text)
    wanted = _check_status(status, text)
    with project.transaction(
        "write summary",
        row_type=row_type,
        row=str(row),
        code=str(code),
        status=wanted,
        chars=len(text),
    ) as s:
        ref = _resolve_cell(s, row_type, row, code)
        summary = _summary_row(s, ref)
        latest = _revisions(s, summary.id)[:1] if summary else ()
        if expected_revision is not None and (latest[0].id if latest else 0) != expected_revision:
            who = latest[0].author if latest else "someone"
            raise ConflictError(
                f"The summary of {ref.title} was changed by {who} since you opened "
                "it. Your text is not saved: copy it, reopen the cell and merge."
            )
        if not text:
            new_status = "empty"
        elif wanted:
            new_status = wanted
        elif summary is not None and summary.text == text and summary.status != "empty":
            new_status = summary.status
        else:
            new_status = "draft"
        if summary is not None and summary.text == text and summary.status == new_status:
            return _summary_info(s, summary)  # type: ignore[return-value]
        coder_id = project.coder_id(s)
        if summary is None:
            summary = CellSummary(row_type=ref.row_type, row_id=ref.row_id, code_id=ref.code_id)
            s.add(summary)
        summary.text, summary.status, summary.coder_id = text, new_status, coder_id
        s.flush()
        s.add(
            CellSummaryRevision(
                summary_id=summary.id, text=text, status=new_status, coder_id=coder_id
            )
        )
        s.flush()
        s.refresh(summary)
        return _summary_info(s, summary)  # type: ignore[return-value]


def set_summary_status(
    project: Project, row_type: str, row: str | int, code: str | int, status: str
) -> SummaryInfo:
    """Mark a written summary draft or reviewed, keeping its text."""
    with project.read() as s:
        ref = _resolve_cell(s, row_type, row, code)
        summary = _summary_row(s, ref)
        if summary is None or not summary.text:
            raise InvalidInputError(f"{ref.title} has no summary yet; write one first.")
        text = summary.text
    return write_summary(project, row_type, ref.row_id, ref.code_id, text, status=status)


def summary_history(
    project: Project, row_type: str, row: str | int, code: str | int
) -> list[RevisionInfo]:
    """Every saved version of a cell's summary, newest first."""
    with project.read() as s:
        summary = _summary_row(s, _resolve_cell(s, row_type, row, code))
        return list(_revisions(s, summary.id if summary else None))


@dataclass(frozen=True)
class SummaryListing:
    """A summary with where it sits, for ``qualcode summary show``."""

    row_type: str
    row: str
    case: str | None
    code_path: tuple[str, ...]
    text: str
    status: str
    author: str | None
    updated_at: datetime
    revisions: int

    def to_json(self) -> dict[str, Any]:
        return {
            "row_type": self.row_type,
            "row": self.row,
            "case": self.case,
            "code_path": list(self.code_path),
            "text": self.text,
            "status": self.status,
            "author": self.author,
            "updated_at": self.updated_at.isoformat(),
            "revisions": self.revisions,
        }


def list_summaries(
    project: Project,
    *,
    row_type: str | None = None,
    row: str | None = None,
    code: str | int | None = None,
    status: str | None = None,
) -> list[SummaryListing]:
    """Saved summaries (not empty ones), ordered by row then code path."""
    with project.read() as s:
        paths = code_paths(s)
        cases = dict(s.execute(select(Case.id, Case.name)).all())
        parts = {
            pid: (label, case_id)
            for pid, label, case_id in s.execute(
                select(Participant.id, Participant.label, Participant.case_id)
            )
        }
        counts = dict(
            s.execute(
                select(CellSummaryRevision.summary_id, func.count()).group_by(
                    CellSummaryRevision.summary_id
                )
            ).all()
        )
        q = (
            select(CellSummary, Coder.name)
            .outerjoin(Coder, Coder.id == CellSummary.coder_id)
            .where(CellSummary.status != "empty")
        )
        if row_type:
            q = q.where(CellSummary.row_type == row_type)
        if code is not None:
            q = q.where(CellSummary.code_id == resolve_code(s, code).id)
        if status:
            q = q.where(CellSummary.status == status)
        out = []
        for summary, author in s.execute(q):
            if summary.row_type == "case":
                label, case = cases.get(summary.row_id, "?"), cases.get(summary.row_id)
            else:
                label, case_id = parts.get(summary.row_id, ("?", None))
                case = cases.get(case_id) if case_id else None
            if row and row.lower() not in (label.lower(), (case or "").lower()):
                continue
            out.append(
                SummaryListing(
                    summary.row_type,
                    label,
                    case,
                    paths[summary.code_id],
                    summary.text,
                    summary.status,
                    author,
                    summary.updated_at,
                    counts.get(summary.id, 0),
                )
            )
    return sorted(
        out, key=lambda x: (x.row_type, natural_key(x.case), natural_key(x.row), x.code_path)
    )


# -- workshop comments ---------------------------------------------------------------------


def add_workshop_comment(
    project: Project,
    row_type: str,
    row: str | int,
    code: str | int,
    text: str,
    *,
    author: str | None = None,
) -> CommentInfo:
    """Record what a co-production workshop said about a cell (kept apart from the summary)."""
    text = text.strip()
    if not text:
        raise InvalidInputError("A workshop comment needs some text.")
    who = (author or project.coder_name).strip() or project.coder_name
    with project.transaction(
        "workshop comment", row_type=row_type, row=str(row), code=str(code), author=who
    ) as s:
        ref = _resolve_cell(s, row_type, row, code)
        c = WorkshopComment(
            row_type=ref.row_type, row_id=ref.row_id, code_id=ref.code_id, author=who, text=text
        )
        s.add(c)
        s.flush()
        return CommentInfo(c.id, c.author, c.text, c.created_at)


def workshop_comments(
    project: Project, row_type: str, row: str | int, code: str | int
) -> list[CommentInfo]:
    with project.read() as s:
        return list(_comments(s, _resolve_cell(s, row_type, row, code)))


# -- exports -------------------------------------------------------------------------------


def export_chart(
    project: Project,
    spec: MatrixSpec,
    out: str | Path,
    fmt: str | None = None,
    *,
    quotes_per_cell: int | None = 3,
    progress: Progress | None = None,
    max_columns: int | None = None,
    repeat_child_quotes: bool = False,
    allow_identifiers: str | None = None,
    key: PseudonymKey | None = None,
) -> Path:
    """Write the chart as .docx, .xlsx, .csv or .html (atomically, owner-only); returns the path.

    The identifier check runs first (:func:`export_gate`): certain findings stop the
    export unless ``allow_identifiers`` gives a reason, which is audited. A child code's
    quotes appear in its own column only, unless ``repeat_child_quotes`` (its codings
    still count in the parent's rolled-up figures).
    """
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt not in EXPORT_FORMATS:
        raise InvalidInputError(
            f"{out}: export format {fmt or '(none)'!r} is not one of "
            f"{', '.join(EXPORT_FORMATS)}; give --format or a file ending."
        )
    if not out.parent.exists():
        raise InvalidInputError(f"{out}: folder {out.parent} does not exist.")
    report = progress or (lambda done, total, message: None)
    report(0, 1, "Checking for identifying details")
    options = _ChartOptions(quotes_per_cell, max_columns, repeat_child_quotes)

    def write(path: Path) -> Path:
        return _write_chart(project, spec, path, fmt, report, options)

    return gated_export(
        project,
        f"chart ({fmt})",
        out,
        write,
        allow_identifiers=allow_identifiers,
        key=key,
        progress=report,
    )


@dataclass(frozen=True)
class _ChartOptions:
    quotes_per_cell: int | None
    max_columns: int | None
    repeat_child_quotes: bool


def _write_chart(
    project: Project,
    spec: MatrixSpec,
    out: Path,
    fmt: str,
    report: Progress,
    options: _ChartOptions,
) -> Path:
    """Build the chart and write it to ``out`` in ``fmt``."""
    report(0, 1, "Building the matrix")
    filters, frameworks, name = describe_spec(project, spec), framework_names(project), project.name
    with project.read() as s:
        chart = collect_chart(
            s,
            build_matrix(s, spec),
            project_name=name,
            frameworks=frameworks,
            filters=filters,
            quotes_per_cell=options.quotes_per_cell,
            max_columns=options.max_columns,
            repeat_child_quotes=options.repeat_child_quotes,
            stream_quotes=fmt == "docx",
        )
        if fmt == "docx":  # reads its quotes a chunk of rows at a time, in this session
            # lazy: python-docx takes ~0.2 s to import; only .docx output needs it
            from qualcode.export.chart_docx import write_chart_docx

            return write_chart_docx(chart, out, progress=report)
    if fmt == "xlsx":
        # lazy: openpyxl takes ~0.5 s to import; only .xlsx output needs it
        from qualcode.export.chart_xlsx import write_chart_xlsx as write
    elif fmt == "csv":
        write = write_chart_csv
    else:
        write = write_chart_html
    return write(chart, out, progress=report)
