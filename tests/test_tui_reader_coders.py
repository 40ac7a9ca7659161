"""The reader's coder filter: whose codings are drawn, listed and counted (Pilot, real SQLite)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from qualcode.services.coders import reader_coders, set_reader_coders
from qualcode.services.coding import add_coding, list_codings
from qualcode.services.demo import open_or_build_demo
from qualcode.services.documents import list_documents, open_document
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.reader import ReaderScreen
from qualcode.tui.widgets.coding_panel import CodingPanel
from qualcode.tui.workers import settle
from tests.test_tui_key_bursts import burst
from tests.tui_fixtures import make_sample_project, palette_highlights, wait_until

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def two_coders(path: Path) -> Project:
    """The sample project with codings on S3PW1 by the current coder (tester) and by ben."""
    project = make_sample_project(path)
    text = open_document(project, "S3PW1").text
    a = text.index("Really well, actually.")
    add_coding(project, "S3PW1", a, a + len("Really well, actually."), "Culture")
    b = text.index("Mostly really good.")
    add_coding(project, "S3PW1", b, b + len("Mostly really good."), "Leadership")
    ben = Project.open(path, coder="ben")
    add_coding(ben, "S3PW1", a, a + len("Really well, actually."), "Leadership")
    c = text.index("That's harder.")
    add_coding(ben, "S3PW1", c, c + len("That's harder."), "Monitoring and feedback")
    ben.engine.dispose()
    return project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return two_coders(tmp_path / "project.db")


@asynccontextmanager
async def reader(project: Project, size: tuple[int, int] = (100, 30)) -> AsyncIterator[Any]:
    app = QualcodeApp(project, start_mode="reader")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        yield pilot


def drawn(pilot: Any) -> list[tuple[str, str]]:
    screen = pilot.app.screen
    return sorted((c.coder, c.code) for c in screen.view.index.codings)


def status(pilot: Any) -> str:
    return str(pilot.app.screen.query_one("#status").render())


async def choose(pilot: Any, typed: str, expect: str) -> None:
    """Open the coder picker with @, type, and take the offer that reads ``expect``."""
    await pilot.press("at")
    await settle(pilot)
    await pilot.press(*typed)
    await wait_until(
        pilot, lambda: palette_highlights(pilot.app, expect), f"picker offers {expect}"
    )
    await pilot.press("enter")
    await settle(pilot)


async def test_filter_to_one_coder_and_back_to_everyone(project: Project) -> None:
    async with reader(project) as pilot:
        screen = pilot.app.screen
        assert drawn(pilot) == [
            ("ben", "Leadership"),
            ("ben", "Monitoring and feedback"),
            ("tester", "Culture"),
            ("tester", "Leadership"),
        ]
        assert "4 codings" in status(pilot) and "only" not in status(pilot)
        await choose(pilot, "only ben", "Show only ben's codings")
        assert drawn(pilot) == [("ben", "Leadership"), ("ben", "Monitoring and feedback")]
        assert "only ben" in status(pilot) and "2 codings" in status(pilot)
        assert reader_coders(project) == ("ben",)  # kept for this project
        # the side panel lists only ben's coding on "Really well, actually."
        text = screen.doc.text
        screen.view.goto(text.index("Really well, actually."))
        await settle(pilot)
        here = screen.query_one(CodingPanel).here_text
        assert "Leadership" in here and "by ben" in here and "Culture" not in here
        await choose(pilot, "everyone", "Show everyone's codings")
        assert len(drawn(pilot)) == 4
        assert reader_coders(project) == ()
        here = screen.query_one(CodingPanel).here_text
        assert "Culture" in here and "Leadership" in here and "by ben" in here


async def test_several_coders_and_the_filter_survives_a_restart(project: Project) -> None:
    async with reader(project) as pilot:
        await choose(pilot, "only tester", "Show only tester's codings")
        assert {c for c, _ in drawn(pilot)} == {"tester"}
        await choose(pilot, "also show ben", "Also show ben's codings")
        assert len(drawn(pilot)) == 4
        assert "only ben, tester" in status(pilot)
        await choose(pilot, "hide tester", "Hide tester's codings")
        assert {c for c, _ in drawn(pilot)} == {"ben"}
    async with reader(project) as pilot:  # opened again: still ben's only
        assert {c for c, _ in drawn(pilot)} == {"ben"}
        assert "only ben" in status(pilot)


async def test_coding_while_filtered_out_is_stored_and_said(project: Project) -> None:
    set_reader_coders(project, ("ben",))
    async with reader(project) as pilot:
        screen = pilot.app.screen
        screen.view.goto(screen.doc.text.index("The nurses will come"))
        await settle(pilot)
        await pilot.press("c")  # Culture's key, as the current coder (tester)
        await settle(pilot)
        mine = [r for r in list_codings(project) if r.coder == "tester" and r.code == "Culture"]
        assert len(mine) == 2  # stored as the current coder ...
        assert {c for c, _ in drawn(pilot)} == {"ben"}  # ... not drawn ...
        assert "hidden" in status(pilot) and "as tester" in status(pilot)  # ... and said


async def test_keys_typed_in_one_burst_after_at_go_to_the_picker(project: Project) -> None:
    """Letters typed before the picker is up are its search, never code keys."""
    before = len(list_codings(project))
    async with reader(project) as pilot:
        burst(pilot.app, "at", *"only", "space", *"ben", "enter")
        await settle(pilot)
        assert reader_coders(project) == ("ben",)
        assert {c for c, _ in drawn(pilot)} == {"ben"}
    assert len(list_codings(project)) == before


async def test_demo_project_with_a_second_coder(tmp_path: Path) -> None:
    """On the demo project (coded by "analyst"), ben codes a passage of the first document."""
    demo, _ = open_or_build_demo(tmp_path / "demo.db", coder="analyst")
    doc = list_documents(demo)[0]
    theirs = [r for r in list_codings(demo) if r.document_id == doc.id]
    assert theirs and {r.coder for r in theirs} == {"analyst"}
    first = theirs[0]
    code = "Leadership" if first.code != "Leadership" else "Culture"
    ben = Project.open(tmp_path / "demo.db", coder="ben")
    add_coding(ben, doc.name, first.start, first.end, code)
    ben.engine.dispose()
    async with reader(demo) as pilot:
        screen = pilot.app.screen
        assert screen.doc.id == doc.id
        assert len(drawn(pilot)) == len(theirs) + 1
        await choose(pilot, "only ben", "Show only ben's codings")
        assert drawn(pilot) == [("ben", code)]
        screen.view.goto(first.start)
        await settle(pilot)
        here = screen.query_one(CodingPanel).here_text
        assert code in here and "by ben" in here and first.code not in here
        await choose(pilot, "everyone", "Show everyone's codings")
        assert len(drawn(pilot)) == len(theirs) + 1
        assert "only" not in status(pilot)
        here = screen.query_one(CodingPanel).here_text
        assert first.code in here and "by ben" in here
