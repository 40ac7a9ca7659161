"""Case groups, cross-case patterns and QCA: what the CLI and the workbench call.

Group changes (set by hand, rules, group attribute) are stored in the project and,
in the same transaction, every case's stored group is brought up to date, so
``qualcode case list`` and other tools reading the database see the same groups.
Pattern matching and QCA only read.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from qualcode.analysis.groups import (
    CaseFacts,
    GroupAssignment,
    GroupRuleSpec,
    assign_groups,
    check_group_name,
    parse_rules,
)
from qualcode.analysis.pattern_quotes import Quote, collect_quotes
from qualcode.analysis.patterns import (
    PatternResult,
    PatternRow,
    PresenceRule,
    count_codings,
    find_patterns,
    natural_key,
)
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
from qualcode.services.coding import check_valence
from qualcode.services.project import Project
from qualcode.store.models import Case, GroupRule, Setting

GROUP_ATTRIBUTE_SETTING = "groups.attribute"


# ---------------------------------------------------------------- groups


def _facts(s: Session) -> list[CaseFacts]:
    cases = s.scalars(select(Case).options(selectinload(Case.attributes))).all()
    facts = [CaseFacts(c.name, {a.name: a.value for a in c.attributes},  # type: ignore[misc]
                       c.group_name, c.group_source, c.group_reason) for c in cases]
    return sorted(facts, key=lambda f: natural_key(f.name))


def _stored_rules(s: Session) -> list[GroupRuleSpec]:
    rows = s.scalars(select(GroupRule).order_by(GroupRule.sort_order, GroupRule.id)).all()
    return parse_rules([f"{r.group_name}: {r.expression}" for r in rows])


def _assignments(s: Session, groups_from: str | None = None) -> list[GroupAssignment]:
    setting = s.get(Setting, GROUP_ATTRIBUTE_SETTING)
    return assign_groups(_facts(s), rules=_stored_rules(s),
                         group_attribute=setting.value if setting and setting.value else None,
                         groups_from=groups_from)


def _store(s: Session) -> list[GroupAssignment]:
    """Write the effective groups onto the cases (inside the caller's transaction)."""
    result = _assignments(s)
    by_name = {a.case: a for a in result}
    for case in s.scalars(select(Case)):
        a = by_name[case.name]
        if case.group_source == "manual":
            continue
        case.group_name, case.group_source, case.group_reason = a.group, a.source, a.reason
    s.flush()
    return result


def _forget(s: Session, sources: list[str]) -> None:
    """Drop stored groups that came from a source being replaced (never hand-set ones)."""
    for case in s.scalars(select(Case).where(Case.group_source.in_(sources))):
        case.group_name = case.group_source = case.group_reason = None


def list_groups(project: Project, groups_from: str | None = None) -> list[GroupAssignment]:
    """Every case with its group, where the group came from, and why."""
    with project.read() as s:
        return _assignments(s, groups_from)


def group_rules(project: Project) -> list[str]:
    """The stored rules as ``group: expression`` lines, in the order they are tried."""
    with project.read() as s:
        return [r.text for r in _stored_rules(s)]


def group_attribute(project: Project) -> str | None:
    return project.setting(GROUP_ATTRIBUTE_SETTING) or None


def set_group(project: Project, case: str, group: str | None) -> list[GroupAssignment]:
    """Put a case in a group by hand (``none`` keeps it out by hand); hand-set groups win."""
    name = check_group_name(group, allow_none=True)
    with project.transaction("set group", case=case, group=name) as s:
        row = resolve_case(s, case)
        row.group_name, row.group_source = name, "manual"
        row.group_reason = f"set by hand to {name}" if name else "left out by hand"
        return _store(s)


def clear_groups(project: Project, cases: list[str] | None = None) -> list[GroupAssignment]:
    """Forget hand-set groups (of the named cases, or all); rules or the attribute then apply."""
    with project.transaction("clear groups", cases=cases or "all") as s:
        rows = ([resolve_case(s, c) for c in cases] if cases
                else list(s.scalars(select(Case))))
        for row in rows:
            if row.group_source == "manual":
                row.group_name = row.group_source = row.group_reason = None
        s.flush()
        return _store(s)


def set_group_rules(project: Project, specs: list[str]) -> list[GroupAssignment]:
    """Replace the rules (``high: fidelity >= 10 and engagement >= 60``) and apply them.

    An empty list removes the rules. Rules replace a group attribute, and the
    other way round: a project takes its groups from one or the other.
    """
    rules = parse_rules(specs)
    with project.transaction("set group rules", rules=[r.text for r in rules]) as s:
        stale = ["rule"] + (["attribute"] if s.get(Setting, GROUP_ATTRIBUTE_SETTING) else [])
        _forget(s, stale)
        s.execute(delete(GroupRule))
        for i, rule in enumerate(rules):
            s.add(GroupRule(group_name=rule.group, expression=rule.expression, sort_order=i))
        s.execute(delete(Setting).where(Setting.key == GROUP_ATTRIBUTE_SETTING))
        s.flush()
        return _store(s)


def apply_groups(project: Project, from_attribute: str | None = None) -> list[GroupAssignment]:
    """Re-apply the rules to current attributes, or take groups from an attribute (stored)."""
    with project.transaction("apply groups", from_attribute=from_attribute) as s:
        if from_attribute:
            assign_groups(_facts(s), groups_from=from_attribute)  # checks the attribute exists
            _forget(s, ["rule", "attribute"])
            s.execute(delete(GroupRule))
            s.merge(Setting(key=GROUP_ATTRIBUTE_SETTING, value=from_attribute.strip()))
            s.flush()
        return _store(s)


# ---------------------------------------------------------------- patterns


def parse_share(value: str | float | None) -> Fraction:
    """``0.8`` or ``80%`` -> Fraction(4, 5); must be above 0.5 and at most 1."""
    if value in (None, ""):
        return Fraction(1)
    text = str(value).strip()
    try:
        share = Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)
    except (ValueError, ZeroDivisionError) as e:
        raise InvalidInputError(f"--share {value!r}: give a number like 0.8 or 80%.") from e
    PresenceRule(share=share)  # validates the range
    return share


def find_project_patterns(project: Project, presence: PresenceRule | None = None, *,
                          groups_from: str | None = None) -> PatternResult:
    """Classify every code (× valence) over the project's grouped cases."""
    with project.read() as s:
        assignments = _assignments(s, groups_from)
        rules = {} if groups_from else {r.group: r.expression for r in _stored_rules(s)}
        return find_patterns(s, assignments, presence, group_rules=rules, groups_from=groups_from)


def pattern_quotes(project: Project, result: PatternResult, rows: list[PatternRow] | None = None,
                   *, per_case: int | None = 3, cases: str = "present"
                   ) -> dict[tuple[int, str | None], dict[str, list[Quote]]]:
    """Supporting quotes per pattern and case (see ``collect_quotes``)."""
    with project.read() as s:
        return collect_quotes(s, result, rows, per_case=per_case, cases=cases)


def export_patterns(project: Project, result: PatternResult, out: str | Path, *,
                    per_case: int | None = 3, include_none: bool = False) -> Path:
    """Write the pattern table with supporting quotes to a .docx or .xlsx file."""
    out = Path(out)
    fmt = out.suffix.lower()
    if fmt not in (".docx", ".xlsx"):
        raise InvalidInputError(f"{out}: give a .docx or .xlsx file name.")
    if not out.parent.is_dir():
        raise InvalidInputError(f"{out}: folder {out.parent} does not exist. Create it first.")
    rows = [r for r in result.rows if include_none or r.category != "none"]
    quotes = pattern_quotes(project, result, [r for r in rows if r.category != "none"],
                            per_case=per_case)
    if fmt == ".docx":
        from qualcode.export.patterns_docx import write_patterns_docx as write
    else:
        from qualcode.export.patterns_xlsx import write_patterns_xlsx as write
    return write(result, quotes, out, project_name=project.name, include_none=include_none)


# ---------------------------------------------------------------- QCA


def _code_presence(s: Session, conditions: list[Condition], presence: PresenceRule
                   ) -> dict[tuple[str, str | None], set[str]]:
    """Cases where each ``code("ref"[, "valence"])`` used by the conditions is present."""
    calls = [(c, leaf) for c in conditions for leaf in _calls(c)]
    if not calls:
        return {}
    case_names = dict(s.execute(select(Case.id, Case.name)).all())
    need_valence = any(len(c.args) > 1 for _, c in calls)
    need_plain = any(len(c.args) == 1 for _, c in calls)
    counts = {}
    if need_valence:
        counts[True] = count_codings(s, by_valence=True, roll_up=presence.roll_up)
    if need_plain:
        counts[False] = count_codings(s, by_valence=False, roll_up=presence.roll_up)
    out: dict[tuple[str, str | None], set[str]] = {}
    for cond, call in calls:
        ref = str(call.args[0])
        try:
            valence = check_valence(str(call.args[1])) if len(call.args) > 1 else None
            code = resolve_code(s, ref)
        except QualcodeError as e:
            raise type(e)(f"{cond.label} ({cond.source or cond.expression!r}): {e}") from e
        cells = counts[len(call.args) > 1].get((code.id, valence), {})
        out[(ref, valence)] = {case_names[cid] for cid, c in cells.items() if cid is not None
                               and c.refs >= presence.min_refs
                               and c.participants >= presence.min_participants}
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
        facts = _facts(s)
        if cases:
            wanted = {resolve_case(s, c).name for c in cases}
            facts = [f for f in facts if f.name in wanted]
        if grouped_only:
            grouped = {a.case for a in _assignments(s) if a.group}
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
