"""The demo project: built from sample_transcripts/ with every first-pass coding applied."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli.main import cli
from qualcode.errors import ConflictError
from qualcode.services.cases import list_cases
from qualcode.services.coding import list_codings
from qualcode.services.demo import DEMO_NAME, open_or_build_demo, sample_dir
from qualcode.services.documents import list_documents
from qualcode.services.project import Project


def codings_rows() -> list[dict[str, str]]:
    rows = []
    for path in sorted(sample_dir().glob("codings-*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def loose(text: str) -> str:
    table = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
    return " ".join(text.translate(table).replace("…", "...").split())


def test_demo_builds_with_every_coding_applied(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--db", str(db), "--no-open"])
    assert result.exit_code == 0, result.output
    assert "Built demo project" in result.stdout
    assert not (tmp_path / "demo.db.building").exists()
    project = Project.open(db, create=False)
    assert project.name == DEMO_NAME
    transcripts = [p for p in sample_dir().iterdir() if p.suffix in (".txt", ".docx")]
    docs = list_documents(project)
    assert len(docs) == len(transcripts) and all(d.participant and d.case for d in docs)
    cases = {c.name: c for c in list_cases(project)}
    with (sample_dir() / "sites.csv").open(encoding="utf-8-sig", newline="") as fh:
        sites = list(csv.DictReader(fh))
    assert {c: cases[c].group for c in cases} == {r["case"]: r["group"] for r in sites}
    assert all(cases[r["case"]].group_source == "attribute" for r in sites)
    expected = codings_rows()
    applied = list_codings(project)
    assert len(applied) == len(expected)
    got = {(r.document, "/".join(r.code_path), loose(r.text)) for r in applied}
    missing = [
        row for row in expected if (row["document"], row["code"], loose(row["phrase"])) not in got
    ]
    assert missing == []
    assert f"{len(expected)} codings" in result.stdout


def test_existing_demo_is_opened_and_fresh_only_rebuilds_a_demo(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    project, first = open_or_build_demo(db)
    assert first.built and first.documents > 0
    project.set_setting("demo.marker", "kept")
    project.engine.dispose()
    again, second = open_or_build_demo(db)
    assert not second.built and again.setting("demo.marker") == "kept"
    again.engine.dispose()
    rebuilt, third = open_or_build_demo(db, fresh=True)
    assert third.built and rebuilt.setting("demo.marker") is None
    assert third.codings == first.codings
    other = tmp_path / "real.db"
    Project.open(other).set_setting("project.name", "My study")
    with pytest.raises(ConflictError, match="not the demo"):
        open_or_build_demo(other, fresh=True)
    assert Project.open(other).name == "My study"
