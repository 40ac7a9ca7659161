"""Comments made on the workshop page show up in the workbench: the workshop view and the cell."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the workshop extra (starlette) is not installed")
pytest.importorskip("httpx", reason="httpx is needed for the HTTP client")

from textual.widgets import Static

from qualcode.services import charting
from qualcode.services.project import Project
from qualcode.tui.screens.matrix_cell import CellScreen
from qualcode.tui.screens.workshop import WorkshopScreen
from qualcode.tui.workers import settle
from qualcode.web.app import create_app
from tests.matrix_data import build_chart_project
from tests.test_matrix_tui import goto, make_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    WorkshopScreen.author = None
    p = build_chart_project(tmp_path / "tui.db")
    ref = charting.cell_detail(p, "case", "Site 4", "Geography").ref
    with TestClient(create_app(p, "t0ken-for-tests")) as web:
        r = web.post(
            "/comment?token=t0ken-for-tests",
            data={
                "kind": "cell",
                "row_type": "case",
                "row_id": str(ref.row_id),
                "code_id": str(ref.code_id),
                "author": "Peer panel",
                "text": "Rural sites need a travel budget.",
            },
            headers={"Accept": "application/json"},
        )
        assert r.status_code == 200
    return p


async def test_a_page_comment_shows_in_the_workshop_view_and_the_cell(project: Project) -> None:
    app = make_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await goto(pilot, "Site 4", "Geography")
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WorkshopScreen)
        text = str(app.screen.query_one("#ws-content", Static).render())
        assert "Workshop comments  (1)" in text
        assert "Peer panel" in text and "Rural sites need a travel budget." in text
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CellScreen)
        history = str(app.screen.query_one("#history", Static).render())
        assert "Workshop comments (1)" in history
        assert "Peer panel" in history and "Rural sites need a travel budget." in history


async def test_a_page_comment_on_a_pattern_row_shows_in_the_patterns_screen(tmp_path: Path) -> None:
    from qualcode.services.workshop import add_pattern_comment
    from qualcode.tui.app import QualcodeApp
    from qualcode.tui.screens.patterns import PatternsScreen
    from qualcode.tui.settings import TuiSettings
    from tests.patterns_data import build_project, study_spec

    study = build_project(tmp_path / "patterns.db", study_spec())
    add_pattern_comment(
        study, "Role", "facilitator", "Every site had a written role by the end.", "Peer worker"
    )
    app = QualcodeApp(study, settings=TuiSettings(), start_mode="patterns")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PatternsScreen)
        assert screen.selected is not None and screen.selected.key[1] == "facilitator"
        detail = str(screen.query_one("#pattern-detail", Static).render())
        assert "Workshop comments (1)" in detail
        assert "Peer worker:" in detail and "Every site had a written role by the end." in detail
