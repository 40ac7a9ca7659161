"""Live refresh: what another terminal commits shows in the open workbench."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qualcode.services.coding import add_coding
from qualcode.services.live import ChangeWatcher
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _other(project: Project, coder: str) -> Project:
    """The same project opened separately, as a second terminal would."""
    return Project.open(project.engine.url.render_as_string(hide_password=False), coder=coder)


def test_watcher_sees_others_commits_once(project: Project) -> None:
    from tests.conftest import add_document

    add_document(project, "D", "Some words to code here.")
    from qualcode.services.codebook import create_code

    create_code(project, "Culture")
    watcher = ChangeWatcher(project)
    assert watcher.changed() is False
    add_coding(_other(project, "ben"), "D", 0, 4, "Culture")
    assert watcher.changed() is True
    assert watcher.changed() is False  # once per change
    watcher.close()


async def test_reader_shows_a_colleagues_coding_with_their_name(tmp_path: Path) -> None:
    project = make_sample_project(tmp_path / "p.db", coder="ann")
    app = QualcodeApp(project, start_mode="reader", poll_seconds=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await settle(pilot)
        reader = app.screen
        app.poll_changes()  # the first look sets the baseline
        await settle(pilot)
        text = reader.doc.text
        start = text.index("Really well")
        add_coding(
            _other(project, "ben"), reader.doc.id, start, start + len("Really well"), "Culture"
        )
        app.poll_changes()  # what the timer does every second
        await settle(pilot)
        await settle(pilot)
        assert any(r.coder == "ben" for r in reader.rows)
        reader.view.goto(start)
        await settle(pilot)
        panel = reader.query_one("CodingPanel")
        assert "Culture" in panel.here_text and "by ben" in panel.here_text


def test_app_polls_on_a_timer(tmp_path: Path) -> None:
    app: Any = QualcodeApp(make_sample_project(tmp_path / "p.db"))
    assert app.poll_seconds and app.poll_seconds <= 2  # "within a couple of seconds"
