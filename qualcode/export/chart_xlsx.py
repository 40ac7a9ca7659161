"""The framework chart as a workbook: a sheet per domain, plus long-format sheets.

Domain sheets have a row per case (or participant), the case's group and
attributes as their own columns (so Excel can sort and filter on them), then a
column per code holding the summary and illustrative quotes; the header row and
label columns are frozen, text wraps, and a cell's fill shows its summary status.
``Codings`` holds every coding in long format and ``Summaries`` every summary.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from qualcode.export.chart_common import (
    COMMENTS_TITLE,
    LONG_COLUMNS,
    Chart,
    ChartTable,
    Progress,
    atomic_output,
    column_heading,
    counts_text,
    no_progress,
    quote_citation,
    quote_text,
)

WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
STATUS_FILL = {
    "draft": PatternFill("solid", fgColor="FFF2CC"),
    "reviewed": PatternFill("solid", fgColor="E2EFDA"),
}
EXCEL_CELL_LIMIT = 32767


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "-", name).strip("'") or "Sheet"
    title, n = base[:31], 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def write_chart_xlsx(chart: Chart, out: str | Path, *, progress: Progress = no_progress) -> Path:
    """Write the chart to ``out`` (.xlsx), atomically (streamed: memory stays flat)."""
    out = Path(out)
    wb = Workbook(write_only=True)
    taken = {"about"}
    _about_sheet(wb.create_sheet("About"), chart)
    tables = chart.tables()
    total = len(tables) + 2
    for n, table in enumerate(tables, 1):
        _domain_sheet(wb.create_sheet(sheet_title(table.title, taken)), chart, table)
        progress(n, total, f"Sheet {table.title}")
    codings = wb.create_sheet(sheet_title("Codings", taken))
    _header(codings, list(LONG_COLUMNS), widths=[12, 12, 14, 34, 12, 80, 8, 8, 12])
    for row in chart.long_rows():
        codings.append([_fit(v) if isinstance(v, str) else v for v in row])
    progress(total - 1, total, "Sheet Codings")
    _summaries_sheet(wb.create_sheet(sheet_title("Summaries", taken)), chart)
    if chart.comments:
        _comments_sheet(wb.create_sheet(sheet_title(COMMENTS_TITLE, taken)), chart)
    with atomic_output(out) as tmp:
        wb.save(str(tmp))
    progress(total, total, f"Saved {out.name}")
    return out


def _fit(text: str) -> str:
    """Excel refuses cells over 32,767 characters: cut (the full text stays in the project)."""
    return text if len(text) <= EXCEL_CELL_LIMIT else text[: EXCEL_CELL_LIMIT - 2] + " …"


def _styled(
    ws: WriteOnlyWorksheet,
    value: object,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.alignment = WRAP
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def _print_setup(ws: WriteOnlyWorksheet) -> None:
    """Print landscape, as wide as one page, with the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _header(
    ws: WriteOnlyWorksheet, names: list[str], widths: list[int], freeze_col: int = 1
) -> None:
    """Column widths, frozen header (and label columns), a filter, then the header row."""
    for c, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = f"{get_column_letter(freeze_col)}2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(names))}1"
    _print_setup(ws)
    ws.print_title_rows = "1:1"
    ws.append([_styled(ws, name, font=BOLD, fill=HEADER_FILL) for name in names])


def _about_sheet(ws: WriteOnlyWorksheet, chart: Chart) -> None:
    m = chart.matrix
    status = m.status_counts()
    rows = [
        ("Framework", "; ".join(chart.frameworks)),
        ("Date", chart.date),
        ("Rows", f"{len(m.rows)} ({m.spec.by})"),
        ("Columns", f"{len(m.columns)} codes"),
        ("Codings", str(m.codings)),
        (
            "Summaries",
            f"{status['reviewed']} reviewed, {status['draft']} draft, "
            f"{status['empty']} not yet written",
        ),
    ]
    rows += [("Filter", line) for line in chart.filters]
    rows.append(("Cell fill", "green: reviewed summary; yellow: draft; none: not yet written"))
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 90
    _print_setup(ws)
    ws.append(
        [
            _styled(ws, "Framework chart", font=Font(bold=True, size=14)),
            _styled(ws, chart.project, font=Font(bold=True, size=14)),
        ]
    )
    for label, value in rows:
        ws.append([_styled(ws, label, font=BOLD), _styled(ws, value)])


def _domain_sheet(ws: WriteOnlyWorksheet, chart: Chart, table: ChartTable) -> None:
    m = chart.matrix
    by_participant = m.spec.by == "participant"
    attrs = list(dict.fromkeys(k for r in m.rows for k in r.attributes if k.lower() != "group"))
    lead = ["Case", "Group", *attrs] + (["Participant", "Role"] if by_participant else [])
    widths = (
        [14, 10]
        + [12] * len(attrs)
        + ([12, 8] if by_participant else [])
        + [45] * len(table.columns)
    )
    _header(
        ws,
        lead + [column_heading(m.columns[ci]) for ci in table.columns],
        widths,
        freeze_col=len(lead) + 1,
    )
    for ri, row in enumerate(m.rows):
        values: list[object] = [
            row.case or row.label,
            row.group or "",
            *[row.attributes.get(a, "") for a in attrs],
        ]
        if by_participant:
            values += [row.label, row.role or ""]
        cells = [_styled(ws, v) for v in values]
        cells[0].font = BOLD
        texts = [_cell_text(chart, ri, ci) for ci in table.columns]
        cells += [
            _styled(ws, text, fill=STATUS_FILL.get(m.cell(ri, ci).status))
            for text, ci in zip(texts, table.columns, strict=True)
        ]
        # Spreadsheet programs do not always grow a row to fit wrapped text on opening.
        ws.row_dimensions[ri + 2].height = row_height([str(v) for v in values] + texts, widths)
        ws.append(cells)


def row_height(texts: list[str], widths: list[int], line_points: float = 15.0) -> float:
    """Points needed for the tallest wrapped cell of a row (capped at Excel's 409)."""
    lines = 1
    for text, width in zip(texts, widths, strict=False):
        per_line = max(8, int(width * 1.15))
        lines = max(lines, sum(max(1, -(-len(part) // per_line)) for part in text.split("\n")))
    return min(409.0, lines * line_points)


def _cell_text(chart: Chart, ri: int, ci: int) -> str:
    data = chart.matrix.cell(ri, ci)
    parts = []
    if data.summary_text:
        parts.append(data.summary_text + (" [draft]" if data.status == "draft" else ""))
    if data.count:
        parts.append(f"({counts_text(data.count, len(data.participants))})")
        parts += [f"“{quote_text(q)}” — {quote_citation(q)}" for q in chart.cell_quotes(ri, ci)]
    return _fit("\n\n".join(parts))


def _summaries_sheet(ws: WriteOnlyWorksheet, chart: Chart) -> None:
    m = chart.matrix
    _header(
        ws,
        [
            "case",
            "participant",
            "code_path",
            "status",
            "author",
            "updated",
            "codings",
            "participants",
            "summary",
        ],
        widths=[12, 12, 34, 10, 12, 16, 8, 8, 80],
    )
    for ri, row in enumerate(m.rows):
        for ci, col in enumerate(m.columns):
            data = m.cell(ri, ci)
            if not data.summary_text:
                continue
            s = data.summary
            ws.append(
                [
                    row.case or row.label,
                    row.label if row.row_type == "participant" else "",
                    col.path_str,
                    data.status,
                    s.author if s else "",
                    s.updated_at.strftime("%Y-%m-%d %H:%M") if s else "",
                    data.count,
                    len(data.participants),
                    _fit(data.summary_text),
                ]
            )


def _comments_sheet(ws: WriteOnlyWorksheet, chart: Chart) -> None:
    """The appendix: what the co-production workshop said about each cell."""
    _header(
        ws,
        ["case", "participant", "code_path", "author", "time", "comment"],
        widths=[12, 12, 34, 18, 16, 80],
    )
    for c in chart.comments:
        ws.append(
            [
                c.row.case or c.row.label,
                c.row.label if c.row.row_type == "participant" else "",
                c.column.path_str,
                _fit(c.author),
                c.created_at.strftime("%Y-%m-%d %H:%M"),
                _fit(c.text),
            ]
        )
