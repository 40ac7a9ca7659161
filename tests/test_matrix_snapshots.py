"""Snapshots of the matrix, cell editor, workshop view and export dialog at 80×24 and 120×40.

Fixed data and fixed times. Regenerate after an intended change with
``pytest tests/test_matrix_snapshots.py --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qualcode.services import charting
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.workshop import WorkshopScreen
from qualcode.tui.settings import TuiSettings
from qualcode.tui.workers import settle
from tests.matrix_data import build_chart_project, freeze_times

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
# From Site 2 × Evidence/Research evidence: down twice to Site 4, right to Context/Leadership.
TO_SITE4_LEADERSHIP = ("down", "down", "right", "right", "right", "right", "right")


@pytest.fixture
def charted(tmp_path: Path) -> Project:
    WorkshopScreen.author = None
    project = build_chart_project(tmp_path / "snap.db")
    charting.write_summary(
        project, "case", "Site 4", "Context/Leadership", "Ward staff kept PWs out of team meetings."
    )
    charting.write_summary(
        project,
        "case",
        "Site 4",
        "Context/Leadership",
        "Ward staff kept PWs out of team meetings; the trust held referrals.",
        status="reviewed",
    )
    charting.write_summary(
        project, "case", "Site 3", "Context/Culture", "The team wanted peer support there."
    )
    charting.add_workshop_comment(
        project,
        "case",
        "Site 4",
        "Context/Leadership",
        "Common in voluntary-sector employers.",
        author="Peer panel",
    )
    freeze_times(project)
    return project


def _keys(*keys: str) -> Any:
    async def run(pilot: Any) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await settle(pilot)
        if pilot.app.screen.query("TextArea, Input"):  # a blinking cursor depends on time
            pilot.app.screen.set_focus(None)
            await settle(pilot)

    return run


def _app(project: Project) -> QualcodeApp:
    return QualcodeApp(project, settings=TuiSettings(), start_mode="matrix")


@pytest.mark.parametrize("size", SIZES)
def test_matrix(snap_compare: Any, charted: Project, size: tuple[int, int]) -> None:
    assert snap_compare(_app(charted), terminal_size=size, run_before=_keys(*TO_SITE4_LEADERSHIP))


@pytest.mark.parametrize("size", SIZES)
def test_matrix_by_participant(snap_compare: Any, charted: Project, size: tuple[int, int]) -> None:
    # participants under a heading line for their case
    assert snap_compare(_app(charted), terminal_size=size, run_before=_keys("b", "down", "down"))


@pytest.mark.parametrize("size", SIZES)
def test_cell_editor(snap_compare: Any, charted: Project, size: tuple[int, int]) -> None:
    assert snap_compare(
        _app(charted), terminal_size=size, run_before=_keys(*TO_SITE4_LEADERSHIP, "enter")
    )


@pytest.mark.parametrize("size", SIZES)
def test_workshop(snap_compare: Any, charted: Project, size: tuple[int, int]) -> None:
    assert snap_compare(
        _app(charted), terminal_size=size, run_before=_keys(*TO_SITE4_LEADERSHIP, "w")
    )


@pytest.mark.parametrize("size", SIZES)
def test_export_dialog(snap_compare: Any, charted: Project, size: tuple[int, int]) -> None:
    assert snap_compare(_app(charted), terminal_size=size, run_before=_keys("x"))
