"""The cross-case pattern table as a workbook that Excel can sort and filter.

- ``Patterns``: one row per pattern (code × valence) with its section, category,
  the rules it was found under (exact or relaxed, on every row), where it is
  present, what each outlier case shares, and a column per case with the counts.
- ``Quotes``: the supporting quotes, one per row (section, pattern, case, participant id).
- ``Groups``: each case's group, where it came from, and why.
- ``About``: the rules in words, including the exact ``outlier_shares`` rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from qualcode.analysis.pattern_quotes import QuoteMap
from qualcode.analysis.pattern_report import comments_by_row, pattern_sections
from qualcode.analysis.patterns import OUTLIER_SHARES_RULE, PatternResult
from qualcode.export.chart_common import atomic_output

WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
RELAXED_FONT = Font(bold=True, color="9C0006")
EXCEL_CELL_LIMIT = 32767


def _fit(text: str) -> str:
    return text if len(text) <= EXCEL_CELL_LIMIT else text[: EXCEL_CELL_LIMIT - 2] + " …"


def _header(ws: Worksheet, titles: list[str], widths: list[int]) -> None:
    ws.append(titles)
    for c, width in enumerate(widths, 1):
        cell = ws.cell(row=1, column=c)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(titles))}1"


def write_patterns_xlsx(
    result: PatternResult,
    quotes: QuoteMap,
    out: str | Path,
    *,
    project_name: str = "",
    include_none: bool = False,
    comments: Mapping[tuple[int, str | None], Sequence[Any]] | None = None,
) -> Path:
    """Write the pattern table to ``out`` (.xlsx), atomically."""
    out = Path(out)
    wb = Workbook()
    patterns = wb.active
    patterns.title = "Patterns"
    sections = pattern_sections(result, include_none=include_none)
    mode = (
        f"relaxed (share {float(result.presence.share):g})" if result.presence.relaxed else "exact"
    )
    cases = [a.case for a in result.assignments]
    outliers = result.outliers
    _header(
        patterns,
        [
            "Section",
            "Category",
            "Rules",
            "Code path",
            "Code",
            "Valence",
            "Present in",
            *[f"{o} shares" for o in outliers],
            *cases,
        ],
        [34, 10, 18, 40, 26, 11, 30, *[12] * len(outliers), *[9] * len(cases)],
    )
    for section in sections:
        for row in section.rows:
            counts = [
                f"{row.counts[c].refs} ({row.counts[c].participants})" if c in row.counts else ""
                for c in cases
            ]
            patterns.append(
                [
                    section.title,
                    row.category,
                    mode,
                    "/".join(row.path),
                    row.name,
                    row.valence or "",
                    ", ".join(row.present_in),
                    *[row.outlier_shares.get(o) or "" for o in outliers],
                    *counts,
                ]
            )
    _quotes_sheet(wb.create_sheet("Quotes"), result, sections, quotes)
    _groups_sheet(wb.create_sheet("Groups"), result)
    _about_sheet(wb.create_sheet("About"), result, project_name, len(cases))
    said = comments_by_row(result, comments or {})
    if said:
        ws = wb.create_sheet("Workshop comments")
        _header(
            ws,
            ["Code path", "Valence", "Category", "Author", "Time", "Comment"],
            [40, 11, 10, 20, 16, 80],
        )
        for row, found in said:
            for valence, c in found:
                ws.append(
                    [
                        "/".join(row.path),
                        valence or "",
                        row.category,
                        c.author,
                        c.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                        c.text,
                    ]
                )
    with atomic_output(out) as tmp:
        wb.save(str(tmp))
    return out


def _quotes_sheet(ws: Worksheet, result: PatternResult, sections: list, quotes: QuoteMap) -> None:
    group = {a.case: a.group or "" for a in result.assignments}
    _header(
        ws,
        [
            "Section",
            "Code path",
            "Valence",
            "Case",
            "Group",
            "Participant",
            "Document",
            "Start",
            "End",
            "Quote",
        ],
        [34, 40, 11, 10, 9, 12, 14, 8, 8, 90],
    )
    for section in sections:
        if section.key == "none":
            continue
        for row in section.rows:
            for case, qs in quotes.get(row.key, {}).items():
                if section.quote_cases is not None and case not in section.quote_cases:
                    continue
                for q in qs:
                    ws.append(
                        [
                            section.title,
                            "/".join(row.path),
                            row.valence or "",
                            case,
                            group.get(case, ""),
                            q.participant or "",
                            q.document,
                            q.start,
                            q.end,
                            _fit(q.text),
                        ]
                    )
                    ws.cell(row=ws.max_row, column=10).alignment = WRAP


def _groups_sheet(ws: Worksheet, result: PatternResult) -> None:
    _header(ws, ["Case", "Group", "From", "Why"], [12, 10, 12, 100])
    for a in result.assignments:
        ws.append([a.case, a.group or "", a.source or "", a.reason])


def _about_sheet(ws: Worksheet, result: PatternResult, project_name: str, n_cases: int) -> None:
    p = result.presence
    rows = [
        ("Cross-case patterns", project_name),
        ("Date", date.today().isoformat()),
        ("Rules", p.headline()),
    ]
    rows += [(f"Category {name}", rule) for name, rule in p.category_rules().items()]
    rows += [
        ("Outlier shares", OUTLIER_SHARES_RULE),
        ("Case columns", "codings (participants) in each case; blank: not coded"),
        ("Groups from", result.groups_from or "stored groups"),
    ]
    rows += [(f"Rule {g}", expr) for g, expr in result.group_rules.items()]
    rows += [("Note", w) for w in result.warnings]
    for r in rows:
        ws.append(list(r))
        ws.cell(row=ws.max_row, column=2).alignment = WRAP
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 110
    ws["A1"].font = Font(bold=True, size=14)
    if p.relaxed:
        ws["B3"].font = RELAXED_FONT
