"""QCA models against a brute-force reference, and textbook worked examples."""

from __future__ import annotations

import itertools
import random

import pytest

from qualcode.analysis.qca import (
    MAX_SOLUTIONS,
    CaseInput,
    covers,
    parse_condition,
    run_qca,
)
from qualcode.analysis.qca_intermediate import parse_expectations
from qualcode.errors import InvalidInputError


def conds(*labels: str) -> list:
    return [parse_condition(f"{lab}: {lab.lower()} == 1") for lab in labels]


def cases(rows: list[tuple[str, tuple[int, ...], int]], labels: list[str]) -> list[CaseInput]:
    out = []
    for name, values, y in rows:
        attrs: dict[str, int | float | str] = {
            lab.lower(): v for lab, v in zip(labels, values, strict=True)
        }
        attrs["y"] = y
        out.append(CaseInput(name, attrs))
    return out


def terms(solution) -> set[str]:  # type: ignore[no-untyped-def]
    return {t.expression for t in solution.terms}


MAX_PRIMES = 14  # keeps the brute force (all subsets of the primes) quick


def brute_force_models(on: set[int], allowed: set[int], k: int) -> set[frozenset] | None:
    """Every cover of ``on`` by the fewest prime implicants, from scratch: all 3^k cubes."""
    cubes = [(v, m) for m in range(2**k) for v in range(2**k) if v & m == 0]
    minterms = {c: {t for t in range(2**k) if covers(c, t)} for c in cubes}
    valid = [c for c in cubes if minterms[c] <= allowed and minterms[c] & on]
    primes = [c for c in valid if not any(o != c and minterms[c] < minterms[o] for o in valid)]
    if len(primes) > MAX_PRIMES:
        return None
    for size in range(1, len(primes) + 1):
        found = {
            frozenset(combo)
            for combo in itertools.combinations(primes, size)
            if on <= set().union(*(minterms[c] for c in combo))
        }
        if found:
            return found
    return set()


def test_models_are_exactly_the_covers_with_fewest_prime_implicants() -> None:
    """Random truth tables of up to six conditions, with and without remainders."""
    rng = random.Random(16)
    checked = several = 0
    for _ in range(150):
        k = rng.randint(1, 6)
        configs = list(range(2**k))
        rng.shuffle(configs)
        observed = configs[: rng.randint(1, len(configs))]
        on = {c for c in observed if rng.random() < 0.5}
        labels = [f"X{i}" for i in range(k)]
        rows = [
            (f"c{c}", tuple((c >> (k - 1 - i)) & 1 for i in range(k)), int(c in on))
            for c in observed
        ]
        result = run_qca(cases(rows, labels), conds(*labels), parse_condition("Y: y == 1"))
        remainders = set(range(2**k)) - set(observed)
        for models, allowed in ((result.complex, on), (result.parsimonious, on | remainders)):
            expected = brute_force_models(on, allowed, k) if on else set()
            if expected is None or len(expected) > MAX_SOLUTIONS:
                continue
            got = {frozenset(t.implicant for t in m.terms) for m in models}
            assert got == expected and len(models) == len(expected), (k, sorted(on), observed)
            checked += 1
            several += len(expected) > 1
            if models:  # the essential terms are in every model, and only those
                common = set.intersection(*(set(terms(m)) for m in models))
                assert (
                    set(result.essential("complex" if allowed == on else "parsimonious")) == common
                )
    assert checked > 200 and several > 10  # the loop really met model ambiguity


def test_fewer_literals_is_an_option_not_the_rule() -> None:
    # 110 -> 1; 000, 011 -> 0; the rest are remainders. A and B*~C are both single prime
    # implicants that cover 110: two models of one term each, one with fewer literals.
    rows = [("x", (1, 1, 0), 1), ("n1", (0, 0, 0), 0), ("n2", (0, 1, 1), 0)]
    data, cs, y = cases(rows, ["A", "B", "C"]), conds("A", "B", "C"), parse_condition("Y: y == 1")
    every = run_qca(data, cs, y)
    assert [s.expression for s in every.parsimonious] == ["A", "B*~C"]
    assert every.essential("parsimonious") == []
    short = run_qca(data, cs, y, prefer_fewer_literals=True)
    assert [s.expression for s in short.parsimonious] == ["A"]
    assert short.prefer_fewer_literals


# Lipset's conditions for the survival of democracy in interwar Europe, crisp-calibrated:
# DEV developed (GNP per capita), URB urban, LIT literate, IND industrial, STB stable
# governments; SURV survival. Source: the `LC` data set of the R package QCA (Dusa;
# github.com/dusadrian/QCA, data/LC.rda, documented in man/Lipset.Rd), read value by
# value from the .rda file; case codes as there (AU is Austria). Published solutions:
# the package's own test snapshots of minimize() on LC and LF (R package QCA, testthat).
LIPSET = [
    ("AU", (1, 0, 1, 1, 0), 0),
    ("BE", (1, 1, 1, 1, 1), 1),
    ("CZ", (1, 1, 1, 1, 1), 1),
    ("EE", (0, 0, 1, 0, 1), 0),
    ("FI", (1, 0, 1, 0, 1), 1),
    ("FR", (1, 0, 1, 1, 1), 1),
    ("DE", (1, 1, 1, 1, 0), 0),
    ("GR", (0, 0, 0, 0, 0), 0),
    ("HU", (0, 0, 1, 0, 0), 0),
    ("IE", (1, 0, 1, 0, 1), 1),
    ("IT", (0, 0, 0, 0, 1), 0),
    ("NL", (1, 1, 1, 1, 1), 1),
    ("PL", (0, 0, 1, 0, 0), 0),
    ("PT", (0, 0, 0, 0, 0), 0),
    ("RO", (0, 0, 0, 0, 1), 0),
    ("ES", (0, 0, 0, 0, 0), 0),
    ("SE", (1, 0, 1, 1, 1), 1),
    ("UK", (1, 1, 1, 1, 1), 1),
]
LC = ["DEV", "URB", "LIT", "IND", "STB"]


def test_lipset_complex_intermediate_parsimonious() -> None:
    """Lipset crisp data against the R package QCA's published results (its minimize() test
    snapshots for ``ttLC``, ``cLC``, ``pLC``, ``pLC$SA``): the truth table, complex
    DEV*~URB*LIT*STB + DEV*LIT*IND*STB (raw coverage 0.5 and 0.75, unique 0.25 and 0.5),
    parsimonious DEV*STB with five simplifying assumptions. Intermediate: the package gives
    DEV*LIT*STB for the Lipset data with every condition expected present (its LF example,
    dir.exp = 1,1,1,1,1); on LC the one easy counterfactual is 11101.
    """
    result = run_qca(
        cases(LIPSET, LC),
        conds(*LC),
        parse_condition("SURV: y == 1"),
        expectations=[f"{c}=1" for c in LC],
    )
    table = {"".join(map(str, r.values)): (r.n, r.output) for r in result.truth_table}
    assert table == {
        "11111": (4, "1"),
        "10101": (2, "1"),
        "10111": (2, "1"),
        "00000": (3, "0"),
        "00001": (2, "0"),
        "00100": (2, "0"),
        "00101": (1, "0"),
        "10110": (1, "0"),
        "11110": (1, "0"),
    }
    assert [terms(s) for s in result.complex] == [{"DEV*~URB*LIT*STB", "DEV*LIT*IND*STB"}]
    fit = {t.expression: (t.raw_coverage, t.unique_coverage) for t in result.complex[0].terms}
    assert fit == {"DEV*~URB*LIT*STB": (0.5, 0.25), "DEV*LIT*IND*STB": (0.75, 0.5)}
    assert [s.expression for s in result.parsimonious] == ["DEV*STB"]
    assert set(result.parsimonious[0].remainders) == {
        (1, 0, 0, 0, 1),
        (1, 0, 0, 1, 1),
        (1, 1, 0, 0, 1),
        (1, 1, 0, 1, 1),
        (1, 1, 1, 0, 1),
    }
    assert [s.expression for s in result.intermediate] == ["DEV*LIT*STB"]
    inter = result.intermediate[0]
    assert inter.consistency == 1.0 and inter.coverage == 1.0
    # Easy counterfactuals: the remainders DEV*LIT*STB takes in (DEV LIT STB with URB, IND
    # free, minus the observed 11111, 10101, 10111): only 11101.
    assert inter.remainders == ((1, 1, 1, 0, 1),)
    # No directional expectation on URB: ~URB is kept, as in the complex term.
    kept = run_qca(
        cases(LIPSET, LC),
        conds(*LC),
        parse_condition("SURV: y == 1"),
        expectations=["DEV=1", "LIT=1", "IND=1", "STB=1", "URB=-"],
    )
    assert [terms(s) for s in kept.intermediate] == [{"DEV*~URB*LIT*STB", "DEV*LIT*IND*STB"}]


def test_lipset_negated_outcome_and_necessity() -> None:
    """Breakdown (~SURV) against the R package QCA (minimize(ttLCn) with and without
    remainders); necessity figures by hand.

    18 cases, 8 survive. DEV: 10 cases, all 8 survivors among them: consistency 8/8,
    coverage 8/10, relevance (18-10)/(18-8) = 0.8. STB: 11 cases, 8 survivors:
    consistency 1, coverage 8/11, relevance (18-11)/(18-8) = 0.7. LIT: 13 cases,
    relevance (18-13)/(18-8) = 0.5 (nearly every case is literate: a trivial necessity).
    """
    result = run_qca(cases(LIPSET, LC), conds(*LC), parse_condition("SURV: y == 1"))
    nec = {n.expression: n for n in result.necessity}
    assert nec["DEV"].consistency == 1.0 and nec["DEV"].coverage == pytest.approx(0.8)
    assert nec["DEV"].relevance == pytest.approx(0.8)
    assert nec["STB"].consistency == 1.0 and nec["STB"].coverage == pytest.approx(8 / 11)
    assert nec["STB"].relevance == pytest.approx(0.7)
    assert nec["LIT"].consistency == 1.0 and nec["LIT"].relevance == pytest.approx(5 / 10)
    assert nec["~URB"].consistency == pytest.approx(4 / 8)
    negated = run_qca(
        cases(LIPSET, LC), conds(*LC), parse_condition("SURV: y == 1"), negate_outcome=True
    )
    assert negated.outcome_label == "~SURV"
    assert [terms(s) for s in negated.complex] == [{"~DEV*~URB*~IND", "DEV*LIT*IND*~STB"}]
    assert [terms(s) for s in negated.parsimonious] == [{"~DEV", "~STB"}]
    fit = {t.expression: (t.raw_coverage, t.unique_coverage) for t in negated.parsimonious[0].terms}
    assert fit == {"~DEV": (0.8, pytest.approx(0.3)), "~STB": (0.7, pytest.approx(0.2))}


def test_contradictions_drop_zero_and_listed() -> None:
    data = cases(
        [
            ("a1", (1, 1), 1),
            ("a2", (1, 1), 0),
            ("b", (1, 0), 1),
            ("c", (0, 0), 0),
            ("d", (0, 1), 1),
        ],
        ["A", "B"],
    )
    y = parse_condition("Y: y == 1")
    keep = run_qca(data, conds("A", "B"), y)
    assert [(r.values, r.cases) for r in keep.contradictory_rows()] == [((1, 1), ("a1", "a2"))]
    zero = run_qca(data, conds("A", "B"), y, contradictions="zero")
    assert {r.values: r.output for r in zero.truth_table}[(1, 1)] == "0"
    assert [r.values for r in zero.contradictory_rows()] == [(1, 1)]
    dropped = run_qca(data, conds("A", "B"), y, contradictions="drop")
    assert (1, 1) in dropped.remainders and not dropped.contradictory_rows()
    assert [terms(s) for s in dropped.parsimonious] == [{"A", "B"}]
    assert any("a1, a2" in w for w in dropped.warnings)
    with pytest.raises(InvalidInputError, match="--contradictions 'x'"):
        run_qca(data, conds("A", "B"), y, contradictions="x")


def test_expectations_are_checked() -> None:
    assert parse_expectations(["a=1", "B = 0"], ["A", "B", "C"]) == (1, 0, None)
    with pytest.raises(InvalidInputError, match="no condition Z"):
        parse_expectations(["Z=1"], ["A"])
    with pytest.raises(InvalidInputError, match="LABEL=1"):
        parse_expectations(["A>1"], ["A"])
    with pytest.raises(InvalidInputError, match="given twice"):
        parse_expectations(["A=1", "A=0"], ["A"])
