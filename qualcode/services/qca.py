"""Crisp-set QCA over the project's cases: what the CLI calls.

Conditions and the outcome are case-attribute rules or code presence
(``code('Path'[, 'valence'])``, present by the same rule as pattern matching).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.patterns import PresenceRule
from qualcode.analysis.presence import CellCount, CodedDocuments, coded_documents
from qualcode.analysis.qca import (
    CaseInput,
    Condition,
    QcaResult,
    parse_condition,
    run_qca,
)
from qualcode.analysis.rules import Call, RuleError, Truth, attribute_names, leaves
from qualcode.errors import InvalidInputError, QualcodeError
from qualcode.services.cases import resolve_case
from qualcode.services.codebook import resolve_code
from qualcode.services.coding import check_valence, list_codings
from qualcode.services.leaks import export_gate
from qualcode.services.patterns import case_facts, group_assignments
from qualcode.services.project import Project
from qualcode.store.models import Case

CodeKey = tuple[str, "str | None"]  # (code reference as typed, valence)


def _code_presence(
    s: Session, conditions: list[Condition], presence: PresenceRule
) -> tuple[dict[CodeKey, set[str]], dict[CodeKey, dict[str, CellCount]]]:
    """Cases where each ``code("ref"[, "valence"])`` used by the conditions is present,
    and the codings and participants behind it per case (for the calibration table)."""
    calls = [(c, leaf) for c in conditions for leaf in _calls(c)]
    if not calls:
        return {}, {}
    case_names = dict(s.execute(select(Case.id, Case.name)).all())
    coded: dict[bool, CodedDocuments] = {}
    out: dict[CodeKey, set[str]] = {}
    counts: dict[CodeKey, dict[str, CellCount]] = {}
    for cond, call in calls:
        ref = str(call.args[0])
        try:
            valence = check_valence(str(call.args[1])) if len(call.args) > 1 else None
            code = resolve_code(s, ref)
        except QualcodeError as e:
            raise type(e)(f"{cond.label} ({cond.source or cond.expression!r}): {e}") from e
        by_valence = len(call.args) > 1
        if by_valence not in coded:
            coded[by_valence] = coded_documents(s, by_valence=by_valence, roll_up=presence.roll_up)
        ids = coded[by_valence].present_cases(
            (code.id, valence), presence.min_refs, presence.min_participants
        )
        out[(ref, valence)] = {case_names[cid] for cid in ids}
        counts[(ref, valence)] = {
            case_names[cid]: n
            for cid, n in coded[by_valence].cell_counts((code.id, valence)).items()
        }
    return out, counts


def _calls(cond: Condition) -> list[Call]:
    out = []
    for leaf in leaves(cond.node):
        if isinstance(leaf, Call):
            if (
                leaf.name != "code"
                or not 1 <= len(leaf.args) <= 2
                or not all(isinstance(a, str) for a in leaf.args)
            ):
                raise RuleError(
                    f"condition {cond.label}: {leaf.name}(...) is not known. Use "
                    "code('Code path') or code('Code path', 'barrier')."
                )
            out.append(leaf)
    return out


def run_project_qca(
    project: Project,
    conditions: list[str],
    outcome: str,
    *,
    threshold: float = 1.0,
    min_cases: int = 1,
    presence: PresenceRule | None = None,
    grouped_only: bool = False,
    cases: list[str] | None = None,
    expectations: list[str] | None = None,
    prefer_fewer_literals: bool = False,
    negate_outcome: bool = False,
    contradictions: str = "keep",
) -> QcaResult:
    """Crisp-set QCA over the project's cases (all, the grouped ones, or those named)."""
    presence = presence or PresenceRule()
    conds = [parse_condition(c) for c in conditions]
    out = parse_condition(outcome, "outcome")
    with project.read() as s:
        facts = case_facts(s)
        if cases:
            wanted = {resolve_case(s, c).name for c in cases}
            facts = [f for f in facts if f.name in wanted]
        if grouped_only:
            grouped = {a.case for a in group_assignments(s) if a.group}
            facts = [f for f in facts if f.name in grouped]
        known = {k.lower() for f in facts for k in f.attributes}
        for cond in (*conds, out):
            for attr in attribute_names(cond.node):
                if facts and attr.lower() not in known:
                    raise RuleError(
                        f"{cond.label}: no case has an attribute {attr!r} "
                        f"(attributes: {', '.join(sorted(known)) or 'none'})."
                    )
        present, counts = _code_presence(s, [*conds, out], presence)

    def call(case: str, c: Call) -> Truth:
        valence = check_valence(str(c.args[1])) if len(c.args) > 1 else None
        return case in present[(str(c.args[0]), valence)]

    inputs = [CaseInput(f.name, f.attributes) for f in facts]
    result = run_qca(
        inputs,
        conds,
        out,
        threshold=threshold,
        min_cases=min_cases,
        calls=call,
        expectations=expectations,
        prefer_fewer_literals=prefer_fewer_literals,
        negate_outcome=negate_outcome,
        contradictions=contradictions,
    )
    result.raw = {
        f.name: {c.label: _raw(c, f.name, f.attributes, counts) for c in (*conds, out)}
        for f in facts
    }
    return result


def _raw(
    cond: Condition,
    case: str,
    attributes: dict[str, Any],
    counts: dict[CodeKey, dict[str, CellCount]],
) -> str:
    """What a case's membership was scored from: its attribute values and codings."""
    lower = {k.lower(): v for k, v in attributes.items()}
    parts = [f"{a}={lower.get(a.lower(), '?')}" for a in attribute_names(cond.node)]
    for c in _calls(cond):
        valence = check_valence(str(c.args[1])) if len(c.args) > 1 else None
        n = counts.get((str(c.args[0]), valence), {}).get(case)
        parts.append(f"{n.refs} coding(s), {n.participants} participant(s)" if n else "not coded")
    return "; ".join(dict.fromkeys(parts))


def export_qca(
    project: Project,
    result: QcaResult,
    out: str | Path,
    *,
    allow_identifiers: str | None = None,
    key: Any = None,
) -> Path:
    """Write the truth table, models, necessity and calibration tables to .docx or .xlsx.

    Every QCA export goes through here, so checks that must run before anything
    leaves the project have one place to live.
    """
    out = Path(out)
    if out.suffix.lower() not in (".docx", ".xlsx"):
        raise InvalidInputError(f"{out}: give a .docx or .xlsx file name.")
    if not out.parent.is_dir():
        raise InvalidInputError(f"{out}: folder {out.parent} does not exist. Create it first.")
    export_gate(project, "QCA tables", out, allow_identifiers=allow_identifiers, key=key)
    # python-docx / openpyxl load only when a file is written.
    from qualcode.export.qca_report import write_qca

    return write_qca(result, out, project_name=project.name)


def export_qca_report(
    project: Project, result: QcaResult, folder: str | Path, *, stem: str = "qca-report"
) -> list[Path]:
    """The report for a paper's appendix in both forms: ``stem.docx`` and ``stem.xlsx``."""
    folder = Path(folder)
    return [export_qca(project, result, folder / f"{stem}{ext}") for ext in (".docx", ".xlsx")]


def contradiction_quotes(
    project: Project, result: QcaResult
) -> dict[str, list[tuple[str, str, str]]]:
    """For each case in a contradictory row: (condition label, who, passage) for every coding
    of the codes its conditions name, so a reader can see why the cases disagree."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    calls = [(c.label, call) for c in (*result.conditions, result.outcome) for call in _calls(c)]
    for row in result.contradictory_rows():
        for case in row.cases:
            found = out.setdefault(case, [])
            for label, call in calls:
                valence = check_valence(str(call.args[1])) if len(call.args) > 1 else None
                for c in list_codings(project, case=case, code=str(call.args[0]), valence=valence):
                    found.append((label, c.participant or c.document, " ".join(c.text.split())))
    return out


def suggested_setup(project: Project) -> tuple[list[str], str]:
    """Conditions and outcome to start from: numeric case attributes split at their median
    (the last one, or ``engagement`` when there is one, as the outcome)."""
    with project.read() as s:
        facts = case_facts(s)
    numbers: dict[str, list[float]] = {}
    for f in facts:
        for name, value in f.attributes.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                numbers.setdefault(name, []).append(float(value))
    names = [n for n in numbers if n.lower() != "group"]
    if len(names) < 2:
        return [], ""
    out_name = next((n for n in names if n.lower() == "engagement"), names[-1])

    def rule(name: str) -> str:
        values = sorted(numbers[name])
        cut = values[len(values) // 2]
        label = "".join(ch for ch in name.upper() if ch.isalnum())[:3] or "C"
        return f"{label}: {name} >= {cut:g}"

    return [rule(n) for n in names if n != out_name], rule(out_name)


def row_quotes(project: Project, result: QcaResult, row: int) -> list[tuple[str, str, str, str]]:
    """For a truth-table row: (case, condition label, who, passage) for every coding of the
    codes its conditions and outcome name, so a reader sees what put the cases there."""
    calls = [(c.label, call) for c in (*result.conditions, result.outcome) for call in _calls(c)]
    found: list[tuple[str, str, str, str]] = []
    for case in result.truth_table[row].cases:
        for label, call in calls:
            valence = check_valence(str(call.args[1])) if len(call.args) > 1 else None
            for c in list_codings(project, case=case, code=str(call.args[0]), valence=valence):
                found.append((case, label, c.participant or c.document, " ".join(c.text.split())))
    return found
