"""The service layer the CLI and TUI share: codebook, coding, cases, memos, transactions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode.errors import ConflictError, InvalidInputError, NotFoundError
from qualcode.services import cases, codebook, coding, memos
from qualcode.services.frameworks import apply_framework
from qualcode.services.project import Project
from qualcode.store.models import AuditEntry, Code, Coding
from tests.conftest import add_document

TEXT = (
    "Interviewer: How were the wards?\n\n"
    "S3PW1: The ward staff were welcoming. They saw the value of lived experience.\n\n"
    "Interviewer: And the community teams?\n\n"
    "S3PW1: Nobody got back to me. Nobody got back to me at all."
)


@pytest.fixture
def coded(project: Project) -> Project:
    apply_framework(project, "modified-parihs")
    add_document(project, "S3PW1", TEXT, participant="S3PW1", case="Site 3")
    return project


def test_apply_framework_builds_tree_and_is_idempotent(project: Project) -> None:
    first = apply_framework(project, "modified-parihs")
    assert "Context/Leadership/Access and authority" in first.created
    again = apply_framework(project, "modified-parihs")
    assert again.created == [] and len(again.updated) == len(first.created)
    codes = {c.path_str: c for c in codebook.list_codes(project)}
    assert codes["Context"].codable is False
    assert codes["Context/Culture"].origin == "framework"
    assert codes["Context/Culture"].definition
    assert codes["Context/Culture"].shortcut == "c"


def test_add_coding_by_phrase_range_and_list(coded: Project) -> None:
    row = coding.add_coding_by_phrase(
        coded, "S3PW1", "The ward staff were welcoming.", "Culture", valence="f", memo="valued"
    )
    assert row.text == "The ward staff were welcoming."
    assert TEXT[row.start : row.end] == row.text
    assert (row.case, row.participant, row.code_path) == ("Site 3", "S3PW1", ("Context", "Culture"))
    assert row.valence == "facilitator" and row.coder == "tester" and row.memo == "valued"
    start = TEXT.index("Nobody got back to me at all")
    row2 = coding.add_coding(
        coded, "S3PW1", start, start + 28, "Context/Monitoring and feedback", valence="barrier"
    )
    rows = coding.list_codings(coded)
    assert [r.id for r in rows] == [row.id, row2.id]
    assert json.loads(json.dumps(rows[1].to_json()))["code_path"] == [
        "Context",
        "Monitoring and feedback",
    ]
    assert [r.id for r in coding.list_codings(coded, code="Context", include_children=True)] == [
        row.id,
        row2.id,
    ]
    assert coding.list_codings(coded, code="Context") == []
    assert [r.id for r in coding.list_codings(coded, valence="barrier")] == [row2.id]


def test_coding_errors_are_clear_and_store_nothing(coded: Project) -> None:
    with pytest.raises(InvalidInputError, match="occurs 2 times"):
        coding.add_coding_by_phrase(coded, "S3PW1", "Nobody got back to me", "Culture")
    with pytest.raises(NotFoundError, match="does not occur"):
        coding.add_coding_by_phrase(coded, "S3PW1", "not in the text", "Culture")
    with pytest.raises(InvalidInputError, match="outside"):
        coding.add_coding(coded, "S3PW1", 10, 10_000, "Culture")
    with pytest.raises(InvalidInputError, match="heading"):
        coding.add_coding(coded, "S3PW1", 0, 5, "Context")
    with pytest.raises(NotFoundError, match="Did you mean 'Culture'"):
        coding.add_coding(coded, "S3PW1", 0, 5, "Cultur")
    with pytest.raises(InvalidInputError, match="Valence"):
        coding.add_coding(coded, "S3PW1", 0, 5, "Culture", valence="good")
    with pytest.raises(NotFoundError, match="No document"):
        coding.add_coding(coded, "S9PW9", 0, 5, "Culture")
    with coded.read() as s:
        assert s.scalar(select(func.count()).select_from(Coding)) == 0
        # failed operations leave no audit entries either
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.operation == "add coding")
            )
            == 0
        )


def test_phrase_occurrence_and_duplicate(coded: Project) -> None:
    row = coding.add_coding_by_phrase(
        coded, "S3PW1", "Nobody got back to me", "Culture", occurrence=2
    )
    assert row.start == TEXT.index("Nobody got back to me at all")
    with pytest.raises(ConflictError, match="already coded"):
        coding.add_coding(coded, "S3PW1", row.start, row.end, "Culture")


def test_update_and_remove_coding(coded: Project) -> None:
    row = coding.add_coding_by_phrase(coded, "S3PW1", "The ward staff were welcoming.", "Culture")
    changed = coding.update_coding(coded, row.id, valence="barrier", memo="on reflection")
    assert (changed.valence, changed.memo) == ("barrier", "on reflection")
    cleared = coding.update_coding(coded, row.id, valence=None)
    assert cleared.valence is None and cleared.memo == "on reflection"
    moved = coding.update_coding(coded, row.id, code="Leadership")
    assert moved.code_path == ("Context", "Leadership")
    removed = coding.remove_coding(coded, row.id)
    assert removed.id == row.id and coding.list_codings(coded) == []
    restored = coding.add_coding(
        coded,
        "S3PW1",
        removed.start,
        removed.end,
        removed.code_id,
        valence=removed.valence,
        memo=removed.memo,
        coding_id=removed.id,
    )
    assert restored.id == row.id


def test_inductive_codes_rename_move_merge_delete(coded: Project) -> None:
    geo = codebook.create_code(coded, "Geography", definition="Distance and travel")
    assert geo.origin == "inductive" and geo.colour
    travel = codebook.create_code(coded, "Travel time", parent="Geography")
    assert travel.path == ("Geography", "Travel time")
    with pytest.raises(ConflictError):
        codebook.create_code(coded, "geography")
    with pytest.raises(InvalidInputError, match="'/'"):
        codebook.create_code(coded, "a/b")
    c1 = coding.add_coding_by_phrase(coded, "S3PW1", "Nobody got back to me at all.", "Travel time")
    renamed = codebook.update_code(coded, "Geography", name="Distance", colour="#112233")
    assert renamed.name == "Distance" and renamed.colour == "#112233"
    assert coding.get_coding(coded, c1.id).code_path == ("Distance", "Travel time")
    moved = codebook.move_code(coded, "Travel time", "Context")
    assert moved.path == ("Context", "Travel time")
    with pytest.raises(InvalidInputError, match="under itself"):
        codebook.move_code(coded, "Context", "Context/Travel time")
    n = codebook.merge_codes(coded, "Context/Travel time", "Culture")
    assert n == 1 and coding.get_coding(coded, c1.id).code_path == ("Context", "Culture")
    with coded.read() as s:
        assert s.scalar(select(Code).where(Code.name == "Travel time")) is None
    with pytest.raises(ConflictError, match="1 codings"):
        codebook.delete_code(coded, "Culture")
    assert codebook.delete_code(coded, "Distance") == 0


def test_merge_drops_exact_duplicates(coded: Project) -> None:
    codebook.create_code(coded, "Welcome")
    a = coding.add_coding_by_phrase(coded, "S3PW1", "The ward staff were welcoming.", "Welcome")
    coding.add_coding(coded, "S3PW1", a.start, a.end, "Culture")
    assert codebook.merge_codes(coded, "Welcome", "Culture") == 0
    assert len(coding.list_codings(coded)) == 1


def test_cases_typed_attributes_and_csv(project: Project, tmp_path: Path) -> None:
    info = cases.set_case(
        project,
        "Site 3",
        cases.parse_assignments(
            ["fidelity=12", "engagement=76%", "locality=urban", "employer=NHS"]
        ),
    )
    assert info.attributes == {
        "employer": "NHS",
        "engagement": 76,
        "fidelity": 12,
        "locality": "urban",
    }
    csv_file = tmp_path / "sites.csv"
    csv_file.write_text(
        "case,fidelity,engagement,locality\nSite 3,13,74,urban\nSite 4,6.5,38,rural\n",
        encoding="utf-8",
    )
    report = cases.import_cases_csv(project, csv_file)
    assert report.cases_created == ["Site 4"] and report.cases_updated == ["Site 3"]
    by_name = {c.name: c for c in cases.list_cases(project)}
    assert by_name["Site 3"].attributes["fidelity"] == 13
    assert by_name["Site 4"].attributes["fidelity"] == 6.5


def test_bad_case_csv_names_the_line_and_stores_nothing(project: Project, tmp_path: Path) -> None:
    bad = tmp_path / "sites.csv"
    bad.write_text("case,fidelity\nSite 1,10\nSite 2,11,extra\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"sites.csv:3: 3 cells"):
        cases.import_cases_csv(project, bad)
    assert cases.list_cases(project) == []
    headless = tmp_path / "nohead.csv"
    headless.write_text("fidelity,case\n1,Site 1\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="nohead.csv:1"):
        cases.import_cases_csv(project, headless)
    with pytest.raises(InvalidInputError, match="name=value"):
        cases.parse_assignments(["fidelity12"])


def test_memos_on_targets(coded: Project) -> None:
    m = memos.write_memo(coded, "code", "Culture", "Culture cuts both ways.")
    again = memos.write_memo(coded, "code", "Culture", "Check Site 4.", append=True)
    assert again.id == m.id and again.text == "Culture cuts both ways.\n\nCheck Site 4."
    memos.write_memo(coded, "project", None, "Reflexive note.")
    assert {x.target_type for x in memos.list_memos(coded)} == {"code", "project"}
    with pytest.raises(InvalidInputError):
        memos.write_memo(coded, "coding", "999", "x")


def test_every_change_is_audited(coded: Project) -> None:
    coding.add_coding_by_phrase(coded, "S3PW1", "The ward staff were welcoming.", "Culture")
    with coded.read() as s:
        ops = list(s.scalars(select(AuditEntry.operation)))
    assert "apply framework" in ops and "add coding" in ops


def test_committed_coding_survives_a_new_connection(coded: Project, tmp_path: Path) -> None:
    row = coding.add_coding_by_phrase(coded, "S3PW1", "The ward staff were welcoming.", "Culture")
    other = Project.open(coded.engine.url.render_as_string(hide_password=False))
    assert coding.get_coding(other, row.id).text == "The ward staff were welcoming."
