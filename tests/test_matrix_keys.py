"""Keys typed right after F4, in one burst, act on the matrix once it is there.

The matrix is built in a worker; a laggy link (or a quick typist) sends the moves
and Enter before it has arrived. Each key must act as if typed after the matrix was
drawn: the cursor moves from the first cell and Enter opens the cell it reached.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.matrix import MatrixScreen
from qualcode.tui.screens.matrix_cell import CellScreen
from qualcode.tui.settings import TuiSettings
from qualcode.tui.widgets.heatmap import HeatMap
from qualcode.tui.workers import settle
from tests.matrix_data import build_chart_project

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return build_chart_project(tmp_path / "keys.db")


def burst(app: QualcodeApp, *keys: str) -> None:
    """Post every key to the app at once, as a terminal delivers a burst."""
    for key in keys:
        app.post_message(events.Key(key, "\r" if key == "enter" else None))


async def test_moves_and_enter_right_after_f4_open_the_cell_they_reach(project: Project) -> None:
    app = QualcodeApp(project, settings=TuiSettings())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, "f4", "down", "down", "right", "right", "enter")
        await settle(pilot)
        cell = app.screen
        assert isinstance(cell, CellScreen), type(cell).__name__
        assert cell.row.label == "Site 4"
        assert (
            cell.column.path_str
            == cell.matrix.columns[2].path_str
            == "Evidence/Experiential evidence"
        )
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)
        assert app.screen.query_one(HeatMap).cursor == (2, 2)


async def test_moves_right_after_a_filter_act_on_the_new_matrix(project: Project) -> None:
    app = QualcodeApp(project, settings=TuiSettings(), start_mode="matrix")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MatrixScreen) and screen.spec.domains == ()
        burst(app, "d", "down", "down", "right")  # the first domain only, then move
        await settle(pilot)
        assert screen.spec.domains == ("Evidence",)
        assert [c.domain for c in screen.matrix.columns] == ["Evidence"] * 4
        assert screen.query_one(HeatMap).cursor == (2, 1)
