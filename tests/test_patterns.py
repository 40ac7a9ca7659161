"""Cross-case pattern matching on projects with known patterns, near misses included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from qualcode.analysis.patterns import PresenceRule, classify, outlier_shares, to_json
from qualcode.errors import InvalidInputError
from qualcode.services.patterns import find_project_patterns, parse_share, pattern_quotes
from qualcode.services.project import Project
from tests.conftest import add_document
from tests.patterns_data import Spec, build_project, study_spec

H, L, O = {"H1", "H2"}, {"L1", "L2"}, {"O1"}  # noqa: E741 - high, low, outlier as in the method


@pytest.fixture
def study(tmp_path: Path) -> Project:
    return build_project(tmp_path / "study.db", study_spec())


def categories(project: Project, **kw: object) -> dict[tuple[str, str | None], str]:
    result = find_project_patterns(project, PresenceRule(**kw))  # type: ignore[arg-type]
    return {("/".join(r.path), r.valence): r.category for r in result.rows}


# -- the pure rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        ({"H1", "H2", "L1", "L2", "O1"}, "shared"),
        ({"H1", "H2"}, "high"),
        ({"H1", "H2", "O1"}, "high"),
        ({"L1", "L2"}, "low"),
        ({"L1", "L2", "O1"}, "low"),
        ({"O1"}, "outlier"),
        (set(), "none"),
        ({"H1"}, "none"),  # all high cases but one
        ({"H1", "H2", "L1"}, "none"),  # all high and one low case
        ({"L1", "L2", "H2"}, "none"),  # all low and one high case
        ({"H1", "H2", "L1", "O1"}, "none"),  # everywhere but one case
        ({"U1", "U2"}, "none"),  # only ungrouped cases
        ({"H1", "H2", "L1", "L2", "O1", "U1"}, "shared"),  # ungrouped cases do not count
    ],
)
def test_exact_rules(present: set[str], expected: str) -> None:
    assert classify(present, H, L, O) == expected


def test_relaxed_rules_reduce_to_exact_at_one_and_use_exact_fractions() -> None:
    high = {f"H{i}" for i in range(10)}
    low = {f"L{i}" for i in range(10)}
    seven_high = {f"H{i}" for i in range(7)}
    # 0.7 * 10 is 7.000000000000001 in floating point; 7 of 10 must still reach 70%.
    assert classify(seven_high, high, low, set(), parse_share("0.7")) == "high"
    assert classify(seven_high, high, low, set(), Fraction(1)) == "none"
    assert classify(seven_high | {"L0", "L1", "L2"}, high, low, set(), parse_share("70%")) == "high"
    assert (
        classify(seven_high | {"L0", "L1", "L2", "L3"}, high, low, set(), parse_share("0.7"))
        == "none"
    )
    everywhere_but_one = (high | low) - {"H9"}
    assert classify(everywhere_but_one, high, low, set(), Fraction(1)) == "none"
    assert classify(everywhere_but_one, high, low, set(), Fraction(4, 5)) == "shared"
    assert classify({"O1", "H1"}, high, low, {"O1"}, Fraction(4, 5)) == "outlier"
    assert classify({"O1", "H1", "L1", "L2", "L3"}, high, low, {"O1"}, Fraction(4, 5)) == "outlier"
    assert (
        classify({"O1", "H1", "L1", "L2", "L3", "L4"}, high, low, {"O1"}, Fraction(4, 5)) == "none"
    )  # 5 of 20 high and low cases: over 20%


@pytest.mark.parametrize("bad", ["0.5", "0.3", "1.2", "abc", "0"])
def test_share_must_be_above_half_and_at_most_one(bad: str) -> None:
    with pytest.raises(InvalidInputError, match="--share"):
        parse_share(bad)


def test_outlier_shares_rule() -> None:
    outs = ["O1", "O2"]
    assert outlier_shares("high", {"H1", "O1"}, outs) == {"O1": "high", "O2": None}
    assert outlier_shares("low", {"L1", "O2"}, outs) == {"O1": None, "O2": "low"}
    assert outlier_shares("shared", {"O1", "O2"}, outs) == {"O1": "shared", "O2": "shared"}
    assert outlier_shares("outlier", {"O1"}, outs) == {"O1": "only", "O2": None}
    assert outlier_shares("none", {"O1", "H1", "L1"}, outs) == {"O1": None, "O2": None}


# -- on a project -------------------------------------------------------------------------


def test_study_patterns_per_valence(study: Project) -> None:
    cats = categories(study, by_valence=True)
    assert cats[("Role", "facilitator")] == "shared"
    assert cats[("Ward staff", "facilitator")] == "high"
    assert cats[("Leadership", "facilitator")] == "high"
    assert cats[("Ward staff", "barrier")] == "low"
    assert cats[("Leadership/Access", "barrier")] == "low"
    assert cats[("Geography", "barrier")] == "low"
    assert cats[("Team dynamics", "barrier")] == "outlier"
    for near in ("Culture", "Near high", "Near low", "Near shared", "Ungrouped only"):
        assert next(v for (k, _), v in cats.items() if k == near) == "none", near
    assert cats[("Never used", None)] == "none"
    result = find_project_patterns(study, PresenceRule(by_valence=True))
    rows = {(r.name, r.valence): r for r in result.rows}
    assert rows[("Ward staff", "barrier")].outlier_shares == {"O1": "low"}
    assert rows[("Ward staff", "facilitator")].outlier_shares == {"O1": None}
    assert rows[("Team dynamics", "barrier")].outlier_shares == {"O1": "only"}
    assert rows[("Role", "facilitator")].outlier_shares == {"O1": "shared"}
    assert rows[("Culture", "facilitator")].outlier_shares == {"O1": None}  # mixed
    assert rows[("Ungrouped only", "barrier")].present_in == ()
    assert rows[("Ungrouped only", "barrier")].counts["U1"].refs == 3
    view = result.outlier_view("O1")
    assert [r.name for r in view["low"]] == ["Ward staff"]
    assert [r.name for r in view["only"]] == ["Team dynamics"]
    assert any("U1" in w for w in result.warnings)  # ungrouped cases are named


def test_code_alone_merges_valences(study: Project) -> None:
    cats = categories(study)
    assert cats[("Ward staff", None)] == "shared"  # facilitator in high + barrier in low/outlier
    assert all(v is None for (_, v) in cats)


def test_roll_up_counts_children_towards_parents(study: Project) -> None:
    plain = categories(study, by_valence=True)
    assert ("Parent", "facilitator") not in plain
    assert plain[("Parent/Child", "facilitator")] == "high"
    rolled = categories(study, by_valence=True, roll_up=True)
    assert rolled[("Parent", "facilitator")] == "high"
    # Leadership (facilitator, high) + Access (barrier, low) stay apart per valence...
    assert rolled[("Leadership", "facilitator")] == "high"
    assert rolled[("Leadership", "barrier")] == "low"
    result = find_project_patterns(study, PresenceRule(by_valence=True, roll_up=True))
    parent = next(r for r in result.rows if r.name == "Parent")
    quotes = pattern_quotes(study, result, [parent])[parent.key]
    assert {q.text for qs in quotes.values() for q in qs} == {
        "Sentence 30.0 of H1P1 about Child.",
        "Sentence 31.0 of H2P1 about Child.",
    }


def test_min_refs_and_min_participants(study: Project) -> None:
    # Ward staff (facilitator): 2 codings from one participant in each high case.
    assert categories(study, by_valence=True, min_refs=2)[("Ward staff", "facilitator")] == "high"
    assert categories(study, by_valence=True, min_refs=3)[("Ward staff", "facilitator")] == "none"
    cats = categories(study, by_valence=True, min_participants=2)
    assert cats[("Ward staff", "facilitator")] == "none"
    # Role is coded by two participants in H1 only.
    result = find_project_patterns(study, PresenceRule(by_valence=True, min_participants=2))
    role = next(r for r in result.rows if r.name == "Role")
    assert role.present_in == ("H1",) and role.counts["H1"].participants == 2
    assert role.category == "none"


def test_relaxed_share_on_a_project(tmp_path: Path) -> None:
    cases = {f"H{i}": {"group": "high"} for i in range(1, 6)}
    cases |= {f"L{i}": {"group": "low"} for i in range(1, 6)}
    codings = [(f"H{i}P1", "Almost high", "facilitator", 1) for i in range(1, 5)]
    codings += [
        (f"{g}{i}P1", "Almost shared", None, 1)
        for g in "HL"
        for i in range(1, 6)
        if (g, i) != ("L", 5)
    ]
    project = build_project(
        tmp_path / "relaxed.db", Spec(cases, ["Almost high", "Almost shared"], codings)
    )
    exact = find_project_patterns(project, PresenceRule())
    assert {r.name: r.category for r in exact.rows} == {
        "Almost high": "none",
        "Almost shared": "none",
    }
    relaxed = find_project_patterns(project, PresenceRule(share=Fraction(4, 5)))
    assert {r.name: r.category for r in relaxed.rows} == {
        "Almost high": "high",
        "Almost shared": "shared",
    }
    doc = to_json(relaxed)
    assert doc["rules"]["mode"] == "relaxed" and doc["rules"]["share"] == 0.8
    assert "RELAXED" in doc["rules"]["summary"] and "80%" in doc["rules"]["summary"]
    assert (
        "at least 80% of high cases and at most 20% of low cases"
        in doc["rules"]["categories"]["high"]
    )
    assert to_json(exact)["rules"]["mode"] == "exact"


def test_json_contract_shape(study: Project) -> None:
    doc = to_json(find_project_patterns(study, PresenceRule(by_valence=True)))
    assert set(doc) == {"groups", "rules", "codes"}
    assert doc["groups"] == {
        "H1": "high",
        "H2": "high",
        "L1": "low",
        "L2": "low",
        "O1": "outlier",
        "U1": None,
    }
    assert isinstance(doc["rules"], dict)
    for code in doc["codes"]:
        assert set(code) == {"name", "path", "valence", "category", "present_in", "outlier_shares"}
        assert isinstance(code["name"], str) and code["path"][-1] == code["name"]
        assert code["valence"] in (None, "facilitator", "barrier", "neutral")
        assert code["category"] in ("shared", "high", "low", "outlier", "none")
        assert set(code["present_in"]) <= {"H1", "H2", "L1", "L2", "O1"}
        assert set(code["outlier_shares"]) == {"O1"}
        assert code["outlier_shares"]["O1"] in (None, "high", "low", "shared", "only")
    ward = next(c for c in doc["codes"] if c["name"] == "Ward staff" and c["valence"] == "barrier")
    assert ward == {
        "name": "Ward staff",
        "path": ["Ward staff"],
        "valence": "barrier",
        "category": "low",
        "present_in": ["L1", "L2", "O1"],
        "outlier_shares": {"O1": "low"},
    }
    child = next(c for c in doc["codes"] if c["name"] == "Child")
    assert child["path"] == ["Parent", "Child"]
    json.dumps(doc)  # plain JSON types only


def test_groups_from_attribute_for_one_run(tmp_path: Path) -> None:
    spec = study_spec()
    spec.manual_groups = False
    project = build_project(tmp_path / "attr.db", spec)
    none = find_project_patterns(project, PresenceRule(by_valence=True))
    assert all(r.category == "none" for r in none.rows)
    assert any("No case has a group" in w for w in none.warnings)
    result = find_project_patterns(project, PresenceRule(by_valence=True), groups_from="group")
    assert {r.name: r.category for r in result.rows if r.valence == "barrier"}["Geography"] == "low"
    assert to_json(result)["rules"]["groups_from"] == "group"
    with pytest.raises(InvalidInputError, match="No case has an attribute 'grup'"):
        find_project_patterns(project, groups_from="grup")


def test_codings_without_a_case_are_reported(study: Project) -> None:
    from qualcode.services.coding import add_coding

    doc_id = add_document(study, "loose note", "A note with no case at all.")
    add_coding(study, doc_id, 0, 6, "Geography", valence="barrier")
    result = find_project_patterns(study, PresenceRule(by_valence=True))
    assert any(
        "1 coding(s) are in documents not attached to any case" in w for w in result.warnings
    )
    geo = next(r for r in result.rows if r.name == "Geography")
    assert geo.category == "low"


def run_cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QUALCODE_CODER="cli-tester", PYTHONIOENCODING="utf-8")
    env.pop("QUALCODE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "qualcode", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_patterns_command(study: Project, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from qualcode.cli.main import cli

    db = Path(study.location)
    out = run_cli(db, "patterns", "--by-valence", "--format", "json")  # the real command
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) == {"groups", "rules", "codes"}
    assert {(c["name"], c["valence"]): c["category"] for c in doc["codes"]}[
        ("Team dynamics", "barrier")
    ] == "outlier"
    bad = run_cli(db, "patterns", "--share", "0.4")
    assert bad.returncode == 1 and bad.stderr.startswith("error: --share 0.4")
    table = CliRunner().invoke(cli, ["--db", str(db), "patterns", "--by-valence", "--share", "0.8"])
    assert table.exit_code == 0, table.output
    assert "RELAXED rules (share 0.8)" in table.output
    assert "A. Shared across all cases" in table.output
    assert "D. O1 shares with the low group (1)" in table.output
    missing_out = CliRunner().invoke(cli, ["--db", str(db), "patterns", "--format", "docx"])
    assert missing_out.exit_code != 0 and "--out" in missing_out.output
