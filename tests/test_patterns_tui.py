"""The Patterns screen in the real workbench app, driven by Pilot, plus snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static, Tree

from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.patterns import PatternsScreen
from qualcode.tui.settings import TuiSettings
from qualcode.tui.workers import settle
from tests.patterns_data import build_project, study_spec


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def study(tmp_path: Path) -> Project:
    return build_project(tmp_path / "tui.db", study_spec())


def make_app(project: Project) -> QualcodeApp:
    return QualcodeApp(project, settings=TuiSettings(), start_mode="patterns")


def section_titles(screen: PatternsScreen) -> list[str]:
    tree = screen.query_one(Tree)
    return [str(node.label) for node in tree.root.children]


@pytest.mark.anyio
async def test_sections_drill_down_and_open_reader(study: Project) -> None:
    app = make_app(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PatternsScreen)
        assert section_titles(screen) == [
            "A. Shared by all cases  1",
            "B. High (H1, H2)  3",
            "C. Low (L1, L2)  3",
            "D. O1 shares with high  0",
            "D. O1 shares with low  1",
            "D. Only O1  1",
        ]
        head = str(screen.query_one("#patterns-head", Static).render())
        assert "high H1, H2" in head and "no group U1" in head and "Exact rules" in head
        assert "Left out" not in head  # the groups line already names U1
        # The first pattern is highlighted: Role (facilitator), quotes from every case.
        assert screen.selected is not None and screen.selected.name == "Role"
        table = screen.query_one("#pattern-quotes", DataTable)
        assert table.row_count == 6  # H1 has two participants
        # Down to the low group's "Ward staff (barrier)".
        tree = screen.query_one(Tree)
        while screen.selected is None or (screen.selected.name, screen.selected.valence) != (
            "Ward staff",
            "barrier",
        ):
            await pilot.press("down")
            await settle(pilot)
            assert tree.cursor_line < 30
        detail = str(screen.query_one("#pattern-detail", Static).render())
        assert "low: present in every low case and in no high case" in detail
        assert "O1 (outlier) shares: low" in detail
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == [
            "L1P1",
            "L2P1",
            "O1P1",
        ]
        opened: list[tuple[int, int | None]] = []
        app.open_reader = lambda doc, offset=None: opened.append((doc, offset))  # type: ignore[method-assign]
        await pilot.press("enter")  # from the tree into the quotes
        assert app.focused is table
        await pilot.press("enter")
        assert len(opened) == 1 and opened[0][1] is not None


@pytest.mark.anyio
async def test_options_recompute(study: Project) -> None:
    app = make_app(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen: Any = app.screen
        await pilot.press("v")  # per code: ward staff is present everywhere
        await settle(pilot)
        assert not screen.presence.by_valence
        shared = [r.name for r in screen.result.by_category("shared")]
        assert "Ward staff" in shared
        await pilot.press("s")
        await settle(pilot)
        assert "RELAXED" in str(screen.query_one("#patterns-head", Static).render())
        await pilot.press("m", "m")
        await settle(pilot)
        assert screen.presence.min_refs == 3
        assert screen.result.by_category("high") == []


def _snap(project: Project, size: tuple[int, int], snap_compare: Any) -> bool:
    async def ready(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)

    return snap_compare(make_app(project), terminal_size=size, run_before=ready)


def test_snapshot_80x24(study: Project, snap_compare: Any) -> None:
    assert _snap(study, (80, 24), snap_compare)


def test_snapshot_120x40(study: Project, snap_compare: Any) -> None:
    assert _snap(study, (120, 40), snap_compare)


@pytest.mark.anyio
async def test_quotes_fill_the_width_and_wrap_as_soon_as_they_arrive(study: Project) -> None:
    app = make_app(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#pattern-quotes", DataTable)
        assert table.row_count == 6
        widths = {str(key.value): col.width for key, col in table.columns.items()}
        assert widths["case"] == len("O1 · outlier") and widths["who"] == len("H1P1")
        quote = "Sentence 0.0 of H1P1 about Role."
        # the quote takes the rest of the row (cell padding and scrollbar aside) ...
        assert sum(widths.values()) + 2 * 3 + 2 == table.size.width
        assert widths["quote"] < len(quote)
        # ... and wraps onto a second line instead of being cut, before any key is pressed
        first = table.ordered_rows[0]
        assert str(table.get_row_at(0)[2]) == quote and first.height == 2
        await pilot.resize_terminal(140, 40)
        await settle(pilot)
        await pilot.pause()
        widths = {str(key.value): col.width for key, col in table.columns.items()}
        assert widths["quote"] > len(quote) and table.ordered_rows[0].height == 1
