"""A table drawn before Textual sizes its columns must not keep the narrow drawing.

Under load a frame can be painted between adding rows and the table's idle pass that
sizes its auto-width columns; Textual's line cache then kept header-wide columns on
screen ("+ facil" for "+ facilitator"). These tests force that order of events.
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from qualcode.tui.widgets.bulk_table import ResultTable

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class _TableApp(App[None]):
    def __init__(self, table: DataTable) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        self.table.styles.height = 6  # a fixed height, as on the screens: no resize to redraw
        yield self.table


async def _drawn_before_sizing(table: DataTable) -> tuple[str, str]:
    """The row's line drawn before the idle pass, and again after it."""
    app = _TableApp(table)
    async with app.run_test(size=(80, 10)) as pilot:
        table.add_column("Valence", key="valence")
        table.add_column("Text", key="text")
        await pilot.pause()
        table.add_row("+ facilitator", "Staff knew who we were")
        early = table.render_line(1).text  # a paint that comes before the idle pass
        while table._require_update_dimensions:  # the idle pass that sizes the columns
            await pilot.pause()
        return early, table.render_line(1).text


async def test_a_result_table_redraws_once_its_columns_are_sized() -> None:
    early, late = await _drawn_before_sizing(ResultTable())
    assert "+ facilitator" not in early  # the race really happened in this test
    assert "+ facilitator" in late
    assert "Staff knew who we were" in late


async def test_a_plain_datatable_keeps_the_narrow_drawing() -> None:
    """Why ResultTable exists: without it the narrow line stays (Textual 8)."""
    early, late = await _drawn_before_sizing(DataTable())
    assert "+ facilitator" not in early
    assert late == early
