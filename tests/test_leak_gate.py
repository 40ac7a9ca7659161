"""The identifier gate every export passes, the pseudonymisation key, owner-only exports."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from textual.widgets import Button, Input, Static

from qualcode.analysis.matrix_spec import MatrixSpec
from qualcode.services import charting
from qualcode.services.leaks import (
    KEY_SETTING,
    IdentifiersFoundError,
    export_gate,
    read_key,
    remember_key,
)
from qualcode.services.project import Project
from qualcode.store.models import AuditEntry, Setting
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.chart_export import ChartExportDialog
from qualcode.tui.screens.matrix import MatrixScreen
from qualcode.tui.settings import TuiSettings
from qualcode.tui.workers import settle
from tests.conftest import add_document
from tests.matrix_data import build_chart_project

PHONE_LINE = "S9PW1: ring me on 0161-496-0001 any time."


def leaky_chart_project(path: Path) -> Project:
    project = build_chart_project(path)
    add_document(project, "S9PW1", PHONE_LINE, participant="S9PW1", case="Site 9")
    return project


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("QUALCODE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "qualcode", "--db", str(db), *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def audit(project: Project, operation: str) -> list[dict[str, Any]]:
    with project.read() as s:
        return [
            json.loads(d)
            for d in s.scalars(select(AuditEntry.detail).where(AuditEntry.operation == operation))
        ]


def test_gate_refuses_then_records_the_reason(tmp_path: Path) -> None:
    project = leaky_chart_project(tmp_path / "p.db")
    out = tmp_path / "chart.docx"
    with pytest.raises(IdentifiersFoundError) as err:
        charting.export_chart(project, MatrixSpec(), out)
    assert "S9PW1:1:" in str(err.value) and "0161-496-0001" in str(err.value)
    assert "--allow-identifiers" in str(err.value)
    assert not out.exists() and audit(project, "export with identifiers") == []
    with pytest.raises(Exception, match="needs a reason"):
        charting.export_chart(project, MatrixSpec(), out, allow_identifiers="  ")
    charting.export_chart(project, MatrixSpec(), out, allow_identifiers="phone of the study office")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    [entry] = audit(project, "export with identifiers")
    assert entry["reason"] == "phone of the study office" and entry["certain"] == 1
    assert entry["kinds"] == ["phone number"] and entry["path"] == str(out)


def test_key_names_are_certain_and_only_the_path_is_kept(project: Project, tmp_path: Path) -> None:
    add_document(
        project,
        "S1PW1",
        "S1PW1: my friend Zanzibarro helped. Pip came too.",
        participant="S1PW1",
        case="Site 1",
    )
    assert export_gate(project, "chart", tmp_path / "x.docx").certain == []
    key = tmp_path / "outside" / "key.csv"
    key.parent.mkdir()
    key.write_text("real name,pseudonym\nZanzibarro Quell,Pip\n", encoding="utf-8")
    key.chmod(0o600)
    assert read_key(key).real_names == ("Zanzibarro Quell",)
    remember_key(project, key)
    with pytest.raises(IdentifiersFoundError, match="name from the key: 'Zanzibarro'"):
        export_gate(project, "chart", tmp_path / "x.docx")
    with project.read() as s:
        settings = {r.key: r.value for r in s.scalars(select(Setting))}
    assert settings[KEY_SETTING] == str(key.resolve())
    assert not any("Zanzibarro" in v for v in settings.values())  # the content stays outside
    key.chmod(0o644)
    assert "chmod 600" in read_key(key).warnings[0]


def test_a_bad_key_row_names_the_file_and_line(tmp_path: Path) -> None:
    key = tmp_path / "key.csv"
    key.write_text("real,pseudonym\nJanet Smith,P1\nOnly one column\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"key.csv:3: a key row is 'real name,pseudonym'"):
        read_key(key)


def test_every_cli_export_is_gated(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    project = leaky_chart_project(db)
    project.engine.dispose()
    exports = [
        ("export", "chart", "c.html"),
        ("export", "chart", "c.csv"),
        ("export", "chart", "c.xlsx"),
        ("export", "chart", "c.docx"),
        ("export", "patterns", "p.docx"),
        ("export", "patterns", "p.xlsx"),
        ("patterns", "--format", "xlsx", "--out", "q.xlsx"),
        ("export", "qdpx", "r.qdpx"),
        ("export", "qdc", "r.qdc"),
    ]
    for args in exports:
        target = tmp_path / args[-1]
        refused = run(db, *args[:-1], str(target))
        assert refused.returncode == 1, (args, refused.stderr)
        assert "not exported" in refused.stderr and "0161-496-0001" in refused.stderr, args
        assert "Traceback" not in refused.stderr and not target.exists(), args
        allowed = run(db, *args[:-1], str(target), "--allow-identifiers", "office number")
        assert allowed.returncode == 0, (args, allowed.stderr)
        assert "recorded in the audit log" in allowed.stderr
        assert stat.S_IMODE(target.stat().st_mode) == 0o600, args
    entries = audit(Project.open(db), "export with identifiers")
    assert len(entries) == len(exports)
    assert {e["reason"] for e in entries} == {"office number"}


def test_check_names_remembers_the_key(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    project = Project.open(db)
    add_document(project, "S1PW1", "S1PW1: then Zanzibarro helped.", participant="S1PW1")
    project.engine.dispose()
    key = tmp_path / "key.csv"
    key.write_text("Zanzibarro,P1\n", encoding="utf-8")
    key.chmod(0o600)
    first = run(db, "check-names", "--key", str(key), "--remember-key", "--json")
    assert first.returncode == 3
    assert json.loads(first.stdout)[0]["kind"] == "name from the key"
    again = run(db, "check-names", "--certain-only", "--json")  # the remembered key
    assert again.returncode == 3 and json.loads(again.stdout)[0]["text"] == "Zanzibarro"
    missing = run(db, "check-names", "--key", str(tmp_path / "nope.csv"))
    assert (
        missing.returncode == 1
        and "nope.csv: cannot read the pseudonymisation key" in missing.stderr
    )


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_workbench_export_shows_the_gate(tmp_path: Path) -> None:
    project = leaky_chart_project(tmp_path / "tui.db")
    out = tmp_path / "gated.xlsx"
    app = QualcodeApp(project, settings=TuiSettings(), start_mode="matrix")
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChartExportDialog)
        dialog.query_one("#path", Input).value = str(out)
        dialog.query_one("#path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog and not out.exists()
        shown = str(dialog.query_one("#gate-findings", Static).render())
        assert "S9PW1:1:" in shown and "0161-496-0001" in shown
        assert str(dialog.query_one("#ok", Button).label) == "Export anyway"
        assert app.focused is dialog.query_one("#reason", Input)
        await pilot.press("enter")  # no reason: still refused
        await settle(pilot)
        assert app.screen is dialog and not out.exists()
        assert "Give a reason" in str(dialog.query_one("#export-message", Static).render())
        for ch in "consented":
            await pilot.press(ch)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)
    assert out.exists() and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [e["reason"] for e in audit(project, "export with identifiers")] == ["consented"]


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_export_gate_snapshot(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    project = leaky_chart_project(tmp_path / "snap.db")

    async def refused(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        pilot.app.screen.query_one("#path", Input).value = "gated-chart.docx"
        await pilot.press("enter")
        await settle(pilot)

    app = QualcodeApp(project, settings=TuiSettings(), start_mode="matrix")
    assert snap_compare(app, terminal_size=size, run_before=refused)


def test_summaries_and_memos_are_checked_too(tmp_path: Path) -> None:
    project = build_chart_project(tmp_path / "p.db")
    assert export_gate(project, "chart", tmp_path / "x.docx").certain == []
    charting.write_summary(
        project, "case", "Site 3", "Context/Culture", "Ward manager (ring 07700 900461) backed it."
    )
    with pytest.raises(IdentifiersFoundError, match=r"summary \d+:1:\d+: phone number"):
        export_gate(project, "chart", tmp_path / "x.docx")
