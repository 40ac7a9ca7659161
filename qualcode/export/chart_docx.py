"""The framework chart as a Word document: a title page, then a landscape table per domain.

Rows are grouped by case with the case's attributes; each cell holds the analyst's
summary (marked when still a draft), the number of codings and participants, and
illustrative quotes labelled by participant id. The header row repeats on every page.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from docx.shared import Cm, Emu, Length, Pt

from qualcode.analysis.matrix import MatrixRow
from qualcode.export.chart_common import (
    COMMENTS_TITLE,
    STATUS_WORDS,
    Chart,
    ChartTable,
    Progress,
    RowGroup,
    atomic_output,
    case_line,
    column_heading,
    counts_text,
    no_progress,
    quote_citation,
    quote_text,
)
from qualcode.export.docx_stream import (
    TABLE_END,
    add_table_slot,
    cell_xml,
    row_xml,
    save_with_tables,
    table_file,
    table_start,
    text_cell,
    twips,
)
from qualcode.export.docx_tools import (
    GREY,
    GROUP_FILL,
    HEADER_FILL,
    RunStyle,
    add_page_number_footer,
    add_text,
    landscape_document,
    paragraph_xml,
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
    """Write the chart to ``out`` (.docx), atomically.

    Memory stays flat in the number of rows: python-docx makes the title page, headings
    and styles; the domain tables are written as XML, a row at a time, to temporary files
    (one pass over the rows, whose quotes the chart may read a chunk at a time) and
    streamed into the document.
    """
    out = Path(out)
    doc = landscape_document()
    _title_page(doc, chart)
    tables = chart.tables(max_columns)
    for n, table in enumerate(tables):
        doc.add_page_break()  # the title page stands alone; each table starts a page
        doc.add_heading(table.title, level=1)
        add_table_slot(doc, n)
    if chart.comments:
        doc.add_page_break()
        doc.add_heading(COMMENTS_TITLE, level=1)
        add_table_slot(doc, len(tables))
    add_page_number_footer(doc.sections[0], f"{chart.project} — framework chart — {chart.date}")
    width = usable_width(doc.sections[-1])
    files = [table_file() for _ in range(len(tables) + bool(chart.comments))]
    try:
        _write_tables(chart, tables, files[: len(tables)], width, progress)
        if chart.comments:
            _comments_table(chart, width, files[-1])
        with atomic_output(out) as tmp:
            save_with_tables(doc, tmp, files)
    finally:
        for f in files:
            f.close()
    progress(1, 1, f"Saved {out.name}")
    return out


def _write_tables(
    chart: Chart,
    tables: list[ChartTable],
    files: list[IO[bytes]],
    width: Length,
    progress: Progress,
) -> None:
    """Every domain table, row by row, each into its own file."""
    m = chart.matrix
    by_participant = m.spec.by == "participant"
    layouts = []
    for table, f in zip(tables, files, strict=True):
        other = Emu(int((width - ROW_LABEL_WIDTH) / max(1, len(table.columns))))
        widths = twips([ROW_LABEL_WIDTH] + [other] * len(table.columns))
        header = [
            _header_cell(widths[0], "Case" if m.spec.by == "case" else "Participant"),
            *(
                _header_cell(w, column_heading(m.columns[ci]))
                for w, ci in zip(widths[1:], table.columns, strict=True)
            ),
        ]
        f.write((table_start(widths) + row_xml(header, header=True, keep_together=True)).encode())
        layouts.append((table.columns, widths))
    total = len(m.rows) or 1
    last: RowGroup | None = None
    for done, (group, ri) in enumerate(chart.streamed_rows(), 1):
        heading = None
        if by_participant and group is not last and group.case is not None:
            heading = _group_paragraph(group.case)
        last = group
        for (columns, widths), f in zip(layouts, files, strict=True):
            if heading is not None:
                cell = cell_xml(sum(widths), [heading], fill=GROUP_FILL, span=len(widths))
                f.write(row_xml([cell], keep_together=True).encode())
            f.write(_data_row(chart, ri, columns, widths).encode())
        if done % 50 == 0 or done == total:
            progress(done, total, f"Row {done} of {total}")
    for f in files:
        f.write(TABLE_END.encode())


def _group_paragraph(case: MatrixRow) -> str:
    """The text of a case's heading row: its label, then its group and attributes."""
    runs = [(case.label, GROUP_LABEL)]
    extra = case_line(case)
    if extra:
        runs.append((f"   {extra}", GROUP_EXTRA))
    return paragraph_xml(runs)


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


LABEL = RunStyle(bold=True, size=9)
SMALL = RunStyle(size=8, colour="595959")
SMALL_ITALIC = RunStyle(italic=True, size=8)
SUMMARY = RunStyle(size=9)
DRAFT_MARK = RunStyle(italic=True, size=8, colour="9C5700")
NOTE = RunStyle(italic=True, size=8, colour="595959")
COUNTS = RunStyle(size=7, colour="595959")
QUOTE = RunStyle(italic=True, size=8)
CITE = RunStyle(bold=True, size=7)
GROUP_LABEL = RunStyle(bold=True)
GROUP_EXTRA = RunStyle(size=8, colour="595959")


def _header_cell(width: int, text: str) -> str:
    return text_cell(width, [(text, LABEL)], fill=HEADER_FILL)


def _data_row(chart: Chart, ri: int, columns: tuple[int, ...], widths: list[int]) -> str:
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
    cells = [cell_xml(widths[0], label)]
    cells += [
        cell_xml(w, _cell_paragraphs(chart, ri, ci))
        for w, ci in zip(widths[1:], columns, strict=True)
    ]
    return row_xml(cells)


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


def _comments_table(chart: Chart, width: Length, f: IO[bytes]) -> None:
    """The appendix: every workshop comment on the chart's cells, with who and when."""
    rest = Emu(int(width - ROW_LABEL_WIDTH - Cm(5.5) - Cm(4.5)))
    widths = twips([ROW_LABEL_WIDTH, Cm(5.5), rest, Cm(4.5)])
    first = "Case" if chart.matrix.spec.by == "case" else "Participant"
    header = [
        _header_cell(w, text)
        for w, text in zip(widths, (first, "Construct", "Comment", "Who, when"), strict=True)
    ]
    f.write((table_start(widths) + row_xml(header, header=True)).encode())
    for c in chart.comments:
        cells = [
            text_cell(widths[0], [(c.row.label, LABEL)]),
            text_cell(widths[1], [(column_heading(c.column), SUMMARY)]),
            cell_xml(widths[2], [paragraph_xml([(line, SUMMARY)]) for line in c.text.split("\n")]),
            cell_xml(
                widths[3],
                [paragraph_xml([(c.author, LABEL)]), paragraph_xml([(c.when, SMALL)])],
            ),
        ]
        f.write(row_xml(cells, keep_together=True).encode())
    f.write(TABLE_END.encode())
