"""Crisp-set QCA: truth tables and Quine–McCluskey against hand-worked examples."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from qualcode.analysis.qca import (
    CaseInput,
    covers,
    parse_condition,
    prime_implicants,
    run_qca,
    term_text,
    to_json,
)
from qualcode.analysis.qca_covers import minimal_covers
from qualcode.analysis.rules import RuleError
from qualcode.errors import InvalidInputError, NotFoundError
from qualcode.services.project import Project
from qualcode.services.qca import run_project_qca
from tests.patterns_data import build_project, study_spec

ABC = ["A", "B", "C"]


def conds(*labels: str) -> list:
    return [parse_condition(f"{lab}: {lab.lower()} == 1") for lab in labels]


def cases(rows: list[tuple[str, tuple[int, ...], int]], labels: list[str]) -> list[CaseInput]:
    out = []
    for name, values, y in rows:
        attrs: dict[str, int | float | str] = {
            lab.lower(): v for lab, v in zip(labels, values, strict=True)
        }
        attrs["y"] = y
        out.append(CaseInput(name, attrs))
    return out


def terms(solution) -> set[str]:  # type: ignore[no-untyped-def]
    return {t.expression for t in solution.terms}


def test_prime_implicants_of_a_classic_function() -> None:
    # f(A,B,C) = Σm(0,1,2,5,6,7): six prime implicants, each covering two minterms.
    primes = prime_implicants({0, 1, 2, 5, 6, 7}, 3)
    assert {term_text(p, ABC) for p in primes} == {"~A*~B", "~A*~C", "~B*C", "B*~C", "A*C", "A*B"}
    # ...and a cyclic chart with exactly two minimal covers of three terms.
    covers_found = {
        frozenset(term_text(p, ABC) for p in c)
        for c in minimal_covers({0, 1, 2, 5, 6, 7}, primes, 3)
    }
    assert covers_found == {
        frozenset({"~A*~B", "B*~C", "A*C"}),
        frozenset({"~A*~C", "~B*C", "A*B"}),
    }


def test_complex_and_parsimonious_solutions_hand_worked() -> None:
    # Observed: 111 -> 1, 110 -> 1, 011 -> 0, 001 -> 0, 000 -> 0. Remainders: 101, 100, 010.
    data = cases(
        [
            ("c1", (1, 1, 1), 1),
            ("c2", (1, 1, 0), 1),
            ("c3", (0, 1, 1), 0),
            ("c4", (0, 0, 1), 0),
            ("c5", (0, 0, 0), 0),
        ],
        ABC,
    )
    result = run_qca(data, conds(*ABC), parse_condition("Y: y == 1"))
    assert [(r.values, r.output, r.cases) for r in result.truth_table] == [
        ((1, 1, 1), "1", ("c1",)),
        ((1, 1, 0), "1", ("c2",)),
        ((0, 1, 1), "0", ("c3",)),
        ((0, 0, 1), "0", ("c4",)),
        ((0, 0, 0), "0", ("c5",)),
    ]
    assert result.remainders == [(1, 0, 1), (1, 0, 0), (0, 1, 0)]
    assert [s.expression for s in result.complex] == ["A*B"]  # ABC + AB~C
    assert [s.expression for s in result.parsimonious] == ["A"]  # with 101 and 100 as remainders
    sol = result.parsimonious[0]
    assert sol.consistency == 1.0 and sol.coverage == 1.0
    assert sol.terms[0].cases == ("c1", "c2")


def test_two_paths_and_model_ambiguity() -> None:
    # ON = {01, 10}, OFF = {00}, remainder {11}: complex ~A*B + A*~B; parsimonious A + B.
    data = cases([("p", (0, 1), 1), ("q", (1, 0), 1), ("r", (0, 0), 0)], ["A", "B"])
    result = run_qca(data, conds("A", "B"), parse_condition("Y: y == 1"))
    assert [terms(s) for s in result.complex] == [{"~A*B", "A*~B"}]
    assert [terms(s) for s in result.parsimonious] == [{"A", "B"}]
    for t in result.parsimonious[0].terms:
        assert t.raw_coverage == 0.5 and t.unique_coverage == 0.5
    # Cyclic: both minimal complex solutions are reported.
    on = [0, 1, 2, 5, 6, 7]
    rows = [(f"k{m}", tuple((m >> (2 - i)) & 1 for i in range(3)), int(m in on)) for m in range(8)]
    result = run_qca(cases(rows, ABC), conds(*ABC), parse_condition("Y: y == 1"))
    assert len(result.complex) == 2 and result.remainders == []
    assert {frozenset(terms(s)) for s in result.complex} == {
        frozenset({"~A*~B", "B*~C", "A*C"}),
        frozenset({"~A*~C", "~B*C", "A*B"}),
    }


def test_contradictions_consistency_and_frequency() -> None:
    data = cases(
        [
            ("a1", (1, 1), 1),
            ("a2", (1, 1), 0),
            ("b", (1, 0), 1),
            ("c", (0, 0), 0),
            ("d", (0, 1), 1),
            ("e", (0, 1), 1),
        ],
        ["A", "B"],
    )
    outcome = parse_condition("Y: y == 1")
    result = run_qca(data, conds("A", "B"), outcome)
    rows = {r.values: r for r in result.truth_table}
    assert rows[(1, 1)].output == "C" and rows[(1, 1)].consistency == 0.5
    assert rows[(0, 1)].coverage == 0.5 and rows[(1, 0)].coverage == 0.25
    assert any("Contradictory rows" in w for w in result.warnings)
    # The contradiction (11) is never used as a remainder: A*~B + ~A*B is all that is left.
    assert [terms(s) for s in result.parsimonious] == [{"A*~B", "~A*B"}]
    lenient = run_qca(data, conds("A", "B"), outcome, threshold=0.5)
    assert [terms(s) for s in lenient.parsimonious] == [{"A", "B"}]
    sol = lenient.parsimonious[0]
    assert sol.consistency == pytest.approx(4 / 5) and sol.coverage == 1.0
    rare = run_qca(data, conds("A", "B"), outcome, min_cases=2)
    assert {r.values: r.output for r in rare.truth_table}[(1, 0)] == "?"
    assert (1, 0) in rare.remainders
    assert [terms(s) for s in rare.complex] == [{"~A*B"}]
    assert [terms(s) for s in rare.parsimonious] == [{"~A"}]


def test_minimisation_is_sound_on_random_tables() -> None:
    rng = random.Random(4)
    for _ in range(60):
        k = rng.randint(2, 5)
        configs = list(range(2**k))
        rng.shuffle(configs)
        observed = configs[: rng.randint(1, len(configs))]
        on = {c for c in observed if rng.random() < 0.5}
        off = set(observed) - on
        labels = [f"X{i}" for i in range(k)]
        rows = [
            (f"c{c}", tuple((c >> (k - 1 - i)) & 1 for i in range(k)), int(c in on))
            for c in observed
        ]
        result = run_qca(cases(rows, labels), conds(*labels), parse_condition("Y: y == 1"))
        for kind, sols in (("complex", result.complex), ("parsimonious", result.parsimonious)):
            assert bool(sols) == bool(on)
            for s in sols:
                imps = [t.implicant for t in s.terms]
                assert all(any(covers(p, m) for p in imps) for m in on), kind
                assert not any(covers(p, m) for p in imps for m in off), kind
                if kind == "complex":
                    assert all(covers(p, m) <= (m in on) for p in imps for m in range(2**k))
        if on:  # the parsimonious solution is never longer than the complex one
            assert len(result.parsimonious[0].terms) <= len(result.complex[0].terms)


def test_minimal_against_brute_force_for_three_conditions() -> None:
    cubes = [(v, m) for m in range(8) for v in range(8) if v & m == 0]
    for on_bits in random.Random(1).sample(range(1, 256), 64):
        on = {i for i in range(8) if on_bits >> i & 1}
        best = min(
            n
            for n in range(1, 5)
            for combo in itertools.combinations(
                [c for c in cubes if all(covers(c, t) <= (t in on) for t in range(8))], n
            )
            if all(any(covers(c, t) for c in combo) for t in on)
        )
        found = minimal_covers(on, prime_implicants(on, 3), 3)
        assert found and all(len(f) == best for f in found), on


def test_labels_and_limits() -> None:
    assert parse_condition("fidelity >= 10").label == "FIDELITY"
    assert (
        parse_condition('code("Context/Relationship with ward staff", "barrier")').label
        == "RELATIONSHIP_WITH_WA"
    )
    with pytest.raises(RuleError, match="labels must differ"):
        run_qca([], conds("A", "A"), parse_condition("Y: y == 1"))
    with pytest.raises(InvalidInputError, match="at least one --condition"):
        run_qca([], [], parse_condition("Y: y == 1"))
    with pytest.raises(RuleError, match=r"column 17 \(at the end\)"):
        parse_condition("FID: fidelity >=")


@pytest.fixture
def study(tmp_path: Path) -> Project:
    return build_project(tmp_path / "qca.db", study_spec())


def test_qca_over_a_project_with_code_presence(study: Project) -> None:
    result = run_project_qca(
        study,
        [
            "FID: fidelity >= 10",
            "WARD: code('Ward staff', 'facilitator')",
            "GEO: code('Geography', 'b')",
        ],
        "ENG: engagement >= 60",
    )
    values = {r.case: (r.values, r.outcome) for r in result.cases}
    assert values == {
        "H1": ((1, 1, 0), 1),
        "H2": ((1, 1, 0), 1),
        "L1": ((0, 0, 1), 0),
        "L2": ((0, 0, 1), 0),
        "O1": ((1, 0, 0), 0),
        "U1": ((0, 0, 0), 0),
    }
    assert [s.expression for s in result.complex] == ["FID*WARD*~GEO"]
    assert [s.expression for s in result.parsimonious] == ["WARD"]
    doc = to_json(result)
    assert set(doc) == {
        "conditions",
        "outcome",
        "settings",
        "cases",
        "calibration",
        "truth_table",
        "remainders",
        "solutions",
        "essential",
        "search",
        "necessity",
        "warnings",
    }
    assert doc["search"] == {"complex": "complete", "parsimonious": "complete"}
    assert doc["solutions"]["parsimonious"][0]["terms"][0]["cases"] == ["H1", "H2"]
    json.dumps(doc)
    only_grouped = run_project_qca(
        study, ["FID: fidelity >= 10"], "ENG: engagement >= 60", grouped_only=True
    )
    assert "U1" not in {r.case for r in only_grouped.cases}


def test_qca_errors_and_left_out_cases(study: Project) -> None:
    from qualcode.services.cases import set_case

    set_case(study, "X9", {"engagement": "80"})
    result = run_project_qca(study, ["FID: fidelity >= 10"], "ENG: engagement >= 60")
    left = [r for r in result.cases if not r.included]
    assert [r.case for r in left] == ["X9"] and "fidelity is missing" in left[0].reason
    assert any("Left out" in w and "X9" in w for w in result.warnings)
    with pytest.raises(RuleError, match="no case has an attribute 'fidelty'"):
        run_project_qca(study, ["FID: fidelty >= 10"], "ENG: engagement >= 60")
    with pytest.raises(RuleError, match=r"nope\(\.\.\.\) is not known"):
        run_project_qca(study, ["N: nope('x')"], "ENG: engagement >= 60")
    with pytest.raises(NotFoundError, match=r"^N \(\"N: code\('Nowhere'\)\"\): No code 'Nowhere'"):
        run_project_qca(study, ["N: code('Nowhere')"], "ENG: engagement >= 60")


def test_qca_command(study: Project) -> None:
    from click.testing import CliRunner

    from qualcode.cli.main import cli

    out = CliRunner().invoke(
        cli,
        [
            "--db",
            study.location,
            "qca",
            "--condition",
            "FID: fidelity >= 10",
            "--condition",
            "WARD: code('Ward staff', 'facilitator')",
            "--outcome",
            "ENG: engagement >= 60",
        ],
    )
    assert out.exit_code == 0, out.output
    assert "FID WARD  OUT    n  consist  cover  cases" in out.output
    assert "  1    1    1    2     1.00   1.00  H1, H2" in out.output
    assert "Models: every cover with the fewest prime implicants." in out.output
    assert "  M1: WARD -> ENG   consistency 1.00, coverage 1.00" in out.output
    js = CliRunner().invoke(
        cli,
        [
            "--db",
            study.location,
            "qca",
            "--condition",
            "FID: fidelity >= 10",
            "--outcome",
            "ENG: engagement >= 60",
            "--format",
            "json",
        ],
    )
    doc = json.loads(js.output)
    fid = next(r for r in doc["truth_table"] if r["values"] == {"FID": 1})
    assert fid["output"] == "C" and fid["cases"] == ["H1", "H2", "O1"]
    assert fid["consistency"] == pytest.approx(2 / 3)
    assert doc["solutions"] == {"complex": [], "parsimonious": []}


def test_qca_command_necessity_calibration_intermediate(study: Project) -> None:
    import subprocess
    import sys

    base = [
        sys.executable,
        "-m",
        "qualcode",
        "--db",
        study.location,
        "qca",
        "--condition",
        "FID: fidelity >= 10",
        "--condition",
        "WARD: code('Ward staff', 'facilitator')",
        "--outcome",
        "ENG: engagement >= 60",
    ]
    run = subprocess.run(
        [*base, "--necessity", "--calibration", "--expect", "FID=1", "--expect", "WARD=1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    text = run.stdout
    assert "Directional expectations: FID=1, WARD=1" in text
    assert "Intermediate solution (easy counterfactuals only): 1 model(s)" in text
    # WARD is in H1, H2 (both engaged) only: necessary (1.00), sufficient, RoN 4/4.
    assert "  WARD                        1.00   1.00   1.00  H1, H2" in text
    assert "  FID                         1.00   0.67   0.75  H1, H2" in text
    assert "  H1: FID fidelity=" in text and "WARD " in text and "coding(s)" in text
    negated = subprocess.run(
        [*base, "--negate-outcome", "--format", "json"], capture_output=True, text=True, check=False
    )
    doc = json.loads(negated.stdout)
    assert doc["outcome"]["label"] == "~ENG" and doc["outcome"]["negated"] is True
    assert [s["expression"] for s in doc["solutions"]["parsimonious"]] == ["~WARD"]
    cal = {c["case"]: c["cells"] for c in doc["calibration"]}
    assert cal["L1"][1]["membership"] == 0 and cal["H1"][1]["membership"] == 1


def test_qca_export_docx_and_xlsx(study: Project, tmp_path: Path) -> None:
    import subprocess
    import sys

    from docx import Document
    from openpyxl import load_workbook

    base = [
        sys.executable,
        "-m",
        "qualcode",
        "--db",
        study.location,
        "qca",
        "--condition",
        "FID: fidelity >= 10",
        "--condition",
        "WARD: code('Ward staff', 'facilitator')",
        "--outcome",
        "ENG: engagement >= 60",
        "--expect",
        "FID=1",
    ]
    for suffix in ("docx", "xlsx"):
        out = tmp_path / f"qca.{suffix}"
        run = subprocess.run(
            [*base, "--export", str(out)], capture_output=True, text=True, check=False
        )
        assert run.returncode == 0, run.stderr
        assert f"Wrote {out}" in run.stdout
    doc = Document(str(tmp_path / "qca.docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 2")]
    assert headings == [
        "Truth table",
        "Complex solution",
        "Intermediate solution",
        "Parsimonious solution",
        "Necessity for ENG",
        "Calibration",
    ]
    truth = doc.tables[0]
    assert [c.text for c in truth.rows[0].cells] == [
        "FID",
        "WARD",
        "ENG",
        "n",
        "Consistency",
        "Coverage",
        "Cases",
    ]
    assert [c.text for c in truth.rows[1].cells] == ["1", "1", "1", "2", "1.0", "1.0", "H1, H2"]
    pars = doc.tables[3]
    assert [c.text for c in pars.rows[1].cells][:2] == ["M1", "WARD"]
    wb = load_workbook(tmp_path / "qca.xlsx")
    assert wb.sheetnames == [
        "Truth table",
        "Complex solution",
        "Intermediate solution",
        "Parsimonious solution",
        "Necessity for ENG",
        "Calibration",
    ]
    nec = wb["Necessity for ENG"]
    assert [c.value for c in nec[2]] == ["Condition", "Consistency", "Coverage", "RoN", "Cases"]
    assert [c.value for c in nec[5]] == ["WARD", 1, 1, 1, "H1, H2"]
    bad = subprocess.run(
        [*base, "--export", str(tmp_path / "qca.pdf")], capture_output=True, text=True, check=False
    )
    assert bad.returncode != 0 and "give a .docx or .xlsx" in bad.stderr
    assert not (tmp_path / "qca.pdf").exists()


def test_qca_command_contradictions_and_quotes(study: Project) -> None:
    import subprocess
    import sys

    base = [
        sys.executable,
        "-m",
        "qualcode",
        "--db",
        study.location,
        "qca",
        "--condition",
        "WARD: code('Ward staff')",
        "--outcome",
        "ENG: engagement >= 60",
    ]
    run = subprocess.run([*base, "--quotes"], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "  WARD: with ENG: H1, H2; without: L1, L2, O1" in run.stdout
    assert (
        '  L1: 1 passage(s)\n    [WARD] L1P1: "Sentence 9.0 of L1P1 about Ward staff."'
        in run.stdout
    )
    drop = subprocess.run(
        [*base, "--contradictions", "drop", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    doc = json.loads(drop.stdout)
    assert doc["settings"]["contradictions"] == "drop"
    assert [r["values"] for r in doc["truth_table"]] == [{"WARD": 0}]
    assert any("H1, H2, L1, L2, O1" in w for w in doc["warnings"])
