"""Alpha by the krippendorff package from gathered value counts equals the closed-form
coincidence formula (the previous implementation) and the package on one row per unit."""

from __future__ import annotations

import math
import random
import warnings

import krippendorff
import numpy as np
import pytest

from qualcode.analysis.agreement import (
    NO_VARIATION,
    Decisions,
    figures,
    nominal_alpha,
    value_counts,
)


def closed_form_alpha(d: Decisions) -> float | None:
    """The formula qualcode used before the package: alpha from the coincidence matrix.

    A unit that k of m coders applied the code to adds k(m-k)/(m-1) to each off-diagonal
    cell of the coincidence matrix.
    """
    m = d.coders
    if m < 2 or d.units == 0:
        return None
    k = np.arange(m + 1, dtype=np.float64)
    count = np.asarray(d.by_count, dtype=np.float64)
    off = float((count * k * (m - k)).sum()) / (m - 1)
    yes = float((count * k).sum())
    total = float(d.units) * m
    expected = 2.0 * yes * (total - yes) / (total - 1)
    return None if expected == 0.0 else 1.0 - (2.0 * off) / expected


def random_decisions(rnd: random.Random, m: int, units: int) -> Decisions:
    """Random yes/no decisions of m coders on ``units`` units, summarised."""
    rows = [[rnd.random() < 0.3 for _ in range(m)] for _ in range(units)]
    by_count = [0] * (m + 1)
    for row in rows:
        by_count[sum(row)] += 1
    per_coder = tuple(sum(row[i] for row in rows) for i in range(m))
    return Decisions(units, tuple(by_count), per_coder)


def one_row_per_unit(d: Decisions) -> np.ndarray:
    m = d.coders
    return np.array([[k, m - k] for k, n in enumerate(d.by_count) for _ in range(n)])


@pytest.mark.parametrize("m", [2, 3, 5])
def test_gathered_value_counts_equal_the_old_formula_and_one_row_per_unit(m: int) -> None:
    rnd = random.Random(m)
    for units in (3, 17, 400):
        d = random_decisions(rnd, m, units)
        got = nominal_alpha(d)
        per_unit = krippendorff.alpha(
            value_counts=one_row_per_unit(d), level_of_measurement="nominal"
        )
        assert got is not None
        assert math.isclose(got, closed_form_alpha(d), rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(got, per_unit, rel_tol=1e-9, abs_tol=1e-12)


def test_char_sized_decisions_stay_small_and_exact() -> None:
    """Millions of unanimous characters become two rows; only the differing ones stay."""
    d = Decisions(9_000_000, (8_000_000, 150_000, 850_000), (960_000, 890_000))
    vc = value_counts(d)
    assert vc.shape == (150_002, 2)
    assert vc.sum() == 2 * 9_000_000  # every decision is still counted once
    got = nominal_alpha(d)
    assert got is not None
    assert math.isclose(got, closed_form_alpha(d), rel_tol=1e-9)


def test_no_variation_is_null_with_the_reason_and_no_warning() -> None:
    for by_count in ((10, 0, 0), (0, 0, 10)):
        d = Decisions(10, by_count, (by_count[2],) * 2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no 0/0 from the package either
            f = figures(d)
        assert f.alpha is None and f.reasons["alpha"] == NO_VARIATION
        assert f.percent == 100.0
    assert nominal_alpha(Decisions(0, (0, 0, 0), (0, 0))) is None
    assert nominal_alpha(Decisions(5, (5, 0), (0,))) is None  # one coder
