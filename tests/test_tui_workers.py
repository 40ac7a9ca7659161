"""The workbench's worker pattern: results reach the screen that asked, or are dropped."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sample(tmp_path: Path) -> Project:
    return make_sample_project(tmp_path / "project.db")


async def test_a_result_for_a_closed_screen_is_dropped_quietly(sample: Project) -> None:
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = HelpScreen()
        await app.push_screen(screen)
        release = threading.Event()
        shown: list[object] = []
        app.run_service(
            screen,
            lambda: release.wait(30) and 42,
            then=lambda value: shown.append(screen.query_one("#nothing")),
        )
        app.pop_screen()
        await pilot.pause()
        release.set()  # the result now arrives after its screen has closed
        await settle(pilot)
        assert shown == []
        assert not [n for n in app._notifications if n.severity == "error"]
        assert app.services_idle()


async def test_a_result_for_an_open_screen_is_delivered(sample: Project) -> None:
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        got: list[int] = []
        app.run_service(app.screen, lambda: 42, then=got.append)
        await settle(pilot)
        assert got == [42]
