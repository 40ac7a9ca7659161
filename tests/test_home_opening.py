"""Opening the workbench: keys typed at once, before the documents have arrived, still work."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual import events

from qualcode.services.documents import list_documents
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.reader import ReaderScreen
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_a_burst_before_the_list_arrives_opens_the_document_it_points_at(
    tmp_path: Path,
) -> None:
    project = make_sample_project(tmp_path / "project.db")
    second = list_documents(project)[1]
    app = QualcodeApp(project, poll_seconds=None)
    arrived = threading.Event()  # the list is read only once the keys are in
    run_service = app.run_service

    def later(node: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if fn is list_documents:
            real = fn

            def fn(*a: Any) -> Any:
                assert arrived.wait(30)
                return real(*a)

        return run_service(node, fn, *args, **kwargs)

    app.run_service = later  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.documents == []
        for key in ("down", "enter"):  # one burst, as a terminal delivers it
            app.post_message(events.Key(key, "\r" if key == "enter" else None))
        arrived.set()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        assert screen.doc is not None and screen.doc.id == second.id


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
