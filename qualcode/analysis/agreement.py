"""Intercoder agreement: percent agreement, Cohen's kappa and Krippendorff's alpha (nominal).

Definitions (printed with every result, see ``DEFINITION``):

- unit ``sentence`` / ``turn``: a unit is coded with code C by a coder when one of that
  coder's codings of C overlaps it by at least one character; unit ``char``: every character.
- The units are those of every document compared.
- Each (unit, code) is one yes/no decision per coder. Per code, the decisions are that
  code's units; pooled, all unit x code decisions of the codes any named coder used.
- Percent agreement: the share of decisions on which every coder made the same choice.
- Cohen's kappa: two coders only. Krippendorff's alpha (nominal): two or more coders.

Everything here works on whole arrays (numpy), never one unit at a time: a coding becomes
a range of unit numbers, each coder's ranges of a code are merged, and one sweep over the
range ends counts how many units each number of coders applied the code to. Those counts
are all the statistics need, so a million characters cost no more than a few thousand
ranges.

Alpha is computed by the ``krippendorff`` package from value counts (per unit, how many
coders said yes and how many no). A unit all coders agree on adds exactly its number of
decisions to one diagonal cell of the coincidence matrix, so the units everyone left
uncoded go to the package as one all-no row and those everyone coded as one all-yes row;
each unit on which coders differ is its own row. The package thus sees the same
coincidences as with one row per unit, and by character that is the changed characters
only, not the million of a 500-transcript project (one row each would take gigabytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import krippendorff
import numpy as np

UNITS = ("sentence", "turn", "char")

DEFINITION = (
    "A unit (sentence or turn) is coded with a code by a coder when one of that coder's "
    "codings of the code overlaps it by at least one character; with unit 'char' every "
    "character is a unit. Each unit x code is one yes/no decision per coder. Percent = share "
    "of decisions on which all coders agree; Cohen's kappa for exactly two coders; "
    "Krippendorff's alpha (nominal) for two or more. Pooled = all unit x code decisions of "
    "the codes any of the coders used."
)

NOBODY_USED = "no coder named used this code on the documents compared"
NO_VARIATION = (
    "every decision was the same, so chance agreement is total and the figure is undefined"
)
NOT_TWO = "Cohen's kappa needs exactly two coders"


@dataclass(frozen=True)
class Decisions:
    """Summary of one code's (or the pooled) decisions: all the statistics need.

    ``by_count[k]`` is how many units exactly k coders applied the code to (k = 0..m);
    ``per_coder[i]`` is how many units coder i applied it to.
    """

    units: int
    by_count: tuple[int, ...]
    per_coder: tuple[int, ...]

    @property
    def coders(self) -> int:
        return len(self.per_coder)


@dataclass
class Figures:
    """Percent, kappa and alpha for one code or pooled; ``None`` with a reason when undefined."""

    percent: float | None
    kappa: float | None
    alpha: float | None
    units: int
    reasons: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "percent": self.percent,
            "kappa": self.kappa,
            "alpha": self.alpha,
            "units": self.units,
        }
        if self.reasons:
            out["reasons"] = dict(self.reasons)
        return out


def unit_ranges(
    unit_starts: np.ndarray, unit_ends: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Turn character ranges into ranges of unit numbers ``[lo, hi)`` they overlap.

    Units are sorted, non-overlapping character ranges (in one coordinate space for all
    documents). A range overlaps a unit when it shares at least one character with it.
    """
    lo = np.searchsorted(unit_ends, starts, side="right")
    hi = np.searchsorted(unit_starts, ends, side="left")
    return lo, np.maximum(hi, lo)


def _merge(
    keys: np.ndarray, lo: np.ndarray, hi: np.ndarray, span: int
) -> tuple[np.ndarray, np.ndarray]:
    """Union of ranges within each key (overlapping ranges of one key count once)."""
    if len(lo) == 0:
        return lo, hi
    gs = keys.astype(np.int64) * span + lo
    ge = keys.astype(np.int64) * span + hi
    order = np.lexsort((ge, gs))
    gs, ge = gs[order], ge[order]
    reach = np.maximum.accumulate(ge)
    new = np.ones(len(gs), dtype=bool)
    new[1:] = gs[1:] > reach[:-1]
    starts = gs[new]
    group = np.cumsum(new) - 1
    ends = np.zeros(len(starts), dtype=np.int64)
    np.maximum.at(ends, group, reach)
    return starts, ends


def decisions(
    units: int, n_codes: int, coders: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> list[Decisions]:
    """Per code, how many units each number of coders applied it to.

    ``coders`` holds, per coder, arrays (code index, first unit, end unit exclusive) of that
    coder's codings in unit numbers. Returns one ``Decisions`` per code index.
    """
    m = len(coders)
    span = max(units, 1)
    per_coder = np.zeros((n_codes, m), dtype=np.int64)
    event_pos, event_delta = [], []
    for i, (codes, lo, hi) in enumerate(coders):
        starts, ends = _merge(np.asarray(codes), np.asarray(lo), np.asarray(hi), span)
        per_coder[:, i] = np.bincount(starts // span, weights=ends - starts, minlength=n_codes)[
            :n_codes
        ].astype(np.int64)
        event_pos += [starts, ends]
        event_delta += [np.ones(len(starts), np.int64), -np.ones(len(ends), np.int64)]
    by_count = np.zeros((n_codes, m + 1), dtype=np.int64)
    if event_pos:
        pos = np.concatenate(event_pos)
        delta = np.concatenate(event_delta)
        if len(pos):
            order = np.argsort(pos, kind="stable")
            pos, delta = pos[order], delta[order]
            depth = np.cumsum(delta)[:-1]
            length = np.diff(pos)
            code = pos[:-1] // span
            keep = (length > 0) & (depth > 0)
            np.add.at(by_count, (code[keep], depth[keep]), length[keep])
    by_count[:, 0] = units - by_count[:, 1:].sum(axis=1)
    return [
        Decisions(units, tuple(int(x) for x in by_count[c]), tuple(int(x) for x in per_coder[c]))
        for c in range(n_codes)
    ]


def pool(items: list[Decisions]) -> Decisions:
    """All unit x code decisions together."""
    if not items:
        return Decisions(0, (), ())
    by_count = np.sum([d.by_count for d in items], axis=0)
    per_coder = np.sum([d.per_coder for d in items], axis=0)
    return Decisions(
        sum(d.units for d in items),
        tuple(int(x) for x in by_count),
        tuple(int(x) for x in per_coder),
    )


def percent(d: Decisions) -> float | None:
    """Share of decisions (0-100) on which every coder made the same choice."""
    if d.units == 0:
        return None
    return 100.0 * (d.by_count[0] + d.by_count[-1]) / d.units


def cohen_kappa(d: Decisions) -> float | None:
    """Cohen's kappa for two coders' yes/no decisions; None when chance agreement is total."""
    n = d.units
    if d.coders != 2 or n == 0:
        return None
    both = d.by_count[2]
    a, b = d.per_coder
    observed = (both + d.by_count[0]) / n
    expected = (a * b + (n - a) * (n - b)) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def value_counts(d: Decisions) -> np.ndarray:
    """The decisions as the package's value counts: columns (yes, no), one row per unit
    on which coders differ, and the unanimous units gathered in an all-no and an all-yes row
    (a unanimous row adds its count to one diagonal cell only, so gathering them is exact)."""
    m = d.coders
    k = np.arange(1, m, dtype=np.int64)
    rows = [np.repeat(np.column_stack([k, m - k]), d.by_count[1:m], axis=0)]
    if d.by_count[0]:
        rows.append(np.array([[0, d.by_count[0] * m]], dtype=np.int64))
    if d.by_count[m]:
        rows.append(np.array([[d.by_count[m] * m, 0]], dtype=np.int64))
    return np.concatenate(rows)


def nominal_alpha(d: Decisions) -> float | None:
    """Krippendorff's alpha (nominal) by the ``krippendorff`` package; None when undefined.

    Undefined for fewer than two coders, no units, or no variation (every decision the same
    value: expected disagreement is zero, so alpha would be 0/0).
    """
    m = d.coders
    if m < 2 or d.units == 0:
        return None
    yes = sum(k * n for k, n in enumerate(d.by_count))
    if yes == 0 or yes == d.units * m:
        return None
    return float(krippendorff.alpha(value_counts=value_counts(d), level_of_measurement="nominal"))


def figures(d: Decisions, *, used: bool = True) -> Figures:
    """Every figure for one set of decisions, with the reason for each one left out."""
    if not used:
        return Figures(None, None, None, d.units, {"all": NOBODY_USED})
    reasons: dict[str, str] = {}
    kappa = cohen_kappa(d)
    if kappa is None:
        reasons["kappa"] = NOT_TWO if d.coders != 2 else NO_VARIATION
    alpha = nominal_alpha(d)
    if alpha is None:
        reasons["alpha"] = NO_VARIATION
    return Figures(percent(d), kappa, alpha, d.units, reasons)
