"""Services behind the workbench's set-up screens, on real files and real SQLite projects."""

from __future__ import annotations

import csv
import shutil
import stat
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from sqlalchemy import func, select

from qualcode.analysis.rules import RuleError
from qualcode.errors import ConflictError, InvalidInputError, NotFoundError
from qualcode.services import case_table
from qualcode.services.cases import import_cases_csv, list_cases, set_case
from qualcode.services.import_preview import check_files, files_in, summary
from qualcode.services.importing import ImportOptions, import_paths
from qualcode.services.new_project import create_project, project_file, setup_status
from qualcode.services.patterns import group_rules, list_groups, preview_group_rules
from qualcode.services.project import Project
from qualcode.store.models import Code, Participant

SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts"


def test_files_in_walks_folders_and_keeps_only_importable(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "S1PW1.txt").write_text("Interviewer: hi\n\nS1PW1: hello\n", encoding="utf-8")
    (tmp_path / "sub" / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "sub" / "sites.csv").write_text("case,fidelity\nSite 1,3\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("x", encoding="utf-8")
    (tmp_path / "~$S1PW1.docx").write_bytes(b"lock")
    found = [p.relative_to(tmp_path).as_posix() for p in files_in([tmp_path])]
    assert found == ["S1PW1.txt", "sub/sites.csv"]


def test_check_reports_participant_case_speakers_and_unplaced_lines(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "p.db", coder="t")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "S7PW2.txt").write_text(
        "Interviewer: How was it?\n\nS7PW2: Fine.\n\nSpeaker 1: And then?\n\nS7PW2: Better.\n",
        encoding="utf-8",
    )
    doc = DocxDocument()
    doc.add_paragraph("Interviewer: Tell me about the ward.")
    doc.add_paragraph("S8PWC: The staff knew us.")
    doc.save(tmp_path / "in" / "S8PWC.docx")
    shutil.copy(SAMPLES / "sites.csv", tmp_path / "in" / "sites.csv")
    checks = {c.name: c for c in check_files(project, [tmp_path / "in"])}
    assert set(checks) == {"S7PW2.txt", "S8PWC.docx", "sites.csv"}
    txt = checks["S7PW2.txt"]
    assert (txt.kind, txt.participant, txt.case, txt.turns, txt.status) == (
        "transcript",
        "S7PW2",
        "Site 7",
        4,
        "new",
    )
    roles = {s.label: (s.role, s.turns) for s in txt.speakers}
    assert roles == {
        "Interviewer": ("interviewer", 1),
        "S7PW2": ("participant", 2),
        "Speaker 1": ("unknown", 1),
    }
    assert txt.unplaced and "unknown speaker 'Speaker 1'" in txt.unplaced[0]
    assert any("S7PW2.txt:5" in w for w in txt.warnings)
    assert checks["S8PWC.docx"].case == "Site 8" and "docx" in checks["S8PWC.docx"].layout
    assert checks["sites.csv"].kind == "cases"
    assert summary(list(checks.values())) == "2 transcripts, 1 cases table; 1 to look at."
    # the speaker map the screen passes back places the line, and nothing was stored
    fixed = check_files(
        project,
        [tmp_path / "in" / "S7PW2.txt"],
        ImportOptions(speaker_labels={"Speaker 1": "interviewer"}),
    )[0]
    assert not fixed.unplaced and fixed.turns == 4
    assert setup_status(project).documents == 0


def test_check_marks_files_already_imported(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "p.db", coder="t")
    import_paths(project, [SAMPLES / "S3PW1.txt"], options=ImportOptions(framework="none"))
    (tmp_path / "S3PW1.txt").write_text("Interviewer: changed\n\nS3PW1: yes\n", encoding="utf-8")
    same = check_files(project, [SAMPLES / "S3PW1.txt"])[0]
    changed = check_files(project, [tmp_path / "S3PW1.txt"])[0]
    assert (same.status, changed.status) == ("already imported", "changed")


def test_check_reports_an_unreadable_file_without_stopping(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "p.db", coder="t")
    (tmp_path / "S1PW1.txt").write_bytes(b"%PDF-1.4\n\x00\x01\xff\xd8 binary")
    (tmp_path / "S1PW2.txt").write_text("Interviewer: hi\n\nS1PW2: hello\n", encoding="utf-8")
    checks = {c.name: c for c in check_files(project, [tmp_path])}
    assert checks["S1PW1.txt"].status == "error" and "PDF" in checks["S1PW1.txt"].warnings[0]
    assert checks["S1PW2.txt"].ok


def test_create_project_names_it_applies_the_framework_and_is_owner_only(tmp_path: Path) -> None:
    project = create_project(tmp_path, "  Peer   support ", "modified-parihs", coder="t")
    path = tmp_path / "qualcode.db"
    assert Path(project.location) == path.resolve()
    assert project.name == "Peer support"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with project.read() as s:
        assert s.scalar(select(func.count()).select_from(Code)) == 14
    assert setup_status(project).frameworks == ("Modified PARIHS",)
    with pytest.raises(ConflictError, match="already there"):
        create_project(path, "Again", None)
    assert project_file(tmp_path / "other") == (tmp_path / "other.db").resolve()


def test_create_project_with_a_bad_framework_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="unknown framework 'nope'"):
        create_project(tmp_path / "x.db", "X", "nope")
    assert not list(tmp_path.iterdir())


@pytest.fixture
def imported(tmp_path: Path) -> Project:
    project = Project.open(tmp_path / "p.db", coder="t")
    files = [SAMPLES / n for n in ("S3PW1.txt", "S3PW2.txt", "S4PW1.txt", "S4PWC.docx")]
    import_paths(project, files, options=ImportOptions(framework="none"))
    return project


def test_cases_table_round_trips_through_csv(imported: Project, tmp_path: Path) -> None:
    set_case(imported, "Site 3", {"fidelity": "13", "engagement": "74%", "locality": "urban"})
    set_case(imported, "Site 4", {"fidelity": "6"})
    case_table.set_participant_case(imported, "S4PWC", "Site 3")
    out = case_table.export_cases_csv(imported, tmp_path / "cases.csv")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["case", "engagement", "fidelity", "locality", "participants"]
    assert rows[1] == ["Site 3", "74", "13", "urban", "S3PW1 S3PW2 S4PWC"]
    assert rows[2] == ["Site 4", "", "6", "", "S4PW1"]
    # change the file, read it back: typed values, and participants follow the column
    rows[2][1], rows[2][4] = "38", "S4PW1 S4PWC"
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    import_cases_csv(imported, out)
    cases = {c.name: c for c in list_cases(imported)}
    assert cases["Site 4"].attributes == {"engagement": 38, "fidelity": 6}
    assert cases["Site 4"].participants == ("S4PW1", "S4PWC")
    assert "participants" not in cases["Site 3"].attributes


def test_cases_csv_with_an_unknown_participant_changes_nothing(
    imported: Project, tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "case,fidelity,participants\nSite 3,9,S3PW1\nSite 4,2,S9PW9\n", encoding="utf-8"
    )
    with pytest.raises(InvalidInputError, match=r"c.csv:3: no participant 'S9PW9'"):
        import_cases_csv(imported, path)
    assert "fidelity" not in {c.name: c for c in list_cases(imported)}["Site 3"].attributes


def test_participants_and_attributes_are_edited_one_by_one(imported: Project) -> None:
    set_case(imported, "Site 3", {"fidelity": "13", "locality": "urban"})
    case_table.set_case_participants(imported, "Site 3", ["S3PW1", "S4PW1"])
    case_table.remove_case_attribute(imported, "Site 3", "LOCALITY")
    with pytest.raises(NotFoundError, match="No participant 'S1PW1'"):
        case_table.set_participant_case(imported, "S1PW1", "Site 3")
    with pytest.raises(NotFoundError, match="No case 'Site 9'"):
        case_table.set_participant_case(imported, "S3PW2", "Site 9")
    cases = {c.name: c for c in list_cases(imported)}
    assert cases["Site 3"].participants == ("S3PW1", "S4PW1")
    assert cases["Site 3"].attributes == {"fidelity": 13}
    people = {p.label: p for p in case_table.list_participants(imported)}
    assert people["S3PW2"].case is None and people["S4PW1"].case == "Site 3"
    with imported.read() as s:
        assert s.scalar(select(func.count()).select_from(Participant)) == 4


def test_preview_group_rules_explains_and_stores_nothing(imported: Project) -> None:
    set_case(imported, "Site 3", {"fidelity": "13", "engagement": "74"})
    set_case(imported, "Site 4", {"fidelity": "6", "engagement": "38"})
    preview = {
        a.case: a
        for a in preview_group_rules(
            imported, ["high: fidelity >= 10 and engagement >= 60", "low: fidelity < 10", ""]
        )
    }
    assert preview["Site 3"].group == "high"
    assert preview["Site 3"].reason == (
        "rule high: fidelity 13 >= 10 is true; engagement 74 >= 60 is true"
    )
    assert preview["Site 4"].group == "low"
    assert group_rules(imported) == []
    assert all(a.group is None for a in list_groups(imported))
    with pytest.raises(
        RuleError,
        match=r"no case has an attribute 'engagment' at column 26 .*"
        r"\(attributes: engagement, fidelity\)",
    ):
        preview_group_rules(imported, ["high: fidelity >= 12 and engagment >= 60"])
