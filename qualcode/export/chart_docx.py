"""The framework chart as a Word document: a title page, then a landscape table per domain.

Rows are grouped by case with the case's attributes; each cell holds the analyst's
summary (marked when still a draft), the number of codings and participants, and
illustrative quotes labelled by participant id. The header row repeats on every page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.shared import Cm, Emu, Pt

from qualcode.export.chart_common import (
    COMMENTS_TITLE,
    STATUS_WORDS,
    Chart,
    ChartTable,
    Progress,
    atomic_output,
    case_line,
    column_heading,
    counts_text,
    no_progress,
    quote_citation,
    quote_text,
)
from qualcode.export.docx_tools import (
    GREY,
    GROUP_FILL,
    HEADER_FILL,
    RunStyle,
    add_page_number_footer,
    add_text,
    cell_paragraph,
    keep_row_together,
    landscape_document,
    merge_row,
    paragraph_xml,
    repeat_header_row,
    set_cell_paragraphs,
    set_column_widths,
    shade_cell,
    tight,
    usable_width,
)

MAX_COLUMNS = 5
ROW_LABEL_WIDTH = Cm(4.2)


def write_chart_docx(
    chart: Chart,
    out: str | Path,
    *,
    progress: Progress = no_progress,
    max_columns: int = MAX_COLUMNS,
) -> Path:
    """Write the chart to ``out`` (.docx), atomically."""
    out = Path(out)
    doc = landscape_document()
    _title_page(doc, chart)
    tables = chart.tables(max_columns)
    total = sum(len(chart.matrix.rows) for _ in tables) or 1
    done = 0
    for table in tables:
        doc.add_page_break()  # the title page stands alone; each table starts a page
        _domain_table(doc, chart, table)
        done += len(chart.matrix.rows)
        progress(done, total, f"Table {table.title}")
    if chart.comments:
        doc.add_page_break()
        _comments_table(doc, chart)
    add_page_number_footer(doc.sections[0], f"{chart.project} — framework chart — {chart.date}")
    with atomic_output(out) as tmp:
        doc.save(str(tmp))
    progress(total, total, f"Saved {out.name}")
    return out


def _title_page(doc: Any, chart: Chart) -> None:
    m = chart.matrix
    title = doc.add_paragraph(style="Title")
    title.add_run("Framework chart")
    add_text(doc.add_paragraph(), chart.project, bold=True, size=Pt(18))
    lines = [
        ("Framework", "; ".join(chart.frameworks) or "(no framework applied)"),
        ("Date", chart.date),
        ("Rows", f"{len(m.rows)} {m.spec.by}{'s' if len(m.rows) != 1 else ''}"),
        (
            "Columns",
            f"{len(m.columns)} codes in {len(m.domains)} domain"
            f"{'s' if len(m.domains) != 1 else ''}: {', '.join(m.domains)}",
        ),
        ("Codings", str(m.codings)),
    ]
    status = m.status_counts()
    lines.append(
        (
            "Summaries",
            f"{status['reviewed']} reviewed, {status['draft']} draft, "
            f"{status['empty']} not yet written",
        )
    )
    for label, value in lines:
        p = tight(doc.add_paragraph(), Pt(4))
        add_text(p, f"{label}: ", bold=True)
        add_text(p, value)
    doc.add_heading("Filters", level=2)
    for line in chart.filters:
        tight(doc.add_paragraph(line, style="List Bullet"))
    note = doc.add_paragraph()
    add_text(
        note,
        "Each cell holds the analyst's summary, the number of codings and participants "
        "behind it, and illustrative quotes labelled by participant id and transcript turn. "
        + (
            f"At most {chart.quotes_per_cell} quotes are shown per cell; "
            if chart.quotes_per_cell is not None
            else ""
        )
        + "summaries marked [draft] are not yet reviewed.",
        italic=True,
        colour=GREY,
    )


def _domain_table(doc: Any, chart: Chart, spec: ChartTable) -> None:
    m = chart.matrix
    doc.add_heading(spec.title, level=1)
    ncols = 1 + len(spec.columns)
    groups = chart.row_groups()
    nrows = 1 + len(m.rows) + (len(groups) if m.spec.by == "participant" else 0)
    table = doc.add_table(rows=nrows, cols=ncols)
    table.style = "Table Grid"
    width = usable_width(doc.sections[-1])
    other = Emu(int((width - ROW_LABEL_WIDTH) / max(1, len(spec.columns))))
    set_column_widths(table, [ROW_LABEL_WIDTH] + [other] * len(spec.columns))
    rows = list(table.rows)  # python-docx rebuilds every row object on each index into table.rows
    header = rows[0]
    repeat_header_row(header)
    keep_row_together(header)
    hcells = header.cells
    _header_cell(hcells[0], "Case" if m.spec.by == "case" else "Participant")
    for cell, ci in zip(hcells[1:], spec.columns, strict=True):
        _header_cell(cell, column_heading(m.columns[ci]))
    r = 1
    for group in groups:
        if m.spec.by == "participant" and group.case is not None:
            row = rows[r]
            keep_row_together(row)
            merged = merge_row(row)
            shade_cell(merged, GROUP_FILL)
            p = cell_paragraph(merged, True)
            add_text(p, group.case.label, bold=True)
            extra = case_line(group.case)
            if extra:
                add_text(p, f"   {extra}", size=Pt(8), colour=GREY)
            r += 1
        for ri in group.rows:
            _data_row(rows[r].cells, chart, ri, spec.columns)
            r += 1


LABEL = RunStyle(bold=True, size=9)
SMALL = RunStyle(size=8, colour="595959")
SMALL_ITALIC = RunStyle(italic=True, size=8)
SUMMARY = RunStyle(size=9)
DRAFT_MARK = RunStyle(italic=True, size=8, colour="9C5700")
NOTE = RunStyle(italic=True, size=8, colour="595959")
COUNTS = RunStyle(size=7, colour="595959")
QUOTE = RunStyle(italic=True, size=8)
CITE = RunStyle(bold=True, size=7)


def _header_cell(cell: Any, text: str) -> None:
    shade_cell(cell, HEADER_FILL)
    set_cell_paragraphs(cell, [paragraph_xml([(text, LABEL)])])


def _data_row(cells: Any, chart: Chart, ri: int, columns: tuple[int, ...]) -> None:
    row = chart.matrix.rows[ri]
    label = [paragraph_xml([(row.label, LABEL)])]
    if row.row_type == "case":
        if row.group:
            label.append(paragraph_xml([(f"group: {row.group}", SMALL_ITALIC)]))
        label += [
            paragraph_xml([(f"{k}: {v}", SMALL)])
            for k, v in row.attributes.items()
            if k.lower() != "group"
        ]
    elif row.role:
        label.append(paragraph_xml([(row.role, SMALL)]))
    set_cell_paragraphs(cells[0], label)
    for cell, ci in zip(cells[1:], columns, strict=True):
        set_cell_paragraphs(cell, _cell_paragraphs(chart, ri, ci))


def _cell_paragraphs(chart: Chart, ri: int, ci: int) -> list[str]:
    data = chart.matrix.cell(ri, ci)
    out = []
    if data.summary_text:
        lines = data.summary_text.split("\n")
        for n, line in enumerate(lines, 1):
            runs = [(line, SUMMARY)]
            if n == len(lines) and data.status == "draft":
                runs.append((" [draft]", DRAFT_MARK))
            out.append(paragraph_xml(runs))
    elif data.count:
        out.append(paragraph_xml([(STATUS_WORDS["empty"], NOTE)]))
    if not data.count:
        return out or [paragraph_xml([("—", SMALL)])]
    out.append(paragraph_xml([(counts_text(data.count, len(data.participants)), COUNTS)]))
    out += [
        paragraph_xml([(f"“{quote_text(q)}” ", QUOTE), (f"— {quote_citation(q)}", CITE)])
        for q in chart.cell_quotes(ri, ci)
    ]
    return out


def _comments_table(doc: Any, chart: Chart) -> None:
    """The appendix: every workshop comment on the chart's cells, with who and when."""
    doc.add_heading(COMMENTS_TITLE, level=1)
    table = doc.add_table(rows=1 + len(chart.comments), cols=4)
    table.style = "Table Grid"
    width = usable_width(doc.sections[-1])
    set_column_widths(
        table,
        [ROW_LABEL_WIDTH, Cm(5.5), Emu(int(width - ROW_LABEL_WIDTH - Cm(5.5) - Cm(4.5))), Cm(4.5)],
    )
    rows = list(table.rows)  # python-docx rebuilds every row object on each index into table.rows
    repeat_header_row(rows[0])
    first = "Case" if chart.matrix.spec.by == "case" else "Participant"
    for cell, text in zip(rows[0].cells, (first, "Construct", "Comment", "Who, when"), strict=True):
        _header_cell(cell, text)
    for row, c in zip(rows[1:], chart.comments, strict=True):
        keep_row_together(row)
        cells = row.cells
        set_cell_paragraphs(cells[0], [paragraph_xml([(c.row.label, LABEL)])])
        set_cell_paragraphs(cells[1], [paragraph_xml([(column_heading(c.column), SUMMARY)])])
        set_cell_paragraphs(
            cells[2], [paragraph_xml([(line, SUMMARY)]) for line in c.text.split("\n")]
        )
        set_cell_paragraphs(
            cells[3], [paragraph_xml([(c.author, LABEL)]), paragraph_xml([(c.when, SMALL)])]
        )
