"""Opening the workbench: keys typed at once, before the documents have arrived, still work."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import DataTable

from qualcode.errors import QualcodeError
from qualcode.services.documents import list_documents
from qualcode.services.project import Project
from qualcode.tui import app as app_module
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.home import HomeScreen
from qualcode.tui.screens.reader import ReaderScreen
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_a_burst_before_the_list_arrives_opens_the_document_it_points_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_sample_project(tmp_path / "project.db")
    second = list_documents(project)[1]
    arrived = threading.Event()  # the list is read only once the keys are in

    def later(*a: Any) -> Any:
        assert arrived.wait(30)
        return list_documents(*a)

    # the first read starts as the app is made (a read ahead), so it is held there
    monkeypatch.setattr(app_module, "list_documents", later)
    app = QualcodeApp(project, poll_seconds=None)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.documents == []
        for key in ("down", "enter"):  # one burst, as a terminal delivers it
            app.post_message(events.Key(key, "\r" if key == "enter" else None))
        arrived.set()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        assert screen.doc is not None and screen.doc.id == second.id


async def test_a_list_read_before_home_mounts_is_in_its_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read started with the app is taken as home mounts: filled once, not twice."""
    project = make_sample_project(tmp_path / "project.db")
    expected = list_documents(project)
    app = QualcodeApp(project, poll_seconds=None)
    fills: list[int] = []
    fill = HomeScreen._fill_documents

    def counted(screen: HomeScreen) -> None:
        fill(screen)
        fills.append(screen.query_one("#documents-table", DataTable).row_count)

    monkeypatch.setattr(HomeScreen, "_fill_documents", counted)
    app._documents_ahead.result()  # type: ignore[union-attr]  # in before the app runs
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert fills == [len(expected)]  # the first fill (as home mounted) had every row
        assert [d.id for d in app.documents] == [d.id for d in expected]


async def test_a_first_read_that_fails_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_sample_project(tmp_path / "project.db")

    def broken(*a: Any) -> Any:
        raise QualcodeError("the documents could not be read (disk gone)")

    monkeypatch.setattr(app_module, "list_documents", broken)
    app = QualcodeApp(project, poll_seconds=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = [n.message for n in app._notifications]
        assert any("disk gone" in m for m in shown), shown
        assert app.documents == []
        await pilot.press("f3")  # keys still work
        await settle(pilot)
        assert app.current_mode == "codebook"


async def test_keys_still_work_on_home_opened_later_in_an_empty_project(tmp_path: Path) -> None:
    """A new project starts elsewhere and has no documents: opening home must not stop keys."""
    project = Project.open(tmp_path / "empty.db", coder="tester", create=True)
    app = QualcodeApp(project, poll_seconds=None, start_mode="setup")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.switch_mode("home")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert app.current_mode == "codebook"
