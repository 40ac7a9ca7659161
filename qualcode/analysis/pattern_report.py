"""The pattern table in reading order: sections A–D with their titles, for every output."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qualcode.analysis.patterns import PatternResult, PatternRow

SECTION_TITLES = {
    "shared": "A. Shared across all cases",
    "high": "B. Characteristic of the high group",
    "low": "C. Characteristic of the low group",
    "outlier": "D. Only in outlier cases",
    "none": "No pattern",
}
OUTLIER_TITLES = {
    "high": "shares with the high group",
    "low": "shares with the low group",
    "only": "only outlier cases have",
}


@dataclass(frozen=True)
class Section:
    """A block of the pattern table: A, B, C, one of D's three lists per outlier, or none."""

    key: str  # shared | high | low | outlier:<case>:high|low|only | none
    title: str
    rows: tuple[PatternRow, ...]
    quote_cases: tuple[str, ...] | None = None  # quotes from these cases only (None: present)
    short: str = ""  # a few words, for narrow screens


def pattern_sections(result: PatternResult, *, include_none: bool = False) -> list[Section]:
    """The table in reading order: A shared, B high, C low, then D for each outlier case."""
    groups = result.groups
    out = []
    shorts = {"shared": "A. Shared by all cases", "high": "B. High", "low": "C. Low"}
    for cat in ("shared", "high", "low"):
        who = f" ({', '.join(groups[cat])})" if cat != "shared" and groups[cat] else ""
        out.append(
            Section(
                cat,
                SECTION_TITLES[cat] + who,
                tuple(result.by_category(cat)),
                short=shorts[cat] + who,
            )
        )
    single = len(groups["outlier"]) == 1
    for case in groups["outlier"]:
        view = result.outlier_view(case)
        for share, rows in view.items():
            short = (
                f"D. {case} shares with {share}"
                if share != "only"
                else f"D. Only {case}"
                if single
                else f"D. {case}: only outlier cases"
            )
            out.append(
                Section(
                    f"outlier:{case}:{share}",
                    f"D. {case} {OUTLIER_TITLES[share]}",
                    tuple(rows),
                    (case,),
                    short,
                )
            )
    if include_none:
        out.append(
            Section(
                "none",
                SECTION_TITLES["none"],
                tuple(result.by_category("none")),
                short="No pattern",
            )
        )
    return out


def comments_by_row(
    result: PatternResult, comments: Mapping[tuple[int, str | None], Sequence[Any]]
) -> list[tuple[PatternRow, list[tuple[str | None, Any]]]]:
    """Workshop comments under the pattern rows they were made on, in table order.

    A table per code (not per valence) shows a code's comments from every valence,
    each with the valence it was made on.
    """
    out = []
    for row in result.rows:
        found = [
            (valence, c)
            for (code_id, valence), said in comments.items()
            if code_id == row.code_id and (row.valence is None or valence == row.valence)
            for c in said
        ]
        if found:
            found.sort(key=lambda pair: pair[1].created_at)
            out.append((row, found))
    return out
