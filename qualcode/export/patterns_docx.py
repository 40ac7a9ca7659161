"""The cross-case pattern table as a Word document, with supporting quotes per case.

A landscape page: how cases were grouped and why, the rules used (relaxed rules
are stated in bold), then one table per section — A shared, B high, C low, and
for each outlier case what it shares with the high group, with the low group,
and what only outlier cases have. Each row is a pattern (code × valence), the
cases where it is present with their counts, and quotes labelled by participant id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from docx.shared import Cm, Emu, Pt

from qualcode.analysis.pattern_quotes import Quote, QuoteMap
from qualcode.analysis.pattern_report import Section, comments_by_row, pattern_sections
from qualcode.analysis.patterns import OUTLIER_SHARES_RULE, PatternResult, PatternRow
from qualcode.export.chart_common import atomic_output
from qualcode.export.docx_tools import (
    GREY,
    HEADER_FILL,
    add_page_number_footer,
    add_text,
    cell_paragraph,
    landscape_document,
    repeat_header_row,
    set_column_widths,
    shade_cell,
    tight,
    usable_width,
)

QUOTE_CHARS = 600
PATTERN_WIDTH = Cm(6.0)
CASES_WIDTH = Cm(5.0)


def quote_line(q: Quote, limit: int = QUOTE_CHARS) -> str:
    """``S3PW1: “text”`` on one line, cut at a word boundary when long."""
    text = q.text if len(q.text) <= limit else q.text[:limit].rsplit(" ", 1)[0] + " …"
    return f"{q.speaker}: “{text}”"


def counts_line(row: PatternRow, case: str) -> str:
    c = row.counts.get(case)
    if c is None:
        return case
    return (
        f"{case} ({c.refs} coding{'s' if c.refs != 1 else ''}, {c.participants} "
        f"participant{'s' if c.participants != 1 else ''})"
    )


def write_patterns_docx(
    result: PatternResult,
    quotes: QuoteMap,
    out: str | Path,
    *,
    project_name: str = "",
    include_none: bool = False,
    comments: Mapping[tuple[int, str | None], Sequence[Any]] | None = None,
) -> Path:
    """Write the pattern table to ``out`` (.docx), atomically."""
    out = Path(out)
    doc = landscape_document()
    doc.add_paragraph(style="Title").add_run("Cross-case patterns")
    if project_name:
        add_text(doc.add_paragraph(), f"{project_name} — {date.today().isoformat()}", bold=True)
    _rules(doc, result)
    _groups(doc, result)
    for section in pattern_sections(result, include_none=include_none):
        _section(doc, result, section, quotes)
    said = comments_by_row(result, comments or {})
    if said:
        doc.add_heading("Workshop comments", level=1)
        for row, found in said:
            add_text(tight(doc.add_paragraph(), Pt(2)), row.path_label, bold=True)
            for valence, c in found:
                para = tight(doc.add_paragraph(style="List Bullet"))
                extra = f" on {valence}" if valence and row.valence is None else ""
                add_text(
                    para,
                    f"{c.author}{extra}, {c.created_at.astimezone():%d %b %Y %H:%M}: ",
                    bold=True,
                )
                add_text(para, c.text)
    add_page_number_footer(doc.sections[0], f"{project_name or 'qualcode'} — cross-case patterns")
    with atomic_output(out) as tmp:
        doc.save(str(tmp))
    return out


def _rules(doc: Any, result: PatternResult) -> None:
    p = result.presence
    add_text(tight(doc.add_paragraph(), Pt(4)), p.headline(), bold=p.relaxed)
    for name, rule in p.category_rules().items():
        para = tight(doc.add_paragraph(style="List Bullet"))
        add_text(para, f"{name}: ", bold=True)
        add_text(para, rule)
    add_text(tight(doc.add_paragraph(), Pt(6)), OUTLIER_SHARES_RULE, italic=True, colour=GREY)
    for warning in result.warnings:
        add_text(tight(doc.add_paragraph()), f"Note: {warning}", colour=GREY)


def _header(table: Any, titles: list[str]) -> None:
    row = table.rows[0]
    for cell, title in zip(row.cells, titles, strict=True):
        add_text(cell_paragraph(cell, True), title, bold=True)
        shade_cell(cell, HEADER_FILL)
    repeat_header_row(row)


def _groups(doc: Any, result: PatternResult) -> None:
    doc.add_heading("Case groups", level=2)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    _header(table, ["Case", "Group", "From", "Why"])
    for a in result.assignments:
        cells = table.add_row().cells
        for cell, text in zip(
            cells, [a.case, a.group or "— (left out)", a.source or "", a.reason], strict=True
        ):
            add_text(cell_paragraph(cell, True), text)
    width = usable_width(doc.sections[0])
    set_column_widths(table, [Cm(3), Cm(3), Cm(2.5), Emu(width - Cm(8.5))])


def _section(doc: Any, result: PatternResult, section: Section, quotes: QuoteMap) -> None:
    doc.add_heading(f"{section.title} — {len(section.rows)}", level=2)
    if not section.rows:
        add_text(doc.add_paragraph(), "No codes in this section.", italic=True, colour=GREY)
        return
    with_quotes = section.key != "none"
    titles = ["Pattern", "Present in"] + (["Supporting quotes"] if with_quotes else [])
    table = doc.add_table(rows=1, cols=len(titles))
    table.style = "Table Grid"
    _header(table, titles)
    for row in section.rows:
        cells = table.add_row().cells
        para = cell_paragraph(cells[0], True)
        add_text(para, row.name, bold=True)
        if row.valence:
            add_text(para, f" ({row.valence})")
        if len(row.path) > 1:
            add_text(
                cell_paragraph(cells[0], False), "/".join(row.path[:-1]), size=Pt(8), colour=GREY
            )
        for i, case in enumerate(row.present_in or ("—",)):
            add_text(cell_paragraph(cells[1], i == 0), counts_line(row, case))
        if with_quotes:
            _quotes_cell(cells[2], row, quotes.get(row.key, {}), section.quote_cases)
    width = usable_width(doc.sections[0])
    widths = [PATTERN_WIDTH, CASES_WIDTH] + (
        [Emu(width - PATTERN_WIDTH - CASES_WIDTH)] if with_quotes else []
    )
    set_column_widths(table, widths)


def _quotes_cell(
    cell: Any, row: PatternRow, by_case: dict[str, list[Quote]], only: tuple[str, ...] | None
) -> None:
    first = True
    for case, qs in by_case.items():
        if only is not None and case not in only:
            continue
        add_text(cell_paragraph(cell, first), case, bold=True, size=Pt(9))
        first = False
        for q in qs:
            add_text(cell_paragraph(cell, False), quote_line(q), size=Pt(9))
    if first:
        add_text(cell_paragraph(cell, True), "(no quotes)", italic=True, colour=GREY)
