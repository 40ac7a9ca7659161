"""Crisp-set QCA: truth table, consistency and coverage, Quine–McCluskey minimisation.

Conditions and the outcome are boolean expressions over case attributes
(``FID: fidelity >= 10``) or code presence (``WARD: code("Relationship with ward
staff", "facilitator")``), written in the rule language of
:mod:`qualcode.analysis.rules`. Each case becomes a row of 0/1 values; cases
with the same configuration form a truth-table row.

A row's output is ``1`` when its consistency (share of its cases showing the
outcome) reaches the threshold (default 1), ``C`` (contradictory) when some but
too few of its cases show it, ``0`` when none does. Rows with fewer cases than
``min_cases`` are treated as logical remainders.

- The **complex** (conservative) solution minimises the ``1`` rows alone.
- The **parsimonious** solution also lets logical remainders (configurations no
  case has) be used where they simplify; ``0`` and ``C`` rows never are.

Both give every minimal sum (fewest terms, then fewest literals): several
equally short solutions mean the data do not decide between them.
Notation: ``A*~B + C`` is (A and not B) or C.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from qualcode.analysis.rules import (
    Call,
    Evaluator,
    Node,
    RuleError,
    Truth,
    Value,
    attribute_names,
    leaves,
    parse_expression,
)
from qualcode.errors import InvalidInputError

MAX_CONDITIONS = 12
MAX_SOLUTIONS = 20
Implicant = tuple[int, int]  # (value bits, mask of eliminated bits); bit k-1-i is condition i


@dataclass(frozen=True)
class Condition:
    """A named 0/1 property of a case, e.g. ``FID: fidelity >= 10``."""

    label: str
    expression: str
    node: Node
    source: str = ""  # as typed; error columns count from its start

    @property
    def text(self) -> str:
        return f"{self.label}: {self.expression}"


_LABEL_RE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*:(.*)$", re.DOTALL)


def parse_condition(spec: str, what: str = "condition") -> Condition:
    """``"FID: fidelity >= 10"``; without a label, one is made from the expression."""
    m = _LABEL_RE.match(spec)
    label, start = (m.group(1), m.start(2)) if m else ("", 0)
    node = parse_expression(spec, label=f"{what} {spec!r}", start=start)
    if not label:
        label = _auto_label(node)
    return Condition(label.upper(), spec[start:].strip(), node, spec)


def _auto_label(node: Node) -> str:
    names = attribute_names(node)
    if names:
        base = names[0]
    else:
        calls = [leaf for leaf in leaves(node) if isinstance(leaf, Call)]
        base = str(calls[0].args[0]).split("/")[-1] if calls and calls[0].args else "C"
    label = re.sub(r"[^A-Za-z0-9]+", "_", base).strip("_").upper()[:20] or "C"
    return label if label[0].isalpha() else "C_" + label


@dataclass(frozen=True)
class CaseInput:
    name: str
    attributes: dict[str, Value]


@dataclass(frozen=True)
class CaseRow:
    """One case's 0/1 values (None: could not be decided, the case is left out)."""

    case: str
    values: tuple[int | None, ...]
    outcome: int | None
    reason: str = ""

    @property
    def included(self) -> bool:
        return self.outcome is not None and None not in self.values

    @property
    def config(self) -> int:
        bits = 0
        for v in self.values:
            bits = (bits << 1) | int(v or 0)
        return bits


@dataclass(frozen=True)
class TruthRow:
    values: tuple[int, ...]
    cases: tuple[str, ...]
    positive: int
    consistency: float
    coverage: float
    output: str  # "1" | "0" | "C" | "?" (too few cases: treated as a remainder)

    @property
    def n(self) -> int:
        return len(self.cases)


@dataclass(frozen=True)
class Term:
    expression: str
    implicant: Implicant
    cases: tuple[str, ...]
    consistency: float | None
    raw_coverage: float
    unique_coverage: float


@dataclass(frozen=True)
class Solution:
    expression: str
    terms: tuple[Term, ...]
    consistency: float | None
    coverage: float


@dataclass
class QcaResult:
    conditions: list[Condition]
    outcome: Condition
    threshold: float
    min_cases: int
    cases: list[CaseRow]
    truth_table: list[TruthRow]
    remainders: list[tuple[int, ...]]
    complex: list[Solution] = field(default_factory=list)
    parsimonious: list[Solution] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def evaluate_cases(cases: list[CaseInput], conditions: list[Condition], outcome: Condition,
                   calls: Callable[[str, Call], Truth] | None = None) -> list[CaseRow]:
    """Each case's condition and outcome values; unknown values leave the case out (with why)."""
    rows = []
    for case in cases:
        handler = (lambda c, _n=case.name: calls(_n, c)) if calls else None
        values: list[int | None] = []
        missing: list[str] = []
        for cond in (*conditions, outcome):
            ev = Evaluator(cond.source or cond.expression, case.attributes, case=case.name,
                           label=f"{cond.label} ({cond.source or cond.expression!r})", calls=handler)
            v = ev.eval(cond.node)
            if v is None:
                missing.append(f"{cond.label}: {'; '.join(ev.explain(cond.node))}")
            values.append(None if v is None else int(v))
        reason = ("left out: " + ", ".join(missing)) if missing else ""
        rows.append(CaseRow(case.name, tuple(values[:-1]), values[-1], reason))
    return rows


def _bits(config: int, k: int) -> tuple[int, ...]:
    return tuple((config >> (k - 1 - i)) & 1 for i in range(k))


def truth_table(rows: list[CaseRow], k: int, threshold: float = 1.0,
                min_cases: int = 1) -> tuple[list[TruthRow], list[tuple[int, ...]]]:
    """Truth-table rows (observed configurations) and the logical remainders."""
    if not 0 < threshold <= 1:
        raise InvalidInputError("--consistency must be above 0 and at most 1.")
    if min_cases < 1:
        raise InvalidInputError("--min-cases must be at least 1.")
    included = [r for r in rows if r.included]
    total_positive = sum(r.outcome or 0 for r in included)
    by_config: dict[int, list[CaseRow]] = {}
    for r in included:
        by_config.setdefault(r.config, []).append(r)
    table = []
    for config in sorted(by_config, reverse=True):
        members = by_config[config]
        pos = sum(r.outcome or 0 for r in members)
        cons = pos / len(members)
        if len(members) < min_cases:
            out = "?"
        elif cons >= threshold - 1e-12:
            out = "1"
        else:
            out = "C" if pos else "0"
        table.append(TruthRow(_bits(config, k), tuple(r.case for r in members), pos, cons,
                              pos / total_positive if total_positive else 0.0, out))
    seen = {c for c, m in by_config.items() if len(m) >= min_cases}
    remainders = [_bits(c, k) for c in range(2 ** k - 1, -1, -1) if c not in seen]
    return table, remainders


def prime_implicants(terms: set[int], k: int) -> set[Implicant]:
    """Quine–McCluskey: merge terms differing in one bit until nothing merges."""
    current = {(t, 0) for t in terms}
    primes: set[Implicant] = set()
    while current:
        merged: set[Implicant] = set()
        used: set[Implicant] = set()
        for value, mask in current:
            for b in range(k):
                bit = 1 << b
                if mask & bit or value & bit:
                    continue
                partner = (value | bit, mask)
                if partner in current:
                    merged.add((value, mask | bit))
                    used.update(((value, mask), partner))
        primes |= current - used
        current = merged
    return primes


def covers(imp: Implicant, term: int) -> bool:
    value, mask = imp
    return (term & ~mask) == value


def literals(imp: Implicant, k: int) -> int:
    return k - imp[1].bit_count()


def minimal_covers(on: set[int], primes: set[Implicant], k: int) -> list[tuple[Implicant, ...]]:
    """Every cover of ``on`` with the fewest implicants, then the fewest literals."""
    if not on:
        return []
    ordered = sorted(primes, key=lambda p: (literals(p, k), -p[0], p[1]))
    cover = {p: frozenset(t for t in on if covers(p, t)) for p in ordered}
    essential = [p for p in ordered
                 if any(sum(1 for q in ordered if t in cover[q]) == 1 for t in cover[p])]
    left = set(on) - set().union(*(cover[p] for p in essential)) if essential else set(on)
    if not left:
        return [tuple(essential)]
    candidates = [p for p in ordered if p not in essential and cover[p] & left]
    best: list[tuple[Implicant, ...]] = []
    for size in range(1, len(candidates) + 1):
        for combo in combinations(candidates, size):
            if left <= set().union(*(cover[p] for p in combo)):
                best.append(tuple(essential) + combo)
        if best:
            break
    fewest = min(sum(literals(p, k) for p in b) for b in best)
    return [b for b in best if sum(literals(p, k) for p in b) == fewest][:MAX_SOLUTIONS]


def term_text(imp: Implicant, labels: list[str]) -> str:
    k = len(labels)
    value, mask = imp
    parts = []
    for i, label in enumerate(labels):
        bit = 1 << (k - 1 - i)
        if not mask & bit:
            parts.append(label if value & bit else f"~{label}")
    return "*".join(parts) or "1"


def _fit(cover: tuple[Implicant, ...], rows: list[CaseRow], labels: list[str]) -> Solution:
    included = [r for r in rows if r.included]
    positive = [r for r in included if r.outcome]
    n_pos = len(positive)

    def hit(imp: Implicant, r: CaseRow) -> bool:
        return covers(imp, r.config)

    terms = []
    for imp in sorted(cover, key=lambda p: term_text(p, labels)):
        members = [r for r in included if hit(imp, r)]
        both = [r for r in members if r.outcome]
        unique = [r for r in both if not any(hit(o, r) for o in cover if o != imp)]
        terms.append(Term(term_text(imp, labels), imp, tuple(r.case for r in members),
                          len(both) / len(members) if members else None,
                          len(both) / n_pos if n_pos else 0.0,
                          len(unique) / n_pos if n_pos else 0.0))
    members = [r for r in included if any(hit(p, r) for p in cover)]
    both = [r for r in members if r.outcome]
    return Solution(" + ".join(t.expression for t in terms), tuple(terms),
                    len(both) / len(members) if members else None,
                    len(both) / n_pos if n_pos else 0.0)


def minimise(rows: list[CaseRow], table: list[TruthRow], remainders: list[tuple[int, ...]],
             labels: list[str], *, use_remainders: bool) -> list[Solution]:
    """The complex (no remainders) or parsimonious (with remainders) solutions."""
    k = len(labels)

    def config(values: tuple[int, ...]) -> int:
        return int("".join(map(str, values)), 2) if values else 0

    on = {config(r.values) for r in table if r.output == "1"}
    dont_care = {config(v) for v in remainders} if use_remainders else set()
    if not on:
        return []
    primes = prime_implicants(on | dont_care, k)
    primes = {p for p in primes if any(covers(p, t) for t in on)}
    return [_fit(c, rows, labels) for c in minimal_covers(on, primes, k)]


def run_qca(cases: list[CaseInput], conditions: list[Condition], outcome: Condition, *,
            threshold: float = 1.0, min_cases: int = 1,
            calls: Callable[[str, Call], Truth] | None = None) -> QcaResult:
    """Build the truth table and both solutions for one outcome."""
    if not conditions:
        raise InvalidInputError("Give at least one --condition, e.g. --condition "
                                "'FID: fidelity >= 10'.")
    if len(conditions) > MAX_CONDITIONS:
        raise InvalidInputError(f"{len(conditions)} conditions: crisp-set QCA here takes at most "
                                f"{MAX_CONDITIONS} (with few cases, fewer is wiser).")
    labels = [c.label for c in conditions]
    if len(set(labels)) != len(labels) or outcome.label in labels:
        raise RuleError(f"Condition labels must differ from each other and from the outcome "
                        f"({', '.join(labels)}; outcome {outcome.label}). Name them LABEL: expr.")
    rows = evaluate_cases(cases, conditions, outcome, calls)
    table, remainders = truth_table(rows, len(conditions), threshold, min_cases)
    result = QcaResult(conditions, outcome, threshold, min_cases, rows, table, remainders)
    result.complex = minimise(rows, table, remainders, labels, use_remainders=False)
    result.parsimonious = minimise(rows, table, remainders, labels, use_remainders=True)
    left_out = [r for r in rows if not r.included]
    if left_out:
        result.warnings.append("Left out (a value is unknown): " + "; ".join(
            f"{r.case} ({r.reason})" for r in left_out))
    if not any(r.output == "1" for r in table):
        result.warnings.append(f"No configuration reaches consistency {threshold:g} for "
                               f"{outcome.label}: there is nothing to minimise.")
    if any(r.output == "C" for r in table):
        result.warnings.append("Contradictory rows (C) are kept out of both solutions; resolve "
                               "them by adding a condition or revisiting the cases.")
    return result


def _solution_json(s: Solution) -> dict[str, Any]:
    return {"expression": s.expression, "consistency": s.consistency, "coverage": s.coverage,
            "terms": [{"expression": t.expression, "cases": list(t.cases),
                       "consistency": t.consistency, "raw_coverage": t.raw_coverage,
                       "unique_coverage": t.unique_coverage} for t in s.terms]}


def to_json(result: QcaResult) -> dict[str, Any]:
    labels = [c.label for c in result.conditions]
    return {
        "conditions": [{"label": c.label, "expression": c.expression} for c in result.conditions],
        "outcome": {"label": result.outcome.label, "expression": result.outcome.expression},
        "settings": {"consistency_threshold": result.threshold, "min_cases": result.min_cases},
        "cases": [{"case": r.case, "included": r.included, "reason": r.reason or None,
                   "values": dict(zip(labels, r.values, strict=True)), "outcome": r.outcome}
                  for r in result.cases],
        "truth_table": [{"values": dict(zip(labels, r.values, strict=True)), "output": r.output,
                         "n": r.n, "cases": list(r.cases), "consistency": r.consistency,
                         "coverage": r.coverage} for r in result.truth_table],
        "remainders": [dict(zip(labels, v, strict=True)) for v in result.remainders],
        "solutions": {"complex": [_solution_json(s) for s in result.complex],
                      "parsimonious": [_solution_json(s) for s in result.parsimonious]},
        "warnings": list(result.warnings),
    }
