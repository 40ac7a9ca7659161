"""The QCA screen on the demo project: truth table with cases, models, quotes, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from qualcode.services.coding import list_codings
from qualcode.services.demo import open_or_build_demo
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.workers import settle
from tests.tui_fixtures import palette_highlights, wait_until

WARD = 'WARD: code("Relationship with ward staff", "facilitator")'


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def demo(tmp_path: Path) -> Project:
    project, _ = open_or_build_demo(tmp_path / "demo.db", coder="tester")
    return project


async def _open(pilot: Any) -> Any:
    await settle(pilot)
    await pilot.press("f8")
    await settle(pilot)
    screen = pilot.app.screen
    await wait_until(pilot, lambda: screen.result is not None, "the QCA result")
    return screen


def _rows(screen: Any) -> list[list[str]]:
    table = screen.query_one("#qca-truth")
    return [[str(v) for v in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.anyio
async def test_truth_table_models_quotes_and_export(demo: Project, tmp_path: Path) -> None:
    app = QualcodeApp(demo, start_mode="home")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot)
        assert type(screen).__name__ == "QcaScreen"
        conditions = screen.query_one("#qca-conditions").value
        assert "fidelity" in conditions and "engagement" in screen.query_one("#qca-outcome").value
        rows = _rows(screen)
        cases = {c for r in rows for c in r[-1].split(", ")}
        assert {"Site 2", "Site 3", "Site 4"} <= cases
        models = str(screen.query_one("#qca-models").render())
        assert "Complex" in models and "M1:" in models and "Necessity" in models
        assert "Calibration" in models
        # A code condition, run with Enter in the conditions box.
        screen.query_one("#qca-conditions").value = f"{conditions}; {WARD}"
        screen.query_one("#qca-conditions").focus()
        before = screen.result
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.result is not before, "the new result")
        assert "WARD" in [c.label for c in screen.result.conditions]
        row = next(i for i, r in enumerate(screen.result.truth_table) if r.values[-1] == 1)
        table = screen.query_one("#qca-truth")
        table.focus()
        table.move_cursor(row=row)
        await pilot.press("enter")
        quotes = screen.query_one("#qca-quotes")
        case = screen.result.truth_table[row].cases[0]
        expected = list_codings(
            demo, case=case, code="Relationship with ward staff", valence="facilitator"
        )
        assert expected
        want = " ".join(expected[0].text.split())
        await wait_until(pilot, lambda: want in str(quotes.render()), "the quote")
        screen.query_one("#qca-conditions").focus()  # ctrl+e exports even from a text box
        await pilot.press("ctrl+e")
        await wait_until(pilot, lambda: screen.report is not None, "the report")
        doc = Document(str(screen.report))
        text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
        assert "WARD" in text and case in text
        workbook = load_workbook(screen.reports[1], read_only=True)
        cells = {
            str(v) for ws in workbook.worksheets for r in ws.iter_rows(values_only=True) for v in r
        }
        assert screen.reports[1].suffix == ".xlsx" and case in " ".join(cells)


@pytest.mark.anyio
async def test_opened_from_the_command_palette(demo: Project) -> None:
    app = QualcodeApp(demo, start_mode="home")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"QCA: truth table")
        await wait_until(pilot, lambda: palette_highlights(app, "QCA"), "the palette entry")
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "QcaScreen", "QCA screen")
        await wait_until(pilot, lambda: app.screen.result is not None, "the QCA result")
        await pilot.press("escape")
        await wait_until(pilot, lambda: type(app.screen).__name__ != "QcaScreen", "going back")


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_qca_screen_snapshot(snap_compare: Any, demo: Project, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await _open(pilot)
        await settle(pilot)

    assert snap_compare(
        QualcodeApp(demo, start_mode="home"), terminal_size=size, run_before=run_before
    )
