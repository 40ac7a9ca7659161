"""Long lists in the workbench: filled in one step, shown as rows added one by one would be."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from qualcode.services.documents import list_documents
from qualcode.tui import app as app_module
from qualcode.tui.app import QualcodeApp
from qualcode.tui.widgets.bulk_table import BulkTable
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project

ROWS = [
    (f"r{i}", (Text(f"Site {i}", style="bold"), Text("[b]not markup[/b]"), Text(f"{i * 997:,}")))
    for i in range(300)
]


class Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield BulkTable(id="bulk", zebra_stripes=True, cursor_type="row")
        yield DataTable(id="plain", zebra_stripes=True, cursor_type="row")


def _lines(table: DataTable[Any]) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_bulk_fill_draws_what_rows_added_one_by_one_draw(anyio_backend: str) -> None:
    app = Tables()
    async with app.run_test(size=(80, 30)) as pilot:
        bulk = app.query_one("#bulk", BulkTable)
        plain = app.query_one("#plain", DataTable)
        for table in (bulk, plain):
            table.styles.height = 12
            for label in ("Case", "Note", "Words"):
                table.add_column(label, key=label.lower())
        bulk.fill(ROWS)
        # scrollable size known at once: the first frame has its scroll bar, not the second
        assert bulk.virtual_size.height == 300 + bulk.header_height
        for key, cells in ROWS:
            plain.add_row(*cells, key=key)
        await pilot.pause()
        assert bulk.row_count == plain.row_count == 300
        assert [c.content_width for c in bulk.ordered_columns] == [
            c.content_width for c in plain.ordered_columns
        ]
        assert _lines(bulk) == _lines(plain)
        assert "[b]not markup[/b]" in _lines(bulk)[1]  # plain Text: brackets shown as typed
        assert bulk.virtual_size == plain.virtual_size
        bulk.move_cursor(row=bulk.get_row_index("r250"))
        await pilot.pause()
        assert bulk.coordinate_to_cell_key(bulk.cursor_coordinate).row_key.value == "r250"
        bulk.fill(ROWS[:3])  # a second fill replaces every row, as clear() then add_row would
        await pilot.pause()
        assert bulk.row_count == 3 and bulk.cursor_coordinate.row == 0
        assert "Site 2" in _lines(bulk)[3]


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_home_loads_each_list_once_on_opening(
    tmp_path: Path, anyio_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_sample_project(tmp_path / "project.db")
    calls: list[str] = []

    def documents_read(*args: Any) -> Any:  # the first read starts with the app, not a worker
        calls.append("list_documents")
        return list_documents(*args)

    monkeypatch.setattr(app_module, "list_documents", documents_read)
    app = QualcodeApp(project, poll_seconds=None)
    run_service = app.run_service

    def counting(node: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        name = getattr(fn, "__name__", "?")
        if name != "documents_read":
            calls.append(name)
        return run_service(node, fn, *args, **kwargs)

    app.run_service = counting  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#documents-table", DataTable)
        assert table.row_count == len(list_documents(project))
        assert "%" in str(table.get_row_at(0)[-1])  # the full listing, with its coded share
        assert calls.count("list_documents") == 1
        assert calls.count("list_cases") == 1
        assert calls.count("list_codes") == 1
        await pilot.press("f3")
        await settle(pilot)
        calls.clear()
        await pilot.press("f1")  # back home: everything is read again
        await settle(pilot)
        assert {"list_documents", "list_cases", "list_codes"} <= set(calls)
