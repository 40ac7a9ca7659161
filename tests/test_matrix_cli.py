"""``qualcode matrix``, ``qualcode summary`` and ``qualcode export chart`` in a real subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from tests.matrix_data import build_chart_project


def run(db: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QUALCODE_CODER="cli-analyst", PYTHONIOENCODING="utf-8", COLUMNS="100")
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
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    build_chart_project(path).engine.dispose()
    return path


def test_matrix_formats(db: Path) -> None:
    table = run(db, "matrix", "--domain", "Context")
    assert table.returncode == 0, table.stderr
    assert "2  Context/Leadership (+ child codes)" in table.stdout
    site4 = next(line for line in table.stdout.splitlines() if line.startswith("Site 4"))
    assert site4.split() == ["Site", "4", "1", "2", "2", "·"]
    data = json.loads(
        run(db, "matrix", "--by", "participant", "--valence", "barrier", "--format", "json").stdout
    )
    assert data["by"] == "participant" and data["codings"] == 5
    cell = next(
        c
        for c in data["cells"]
        if c["row"] == "S4PWC" and c["code_path"] == ["Context", "Leadership"]
    )
    assert (cell["count"], cell["participants"], cell["status"]) == (1, ["S4PWC"], "empty")
    grid = list(
        csv.reader(
            io.StringIO(
                run(db, "matrix", "--format", "csv", "--group", "low", "--no-rollup").stdout
            )
        )
    )
    assert grid[0][:4] == [
        "case",
        "group",
        "Evidence/Research evidence",
        "Evidence/Clinical knowledge",
    ]
    assert grid[1][0:2] == ["Site 4", "low"] and len(grid) == 2
    leadership = grid[0].index("Context/Leadership")
    assert grid[1][leadership] == "0"  # without roll-up: no codings on Leadership itself


def test_summaries_from_the_command_line(db: Path) -> None:
    ok = run(db, "summary", "set", "Site 4", "Context/Culture", "Treated as visitors.")
    assert ok.returncode == 0 and "draft" in ok.stdout
    assert run(db, "summary", "set", "Site 4", "Culture", "--status", "reviewed").returncode == 0
    piped = run(
        db,
        "summary",
        "set",
        "S4PWC",
        "Access and authority",
        "-",
        "--participant",
        input="No say over referrals.\n",
    )
    assert piped.returncode == 0, piped.stderr
    shown = json.loads(run(db, "summary", "show", "--json").stdout)
    assert [(s["row"], s["status"], s["author"], s["text"]) for s in shown] == [
        ("Site 4", "reviewed", "cli-analyst", "Treated as visitors."),
        ("S4PWC", "draft", "cli-analyst", "No say over referrals."),
    ]
    history = json.loads(
        run(db, "summary", "show", "Site 4", "Culture", "--history", "--json").stdout
    )
    assert [h["status"] for h in history] == ["reviewed", "draft"]
    comment = run(
        db, "summary", "comment", "Site 4", "Culture", "Rings true.", "--author", "Peer panel"
    )
    assert comment.returncode == 0 and "by Peer panel" in comment.stdout
    bad = run(db, "summary", "set", "Site 9", "Culture", "x")
    assert bad.returncode == 1 and bad.stderr.startswith("error: No case 'Site 9'")
    usage = run(db, "summary", "set", "Site 4", "Culture")
    assert usage.returncode == 2 and "--status" in usage.stderr


def test_export_chart_command(db: Path, tmp_path: Path) -> None:
    run(db, "summary", "set", "Site 4", "Leadership", "Kept out.", "--status", "reviewed")
    out = tmp_path / "chart.docx"
    done = run(
        db,
        "export",
        "chart",
        str(out),
        "--domain",
        "Context",
        "--where",
        "fidelity < 12",
        "--quotes",
        "1",
    )
    assert done.returncode == 0, done.stderr
    assert f"Chart written to {out}" in done.stdout
    doc = Document(str(out))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Case attributes: fidelity < 12" in body
    rows = [r.cells[0].text.split("\n")[0] for r in doc.tables[0].rows[1:]]
    assert rows == ["Site 2", "Site 4"]
    html = tmp_path / "chart.html"
    assert run(db, "export", "chart", str(html), "--by", "participant").returncode == 0
    assert "S4PWC" in html.read_text(encoding="utf-8")
    bad = run(db, "export", "chart", str(tmp_path / "chart.txt"))
    assert bad.returncode == 1 and "give --format or a file ending" in bad.stderr


def test_matrix_where_names_an_unknown_attribute(db: Path) -> None:
    done = run(db, "matrix", "--where", "engagment >= 60")
    assert done.returncode == 1
    assert "no case has an attribute 'engagment'" in done.stderr
    assert "engagement, fidelity, locality" in done.stderr
    assert "matrix is empty" not in done.stdout
