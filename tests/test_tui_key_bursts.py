"""Keys that arrive together (a laggy SSH link, a paste) act exactly as keys typed slowly.

Every key is posted at once, with no waiting between them; the test then waits
until the workbench is idle and checks each coding's offsets in the database.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from qualcode.services.coding import list_codings
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.reader import ReaderScreen
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project

pytestmark = pytest.mark.anyio

CHARACTERS = {"plus": "+", "minus": "-", "equals_sign": "=", "enter": "\r", "space": " "}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sample(tmp_path: Path) -> Project:
    return make_sample_project(tmp_path / "project.db")


def burst(app: QualcodeApp, *keys: str) -> None:
    """Post every key to the app at once, as a terminal delivers a burst."""
    for key in keys:
        char = CHARACTERS.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, char))


def sentences(app: QualcodeApp) -> list[tuple[int, int]]:
    screen = app.screen
    assert isinstance(screen, ReaderScreen) and screen.view.transcript is not None
    return screen.view.transcript.sentences


async def test_burst_while_the_document_is_still_loading(sample: Project) -> None:
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        # Enter opens the first document; the rest arrive before it has loaded.
        burst(app, "enter", "down", "c", "down", "c", "down", "c", "down", "c")
        await settle(pilot)
        spans = sentences(app)
        got = [(r.start, r.end, r.code) for r in list_codings(sample)]
        assert got == [(*spans[i], "Culture") for i in (1, 2, 3, 4)]


async def test_burst_of_moves_and_codes_codes_each_sentence(sample: Project) -> None:
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        burst(app, "down", "c", "down", "d", "down", "down", "c")
        await settle(pilot)
        spans = sentences(app)
        got = sorted((r.start, r.end, r.code) for r in list_codings(sample))
        assert got == [(*spans[1], "Culture"), (*spans[2], "Leadership"), (*spans[4], "Culture")]


async def test_valence_typed_with_the_code_applies_to_that_coding(sample: Project) -> None:
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        burst(app, "down", "c", "plus", "down", "d", "minus")
        await settle(pilot)
        spans = sentences(app)
        got = sorted((r.start, r.end, r.code, r.valence) for r in list_codings(sample))
        assert got == [(*spans[1], "Culture", "facilitator"), (*spans[2], "Leadership", "barrier")]


async def test_memo_typed_in_one_burst_lands_in_the_memo(sample: Project) -> None:
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        burst(app, "c", "ctrl+e", *"no cover", "ctrl+s", "down", "d")
        await settle(pilot)
        spans = sentences(app)
        got = sorted((r.start, r.end, r.code, r.memo or None) for r in list_codings(sample))
        assert got == [(*spans[0], "Culture", "no cover"), (*spans[1], "Leadership", None)]


async def test_moves_then_a_code_key_code_where_the_moves_ended(sample: Project) -> None:
    app = QualcodeApp(sample, start_mode="reader")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, "down", "down", "down", "down", "c")
        await settle(pilot)
        (row,) = list_codings(sample)
        assert (row.start, row.end) == sentences(app)[4]  # not where the burst started
