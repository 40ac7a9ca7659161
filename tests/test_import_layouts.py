"""Importing the layout samples, `import --check`, the speaker map, `reparse` and `show --json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from qualcode.services.documents import open_document
from qualcode.services.import_check import check_paths
from qualcode.services.importing import count_rows, import_paths
from qualcode.services.project import Project

SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts" / "layouts"


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QUALCODE_CODER="cli-tester", PYTHONIOENCODING="utf-8")
    env.pop("QUALCODE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "qualcode", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_import_keeps_roles_and_timecodes_per_turn_and_sentence(project: Project) -> None:
    report = import_paths(project, [SAMPLES])
    assert report.failed == [] and len(report.added) == 9
    assert count_rows(project)["cases"] == 3
    messages = [str(w) for w in report.warnings]
    assert [m.split(";")[0] for m in messages] == [
        "S8PWC.txt:4: speaker 'Speaker 1' (2 turns) has no role",
        "S8PWC.txt:7: speaker 'Speaker 2' (3 turns) has no role",
    ]
    doc = open_document(project, "S7PW2")
    assert [(t.speaker, t.role, t.timecode_ms) for t in doc.turns] == [
        ("Interviewer", "interviewer", 1050),
        ("S7PW2", "participant", 6110),
        ("Interviewer", "interviewer", 17020),
        ("S7PW2", "participant", 22300),
    ]
    last = [(doc.text[s.start : s.end], s.timecode_ms) for s in doc.sentences][-3:]
    assert last == [
        ("Mixed.", 22300),
        ("The healthcare assistants were great [laughs], they got it straight away.", 22300),
        ("Some of the qualified staff kept asking what I was actually for.", 30010),
    ]
    assert "-->" not in doc.text and "WEBVTT" not in doc.text
    unsettled = open_document(project, "S8PWC")
    assert {(t.speaker, t.role, t.is_participant) for t in unsettled.turns} == {
        ("Speaker 1", None, None),
        ("Speaker 2", None, None),
    }


def test_a_broken_cue_file_is_reported_and_nothing_of_it_stored(
    project: Project, tmp_path: Path
) -> None:
    bad = tmp_path / "S3PW1.vtt"
    bad.write_text(
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:05.000\nInterviewer: Hi.\n\n2\n"
        "00:00:04.000 --> 00:00:06.000\nS3PW1: Hello.\n",
        encoding="utf-8",
    )
    report = import_paths(project, [bad, SAMPLES / "S8PW2.txt"])
    assert report.added == ["S8PW2"]
    assert len(report.failed) == 1 and report.failed[0].startswith("S3PW1.vtt:8: this cue starts")
    assert count_rows(project)["documents"] == 1


def test_check_report_per_file_stores_nothing(tmp_path: Path) -> None:
    checks = {c.file: c for c in check_paths([SAMPLES])}
    assert len(checks) == 9
    c = checks["S8PWC.txt"]
    assert not c.ok and c.layout == "rev" and c.turns == 5
    assert [(s.speaker, s.turns, s.role) for s in c.speakers] == [
        ("Speaker 1", 2, None),
        ("Speaker 2", 3, None),
    ]
    assert (c.participant, c.case) == ("S8PWC", "Site 8")
    assert '--speakers "Speaker 1=interviewer,Speaker 2=participant"' in c.fix[0]
    table = checks["S9PW2.docx"]
    assert table.ok and table.layout == "table-timed"
    assert [(t.speaker, t.timecode) for t in table.first_turns][:2] == [
        ("Interviewer", "00:00:02"),
        ("S9PW2", "00:00:09"),
    ]
    settled = check_paths(
        [SAMPLES / "S8PWC.txt"],
        speaker_map={"Speaker 1": "interviewer", "Speaker 2": "participant"},
    )
    assert settled[0].ok


def test_check_explains_unplaced_lines_and_errors(tmp_path: Path) -> None:
    stray = tmp_path / "S3PW1.vtt"
    stray.write_text(
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nInterviewer: Hi.\n\n"
        "stray words\n\n2\n00:00:03.000 --> 00:00:04.000\nS3PW1: Hello.\n",
        encoding="utf-8",
    )
    mixed = tmp_path / "S3PW2.txt"
    mixed.write_text(
        "Interviewer: a\n\nS3PW2: b\n\nInterviewer - c\n\nS3PW2 - d\n", encoding="utf-8"
    )
    a, b = check_paths([stray, mixed])
    assert not a.ok and [(u.where, u.text) for u in a.unplaced] == [("line 7", "stray words")]
    assert any("could not be placed" in f for f in a.fix)
    assert not b.ok and b.error is not None and b.error.startswith("S3PW2.txt:5: mixed layouts")


def test_captions_without_speaker_names_need_attention(tmp_path: Path) -> None:
    plain = tmp_path / "S3PW1.srt"
    plain.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nHow was it?\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nFine.\n",
        encoding="utf-8",
    )
    [c] = check_paths([plain])
    assert not c.ok and c.layout == "srt" and c.speakers == [] and c.turns == 1
    assert "no speaker names in the cues" in c.warnings[0]
    assert c.fix[0].startswith("No speaker is named anywhere in the file")


def test_cli_check_json_speaker_map_csv_reparse_and_show_json(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    checked = run(db, "import", "--check", "--json", str(SAMPLES / "S8PWC.txt"))
    assert checked.returncode == 1
    [c] = json.loads(checked.stdout)
    assert c["ok"] is False and c["layout"] == "rev" and c["speakers"][0]["role"] is None
    assert not db.exists()  # a check stores nothing and makes no project
    text = run(db, "import", "--check", str(SAMPLES / "S8PWC.txt"))
    assert "speaker 'Speaker 1': 2 turns -> NO ROLE" in text.stdout
    assert "1 need attention. Nothing was stored." in text.stdout

    assert run(db, "import", str(SAMPLES / "S8PWC.txt")).returncode == 0
    assert run(db, "code", "add", "Recruitment").returncode == 0
    added = run(db, "coding", "add", "S8PWC", "Recruitment", "--turn", "2", "--json")
    assert added.returncode == 0, added.stderr
    before = json.loads(run(db, "codings", "--json").stdout)

    speakers = tmp_path / "speakers.csv"
    speakers.write_text(
        "speaker,role\nSpeaker 1,interviewer\nSpeaker 2,participant\n", encoding="utf-8"
    )
    again = run(db, "reparse", "S8PWC", "--speakers", str(speakers))
    assert again.returncode == 0, again.stderr
    assert "5 turns re-attributed; the text and every coding are unchanged." in again.stdout
    assert json.loads(run(db, "codings", "--json").stdout) == before
    shown = json.loads(run(db, "show", "S8PWC", "--json").stdout)
    assert [(t["speaker"], t["role"], t["timecode"]) for t in shown["turns"]] == [
        ("Speaker 1", "interviewer", "00:00:01"),
        ("Speaker 2", "participant", "00:00:06"),
        ("Speaker 2", "participant", "00:00:15"),
        ("Speaker 1", "interviewer", "00:00:20"),
        ("Speaker 2", "participant", "00:00:22"),
    ]
    assert shown["turns"][1]["text"].startswith("Slowly.")
    assert {"seq", "speaker", "role", "start", "end", "timecode", "text"} <= set(
        shown["sentences"][0]
    )
    # the map is remembered: the next check of the same file needs nothing more
    assert run(db, "import", "--check", str(SAMPLES / "S8PWC.txt")).returncode == 0
    plain = run(db, "show", "S8PWC").stdout
    assert "[2] 00:00:06 Speaker 2: Slowly." in plain
    kept = tmp_path / "kept.csv"
    listed = run(db, "speakers", "--csv", str(kept), "--json")
    assert json.loads(listed.stdout) == {"Speaker 1": "interviewer", "Speaker 2": "participant"}
    assert kept.read_text(encoding="utf-8").splitlines() == [
        "speaker,role",
        "Speaker 1,interviewer",
        "Speaker 2,participant",
    ]


def test_cli_speaker_map_csv_with_two_roles_names_the_line(tmp_path: Path) -> None:
    speakers = tmp_path / "speakers.csv"
    speakers.write_text(
        "speaker,role\nSpeaker 1,interviewer\nspeaker 1,participant\n", encoding="utf-8"
    )
    out = run(
        tmp_path / "p.db",
        "import",
        "--check",
        str(SAMPLES / "S8PWC.txt"),
        "--speakers",
        str(speakers),
    )
    assert out.returncode == 1
    assert f"{speakers}:3: speaker 'speaker 1' is given two roles" in out.stderr


def test_check_for_project_uses_the_remembered_speaker_map(project: Project) -> None:
    from qualcode.services.import_check import check_for_project
    from qualcode.services.importing import ImportOptions, remember_options

    assert not check_for_project(project, [SAMPLES / "S8PWC.txt"])[0].ok
    remember_options(
        project, ImportOptions(speaker_labels={"Speaker 1": "interviewer"}), ["speaker_labels"]
    )
    [c] = check_for_project(
        project, [SAMPLES / "S8PWC.txt"], speaker_map={"Speaker 2": "participant"}
    )
    assert c.ok and [(s.speaker, s.role) for s in c.speakers] == [
        ("Speaker 1", "interviewer"),
        ("Speaker 2", "participant"),
    ]
    assert c.to_json()["speakers"][1] == {
        "speaker": "Speaker 2",
        "turns": 3,
        "role": "participant",
        "questions": 0,
    }
