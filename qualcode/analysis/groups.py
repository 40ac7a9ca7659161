"""Case groups for pattern matching: high, low and outlier, and why each case is where it is.

Pure functions: the service layer passes in each case's attributes and stored
group, the project's group rules and its group attribute, and gets back one
:class:`GroupAssignment` per case with a reason a researcher can read.

Where a case's group comes from, first match wins:

1. ``groups_from`` (``qualcode patterns --groups-from ATTR``): that attribute, for
   every case, for this run only; stored groups are ignored.
2. A group set by hand (``qualcode group set "Site 2" outlier``; ``none`` keeps
   a case out by hand).
3. The project's rules, in order (the first rule a case matches wins).
4. The project's group attribute (``qualcode group apply --from-attribute group``).
5. Whatever group is stored on the case (e.g. set by an import).
6. Otherwise no group: the case is left out of the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.analysis.rules import (
    Call,
    Evaluator,
    Node,
    RuleError,
    Value,
    leaves,
    parse_expression,
    split_labelled,
    where_in,
)
from qualcode.errors import InvalidInputError

GROUPS = ("high", "low", "outlier")
NO_GROUP_WORDS = ("", "none", "-", "n/a", "na", "excluded", "ungrouped")
SOURCES = ("manual", "attribute", "rule")


@dataclass(frozen=True)
class GroupRuleSpec:
    """One stored rule: cases matching ``expression`` go to ``group``."""

    group: str
    expression: str
    node: Node
    source: str  # the rule as typed; error columns count from its start

    @property
    def text(self) -> str:
        return f"{self.group}: {self.expression}"


@dataclass(frozen=True)
class CaseFacts:
    """What group assignment needs to know about a case."""

    name: str
    attributes: dict[str, Value]
    group: str | None = None
    source: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class GroupAssignment:
    """Where a case fell, who decided (manual, attribute, rule), and why."""

    case: str
    group: str | None
    source: str | None
    reason: str


def check_group_name(name: str | None, *, allow_none: bool = False) -> str | None:
    """Normalise a group name (``High`` -> ``high``); anything else is an error."""
    word = (name or "").strip().lower()
    if word in GROUPS:
        return word
    if allow_none and word in NO_GROUP_WORDS:
        return None
    extra = " (or none)" if allow_none else ""
    raise InvalidInputError(f"Group {name!r} is not one of {', '.join(GROUPS)}{extra}.")


def parse_rule(spec: str) -> GroupRuleSpec:
    """``"high: fidelity >= 10 and engagement >= 60"`` -> a checked rule."""
    label, expression, start = split_labelled(spec)
    group = check_group_name(label)
    assert group is not None
    node = parse_expression(spec, label=f"rule {spec.strip()!r}", start=start)
    return GroupRuleSpec(group, expression, node, spec)


def parse_rules(specs: list[str]) -> list[GroupRuleSpec]:
    """Parse rules in order; one rule per group (join alternatives with ``or``)."""
    rules = [parse_rule(spec) for spec in specs]
    seen: set[str] = set()
    for rule in rules:
        if rule.group in seen:
            raise InvalidInputError(
                f"Two rules for group {rule.group!r}: join them with 'or' in one rule."
            )
        seen.add(rule.group)
    return rules


def check_rule_attributes(rules: list[GroupRuleSpec], cases: list[CaseFacts]) -> None:
    """A name no case has is a typo, not a missing value: say so, and list the names."""
    known = {k.strip().lower() for c in cases for k in c.attributes}
    if not cases:
        return
    for rule in rules:
        for leaf in leaves(rule.node):
            if not isinstance(leaf, Call) and leaf.attr.lower() not in known:
                names = ", ".join(sorted({k for c in cases for k in c.attributes})) or "none yet"
                raise RuleError(
                    f"rule {rule.source.strip()!r}: no case has an attribute "
                    f"{leaf.attr!r} at {where_in(rule.source, leaf.pos)} (attributes: "
                    f"{names}). Fix the name, or give the cases that attribute first."
                )


def _by_rules(case: CaseFacts, rules: list[GroupRuleSpec]) -> GroupAssignment:
    matched: list[tuple[GroupRuleSpec, list[str]]] = []
    failed: list[str] = []
    for rule in rules:
        ev = Evaluator(
            rule.source, case.attributes, case=case.name, label=f"rule {rule.source.strip()!r}"
        )
        why = ev.explain(rule.node)
        if ev.eval(rule.node) is True:
            matched.append((rule, why))
        else:
            failed.append(f"{rule.group} ({'; '.join(why)})")
    if not matched:
        return GroupAssignment(case.name, None, None, "matches no rule: " + ", ".join(failed))
    rule, why = matched[0]
    reason = f"rule {rule.group}: {'; '.join(why)}"
    if len(matched) > 1:
        reason += (
            f" (also matches {', '.join(r.group for r, _ in matched[1:])}; the first rule wins)"
        )
    return GroupAssignment(case.name, rule.group, "rule", reason)


def _by_attribute(case: CaseFacts, attribute: str) -> GroupAssignment:
    values = {k.strip().lower(): v for k, v in case.attributes.items()}
    if attribute.strip().lower() not in values:
        return GroupAssignment(case.name, None, None, f"has no attribute {attribute!r}")
    raw = values[attribute.strip().lower()]
    word = str(raw).strip().lower()
    if word in GROUPS:
        return GroupAssignment(case.name, word, "attribute", f"attribute {attribute} = {raw}")
    if word in NO_GROUP_WORDS:
        return GroupAssignment(case.name, None, None, f"attribute {attribute} = {raw!r}: no group")
    return GroupAssignment(
        case.name,
        None,
        None,
        f"attribute {attribute} = {raw!r} is not high, low or outlier: left out",
    )


def assign_groups(
    cases: list[CaseFacts],
    *,
    rules: list[GroupRuleSpec] | None = None,
    group_attribute: str | None = None,
    groups_from: str | None = None,
) -> list[GroupAssignment]:
    """One assignment per case, by the precedence in the module docstring."""
    rules = rules or []
    if groups_from:
        _require_attribute(groups_from, cases)
        return [_by_attribute(c, groups_from) for c in cases]
    check_rule_attributes(rules, cases)
    out: list[GroupAssignment] = []
    for case in cases:
        if case.source == "manual":
            reason = case.reason or ("set by hand" if case.group else "left out by hand")
            out.append(GroupAssignment(case.name, case.group, "manual", reason))
        elif rules:
            out.append(_by_rules(case, rules))
        elif group_attribute:
            out.append(_by_attribute(case, group_attribute))
        elif case.group:
            out.append(
                GroupAssignment(case.name, case.group, case.source, case.reason or "stored group")
            )
        else:
            out.append(
                GroupAssignment(
                    case.name,
                    None,
                    None,
                    "no group: none set by hand, and no rules or group attribute",
                )
            )
    return out


def _require_attribute(attribute: str, cases: list[CaseFacts]) -> None:
    if cases and not any(
        attribute.strip().lower() in {k.lower() for k in c.attributes} for c in cases
    ):
        names = ", ".join(sorted({k for c in cases for k in c.attributes})) or "none yet"
        raise InvalidInputError(
            f"No case has an attribute {attribute!r} to take groups from (attributes: {names})."
        )


def members(assignments: list[GroupAssignment]) -> dict[str, list[str]]:
    """``{"high": [cases...], "low": [...], "outlier": [...], "none": [...]}``."""
    out: dict[str, list[str]] = {g: [] for g in (*GROUPS, "none")}
    for a in assignments:
        out[a.group or "none"].append(a.case)
    return out
