"""The demo project reproduces the structure of the reference study's findings (results A–D)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.analysis.patterns import PatternResult, PresenceRule
from qualcode.services.demo import open_or_build_demo
from qualcode.services.patterns import (
    clear_groups,
    find_project_patterns,
    list_groups,
    set_group_rules,
)
from qualcode.services.project import Project

STUDY_RULES = [
    "high: fidelity >= 10 and engagement >= 60",
    "low: fidelity < 10 and engagement < 50",
    "outlier: fidelity >= 10 and engagement < 60",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    path = Path(tmp_path_factory.mktemp("demo")) / "demo.db"
    project, _ = open_or_build_demo(path, coder="tester")
    return project


def labels(result: PatternResult, category: str) -> set[tuple[str, str | None]]:
    return {(r.name, r.valence) for r in result.by_category(category)}


def check_study_structure(result: PatternResult) -> None:
    assert result.groups["high"] == ["Site 3", "Site 5"]
    assert result.groups["low"] == ["Site 4", "Site 6"]
    assert result.groups["outlier"] == ["Site 2"]
    # A. Shared across all cases.
    assert {
        ("Role characterisation", "facilitator"),
        ("Monitoring and feedback", "barrier"),
        ("Timing of the offer", "barrier"),
    } <= labels(result, "shared")
    # B. High fidelity–high engagement cases.
    assert {
        ("Relationship with ward staff", "facilitator"),
        ("Leadership", "facilitator"),
    } <= labels(result, "high")
    # C. Low fidelity–low engagement cases.
    assert {("Geography", "barrier"), ("Access and authority", "barrier")} <= labels(result, "low")
    # D. The outlier: what only it has, and what it shares with the low group.
    view = result.outlier_view("Site 2")
    assert ("Team dynamics", "barrier") in {(r.name, r.valence) for r in view["only"]}
    assert ("Relationship with ward staff", "barrier") in {(r.name, r.valence) for r in view["low"]}
    ward = {r.valence: r for r in result.rows if r.name == "Relationship with ward staff"}
    assert ward["barrier"].outlier_shares == {"Site 2": "low"}
    assert ward["facilitator"].outlier_shares == {"Site 2": None}


def test_demo_patterns_from_the_stored_groups(demo: Project) -> None:
    clear_groups(demo)  # forgets hand-set groups only; the imported ones stay
    result = find_project_patterns(demo, PresenceRule(by_valence=True))
    check_study_structure(result)
    assert result.warnings == []


def test_demo_patterns_from_rules_over_fidelity_and_engagement(demo: Project) -> None:
    set_group_rules(demo, STUDY_RULES)
    reasons = {a.case: a.reason for a in list_groups(demo)}
    assert reasons["Site 2"] == (
        "rule outlier: fidelity 11 >= 10 is true; engagement 51 < 60 is true"
    )
    check_study_structure(find_project_patterns(demo, PresenceRule(by_valence=True)))
    # The same construct is a facilitator in some sites and a barrier in others: without
    # valence it is simply present everywhere.
    plain = find_project_patterns(demo)
    assert ("Relationship with ward staff", None) in labels(plain, "shared")
