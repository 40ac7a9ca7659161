"""Plain-text tables for ``qualcode group`` and ``qualcode patterns``."""

from __future__ import annotations

from qualcode.analysis.groups import GROUPS, GroupAssignment, members
from qualcode.analysis.pattern_report import Section, pattern_sections
from qualcode.analysis.patterns import PatternResult, PatternRow

CODE_WIDTH = 48


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def groups_line(assignments: list[GroupAssignment]) -> str:
    groups = members(assignments)
    parts = [f"{g} = {', '.join(groups[g]) or '—'}" for g in GROUPS]
    if groups["none"]:
        parts.append(f"no group = {', '.join(groups['none'])}")
    return "Groups: " + " · ".join(parts)


def groups_text(assignments: list[GroupAssignment]) -> str:
    """Which cases fell where, and why."""
    if not assignments:
        return (
            "No cases yet: `qualcode case set NAME attr=value` or `qualcode case import FILE.csv`."
        )
    width = max(len(a.case) for a in assignments)
    lines = [groups_line(assignments), ""]
    for a in assignments:
        source = f"({a.source})" if a.source else ""
        lines.append(f"{a.case:<{width}}  {a.group or '—':<8} {source:<12} {a.reason}")
    return "\n".join(lines)


def _columns(result: PatternResult) -> list[list[str]]:
    groups = result.groups
    return [
        cases
        for cases in (groups["high"], groups["low"], groups["outlier"], groups["none"])
        if cases
    ]


def _table(
    result: PatternResult, rows: list[PatternRow], indent: str = "  ", width: int = CODE_WIDTH
) -> list[str]:
    blocks = _columns(result)
    cases = [c for block in blocks for c in block]
    vwidth = 11 if result.presence.by_valence else 0

    def line(code: str, valence: str, cells: dict[str, str]) -> str:
        parts = []
        for block in blocks:
            parts.append(" ".join(f"{cells.get(c, ''):>{max(len(c), 3)}}" for c in block))
        head = f"{indent}{_cut(code, width):<{width}}  "
        if vwidth:
            head += f"{valence:<{vwidth}} "
        return (head + " │ ".join(parts)).rstrip()

    out = [line("Code", "Valence" if vwidth else "", {c: c for c in cases})]
    for r in rows:
        cells = {}
        for case, count in r.counts.items():
            cells[case] = str(count.refs) if case in r.present_in else "·"
        out.append(line("/".join(r.path), r.valence or "—", cells))
    return out


def patterns_text(result: PatternResult, *, show_none: bool = False) -> str:
    """Sections A–D with a case-by-code table (codings where present, · where below threshold)."""
    sections = pattern_sections(result, include_none=show_none)
    shown = [r for s in sections for r in s.rows]
    width = min(CODE_WIDTH, max([len("Code")] + [len("/".join(r.path)) for r in shown]))
    out = [groups_text(result.assignments), "", result.presence.headline()]
    out += [f"warning: {w}" for w in result.warnings]
    out.append(
        "Cells: codings where the code is present; · coded, but below the presence "
        "threshold or in a case with no group."
    )
    if not result.outliers:
        sections.insert(3, Section("outlier", "D. No outlier case", ()))
    for section in sections:
        out += ["", f"{section.title} ({len(section.rows)})"]
        out += _table(result, list(section.rows), width=width) if section.rows else ["  (none)"]
    return "\n".join(out)
