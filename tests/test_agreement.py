"""Agreement figures equal the krippendorff package and scikit-learn on the same decisions."""

from __future__ import annotations

import math

import pytest

from qualcode.errors import InvalidInputError, NotFoundError
from qualcode.services.agreement import compute_agreement
from qualcode.services.project import Project
from tests.agreement_data import add_segments, code_as, double_coded, reference_decisions
from tests.conftest import add_document

krippendorff = pytest.importorskip("krippendorff", reason="pip install -e '.[test]' brings it")
metrics = pytest.importorskip("sklearn.metrics", reason="pip install -e '.[test]' brings it")


def close(a: float | None, b: float) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("unit", ["sentence", "char"])
def test_two_coders_match_krippendorff_and_sklearn(project: Project, unit: str) -> None:
    data = double_coded(project)
    result = compute_agreement(project, ["ann", "ben"], unit)
    ref = reference_decisions(project, ("ann", "ben"), unit)
    by_name = {c.name: c for c in result.codes}
    pooled_a: list[int] = []
    pooled_b: list[int] = []
    for name, code_id in data["codes"].items():  # type: ignore[union-attr]
        got = by_name[name].figures
        a, b = ref[code_id]
        assert got.units == len(a)
        if name == "Unused":
            assert (got.percent, got.kappa, got.alpha) == (None, None, None)
            assert "no coder" in got.reasons["all"]
            continue
        pooled_a += a
        pooled_b += b
        assert close(got.percent, 100.0 * sum(x == y for x, y in zip(a, b)) / len(a))
        assert close(got.kappa, metrics.cohen_kappa_score(a, b))
        assert close(
            got.alpha, krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal")
        )
    assert by_name["Agreed"].figures.kappa == pytest.approx(1.0)
    assert 0.0 < by_name["Mixed"].figures.kappa < 0.9  # planted disagreements show
    overall = result.overall
    assert overall.units == len(pooled_a)
    assert close(overall.kappa, metrics.cohen_kappa_score(pooled_a, pooled_b))
    assert close(
        overall.alpha,
        krippendorff.alpha(reliability_data=[pooled_a, pooled_b], level_of_measurement="nominal"),
    )


def test_three_coders_alpha_only(project: Project) -> None:
    data = double_coded(project, coders=("ann", "ben", "cat"), seed=11)
    result = compute_agreement(project, ["ann", "ben", "cat"], "sentence")
    ref = reference_decisions(project, ("ann", "ben", "cat"), "sentence")
    mixed = next(c for c in result.codes if c.name == "Mixed").figures
    rows = ref[data["codes"]["Mixed"]]  # type: ignore[index]
    assert mixed.kappa is None and "two coders" in mixed.reasons["kappa"]
    assert close(
        mixed.alpha, krippendorff.alpha(reliability_data=rows, level_of_measurement="nominal")
    )
    same = sum(len(set(col)) == 1 for col in zip(*rows))
    assert close(mixed.percent, 100.0 * same / len(rows[0]))
    assert result.to_json()["overall"]["kappa"] is None


def test_turn_units_and_json_shape(project: Project) -> None:
    data = double_coded(project)
    for doc_id, (_text, spans) in data["docs"].items():  # type: ignore[union-attr]
        turns = [
            (spans[i][0], spans[min(i + 1, len(spans) - 1)][1]) for i in range(0, len(spans), 2)
        ]
        add_segments(project, doc_id, turns, kind="turn")
    out = compute_agreement(project, ["ann", "ben"], "turn").to_json()
    assert out["unit"] == "turn" and out["coders"] == ["ann", "ben"]
    assert set(out["codes"][0]) >= {"code", "path", "percent", "kappa", "alpha", "units"}
    assert set(out["overall"]) >= {"percent", "kappa", "alpha"}
    assert "overlaps it by at least one character" in out["definition"]
    ref = reference_decisions(project, ("ann", "ben"), "turn")
    mixed = next(c for c in out["codes"] if c["code"] == "Mixed")
    a, b = ref[data["codes"]["Mixed"]]  # type: ignore[index]
    assert close(mixed["kappa"], metrics.cohen_kappa_score(a, b))


def test_identical_single_choice_gives_null_not_a_crash(project: Project) -> None:
    code = double_coded(project)["codes"]["Agreed"]  # type: ignore[index]
    result = compute_agreement(project, ["ann", "ben"], "sentence", codes=["Unused"])
    f = result.codes[0].figures
    assert f.percent is None and result.overall.percent is None
    assert code  # the project does have other codes; only the chosen one is listed
    assert [c.name for c in result.codes] == ["Unused"]


def test_every_unit_coded_by_both_is_undefined_kappa(project: Project) -> None:
    from qualcode.services.codebook import create_code

    text = "One. Two."
    doc = add_document(project, "D", text)
    add_segments(project, doc, [(0, 4), (5, 9)])
    code = create_code(project, "All").id
    for who in ("ann", "ben"):
        code_as(project, who, doc, code, 0, 9)
    f = compute_agreement(project, ["ann", "ben"], "sentence").codes[0].figures
    assert f.percent == 100.0 and f.kappa is None and f.alpha is None
    assert "undefined" in f.reasons["kappa"]


def test_bad_input_is_reported(project: Project) -> None:
    double_coded(project)
    with pytest.raises(NotFoundError, match="No coder 'zoe'.*ann, ben"):
        compute_agreement(project, ["ann", "zoe"])
    with pytest.raises(InvalidInputError, match="at least two coders"):
        compute_agreement(project, ["ann"])
    with pytest.raises(InvalidInputError, match="not one of"):
        compute_agreement(project, ["ann", "ben"], "paragraph")


def test_no_document_coded_by_both(project: Project) -> None:
    from qualcode.services.codebook import create_code

    code = create_code(project, "C").id
    d1 = add_document(project, "D1", "Alpha beta.")
    d2 = add_document(project, "D2", "Gamma delta.")
    code_as(project, "ann", d1, code, 0, 5)
    code_as(project, "ben", d2, code, 0, 5)
    with pytest.raises(InvalidInputError, match="No document compared was coded by all"):
        compute_agreement(project, ["ann", "ben"], "char")
    with pytest.raises(InvalidInputError, match="No document compared"):
        compute_agreement(project, ["ann", "ben"], "char", documents=["D1"])
