"""Plain-text report for ``qualcode qca``: truth table, models, necessity, calibration."""

from __future__ import annotations

from qualcode.analysis.qca import MAX_SOLUTIONS, QcaResult, Solution, calibration_rows

KINDS = (
    ("complex", "Complex solution (no remainders)"),
    ("intermediate", "Intermediate solution (easy counterfactuals only)"),
    ("parsimonious", "Parsimonious solution (any remainder that simplifies)"),
)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _config(values: tuple[int, ...], labels: list[str]) -> str:
    return "*".join(lab if v else f"~{lab}" for v, lab in zip(values, labels, strict=True))


def _models(result: QcaResult, kind: str, title: str) -> list[str]:
    models: list[Solution] = getattr(result, kind)
    if not models:
        return [f"{title}: none (no configuration shows the outcome)"]
    labels = [c.label for c in result.conditions]
    out = [
        f"{title}: {len(models)} model(s) with the fewest prime implicants"
        + (f" (first {MAX_SOLUTIONS} shown)" if result.more_models.get(kind) else "")
    ]
    if note := result.search_note(kind):
        out.append(f"  {note}")
    essential = result.essential(kind)
    if len(models) > 1:
        out.append(f"  In every model (essential): {' + '.join(essential) or 'none'}")
    for i, s in enumerate(models, 1):
        out.append(
            f"  M{i}: {s.expression} -> {result.outcome_label}   consistency "
            f"{_pct(s.consistency)}, coverage {_pct(s.coverage)}"
        )
        for t in s.terms:
            mark = "*" if len(models) > 1 and t.expression in essential else " "
            out.append(
                f"   {mark}{t.expression:<30} consistency {_pct(t.consistency)}  raw "
                f"coverage {_pct(t.raw_coverage)}  unique {_pct(t.unique_coverage)}  "
                f"({', '.join(t.cases) or 'no cases'})"
            )
        if kind != "complex":
            used = ", ".join(_config(v, labels) for v in s.remainders) or "none"
            out.append(f"    Remainders used ({len(s.remainders)}): {used}")
    return out


def _necessity(result: QcaResult) -> list[str]:
    out = [
        (
            f"Necessity for {result.outcome_label} (consistency: share of outcome cases with the "
            "condition; RoN: relevance of necessity, Schneider & Wagemann)"
        ),
        f"  {'Condition':<24} consist  cover    RoN  cases",
    ]
    for n in result.necessity:
        out.append(
            f"  {n.expression:<24} {_pct(n.consistency):>7} {_pct(n.coverage):>6} "
            f"{_pct(n.relevance):>6}  {', '.join(n.cases)}"
        )
    return out


def _calibration(result: QcaResult) -> list[str]:
    out = ["Calibration: raw value -> set membership per case"]
    for row in calibration_rows(result):
        cells = "; ".join(
            f"{c['label']} {c['raw'] or '?'} -> "
            f"{'?' if c['membership'] is None else c['membership']}"
            for c in row["cells"]
        )
        out.append(f"  {row['case']}{'' if row['included'] else ' (left out)'}: {cells}")
    return out


def qca_text(result: QcaResult, *, necessity: bool = False, calibration: bool = False) -> str:
    """Conditions, the truth table (with cases), every model, and what was asked besides."""
    labels = [c.label for c in result.conditions]
    out = [
        "Conditions: " + "; ".join(c.text for c in result.conditions),
        f"Outcome: {result.outcome_label}"
        + (
            f" (absence of {result.outcome.text})"
            if result.negated
            else f": {result.outcome.expression}"
        ),
        (
            f"Consistency threshold {result.threshold:g}; rows with fewer than "
            f"{result.min_cases} case(s) are remainders; contradictions: "
            f"{result.contradictions}."
        ),
        (
            "Models: fewest prime implicants, then fewest literals (--prefer-fewer-literals)."
            if result.prefer_fewer_literals
            else "Models: every cover with the fewest prime implicants."
        ),
        "",
    ]
    head = " ".join(f"{lab:>{max(len(lab), 1)}}" for lab in labels)
    out.append(f"{head}  OUT    n  consist  cover  cases")
    for row in result.truth_table:
        vals = " ".join(
            f"{v:>{max(len(lab), 1)}}" for v, lab in zip(row.values, labels, strict=True)
        )
        out.append(
            f"{vals}  {row.output:>3} {row.n:>4}  {row.consistency:>7.2f}  "
            f"{row.coverage:>5.2f}  {', '.join(row.cases)}"
        )
    out.append(f"Logical remainders: {len(result.remainders)} configuration(s) no case has.")
    contradictory = result.contradictory_rows()
    if contradictory:
        positive = {r.case for r in result.cases if r.outcome}
        out += [
            "",
            (
                "Contradictory rows (resolve with --contradictions drop|zero, or read the "
                "cases' quotes: qualcode codings --case NAME --code CODE):"
            ),
        ]
        for row in contradictory:
            with_y = [c for c in row.cases if c in positive]
            without = [c for c in row.cases if c not in positive]
            out.append(
                f"  {_config(row.values, labels)}: with {result.outcome_label}: "
                f"{', '.join(with_y)}; without: {', '.join(without)}"
            )
    if result.expectations is not None:
        out += [
            "",
            "Directional expectations: "
            + ", ".join(
                f"{lab}={'-' if e is None else e}"
                for lab, e in zip(labels, result.expectations, strict=True)
            ),
        ]
    for kind, title in KINDS:
        if kind == "intermediate" and result.expectations is None:
            continue
        out += [""] + _models(result, kind, title)
    if result.expectations is None:
        out += [
            "",
            (
                "Intermediate solution: give directional expectations, e.g. --expect "
                f"'{labels[0]}=1'."
            ),
        ]
    if necessity:
        out += [""] + _necessity(result)
    if calibration:
        out += [""] + _calibration(result)
    out += [f"warning: {w}" for w in result.warnings]
    return "\n".join(out)
