"""Keys that arrive in one burst (as a terminal delivers fast typing) keep their order."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from qualcode.services.coding import list_codings
from qualcode.tui.app import QualcodeApp
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_a_code_key_acts_after_the_moves_typed_before_it(tmp_path: Path) -> None:
    project = make_sample_project(tmp_path / "project.db")
    app = QualcodeApp(project, start_mode="reader")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await settle(pilot)
        view = app.screen.view
        t = view.transcript
        assert t is not None and view.cursor == 0
        # posted straight to the app, all at once, the way the terminal driver does
        for key, char in [("down", None)] * 4 + [("c", "c")]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        await settle(pilot)
        (row,) = list_codings(project)
        assert (row.start, row.end) == t.sentences[4]  # not the sentence the burst started on
