"""Case groups and cross-case patterns: what the CLI and the workbench call.

QCA over the same cases is in ``services.qca``.

Group changes (set by hand, rules, group attribute) are stored in the project and,
in the same transaction, every case's stored group is brought up to date, so
``qualcode case list`` and other tools reading the database see the same groups.
Pattern matching and QCA only read.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qualcode.analysis.groups import (
    CaseFacts,
    GroupAssignment,
    GroupRuleSpec,
    assign_groups,
    check_group_name,
    parse_rules,
)
from qualcode.analysis.pattern_quotes import collect_quotes
from qualcode.analysis.patterns import (
    PatternResult,
    PatternRow,
    PresenceRule,
    find_patterns,
    natural_key,
)
from qualcode.errors import InvalidInputError
from qualcode.services.cases import resolve_case
from qualcode.services.leaks import PseudonymKey, export_gate
from qualcode.services.project import Project
from qualcode.services.workshop import pattern_comments
from qualcode.store.models import (
    Case,
    CaseAttribute,
    GroupRule,
    Setting,
    attribute_value,
)
from qualcode.store.setting_keys import GROUP_ATTRIBUTE_SETTING

if TYPE_CHECKING:
    from qualcode.analysis.pattern_quotes import Quote


# ---------------------------------------------------------------- groups


def case_facts(s: Session) -> list[CaseFacts]:
    """Every case with its typed attributes and stored group (plain rows: read-only)."""
    attributes: dict[int, dict[str, float | int | str | None]] = defaultdict(dict)
    a, c = CaseAttribute.__table__.c, Case.__table__.c  # Core: no mapper configuration
    for case_id, name, value_type, number, text in s.execute(
        select(a.case_id, a.name, a.value_type, a.number_value, a.text_value)
    ):
        attributes[case_id][name] = attribute_value(value_type, number, text)
    facts = [
        CaseFacts(name, attributes.get(case_id, {}), group, source, reason)
        for case_id, name, group, source, reason in s.execute(
            select(c.id, c.name, c.group_name, c.group_source, c.group_reason)
        )
    ]
    return sorted(facts, key=lambda f: natural_key(f.name))


def _stored_rules(s: Session) -> list[GroupRuleSpec]:
    r = GroupRule.__table__.c
    rows = s.execute(select(r.group_name, r.expression).order_by(r.sort_order, r.id)).all()
    return parse_rules([f"{group}: {expression}" for group, expression in rows])


def group_assignments(s: Session, groups_from: str | None = None) -> list[GroupAssignment]:
    settings = Setting.__table__.c
    setting = s.scalar(select(settings.value).where(settings.key == GROUP_ATTRIBUTE_SETTING))
    return assign_groups(
        case_facts(s),
        rules=_stored_rules(s),
        group_attribute=setting or None,
        groups_from=groups_from,
    )


def _store(s: Session) -> list[GroupAssignment]:
    """Write the effective groups onto the cases (inside the caller's transaction)."""
    result = group_assignments(s)
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
        return group_assignments(s, groups_from)


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
        rows = [resolve_case(s, c) for c in cases] if cases else list(s.scalars(select(Case)))
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


def preview_group_rules(project: Project, specs: list[str]) -> list[GroupAssignment]:
    """What :func:`set_group_rules` would give each case, and why; nothing is stored.

    The workbench calls it as the rules are typed: a misspelt attribute is an
    error naming the attributes there are, never a silent "matches no rule".
    """
    rules = parse_rules([spec for spec in specs if spec.strip()])
    with project.read() as s:
        facts = [
            f if f.source == "manual" else CaseFacts(f.name, f.attributes) for f in case_facts(s)
        ]
        return assign_groups(facts, rules=rules)


def preview_group_attribute(project: Project, attribute: str) -> list[GroupAssignment]:
    """What :func:`apply_groups` with ``from_attribute`` would give; nothing is stored."""
    with project.read() as s:
        return assign_groups(case_facts(s), groups_from=attribute)


def apply_groups(project: Project, from_attribute: str | None = None) -> list[GroupAssignment]:
    """Re-apply the rules to current attributes, or take groups from an attribute (stored)."""
    with project.transaction("apply groups", from_attribute=from_attribute) as s:
        if from_attribute:
            assign_groups(case_facts(s), groups_from=from_attribute)  # checks the attribute exists
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


def find_project_patterns(
    project: Project, presence: PresenceRule | None = None, *, groups_from: str | None = None
) -> PatternResult:
    """Classify every code (× valence) over the project's grouped cases."""
    with project.read() as s:
        assignments = group_assignments(s, groups_from)
        rules = {} if groups_from else {r.group: r.expression for r in _stored_rules(s)}
        return find_patterns(s, assignments, presence, group_rules=rules, groups_from=groups_from)


def pattern_quotes(
    project: Project,
    result: PatternResult,
    rows: list[PatternRow] | None = None,
    *,
    per_case: int | None = 3,
    cases: str = "present",
) -> dict[tuple[int, str | None], dict[str, list[Quote]]]:
    """Supporting quotes per pattern and case (see ``collect_quotes``)."""

    with project.read() as s:
        return collect_quotes(s, result, rows, per_case=per_case, cases=cases)


def export_patterns(
    project: Project,
    result: PatternResult,
    out: str | Path,
    *,
    per_case: int | None = 3,
    include_none: bool = False,
    allow_identifiers: str | None = None,
    key: PseudonymKey | None = None,
) -> Path:
    """Write the pattern table with supporting quotes to a .docx or .xlsx file (owner-only).

    The identifier check runs first and refuses while certain findings remain,
    unless ``allow_identifiers`` gives a reason (recorded in the audit log).
    """
    out = Path(out)
    fmt = out.suffix.lower()
    if fmt not in (".docx", ".xlsx"):
        raise InvalidInputError(f"{out}: give a .docx or .xlsx file name.")
    if not out.parent.is_dir():
        raise InvalidInputError(f"{out}: folder {out.parent} does not exist. Create it first.")
    export_gate(
        project, f"patterns ({fmt.lstrip('.')})", out, allow_identifiers=allow_identifiers, key=key
    )
    rows = [r for r in result.rows if include_none or r.category != "none"]
    quotes = pattern_quotes(
        project, result, [r for r in rows if r.category != "none"], per_case=per_case
    )

    comments = pattern_comments(project)
    if fmt == ".docx":
        # lazy: python-docx takes ~0.2 s to import; only .docx output needs it
        from qualcode.export.patterns_docx import write_patterns_docx as write
    else:
        # lazy: openpyxl takes ~0.5 s to import; only .xlsx output needs it
        from qualcode.export.patterns_xlsx import write_patterns_xlsx as write
    return write(
        result, quotes, out, project_name=project.name, include_none=include_none, comments=comments
    )
