"""Necessity: is each condition (or its absence) a superset of the outcome?

For a crisp condition X and outcome Y over N cases:
consistency = |X∩Y| / |Y| (share of outcome cases that show X);
coverage = |X∩Y| / |X| (how far X is not much bigger than Y);
relevance of necessity (Schneider & Wagemann 2012, 236) = Σ(1−X) / Σ(1−min(X,Y)),
which for crisp sets is (N − |X|) / (N − |X∩Y|): near 0 when X is present in
almost every case, so that its being "necessary" says little.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NecessityRow:
    expression: str  # "A" or "~A"
    consistency: float | None
    coverage: float | None
    relevance: float | None
    cases: tuple[str, ...]  # cases with the condition and the outcome


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def necessity_table(
    labels: list[str], rows: list[tuple[str, tuple[int, ...], int]]
) -> list[NecessityRow]:
    """Each condition and its negation as necessary for the outcome (rows: case, values, y)."""
    n = len(rows)
    n_y = sum(y for _, _, y in rows)
    out = []
    for i, label in enumerate(labels):
        for present, text in ((1, label), (0, f"~{label}")):
            with_x = [(c, y) for c, v, y in rows if v[i] == present]
            both = [c for c, y in with_x if y]
            out.append(
                NecessityRow(
                    text,
                    _ratio(len(both), n_y),
                    _ratio(len(both), len(with_x)),
                    _ratio(n - len(with_x), n - len(both)),
                    tuple(both),
                )
            )
    return out
