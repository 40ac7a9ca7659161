"""The fast paths for large projects give the same answers as the general ones."""

from __future__ import annotations

from pathlib import Path

from qualcode.services.cases import list_cases
from qualcode.services.coding import add_coding, get_coding, iter_codings, list_codings
from qualcode.services.documents import resolve_document
from qualcode.services.project import Project
from tests.tui_fixtures import make_sample_project


def test_streamed_codings_equal_the_list_across_documents(tmp_path: Path) -> None:
    project = make_sample_project(tmp_path / "p.db")
    add_coding(project, "S4PW1", 0, 11, "Context/Culture", valence="barrier")
    add_coding(project, "S3PW1", 20, 60, "Context/Culture", memo="m")
    streamed = list(iter_codings(project))
    assert streamed == list_codings(project)
    assert [r.document for r in streamed] == ["S3PW1", "S4PW1"]
    assert streamed[1].text == "Interviewer"
    assert list(iter_codings(project, document="s4pw1")) == list_codings(project, document="S4PW1")


def test_new_coding_is_returned_as_stored(tmp_path: Path) -> None:
    project = make_sample_project(tmp_path / "p.db")
    row = add_coding(project, "S3PW1", 20, 60, "culture", valence="b", memo="why")
    assert row == get_coding(project, row.id)
    assert row.code_path == ("Context", "Culture") and row.case == "Site 3"
    assert row.text == project_text(project, "S3PW1")[20:60]


def project_text(project: Project, name: str) -> str:
    with project.read() as s:
        return resolve_document(s, name).text


def test_document_lookup_exact_name_then_any_case(tmp_path: Path) -> None:
    project = make_sample_project(tmp_path / "p.db")
    with project.read() as s:
        assert resolve_document(s, "S3PW1").name == "S3PW1"
        assert resolve_document(s, "s3pw1").name == "S3PW1"  # any case
        assert resolve_document(s, "S3PW1.txt").name == "S3PW1"  # source file


def test_case_list_has_attributes_and_participants(tmp_path: Path) -> None:
    project = make_sample_project(tmp_path / "p.db")
    cases = {c.name: c for c in list_cases(project)}
    assert cases["Site 3"].attributes == {"engagement": 76, "fidelity": 12, "locality": "urban"}
    assert cases["Site 3"].participants == ("S3PW1",) and cases["Site 3"].documents == 1
    assert cases["Site 4"].group == "low"
