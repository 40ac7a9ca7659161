"""The command line end to end, in a real subprocess against a real project file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.services.project import Project
from tests.conftest import add_document

TEXT = (
    "Interviewer: Tell me about the wards.\n\n"
    "S4PW1: Some staff looked at me like I was a visitor. We never got into team meetings."
)


def run(db: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QUALCODE_CODER="cli-tester", PYTHONIOENCODING="utf-8")
    env.pop("QUALCODE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "qualcode", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        input=input,
        timeout=120,
    )


@pytest.fixture
def db(db_url: str) -> str:
    """The project's --db: a SQLite file, or a PostgreSQL URL on the second run."""
    project = Project.open(db_url)
    add_document(project, "S4PW1", TEXT, participant="S4PW1", case="Site 4")
    project.engine.dispose()
    return db_url


def test_framework_commands(db: Path) -> None:
    listing = run(db, "framework", "list")
    assert listing.returncode == 0 and "modified-parihs" in listing.stdout
    shown = run(db, "framework", "show", "modified-parihs", "--json")
    paths = [c["path"] for c in json.loads(shown.stdout)["codes"]]
    assert ["Context", "Leadership", "Access and authority"] in paths
    applied = run(db, "framework", "apply")
    assert applied.returncode == 0 and "14 codes created" in applied.stdout
    codes = json.loads(run(db, "code", "list", "--json").stdout)
    assert {"Context", "Culture"} <= {c["name"] for c in codes}


def test_coding_round_trip_through_the_cli(db: Path) -> None:
    run(db, "framework", "apply")
    assert (
        run(
            db,
            "code",
            "add",
            "Ward relationships",
            "--definition",
            "How ward staff treated peer workers",
        ).returncode
        == 0
    )
    add = run(
        db,
        "coding",
        "add",
        "S4PW1",
        "Ward relationships",
        "--phrase",
        "Some staff looked at me like I was a visitor.",
        "--valence",
        "barrier",
        "--json",
    )
    assert add.returncode == 0, add.stderr
    coding = json.loads(add.stdout)
    add2 = run(
        db,
        "coding",
        "add",
        "S4PW1",
        "Access and authority",
        "--range",
        f"{TEXT.index('We never')}-{len(TEXT)}",
        "-v",
        "b",
    )
    assert add2.returncode == 0, add2.stderr
    assert run(db, "coding", "set", str(coding["id"]), "--memo", "status").returncode == 0
    rows = json.loads(run(db, "codings", "--json").stdout)
    assert [r["text"] for r in rows] == [
        "Some staff looked at me like I was a visitor.",
        "We never got into team meetings.",
    ]
    first = rows[0]
    for key in (
        "document",
        "participant",
        "case",
        "start",
        "end",
        "text",
        "code",
        "code_path",
        "valence",
        "coder",
        "memo",
    ):
        assert key in first
    assert (first["participant"], first["case"], first["coder"], first["memo"]) == (
        "S4PW1",
        "Site 4",
        "cli-tester",
        "status",
    )
    assert rows[1]["code_path"] == ["Context", "Leadership", "Access and authority"]
    assert run(db, "coding", "rm", str(coding["id"])).returncode == 0
    assert len(json.loads(run(db, "codings", "--json").stdout)) == 1


def test_cli_errors_are_one_clear_line(db: Path, tmp_path: Path) -> None:
    run(db, "framework", "apply")
    bad = run(db, "coding", "add", "S4PW1", "Culture", "--phrase", "not there")
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: Phrase 'not there' does not occur in S4PW1")
    assert "Traceback" not in bad.stderr
    usage = run(db, "coding", "add", "S4PW1", "Culture")
    assert usage.returncode == 2 and "exactly one of" in usage.stderr
    notdb = tmp_path / "notes.txt"
    notdb.write_text("hello")
    res = run(notdb, "codings")
    assert res.returncode == 1 and "not a SQLite database" in res.stderr


def test_cases_and_memos(db: Path, tmp_path: Path) -> None:
    out = run(db, "case", "set", "Site 4", "fidelity=6", "engagement=38", "locality=rural")
    assert out.returncode == 0 and "fidelity=6" in out.stdout
    csv_file = tmp_path / "sites.csv"
    csv_file.write_text("case,fidelity,employer\nSite 5,12,NHS trust\n", encoding="utf-8")
    assert run(db, "case", "import", str(csv_file)).returncode == 0
    listed = {c["name"]: c for c in json.loads(run(db, "case", "list", "--json").stdout)}
    assert listed["Site 4"]["attributes"] == {"engagement": 38, "fidelity": 6, "locality": "rural"}
    assert listed["Site 4"]["participants"] == ["S4PW1"]
    assert listed["Site 5"]["attributes"]["employer"] == "NHS trust"
    memo = run(db, "memo", "document", "S4PW1", "--text", "Ward access is a theme.")
    assert memo.returncode == 0
    piped = run(db, "memo", "case", "Site 4", input="Rural site; long drives.\n")
    assert piped.returncode == 0


def test_documents_and_show(db: Path) -> None:
    docs = json.loads(run(db, "documents", "--json").stdout)
    assert docs[0]["name"] == "S4PW1" and docs[0]["case"] == "Site 4"
    shown = run(db, "show", "S4PW1")
    assert shown.returncode == 0 and "S4PW1" in shown.stdout


def test_collector_is_off_during_start_up_and_on_once_the_project_is_open(tmp_path: Path) -> None:
    import gc

    from qualcode.cli.main import CliState

    gc.disable()  # as main() leaves it
    try:
        state = CliState(str(tmp_path / "gc.db"), "tester")
        project = state.project(create=True)
        assert gc.isenabled() and gc.get_freeze_count() > 0
        assert state.project() is project  # the same project, and nothing else changes
    finally:
        gc.unfreeze()
        gc.enable()
