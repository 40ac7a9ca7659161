"""The framework chart as one self-contained HTML page, for projecting in a workshop or printing.

No external files, scripts or fonts: large, high-contrast type on screen; on paper,
landscape pages with each table's header row repeated. Everything from the
project is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

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

CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, "Segoe UI", Arial, sans-serif; font-size: 20px; line-height: 1.4;
       color: #000; background: #fff; margin: 1.5rem; }
h1 { font-size: 2rem; margin: 0 0 .3rem; }
h2 { font-size: 1.6rem; margin: 2rem 0 .6rem; border-bottom: 3px solid #000; }
.meta { margin: 0 0 1rem; } .meta dt { font-weight: bold; float: left; clear: left; width: 9rem; }
.meta dd { margin: 0 0 .2rem 9.5rem; }
nav a { margin-right: 1rem; color: #003d99; font-weight: bold; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 2px solid #000; padding: .5rem .6rem; vertical-align: top; text-align: left; }
thead th { background: #1a1a1a; color: #fff; position: sticky; top: 0; }
th.row, th.corner { width: 12rem; }
tbody th.row { background: #f2f2f2; color: #000; }
th.row .attrs, .counts { display: block; font-weight: normal; font-size: .75em; color: #333; }
tr.group th { background: #d9d9d9; font-size: 1.05em; }
.summary p { margin: 0 0 .4rem; font-weight: 600; }
.draft { display: inline-block; font-size: .7em; padding: 0 .3rem; border: 1px solid #8a4b00;
         color: #8a4b00; font-weight: bold; }
.none { color: #555; font-style: italic; font-size: .8em; }
blockquote { margin: .4rem 0 0; padding-left: .5rem; border-left: 4px solid #555; font-size: .85em; }
blockquote cite { display: block; font-style: normal; font-weight: bold; font-size: .85em; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { font-size: 9pt; margin: 0; } nav { display: none; }
  thead { display: table-header-group; } thead th { position: static; }
  tr { break-inside: avoid; } h2 { break-before: page; } h2:first-of-type { break-before: auto; }
}
"""


def write_chart_html(chart: Chart, out: str | Path, *, progress: Progress = no_progress) -> Path:
    """Write the chart to ``out`` (.html), atomically."""
    out = Path(out)
    tables = chart.tables()
    parts = [_head(chart, tables)]
    for n, table in enumerate(tables, 1):
        parts.append(_table(chart, table))
        progress(n, len(tables) + 1, f"Table {table.title}")
    if chart.comments:
        parts.append(_comments(chart))
    parts.append("</body>\n</html>\n")
    with atomic_output(out) as tmp:
        tmp.write_text("".join(parts), encoding="utf-8")
    progress(len(tables) + 1, len(tables) + 1, f"Saved {out.name}")
    return out


def _anchor(title: str) -> str:
    return "t-" + "".join(ch if ch.isalnum() else "-" for ch in title.lower())


def _head(chart: Chart, tables: list[ChartTable]) -> str:
    m = chart.matrix
    status = m.status_counts()
    meta = [
        ("Framework", "; ".join(chart.frameworks) or "(none applied)"),
        ("Date", chart.date),
        ("Rows", f"{len(m.rows)} by {m.spec.by}"),
        ("Codings", str(m.codings)),
        (
            "Summaries",
            f"{status['reviewed']} reviewed, {status['draft']} draft, "
            f"{status['empty']} not yet written",
        ),
        ("Filters", "; ".join(chart.filters)),
    ]
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in meta)
    nav = "".join(
        f'<a href="#{_anchor(t)}">{escape(t)}</a>'
        for t in [t.title for t in tables] + ([COMMENTS_TITLE] if chart.comments else [])
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(chart.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<h1>{escape(chart.title)}</h1>\n<dl class="meta">{dl}</dl>\n<nav>{nav}</nav>\n'
    )


def _comments(chart: Chart) -> str:
    """The appendix: every workshop comment on the chart's cells."""
    first = "Case" if chart.matrix.spec.by == "case" else "Participant"
    rows = "".join(
        f'<tr><th scope="row" class="row">{escape(c.row.label)}</th>'
        f"<td>{escape(column_heading(c.column))}</td><td>{escape(c.text)}</td>"
        f'<td>{escape(c.author)}<span class="counts">{escape(c.when)}</span></td></tr>\n'
        for c in chart.comments
    )
    return (
        f'<h2 id="{_anchor(COMMENTS_TITLE)}">{COMMENTS_TITLE}</h2>\n<table>\n<thead><tr>'
        f'<th scope="col" class="row">{first}</th><th scope="col">Construct</th>'
        '<th scope="col">Comment</th><th scope="col">Who, when</th></tr></thead>\n'
        f"<tbody>\n{rows}</tbody>\n</table>\n"
    )


def _table(chart: Chart, table: ChartTable) -> str:
    m = chart.matrix
    first = "Case" if m.spec.by == "case" else "Participant"
    head = "".join(
        f'<th scope="col">{escape(column_heading(m.columns[ci]))}</th>' for ci in table.columns
    )
    out = [
        f'<h2 id="{_anchor(table.title)}">{escape(table.title)}</h2>\n<table>\n<thead><tr>'
        f'<th scope="col" class="corner">{first}</th>{head}</tr></thead>\n<tbody>\n'
    ]
    for group in chart.row_groups():
        if m.spec.by == "participant" and group.case is not None:
            extra = case_line(group.case)
            out.append(
                f'<tr class="group"><th colspan="{len(table.columns) + 1}">'
                f'{escape(group.case.label)}<span class="attrs">{escape(extra)}</span>'
                "</th></tr>\n"
            )
        for ri in group.rows:
            out.append(_row(chart, ri, table))
    out.append("</tbody>\n</table>\n")
    return "".join(out)


def _row(chart: Chart, ri: int, table: ChartTable) -> str:
    row = chart.matrix.rows[ri]
    extra = case_line(row) if row.row_type == "case" else (row.role or "")
    cells = "".join(_cell(chart, ri, ci) for ci in table.columns)
    return (
        f'<tr><th scope="row" class="row">{escape(row.label)}'
        f'<span class="attrs">{escape(extra)}</span></th>{cells}</tr>\n'
    )


def _cell(chart: Chart, ri: int, ci: int) -> str:
    data = chart.matrix.cell(ri, ci)
    out = []
    if data.summary_text:
        paras = "".join(f"<p>{escape(line)}</p>" for line in data.summary_text.split("\n"))
        badge = ' <span class="draft">draft</span>' if data.status == "draft" else ""
        out.append(f'<div class="summary">{paras}{badge}</div>')
    elif data.count:
        out.append(f'<span class="none">{STATUS_WORDS["empty"]}</span>')
    else:
        out.append('<span class="none">—</span>')
    if data.count:
        out.append(f'<span class="counts">{counts_text(data.count, len(data.participants))}</span>')
        for q in chart.cell_quotes(ri, ci):
            out.append(
                f"<blockquote>“{escape(quote_text(q))}”"
                f"<cite>{escape(quote_citation(q))}</cite></blockquote>"
            )
    return f"<td>{''.join(out)}</td>"
