"""Crisp-set QCA over the project's cases: what the CLI calls.

Conditions and the outcome are case-attribute rules or code presence
(``code('Path'[, 'valence'])``, present by the same rule as pattern matching).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.patterns import PresenceRule
from qualcode.analysis.presence import CodedDocuments, coded_documents
from qualcode.analysis.qca import CaseInput, Condition, QcaResult, parse_condition, run_qca
from qualcode.analysis.rules import Call, RuleError, Truth, attribute_names, leaves
from qualcode.errors import QualcodeError
from qualcode.services.cases import resolve_case
from qualcode.services.codebook import resolve_code
from qualcode.services.coding import check_valence
from qualcode.services.patterns import case_facts, group_assignments
from qualcode.services.project import Project
from qualcode.store.models import Case


def _code_presence(s: Session, conditions: list[Condition], presence: PresenceRule
                   ) -> dict[tuple[str, str | None], set[str]]:
    """Cases where each ``code("ref"[, "valence"])`` used by the conditions is present."""
    calls = [(c, leaf) for c in conditions for leaf in _calls(c)]
    if not calls:
        return {}
    case_names = dict(s.execute(select(Case.id, Case.name)).all())
    coded: dict[bool, CodedDocuments] = {}
    out: dict[tuple[str, str | None], set[str]] = {}
    for cond, call in calls:
        ref = str(call.args[0])
        try:
            valence = check_valence(str(call.args[1])) if len(call.args) > 1 else None
            code = resolve_code(s, ref)
        except QualcodeError as e:
            raise type(e)(f"{cond.label} ({cond.source or cond.expression!r}): {e}") from e
        by_valence = len(call.args) > 1
        if by_valence not in coded:
            coded[by_valence] = coded_documents(s, by_valence=by_valence,
                                                roll_up=presence.roll_up)
        ids = coded[by_valence].present_cases((code.id, valence), presence.min_refs,
                                              presence.min_participants)
        out[(ref, valence)] = {case_names[cid] for cid in ids}
    return out


def _calls(cond: Condition) -> list[Call]:
    out = []
    for leaf in leaves(cond.node):
        if isinstance(leaf, Call):
            if leaf.name != "code" or not 1 <= len(leaf.args) <= 2 or not all(
                    isinstance(a, str) for a in leaf.args):
                raise RuleError(f"condition {cond.label}: {leaf.name}(...) is not known. Use "
                                "code('Code path') or code('Code path', 'barrier').")
            out.append(leaf)
    return out


def run_project_qca(project: Project, conditions: list[str], outcome: str, *,
                    threshold: float = 1.0, min_cases: int = 1,
                    presence: PresenceRule | None = None, grouped_only: bool = False,
                    cases: list[str] | None = None) -> QcaResult:
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
                    raise RuleError(f"{cond.label}: no case has an attribute {attr!r} "
                                    f"(attributes: {', '.join(sorted(known)) or 'none'}).")
        present = _code_presence(s, [*conds, out], presence)

    def call(case: str, c: Call) -> Truth:
        valence = check_valence(str(c.args[1])) if len(c.args) > 1 else None
        return case in present[(str(c.args[0]), valence)]

    inputs = [CaseInput(f.name, f.attributes) for f in facts]
    return run_qca(inputs, conds, out, threshold=threshold, min_cases=min_cases, calls=call)
