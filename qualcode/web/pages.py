"""The workshop page's views as HTML: the matrix, one cell, the pattern table, one pattern row.

Pure functions from data the services returned to strings; every text from the
project is escaped with :func:`qualcode.web.html.e`. Each view has a live part
(summaries, counts, comments) that the page fetches again when the project
changes, and a fixed part (headings, the comment form) that is never replaced,
so a guest typing a comment is never interrupted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qualcode.analysis.matrix import Matrix, MatrixColumn, MatrixRow
from qualcode.analysis.pattern_report import pattern_sections
from qualcode.analysis.patterns import PatternResult, PatternRow
from qualcode.services.charting import CellDetail, CommentInfo
from qualcode.services.workshop import MAX_AUTHOR_CHARS, MAX_COMMENT_CHARS
from qualcode.web.html import e, link, when
from qualcode.web.views import View
from qualcode.wording import plural

SUMMARY_PREVIEW = 280
STATUS_WORDS = {"empty": "not written", "draft": "draft", "reviewed": "reviewed"}
VALENCE_SIGN = {"facilitator": "+", "barrier": "−", "neutral": "="}


def _status(status: str) -> str:
    return f'<span class="status s-{e(status)}">{e(STATUS_WORDS.get(status, status))}</span>'


def _heading(col: MatrixColumn) -> str:
    return (
        " / ".join(col.path[1:])
        if len(col.path) > 1 and col.path[0] == col.domain
        else " / ".join(col.path)
    )


def _row_facts(row: MatrixRow) -> str:
    facts = [f"{k} {v}" for k, v in row.attributes.items() if k.lower() != "group"]
    group = f'<span class="group">{e(row.group)}</span> ' if row.group else ""
    return f'<span class="facts">{group}{e(" · ".join(facts))}</span>'


def _preview(text: str) -> str:
    if len(text) <= SUMMARY_PREVIEW:
        return text
    return text[:SUMMARY_PREVIEW].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _comments(comments: Sequence[CommentInfo]) -> str:
    items = "".join(
        f'<li data-id="{c.id}"><span class="who">{e(c.author)}</span> '
        f"<time>{e(when(c.created_at))}</time><p>{e(c.text)}</p></li>"
        for c in comments
    )
    empty = "" if comments else '<p class="none">None yet.</p>'
    return (
        f'<section class="comments"><h2>Workshop comments ({len(comments)})</h2>'
        f'<ul class="comment-list">{items}</ul>{empty}</section>'
    )


def comment_form(target: dict[str, str], back: str, heading: str) -> str:
    """The comment form (outside the live region): works with and without script."""
    hidden = "".join(
        f'<input type="hidden" name="{e(k)}" value="{e(v)}">'
        for k, v in {**target, "back": back}.items()
    )
    return (
        f'<form class="comment-form" method="post" action="/comment">{hidden}'
        f"<h2>Add a comment on {e(heading)}</h2>"
        f'<label for="c-author">Your name or role (optional)</label>'
        f'<input id="c-author" name="author" maxlength="{MAX_AUTHOR_CHARS}" autocomplete="off">'
        f'<label for="c-text">Comment</label>'
        f'<textarea id="c-text" name="text" rows="4" maxlength="{MAX_COMMENT_CHARS}" required>'
        f'</textarea><button type="submit">Add comment</button>'
        f'<p class="form-message" role="status"></p></form>'
    )


# -- the matrix ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    domains: list[str]
    groups: list[str]


def filter_form(view: View, choices: FilterChoices, action: str) -> str:
    """Domain, group and valence, as in the workbench (a plain GET form)."""

    def select(name: str, label: str, options: Sequence[str], current: str) -> str:
        opts = "".join(
            f'<option value="{e(o)}"{" selected" if o == current else ""}>{e(o)}</option>'
            for o in options
        )
        return (
            f'<label>{label} <select name="{name}"><option value="">all</option>{opts}'
            "</select></label>"
        )

    hc = '<input type="hidden" name="hc" value="1">' if view.contrast else ""
    fields = ""
    if action == "/":
        fields += select("domain", "Domain", choices.domains, view.domain)
        fields += select("group", "Group", choices.groups, view.group)
    fields += select("valence", "Valence", ["facilitator", "barrier", "neutral"], view.valence)
    return (
        f'<form class="filters" method="get" action="{action}">{fields}{hc}'
        '<button type="submit">Show</button></form>'
    )


def matrix_live(m: Matrix, view: View) -> str:
    """Every domain (or the chosen one) as a table: cases down, constructs across."""
    if not m.columns:
        return (
            '<p class="none">No codes yet: the analyst applies a framework or creates codes '
            "in the workbench.</p>"
        )
    domains = [d for d in m.domains if not view.domain or d.lower() == view.domain.lower()]
    if not domains:
        return f'<p class="none">No domain called {e(view.domain)}.</p>'
    if not m.rows:
        return '<p class="none">No cases match these filters.</p>'
    out = []
    for domain in domains:
        cols = m.columns_in(domain)
        head = "".join(f'<th scope="col">{e(_heading(m.columns[ci]))}</th>' for ci in cols)
        body = []
        for ri, row in enumerate(m.rows):
            if not row.chartable:
                continue
            cells = "".join(_matrix_cell(m, ri, ci, view) for ci in cols)
            body.append(
                f'<tr><th scope="row"><span class="case">{e(row.label)}</span>'
                f"{_row_facts(row)}</th>{cells}</tr>"
            )
        out.append(
            f'<section class="domain"><h2>{e(domain)}</h2><table class="matrix">'
            f'<thead><tr><th scope="col">Case</th>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></section>"
        )
    return "\n".join(out)


def _matrix_cell(m: Matrix, ri: int, ci: int, view: View) -> str:
    row, col, cell = m.rows[ri], m.columns[ci], m.cell(ri, ci)
    href = link(f"/cell/{row.row_type}/{row.id}/{col.code_id}", view)
    if cell.summary_text:
        summary = e(_preview(cell.summary_text))
        text = f'{_status(cell.status)}<span class="summary">{summary}</span>'
    elif cell.count:
        text = '<span class="none">No summary yet</span>'
    else:
        text = '<span class="none">—</span>'
    counts = (
        [plural(cell.count, "coding"), plural(len(cell.participants), "participant")]
        if cell.count
        else []
    )
    if cell.comments:
        counts.append(plural(cell.comments, "comment"))
    shown = f'<span class="counts">{e(" · ".join(counts))}</span>' if counts else ""
    return (
        f'<td data-col="{e(_heading(col))}"><a class="cell" href="{href}" '
        f'data-cell="{row.id}-{col.code_id}">{text}{shown}</a></td>'
    )


# -- one cell ------------------------------------------------------------------------------


def cell_top(m: Matrix, ri: int, ci: int, view: View) -> str:
    """Headings and the way to the neighbouring cells (fixed part of the cell view)."""
    row, col = m.rows[ri], m.columns[ci]
    cols = m.columns_in(col.domain)
    pos = cols.index(ci)
    rows = [i for i, r in enumerate(m.rows) if r.chartable]
    rpos = rows.index(ri)

    def go(r: int, c: int, label: str, rel: str) -> str:
        target_row, target_col = m.rows[r], m.columns[c]
        href = link(f"/cell/{target_row.row_type}/{target_row.id}/{target_col.code_id}", view)
        return f'<a href="{href}" rel="{rel}">{label}</a>'

    steps = []
    if pos > 0:
        steps.append(go(ri, cols[pos - 1], f"← {e(_heading(m.columns[cols[pos - 1]]))}", "prev"))
    if pos < len(cols) - 1:
        steps.append(go(ri, cols[pos + 1], f"{e(_heading(m.columns[cols[pos + 1]]))} →", "next"))
    if rpos > 0:
        steps.append(go(rows[rpos - 1], ci, f"↑ {e(m.rows[rows[rpos - 1]].label)}", "prev"))
    if rpos < len(rows) - 1:
        steps.append(go(rows[rpos + 1], ci, f"↓ {e(m.rows[rows[rpos + 1]].label)}", "next"))
    definition = (
        f'<p class="definition">{e(col.definition.split(". ", 1)[0].rstrip("."))}.</p>'
        if col.definition
        else ""
    )
    return (
        f'<nav class="crumbs"><a href="{link("/", view)}">← The whole matrix</a>'
        f"{''.join(steps)}</nav>"
        f'<h1><span class="case">{e(row.label)}</span> <span class="sep">×</span> '
        f'<span class="domain-name">{e(col.domain)}</span> › {e(_heading(col))}</h1>'
        f'<p class="row-facts">{_row_facts(row)}</p>{definition}'
    )


def cell_live(d: CellDetail) -> str:
    """Summary, quotes (labelled by participant and turn) and comments of one cell."""
    s = d.summary
    if s and s.text:
        paras = "".join(f"<p>{e(line)}</p>" for line in s.text.split("\n") if line.strip())
        summary = (
            f'<section class="summary-full"><h2>Analyst\'s summary {_status(s.status)}</h2>'
            f'<div class="summary-text">{paras}</div>'
            f'<p class="byline">{e(s.author or "")} · {e(when(s.updated_at))}</p>'
            "</section>"
        )
    else:
        summary = (
            '<section class="summary-full"><h2>Analyst\'s summary</h2>'
            '<p class="none">Not written yet.</p></section>'
        )
    c = d.cell
    quotes = []
    for q in d.quotes:
        sign = (
            (
                f' <span class="valence v-{e(q.valence)}">{VALENCE_SIGN[q.valence]} '
                f"{e(q.valence)}</span>"
            )
            if q.valence
            else ""
        )
        quotes.append(
            f"<blockquote><p>“{e(q.clean_text)}”</p><cite>{e(q.citation)}{sign}</cite></blockquote>"
        )
    if not quotes:
        quotes.append('<p class="none">No codings here.</p>')
    said = (
        f'<section class="quotes"><h2>What participants said</h2>'
        f'<p class="counts">{e(plural(c.count, "coding"))} · '
        f"{e(plural(len(c.participants), 'participant'))}</p>{''.join(quotes)}</section>"
    )
    return summary + said + _comments(d.comments)


# -- patterns --------------------------------------------------------------------------------


def _pattern_href(row: PatternRow, view: View) -> str:
    return link(f"/pattern/{row.code_id}/{row.valence or 'any'}", view)


def patterns_live(
    result: PatternResult, comments: dict[tuple[int, str | None], list[CommentInfo]], view: View
) -> str:
    """The pattern table: A shared, B high, C low, D what each outlier shares."""
    out = [f'<p class="rules">{e(result.presence.headline())}</p>']
    out.extend(f'<p class="warning">{e(w)}</p>' for w in result.warnings)
    for section in pattern_sections(result):
        rows = [r for r in section.rows if not view.valence or r.valence == view.valence]
        body = []
        for r in rows:
            n = len(comments.get(r.key, []))
            sign = (
                (
                    f'<span class="valence v-{e(r.valence)}">{VALENCE_SIGN[r.valence]} '
                    f"{e(r.valence)}</span>"
                )
                if r.valence
                else ""
            )
            body.append(
                f'<tr><th scope="row"><a href="{_pattern_href(r, view)}">'
                f"{e(' / '.join(r.path))}</a> {sign}</th>"
                f'<td data-col="Present in">{e(", ".join(r.present_in))}</td>'
                f'<td class="num" data-col="Comments">'
                f"{e(plural(n, 'comment') if n else '—')}</td></tr>"
            )
        table = (
            f'<table class="patterns pattern-list"><thead><tr><th scope="col">Code</th>'
            f'<th scope="col">Present in</th><th scope="col">Comments</th></tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>"
            if body
            else '<p class="none">None.</p>'
        )
        out.append(f'<section class="pattern-section"><h2>{e(section.title)}</h2>{table}</section>')
    return "\n".join(out)


def pattern_top(row: PatternRow, view: View) -> str:
    sign = f" ({e(row.valence)})" if row.valence else ""
    return (
        f'<nav class="crumbs"><a href="{link("/patterns", view)}">← The pattern table</a>'
        f"</nav><h1>{e(' / '.join(row.path))}{sign}</h1>"
    )


def pattern_live(row: PatternRow, result: PatternResult, comments: Sequence[CommentInfo]) -> str:
    titles = {s.key.split(":")[0]: s.title for s in pattern_sections(result)}
    counts = "".join(
        f'<tr><th scope="row">{e(a.case)}</th><td data-col="Group">{e(a.group or "—")}</td>'
        f'<td class="num" data-col="Codings">'
        f"{row.counts[a.case].refs if a.case in row.counts else 0}</td>"
        f'<td class="num" data-col="Participants">'
        f"{row.counts[a.case].participants if a.case in row.counts else 0}</td>"
        "</tr>"
        for a in result.assignments
    )
    return (
        f'<p class="category">{e(titles.get(row.category, "No pattern"))}</p>'
        f"<p>Present in: {e(', '.join(row.present_in) or 'no case')}</p>"
        f'<table class="patterns"><thead><tr><th scope="col">Case</th><th scope="col">Group'
        f'</th><th scope="col">Codings</th><th scope="col">Participants</th></tr></thead>'
        f"<tbody>{counts}</tbody></table>" + _comments(comments)
    )
