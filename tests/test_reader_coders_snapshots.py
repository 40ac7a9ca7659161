"""Snapshots of the reader filtered to one coder, at 80×24 (SSH) and 120×40.

Only ben's codings are drawn and listed; the status line says "only ben". Regenerate
with ``--snapshot-update`` and review the SVGs under ``tests/__snapshots__``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qualcode.services.coders import set_reader_coders
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.workers import settle
from tests.test_tui_reader_coders import two_coders

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def filtered(tmp_path: Path) -> Project:
    project = two_coders(tmp_path / "project.db")
    set_reader_coders(project, ("ben",))
    return project


@pytest.mark.parametrize("size", SIZES)
def test_reader_filtered_to_one_coder(
    snap_compare: Any, filtered: Project, size: tuple[int, int]
) -> None:
    async def run(pilot: Any) -> None:
        await settle(pilot)
        for key in ("down", "down", "down", "down"):  # onto "Really well, actually."
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(
        QualcodeApp(filtered, start_mode="reader"), terminal_size=size, run_before=run
    )
