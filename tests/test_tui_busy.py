"""The workbench while another process writes: a coding waits (and says so) and is stored;
if the wait runs out, the message is plain words and nothing is half-stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qualcode.services.coding import list_codings
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sample(tmp_path: Path) -> Project:
    return make_sample_project(tmp_path / "project.db")


def lock(project: Project) -> sqlite3.Connection:
    """Another process's long write: it holds the write lock until committed."""
    holder = sqlite3.connect(project.location, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def messages(app: QualcodeApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_coding_waits_for_a_busy_project_then_is_stored(sample: Project) -> None:
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        holder = lock(sample)
        try:
            await pilot.press("j", "c")
            while not any("busy" in m for m in messages(app)):
                await pilot.pause()  # until the waiting write says so
            assert list_codings(sample) == []
        finally:
            holder.commit()
            holder.close()
        await settle(pilot)
        assert [r.code for r in list_codings(sample)] == ["Culture"]


async def test_when_the_wait_runs_out_the_message_is_plain(
    sample: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALCODE_BUSY_WAIT", "0.2")
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        holder = lock(sample)
        try:
            await pilot.press("j", "c")
            await settle(pilot)
        finally:
            holder.rollback()
            holder.close()
        error = next(m for m in messages(app) if "Nothing of this action was stored" in m)
        assert error.startswith("The project is busy")
        assert not any(w in m for m in messages(app) for w in ("SELECT", "INSERT", "sqlite3"))
        assert list_codings(sample) == []
        await pilot.press("c")  # the same action again, now that the project is free
        await settle(pilot)
        assert [r.code for r in list_codings(sample)] == ["Culture"]
