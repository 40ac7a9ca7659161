"""Intermediate solutions (Ragin & Sonnett): only the remainders that are easy counterfactuals.

A directional expectation says how a condition is thought to contribute to the
outcome when present (``A=1``), when absent (``A=0``), or that no expectation is
held (``A=-``). For each prime implicant of the complex solution and each prime
implicant of the parsimonious solution that contains it, a literal of the complex
term that the parsimonious term drops is dropped too when it runs *against* the
expectation (the configuration with the expected value is an easy counterfactual:
the outcome is at least as likely there). Literals that agree with the expectation,
or have none, are kept. The intermediate solution is then the fewest of these
terms that cover every row showing the outcome.
"""

from __future__ import annotations

import re

from qualcode.errors import InvalidInputError

Implicant = tuple[int, int]  # (value bits, mask of eliminated bits); bit k-1-i is condition i

_EXPECT_RE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*([01-])\s*$")


def parse_expectations(specs: list[str], labels: list[str]) -> tuple[int | None, ...]:
    """``['A=1', 'B=0', 'C=-']`` → one expectation per condition (None: none held)."""
    found: dict[str, int | None] = {}
    for spec in specs:
        m = _EXPECT_RE.match(spec)
        if not m:
            raise InvalidInputError(
                f"--expect {spec!r}: write LABEL=1 (contributes when "
                "present), LABEL=0 (when absent) or LABEL=- (no expectation)."
            )
        label, value = m.group(1).upper(), m.group(2)
        if label not in labels:
            raise InvalidInputError(
                f"--expect {spec!r}: no condition {label} (conditions: {', '.join(labels)})."
            )
        if label in found:
            raise InvalidInputError(f"--expect {spec!r}: {label} is given twice.")
        found[label] = None if value == "-" else int(value)
    return tuple(found.get(lab) for lab in labels)


def contains(outer: Implicant, inner: Implicant) -> bool:
    """Every configuration of ``inner`` is one of ``outer`` (``inner`` is a subset)."""
    return (outer[1] & inner[1]) == inner[1] and (inner[0] & ~outer[1]) == outer[0]


def intermediate_term(
    complex_term: Implicant, pars_term: Implicant, expectations: tuple[int | None, ...]
) -> Implicant:
    """The complex term without the literals that the parsimonious one drops against expectation."""
    k = len(expectations)
    value, mask = complex_term
    for i, expected in enumerate(expectations):
        bit = 1 << (k - 1 - i)
        if expected is None or mask & bit or not pars_term[1] & bit:
            continue
        if (1 if value & bit else 0) != expected:
            value &= ~bit
            mask |= bit
    return value, mask


def intermediate_implicants(
    complex_primes: set[Implicant],
    pars_primes: set[Implicant],
    expectations: tuple[int | None, ...],
) -> set[Implicant]:
    """The candidate intermediate terms, keeping none that another candidate contains."""
    derived = {
        intermediate_term(c, p, expectations)
        for c in complex_primes
        for p in pars_primes
        if contains(p, c)
    }
    return {d for d in derived if not any(o != d and contains(o, d) for o in derived)}
