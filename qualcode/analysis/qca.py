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
from dataclasses import dataclass, field, replace
from typing import Any

from qualcode.analysis.qca_covers import (
    COMPLETE,
    MAX_SOLUTIONS,
    PARTIAL,
    SEARCH_BUDGET,
    SEARCH_SECONDS,
    Implicant,
    cover_search,
    covers,
    prime_implicants,
)
from qualcode.analysis.qca_intermediate import (
    intermediate_implicants,
    parse_expectations,
)
from qualcode.analysis.qca_necessity import NecessityRow, necessity_table
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
_STOPPED = (
    f"SEARCH STOPPED at its limit ({SEARCH_BUDGET:,} steps or {SEARCH_SECONDS:g} s; "
    "fewer conditions or more cases per row help)"
)
CONTRADICTIONS = ("keep", "drop", "zero")


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
    dropped: bool = False  # set aside by --contradictions drop

    @property
    def included(self) -> bool:
        return not self.dropped and self.outcome is not None and None not in self.values

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
    remainders: tuple[tuple[int, ...], ...] = ()  # logical remainders its terms take in


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
    intermediate: list[Solution] = field(default_factory=list)
    expectations: tuple[int | None, ...] | None = None  # None: no intermediate asked for
    prefer_fewer_literals: bool = False
    negated: bool = False
    contradictions: str = "keep"
    more_models: dict[str, bool] = field(default_factory=dict)  # kind -> list was cut short
    search: dict[str, str] = field(default_factory=dict)  # kind -> complete|partial|unproven
    necessity: list[NecessityRow] = field(default_factory=list)
    raw: dict[str, dict[str, str]] = field(default_factory=dict)  # case -> label -> raw value
    warnings: list[str] = field(default_factory=list)

    @property
    def outcome_label(self) -> str:
        return f"~{self.outcome.label}" if self.negated else self.outcome.label

    def essential(self, kind: str) -> list[str]:
        """Terms in every model of this kind (complex, intermediate, parsimonious)."""
        return essential_terms(getattr(self, kind))

    def search_note(self, kind: str) -> str:
        """'' when every model of this kind was found; else what the listed models are."""
        status = self.search.get(kind, COMPLETE)
        if status == COMPLETE:
            return ""
        if status == PARTIAL:
            return (
                f"{_STOPPED}: the models listed have the "
                "fewest terms, but other models as short may exist and are not listed."
            )
        return (
            f"{_STOPPED}: the model listed is a valid "
            "cover found greedily, NOT proven to have the fewest terms; other models exist."
        )

    def contradictory_rows(self) -> list[TruthRow]:
        """Rows whose cases disagree on the outcome (also when coded 0)."""
        return [r for r in self.truth_table if 0 < r.positive < r.n and r.output != "1"]


def evaluate_cases(
    cases: list[CaseInput],
    conditions: list[Condition],
    outcome: Condition,
    calls: Callable[[str, Call], Truth] | None = None,
) -> list[CaseRow]:
    """Each case's condition and outcome values; unknown values leave the case out (with why)."""
    rows = []
    for case in cases:
        handler = (lambda c, _n=case.name: calls(_n, c)) if calls else None
        values: list[int | None] = []
        missing: list[str] = []
        for cond in (*conditions, outcome):
            ev = Evaluator(
                cond.source or cond.expression,
                case.attributes,
                case=case.name,
                label=f"{cond.label} ({cond.source or cond.expression!r})",
                calls=handler,
            )
            v = ev.eval(cond.node)
            if v is None:
                missing.append(f"{cond.label}: {'; '.join(ev.explain(cond.node))}")
            values.append(None if v is None else int(v))
        reason = ("left out: " + ", ".join(missing)) if missing else ""
        rows.append(CaseRow(case.name, tuple(values[:-1]), values[-1], reason))
    return rows


def _bits(config: int, k: int) -> tuple[int, ...]:
    return tuple((config >> (k - 1 - i)) & 1 for i in range(k))


def truth_table(
    rows: list[CaseRow], k: int, threshold: float = 1.0, min_cases: int = 1
) -> tuple[list[TruthRow], list[tuple[int, ...]]]:
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
        table.append(
            TruthRow(
                _bits(config, k),
                tuple(r.case for r in members),
                pos,
                cons,
                pos / total_positive if total_positive else 0.0,
                out,
            )
        )
    seen = {c for c, m in by_config.items() if len(m) >= min_cases}
    remainders = [_bits(c, k) for c in range(2**k - 1, -1, -1) if c not in seen]
    return table, remainders


def essential_terms(models: list[Solution]) -> list[str]:
    """Terms found in every model (the data leave no choice about them)."""
    if not models:
        return []
    common = set.intersection(*({t.expression for t in m.terms} for m in models))
    return [t.expression for t in models[0].terms if t.expression in common]


def term_text(imp: Implicant, labels: list[str]) -> str:
    k = len(labels)
    value, mask = imp
    parts = []
    for i, label in enumerate(labels):
        bit = 1 << (k - 1 - i)
        if not mask & bit:
            parts.append(label if value & bit else f"~{label}")
    return "*".join(parts) or "1"


def _fit(
    cover: tuple[Implicant, ...],
    included: list[tuple[CaseRow, int]],
    labels: list[str],
    remainders: list[tuple[tuple[int, ...], int]],
) -> Solution:
    """Consistency and coverage of a model and its terms (rows come with their configs,
    worked out once: a dense table can have a hundred models to fit)."""
    n_pos = sum(1 for r, _ in included if r.outcome)
    terms = []
    for imp in sorted(cover, key=lambda p: term_text(p, labels)):
        members = [(r, c) for r, c in included if covers(imp, c)]
        both = [(r, c) for r, c in members if r.outcome]
        unique = [r for r, c in both if not any(covers(o, c) for o in cover if o != imp)]
        terms.append(
            Term(
                term_text(imp, labels),
                imp,
                tuple(r.case for r, _ in members),
                len(both) / len(members) if members else None,
                len(both) / n_pos if n_pos else 0.0,
                len(unique) / n_pos if n_pos else 0.0,
            )
        )
    members = [r for r, c in included if any(covers(p, c) for p in cover)]
    both = [r for r in members if r.outcome]
    used = tuple(v for v, c in remainders if any(covers(p, c) for p in cover))
    return Solution(
        " + ".join(t.expression for t in terms),
        tuple(terms),
        len(both) / len(members) if members else None,
        len(both) / n_pos if n_pos else 0.0,
        used,
    )


def _config(values: tuple[int, ...]) -> int:
    return int("".join(map(str, values)), 2) if values else 0


def _models(
    on: set[int],
    primes: set[Implicant],
    rows: list[CaseRow],
    labels: list[str],
    remainders: list[tuple[int, ...]],
    prefer_fewer_literals: bool,
) -> tuple[list[Solution], bool, str]:
    """The models, whether more than MAX_SOLUTIONS exist, and how the search ended."""
    found = cover_search(on, primes, len(labels), prefer_fewer_literals=prefer_fewer_literals)
    included = [(r, r.config) for r in rows if r.included]
    spare = [(v, _config(v)) for v in remainders]
    models = [_fit(c, included, labels, spare) for c in found.covers[:MAX_SOLUTIONS]]
    return models, len(found.covers) > MAX_SOLUTIONS, found.status


def minimise(
    rows: list[CaseRow],
    table: list[TruthRow],
    remainders: list[tuple[int, ...]],
    labels: list[str],
    *,
    use_remainders: bool,
    prefer_fewer_literals: bool = False,
) -> list[Solution]:
    """The complex (no remainders) or parsimonious (with remainders) models."""
    k = len(labels)
    on = {_config(r.values) for r in table if r.output == "1"}
    dont_care = {_config(v) for v in remainders} if use_remainders else set()
    if not on:
        return []
    primes = {p for p in prime_implicants(on | dont_care, k) if any(covers(p, t) for t in on)}
    return _models(on, primes, rows, labels, remainders, prefer_fewer_literals)[0]


def _resolve_contradictions(
    rows: list[CaseRow], k: int, threshold: float, min_cases: int, how: str
) -> list[CaseRow]:
    """``drop``: cases of contradictory rows leave the analysis (their rows become remainders)."""
    if how != "drop":
        return rows
    table, _ = truth_table(rows, k, threshold, min_cases)
    gone = {c for r in table if r.output == "C" for c in r.cases}
    return [
        CaseRow(r.case, r.values, r.outcome, "dropped: in a contradictory row", True)
        if r.case in gone
        else r
        for r in rows
    ]


def run_qca(
    cases: list[CaseInput],
    conditions: list[Condition],
    outcome: Condition,
    *,
    threshold: float = 1.0,
    min_cases: int = 1,
    calls: Callable[[str, Call], Truth] | None = None,
    expectations: list[str] | None = None,
    prefer_fewer_literals: bool = False,
    negate_outcome: bool = False,
    contradictions: str = "keep",
) -> QcaResult:
    """Build the truth table, the models (complex, intermediate, parsimonious) and necessity."""
    if not conditions:
        raise InvalidInputError(
            "Give at least one --condition, e.g. --condition 'FID: fidelity >= 10'."
        )
    if len(conditions) > MAX_CONDITIONS:
        raise InvalidInputError(
            f"{len(conditions)} conditions: crisp-set QCA here takes at most "
            f"{MAX_CONDITIONS} (with few cases, fewer is wiser)."
        )
    if contradictions not in CONTRADICTIONS:
        raise InvalidInputError(
            f"--contradictions {contradictions!r}: use one of {', '.join(CONTRADICTIONS)}."
        )
    labels = [c.label for c in conditions]
    if len(set(labels)) != len(labels) or outcome.label in labels:
        raise RuleError(
            f"Condition labels must differ from each other and from the outcome "
            f"({', '.join(labels)}; outcome {outcome.label}). Name them LABEL: expr."
        )
    expected = parse_expectations(expectations, labels) if expectations is not None else None
    k = len(conditions)
    rows = evaluate_cases(cases, conditions, outcome, calls)
    if negate_outcome:
        rows = [
            CaseRow(r.case, r.values, None if r.outcome is None else 1 - r.outcome, r.reason)
            for r in rows
        ]
    rows = _resolve_contradictions(rows, k, threshold, min_cases, contradictions)
    table, remainders = truth_table(rows, k, threshold, min_cases)
    if contradictions == "zero":
        table = [replace(r, output="0") if r.output == "C" else r for r in table]
    result = QcaResult(
        conditions,
        outcome,
        threshold,
        min_cases,
        rows,
        table,
        remainders,
        expectations=expected,
        prefer_fewer_literals=prefer_fewer_literals,
        negated=negate_outcome,
        contradictions=contradictions,
    )
    on = {_config(r.values) for r in table if r.output == "1"}
    if on:
        dont_care = {_config(v) for v in remainders}
        complex_primes = prime_implicants(on, k)
        (
            result.complex,
            result.more_models["complex"],
            result.search["complex"],
        ) = _models(on, complex_primes, rows, labels, remainders, prefer_fewer_literals)
        pars_primes = {
            p for p in prime_implicants(on | dont_care, k) if any(covers(p, t) for t in on)
        }
        (
            result.parsimonious,
            result.more_models["parsimonious"],
            result.search["parsimonious"],
        ) = _models(on, pars_primes, rows, labels, remainders, prefer_fewer_literals)
        if expected is not None:
            used = {t.implicant for m in result.parsimonious for t in m.terms}
            candidates = intermediate_implicants(
                complex_primes | {(t, 0) for t in on}, used, expected
            )
            (
                result.intermediate,
                result.more_models["intermediate"],
                result.search["intermediate"],
            ) = _models(on, candidates, rows, labels, remainders, prefer_fewer_literals)
    included = [r for r in rows if r.included]
    result.necessity = necessity_table(
        labels,
        [(r.case, tuple(int(v or 0) for v in r.values), int(r.outcome or 0)) for r in included],
    )
    _warn(result, rows)
    return result


def _warn(result: QcaResult, rows: list[CaseRow]) -> None:
    left_out = [r for r in rows if not r.included and not r.dropped]
    if left_out:
        result.warnings.append(
            "Left out (a value is unknown): "
            + "; ".join(f"{r.case} ({r.reason})" for r in left_out)
        )
    dropped = [r.case for r in rows if r.dropped]
    if dropped:
        result.warnings.append(
            "Dropped as contradictory (--contradictions drop): " + ", ".join(dropped)
        )
    if not any(r.output == "1" for r in result.truth_table):
        result.warnings.append(
            f"No configuration reaches consistency {result.threshold:g} for "
            f"{result.outcome_label}: there is nothing to minimise."
        )
    if any(r.output == "C" for r in result.truth_table):
        result.warnings.append(
            "Contradictory rows (C) are kept out of every solution; resolve "
            "them by adding a condition, revisiting the cases (qualcode codings --case NAME), "
            "or --contradictions drop|zero."
        )
    for kind, cut in result.more_models.items():
        if cut:
            result.warnings.append(
                f"More than {MAX_SOLUTIONS} {kind} models: only the first "
                f"{MAX_SOLUTIONS} are listed."
            )


def _solution_json(s: Solution, labels: list[str]) -> dict[str, Any]:
    return {
        "expression": s.expression,
        "consistency": s.consistency,
        "coverage": s.coverage,
        "terms": [
            {
                "expression": t.expression,
                "cases": list(t.cases),
                "consistency": t.consistency,
                "raw_coverage": t.raw_coverage,
                "unique_coverage": t.unique_coverage,
            }
            for t in s.terms
        ],
        "remainders_used": [dict(zip(labels, v, strict=True)) for v in s.remainders],
    }


def calibration_rows(result: QcaResult) -> list[dict[str, Any]]:
    """Each case: the raw value behind each condition and the outcome, and its membership."""
    out = []
    for r in result.cases:
        raw = result.raw.get(r.case, {})
        cells = [
            {"label": c.label, "raw": raw.get(c.label, ""), "membership": v}
            for c, v in zip(result.conditions, r.values, strict=True)
        ]
        cells.append(
            {
                "label": result.outcome_label,
                "raw": raw.get(result.outcome.label, ""),
                "membership": r.outcome,
            }
        )
        out.append({"case": r.case, "included": r.included, "cells": cells})
    return out


def to_json(result: QcaResult) -> dict[str, Any]:
    labels = [c.label for c in result.conditions]
    kinds = ["complex", "parsimonious"] + (["intermediate"] if result.expectations else [])
    return {
        "conditions": [{"label": c.label, "expression": c.expression} for c in result.conditions],
        "outcome": {
            "label": result.outcome_label,
            "expression": result.outcome.expression,
            "negated": result.negated,
        },
        "settings": {
            "consistency_threshold": result.threshold,
            "min_cases": result.min_cases,
            "prefer_fewer_literals": result.prefer_fewer_literals,
            "contradictions": result.contradictions,
            "expectations": None
            if result.expectations is None
            else {
                lab: "-" if e is None else e
                for lab, e in zip(labels, result.expectations, strict=True)
            },
        },
        "cases": [
            {
                "case": r.case,
                "included": r.included,
                "reason": r.reason or None,
                "values": dict(zip(labels, r.values, strict=True)),
                "outcome": r.outcome,
            }
            for r in result.cases
        ],
        "calibration": calibration_rows(result),
        "truth_table": [
            {
                "values": dict(zip(labels, r.values, strict=True)),
                "output": r.output,
                "n": r.n,
                "cases": list(r.cases),
                "consistency": r.consistency,
                "coverage": r.coverage,
            }
            for r in result.truth_table
        ],
        "remainders": [dict(zip(labels, v, strict=True)) for v in result.remainders],
        "solutions": {
            kind: [_solution_json(s, labels) for s in getattr(result, kind)] for kind in kinds
        },
        "essential": {kind: result.essential(kind) for kind in kinds},
        "search": {kind: result.search.get(kind, COMPLETE) for kind in kinds},
        "necessity": [
            {
                "expression": n.expression,
                "consistency": n.consistency,
                "coverage": n.coverage,
                "relevance": n.relevance,
                "cases": list(n.cases),
            }
            for n in result.necessity
        ],
        "warnings": list(result.warnings),
    }
