"""Case groups: the rule language (never eval), precedence of sources, storage, reasons."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from qualcode.analysis.groups import CaseFacts, assign_groups, parse_rule, parse_rules
from qualcode.analysis.rules import Evaluator, RuleError, parse_expression, to_text
from qualcode.errors import InvalidInputError
from qualcode.services.cases import set_case
from qualcode.services.patterns import (
    apply_groups,
    clear_groups,
    group_rules,
    list_groups,
    set_group,
    set_group_rules,
)
from qualcode.services.project import Project
from qualcode.store.models import Case

ATTRS = {"fidelity": 11, "engagement": 51.5, "locality": "Urban", "employer": "NHS trust"}


def ev(expression: str, attrs: dict[str, object] = ATTRS) -> bool | None:
    node = parse_expression(expression)
    return Evaluator(expression, attrs, case="Site 2").eval(node)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("fidelity >= 10", True),
        ("fidelity > 11", False),
        ("engagement < 51.6 and engagement <= 51.5", True),
        ("fidelity = 11", True),
        ("fidelity == 11.0", True),
        ("fidelity != 11", False),
        ("engagement >= 50%", True),
        ("locality == 'urban'", True),  # text ignores case
        ('locality == " URBAN "', True),
        ("locality != 'rural'", True),
        ("locality in ('rural', 'urban')", True),
        ("locality not in ('rural', 'town')", True),
        ("fidelity in (10, 12)", False),
        ("not fidelity >= 10", False),
        ("not not fidelity >= 10", True),
        ("fidelity >= 12 or engagement > 50", True),
        ("fidelity >= 12 or engagement > 60 and locality == 'urban'", False),
        ("(fidelity >= 12 or engagement > 50) and locality == 'urban'", True),
        ("FIDELITY >= 10 AND Locality == 'urban'", True),  # names and keywords ignore case
        ("`employer` == 'NHS trust'", True),
        ("employer == 'nhs \\'trust\\''", False),
    ],
)
def test_expressions(expression: str, expected: bool) -> None:
    assert ev(expression) is expected


def test_missing_attribute_is_unknown_and_propagates_like_sql_null() -> None:
    assert ev("ward >= 1") is None
    assert ev("not ward >= 1") is None
    assert ev("ward >= 1 or fidelity >= 10") is True
    assert ev("ward >= 1 and fidelity >= 10") is None
    assert ev("ward >= 1 and fidelity >= 20") is False
    node = parse_expression("ward >= 1 and fidelity >= 10")
    assert Evaluator("", ATTRS).explain(node) == ["ward is missing"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rule", "column", "message"),
    [
        ("high: fidelity >= 10 an engagement >= 60", 22, "expected 'and', 'or'"),
        ("high: (fidelity >= 10", 22, "expected ')'"),
        ("high: fidelity >> 10", 17, "expected a number or a 'quoted text'"),
        ("high: fidelity 10", 16, "expected a comparison after 'fidelity'"),
        ("high: fidelity >= 10 & engagement", 22, "unexpected '&'"),
        ("high: locality == 'urban", 19, "unclosed quote"),
        ("high: locality >= 'urban'", 7, "text can only be compared with ==, != or in"),
        ("high: fidelity in (10, 'x')", 7, "mixes numbers and text"),
        ("high: fidelity not >= 3", 20, "expected 'in' after 'not'"),
        ("high: ", None, "the rule is empty"),
    ],
)
def test_errors_name_the_column(rule: str, column: int | None, message: str) -> None:
    with pytest.raises(RuleError) as info:
        parse_rule(rule)
    text = str(info.value)
    assert message in text
    if column is not None:
        assert f"column {column}" in text
        near = re.search(r"\(near (['\"])(.*?)\1\)", text)
        assert near is None or rule[column - 1 :].startswith(near.group(2))  # points at it


def test_rules_are_never_evaluated_as_python() -> None:
    for hostile in (
        "__import__('os').system('true')",
        "fidelity.__class__ >= 1",
        "open('x') >= 1",
        "fidelity >= 1; import os",
    ):
        with pytest.raises(RuleError):
            node = parse_expression(hostile)
            Evaluator(hostile, ATTRS).eval(node)  # type: ignore[arg-type]


def test_type_mismatch_names_the_case_and_column() -> None:
    node = parse_expression("locality >= 3")
    with pytest.raises(
        RuleError,
        match=r"locality of Site 2 is text \('Urban'\) but the rule "
        r"compares it with a number at column 1",
    ):
        Evaluator("locality >= 3", ATTRS, case="Site 2").eval(node)  # type: ignore[arg-type]
    node = parse_expression("fidelity == 'high'")
    with pytest.raises(RuleError, match="fidelity of Site 2 is a number"):
        Evaluator("fidelity == 'high'", ATTRS, case="Site 2").eval(node)  # type: ignore[arg-type]


def test_group_names_and_one_rule_per_group() -> None:
    with pytest.raises(InvalidInputError, match="'mid' is not one of high, low, outlier"):
        parse_rule("mid: fidelity > 1")
    with pytest.raises(InvalidInputError, match="Two rules for group 'high'"):
        parse_rules(["high: fidelity > 1", "High: engagement > 1"])
    with pytest.raises(RuleError, match="NAME: EXPRESSION"):
        parse_rule("fidelity >= 10")
    assert to_text(parse_rule("low: not (a < 1 or b in ('x'))").node) == "not (a < 1 or b in ('x'))"


CASES = [
    CaseFacts("Site 2", {"fidelity": 11, "engagement": 51, "group": "outlier"}),
    CaseFacts("Site 3", {"fidelity": 13, "engagement": 74, "group": "High"}),
    CaseFacts("Site 4", {"fidelity": 6, "engagement": 38, "group": "excluded"}),
    CaseFacts("Site 7", {"fidelity": 12}, "low", "manual", "set by hand"),
    CaseFacts("Site 8", {"engagement": 70}, "high", "attribute", "import"),
]
RULES = parse_rules(
    [
        "high: fidelity >= 10 and engagement >= 60",
        "outlier: fidelity >= 10",
        "low: fidelity < 10 and engagement < 50",
    ]
)


def test_rules_first_match_wins_with_reasons() -> None:
    got = {a.case: a for a in assign_groups(CASES, rules=RULES)}
    assert got["Site 3"].group == "high" and got["Site 3"].source == "rule"
    assert got["Site 3"].reason == (
        "rule high: fidelity 13 >= 10 is true; engagement 74 >= 60 "
        "is true (also matches outlier; the first rule wins)"
    )
    assert got["Site 2"].group == "outlier"
    assert got["Site 4"].group == "low"
    assert got["Site 7"].group == "low" and got["Site 7"].source == "manual"  # by hand wins
    assert got["Site 8"].group is None  # fidelity missing: no rule matches
    assert "high (fidelity is missing)" in got["Site 8"].reason
    assert "outlier (fidelity is missing)" in got["Site 8"].reason


def test_groups_from_an_attribute() -> None:
    got = {a.case: a for a in assign_groups(CASES, groups_from="group")}
    assert got["Site 3"].group == "high" and got["Site 3"].reason == "attribute group = High"
    assert got["Site 4"].group is None and "'excluded'" in got["Site 4"].reason
    assert got["Site 7"].group is None and "no attribute 'group'" in got["Site 7"].reason
    with pytest.raises(InvalidInputError, match="No case has an attribute 'grp'"):
        assign_groups(CASES, groups_from="grp")
    stored = {a.case: a for a in assign_groups(CASES)}
    assert stored["Site 8"].group == "high" and stored["Site 8"].source == "attribute"
    assert stored["Site 2"].group is None and "no group" in stored["Site 2"].reason


def test_unknown_attribute_in_a_rule_is_an_error() -> None:
    with pytest.raises(RuleError, match="no case has an attribute 'fidelty' at column 7"):
        assign_groups(CASES, rules=parse_rules(["high: fidelty >= 10"]))


@pytest.fixture
def sites(tmp_path: Path) -> Project:
    project = Project.open(tmp_path / "groups.db", coder="tester")
    for name, fid, eng, group in (
        ("Site 2", "11", "51", "outlier"),
        ("Site 3", "13", "74%", "high"),
        ("Site 4", "6", "38", "low"),
        ("Site 6", "7", "42", "low"),
    ):
        set_case(project, name, {"fidelity": fid, "engagement": eng, "group": group})
    return project


def stored(project: Project) -> dict[str, tuple[str | None, str | None]]:
    with project.read() as s:
        return {c.name: (c.group_name, c.group_source) for c in s.query(Case)}


def test_group_services_store_and_apply(sites: Project) -> None:
    set_group_rules(
        sites,
        [
            "high: fidelity >= 10 and engagement >= 60",
            "low: fidelity < 10 and engagement < 50",
            "outlier: fidelity >= 10 and engagement < 60",
        ],
    )
    assert group_rules(sites) == [
        "high: fidelity >= 10 and engagement >= 60",
        "low: fidelity < 10 and engagement < 50",
        "outlier: fidelity >= 10 and engagement < 60",
    ]
    assert stored(sites) == {
        "Site 2": ("outlier", "rule"),
        "Site 3": ("high", "rule"),
        "Site 4": ("low", "rule"),
        "Site 6": ("low", "rule"),
    }
    set_group(sites, "site 6", "outlier")  # by hand, case-insensitive name
    assert stored(sites)["Site 6"] == ("outlier", "manual")
    set_case(sites, "Site 4", {"engagement": "55"})
    apply_groups(sites)  # the rules again, on the changed attribute
    groups = {a.case: a for a in list_groups(sites)}
    assert groups["Site 4"].group is None and "matches no rule" in groups["Site 4"].reason
    assert groups["Site 6"].group == "outlier"
    clear_groups(sites, ["Site 6"])
    assert stored(sites)["Site 6"] == ("low", "rule")
    set_group(sites, "Site 3", "none")
    assert {a.case: a.group for a in list_groups(sites)}["Site 3"] is None
    assert stored(sites)["Site 3"] == (None, "manual")


def test_failed_rules_change_nothing(sites: Project) -> None:
    set_group_rules(sites, ["high: fidelity >= 12"])
    before = stored(sites)
    with pytest.raises(RuleError):
        set_group_rules(sites, ["high: fidelity >= 10", "low: locality == 'x'"])
    with pytest.raises(RuleError):
        set_group_rules(sites, ["high: fidelity >= 'x'"])
    assert group_rules(sites) == ["high: fidelity >= 12"] and stored(sites) == before


def test_attribute_and_rules_replace_each_other(sites: Project) -> None:
    set_group_rules(sites, ["high: fidelity >= 12"])
    apply_groups(sites, from_attribute="group")
    assert group_rules(sites) == []
    assert stored(sites) == {
        "Site 2": ("outlier", "attribute"),
        "Site 3": ("high", "attribute"),
        "Site 4": ("low", "attribute"),
        "Site 6": ("low", "attribute"),
    }
    set_group_rules(sites, [])  # no rules, and no attribute any more: nothing left over
    assert stored(sites) == {
        name: (None, None) for name in ("Site 2", "Site 3", "Site 4", "Site 6")
    }


def test_group_commands(sites: Project) -> None:
    from click.testing import CliRunner

    from qualcode.cli.main import cli

    def run(*args: str) -> Any:
        return CliRunner().invoke(cli, ["--db", sites.location, *args])

    out = run(
        "group",
        "rules",
        "high: fidelity >= 10 and engagement >= 60",
        "low: fidelity < 10",
        "outlier: fidelity >= 10 and engagement < 60",
    )
    assert out.exit_code == 0, out.output
    assert "Site 3  high     (rule)" in out.output
    assert "engagement 74 >= 60 is true" in out.output
    assert run("group", "rules").output.splitlines()[1] == "low: fidelity < 10"
    bad = run("group", "rules", "high: fidelity >= 10 an engagement >= 60")
    assert isinstance(bad.exception, RuleError) and "column 22" in str(bad.exception)
    assert run("group", "set", "Site 4", "outlier").exit_code == 0
    listing = json.loads(run("group", "list", "--json").output)
    assert {r["case"]: (r["group"], r["source"]) for r in listing}["Site 4"] == (
        "outlier",
        "manual",
    )
    cleared = run("group", "clear").output  # hand-set groups only: rules apply again
    assert "Site 4  low      (rule)" in cleared and "Site 3  high     (rule)" in cleared
    applied = run("group", "apply", "--from-attribute", "group")
    assert "Site 4  low      (attribute)  attribute group = low" in applied.output
