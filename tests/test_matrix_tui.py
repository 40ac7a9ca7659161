"""The Matrix screen, the cell editor and the workshop view in the real workbench, driven by Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from textual.app import App, ComposeResult
from textual.widgets import Input, RadioButton, Static, TextArea

from qualcode.analysis.matrix import Cell, Matrix, MatrixColumn, MatrixRow
from qualcode.analysis.matrix_spec import MatrixSpec
from qualcode.services import charting
from qualcode.services.project import Project
from qualcode.store.models import CellSummary, WorkshopComment
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.chart_export import ChartExportDialog
from qualcode.tui.screens.matrix import MatrixScreen
from qualcode.tui.screens.matrix_cell import CellScreen
from qualcode.tui.screens.workshop import WorkshopScreen
from qualcode.tui.settings import TuiSettings
from qualcode.tui.widgets.heatmap import HeatMap
from qualcode.tui.workers import settle
from tests.matrix_data import build_chart_project

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    WorkshopScreen.author = None
    return build_chart_project(tmp_path / "tui.db")


def make_app(project: Project) -> QualcodeApp:
    return QualcodeApp(project, settings=TuiSettings(), start_mode="matrix")


async def goto(pilot, row: str, code: str) -> None:
    """Move the heat map cursor to a cell by row label and column path, with the keys."""
    screen = pilot.app.screen
    m = screen.matrix
    ri = [r.label for r in m.rows].index(row)
    ci = [c.path_str for c in m.columns].index(code)
    heat = screen.query_one(HeatMap)
    while heat.cursor != (ri, ci):
        r, c = heat.cursor
        await pilot.press("down" if r < ri else "up" if r > ri else "right" if c < ci else "left")
    await settle(pilot)


def summary_row(project: Project) -> CellSummary | None:
    with project.read() as s:
        return s.scalar(select(CellSummary))


async def test_heat_map_filters_and_cell_line(project: Project) -> None:
    app = make_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MatrixScreen) and len(screen.matrix.columns) == 13
        await pilot.press("d", "d")  # all -> Evidence -> Context
        await settle(pilot)
        assert screen.spec.domains == ("Context",)
        assert [c.name for c in screen.matrix.columns] == [
            "Culture",
            "Leadership",
            "Access and authority",
            "Monitoring and feedback",
        ]
        await goto(pilot, "Site 4", "Context/Leadership")
        line = str(screen.query_one("#matrix-cell", Static).render())
        assert "Site 4 × Context/Leadership (+ child codes)" in line
        assert "2 codings · 2 participants S4PW1, S4PWC · barrier 2" in line
        await pilot.press("v")  # facilitators only
        await settle(pilot)
        assert screen.spec.valences == ("facilitator",)
        assert screen.matrix.cell(2, 1).count == 0 and screen.matrix.cell(1, 1).count == 2
        assert screen.query_one(HeatMap).cursor == (2, 1)  # the cursor stays on the cell
        await pilot.press("b")
        await settle(pilot)
        assert screen.matrix.spec.by == "participant"
        assert [r.label for r in screen.matrix.rows][:2] == ["S2PW1", "S3PW1"]
        await pilot.press("f")
        await settle(pilot)
        app.screen.query_one(Input).value = "fidelity >= 12 or locality == 'rural'"
        await pilot.press("enter")
        await settle(pilot)
        assert [r.label for r in screen.matrix.rows] == ["S3PW1", "S3PW2", "S4PW1", "S4PWC"]
        assert "Cases: fidelity >= 12 or" in str(screen.query_one("#matrix-head", Static).render())


async def test_write_a_summary_in_the_cell_editor(project: Project) -> None:
    app = make_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d", "d")
        await settle(pilot)
        await goto(pilot, "Site 4", "Context/Leadership")
        await pilot.press("enter")
        await settle(pilot)
        cell = app.screen
        assert isinstance(cell, CellScreen)
        assert len(cell.detail.quotes) == 2
        title = str(cell.query_one("#cell-title", Static).render())
        assert "Site 4 × Context/Leadership" in title and "2 codings · 2 participants" in title
        await pilot.press(*"Kept out of meetings.")
        await pilot.press("ctrl+r")  # save as reviewed
        await settle(pilot)
        saved = summary_row(project)
        assert (saved.text, saved.status, saved.row_type) == (
            "Kept out of meetings.",
            "reviewed",
            "case",
        )
        history = str(cell.query_one("#history", Static).render())
        assert "History (1 saved)" in history and "reviewed analyst" in history
        await pilot.press("escape")  # nothing unsaved: just back
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)
        assert app.screen.matrix.cell(2, 1).status == "reviewed"


async def test_leaving_the_editor_saves_what_was_typed(project: Project) -> None:
    app = make_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await goto(pilot, "Site 3", "Context/Culture")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"Team wanted PWs.")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)
    saved = summary_row(project)
    assert (saved.text, saved.status) == ("Team wanted PWs.", "draft")


async def test_a_conflicting_save_keeps_the_text_and_the_other_version(project: Project) -> None:
    app = make_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await goto(pilot, "Site 3", "Context/Culture")
        await pilot.press("enter")
        await settle(pilot)
        other = Project.open(project.location, coder="second")
        charting.write_summary(other, "case", "Site 3", "Culture", "Their version.")
        await pilot.press(*"My version.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CellScreen)
        assert app.screen.query_one("#summary", TextArea).text == "My version."
        assert any("changed by second" in n.message for n in app._notifications)
    assert summary_row(project).text == "Their version."


async def test_quote_opens_the_transcript(project: Project) -> None:
    app = make_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await goto(pilot, "Site 2", "Context/Leadership")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+o")  # the highlighted (first) quote
        await settle(pilot)
        assert app.current_mode == "reader"


async def test_workshop_view_records_comments_with_their_author(project: Project) -> None:
    charting.write_summary(project, "case", "Site 4", "Geography", "Travel eats the day.")
    app = make_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await goto(pilot, "Site 4", "Geography")
        await pilot.press("w")
        await settle(pilot)
        ws = app.screen
        assert isinstance(ws, WorkshopScreen)
        text = str(ws.query_one("#ws-content", Static).render())
        assert "Travel eats the day." in text and "— S4PW1, turn 4" in text
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one(Input).value = "Peer panel"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press(*"Rural sites need a travel budget.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = str(ws.query_one("#ws-content", Static).render())
        assert "Peer panel" in text and "Rural sites need a travel budget." in text
        await pilot.press("up")  # Site 3, same construct
        await settle(pilot)
        assert "Site 3" in str(ws.query_one("#ws-where", Static).render())
        await pilot.press("r")
        await settle(pilot)
        assert "every construct for this case" in str(ws.query_one("#ws-what", Static).render())
    with project.read() as s:
        comments = s.execute(select(WorkshopComment.author, WorkshopComment.text)).all()
        summary = s.scalar(select(CellSummary.text))
    assert comments == [("Peer panel", "Rural sites need a travel budget.")]
    assert summary == "Travel eats the day."  # the analyst's summary is untouched


async def test_export_from_the_workbench(project: Project, tmp_path: Path) -> None:
    app = make_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChartExportDialog)
        assert dialog.query_one("#path", Input).value == "peer-support-study-chart.docx"
        dialog.query_one("#fmt-xlsx", RadioButton).value = True
        await settle(pilot)
        assert dialog.query_one("#path", Input).value == "peer-support-study-chart.xlsx"
        dialog.query_one("#path", Input).value = str(tmp_path / "from-tui.xlsx")
        dialog.query_one("#path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)
    from openpyxl import load_workbook

    assert "Context" in load_workbook(tmp_path / "from-tui.xlsx").sheetnames


class HeatHost(App[None]):
    def __init__(self, matrix: Matrix) -> None:
        super().__init__()
        self.matrix = matrix

    def compose(self) -> ComposeResult:
        yield HeatMap(id="heat")

    def on_mount(self) -> None:
        self.query_one(HeatMap).set_matrix(self.matrix)


def big_matrix(rows: int = 50, cols: int = 100) -> Matrix:
    columns = [
        MatrixColumn(
            i,
            f"Code {i}",
            ("Inductive", f"Code {i}"),
            "Inductive",
            1,
            True,
            "inductive",
            None,
            frozenset({i}),
        )
        for i in range(cols)
    ]
    rws = [MatrixRow("case", i, f"Site {i}", i, f"Site {i}", None) for i in range(rows)]
    cells = {(r, c): Cell(count=(r * c) % 17) for r in range(rows) for c in range(cols)}
    return Matrix(MatrixSpec(), rws, columns, cells, sum(c.count for c in cells.values()))


async def test_heat_map_draws_only_the_visible_window() -> None:
    m = big_matrix()
    touched: list[tuple[int, int]] = []
    real_cell = m.cell
    m.cell = lambda ri, ci: touched.append((ri, ci)) or real_cell(ri, ci)  # type: ignore[method-assign]
    app = HeatHost(m)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        heat = app.query_one(HeatMap)
        touched.clear()
        strip = heat.render_line(5)
        assert strip.cell_length == heat.size.width
        assert 0 < len(touched) == heat.visible_columns < 20
        for _ in range(60):
            await pilot.press("right")
        await pilot.press("end", "pagedown")
        await pilot.pause()
        assert heat.cursor == (heat.visible_rows, 99)
        assert heat.left == 100 - heat.visible_columns and heat.top == 1
        touched.clear()
        heat.render_line(3)
        assert {c for _, c in touched} == set(range(heat.left, 100))


def _plain(heat: HeatMap, y: int) -> str:
    return "".join(seg.text for seg in heat.render_line(y))


async def test_column_names_use_the_width_and_rows_fill_it(project: Project) -> None:
    app = make_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        heat = app.screen.query_one(HeatMap)
        names = _plain(heat, 1) + "\n" + _plain(heat, 2)
        shown = [heat.matrix.columns[ci].name for ci in heat.shown_widths()]
        assert "Experiential evidence" in shown
        for name in shown:  # every visible name whole, over at most two lines
            assert all(word in names for word in name.split()), name
        assert "…" not in names
        row = _plain(heat, 3)
        width = heat.size.width
        assert width >= 96 and len(row) == width
        assert sum(heat.shown_widths().values()) + heat.label_width == width  # nothing left over


async def test_participant_rows_sit_under_their_case(project: Project) -> None:
    app = make_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        heat = app.screen.query_one(HeatMap)
        lines = [_plain(heat, y).rstrip() for y in range(3, 3 + 8)]
        assert lines[0].startswith("Site 2  group outlier · engagement 51 · fidelity 11")
        assert lines[1].startswith("  S2PW1")
        assert lines[2].startswith("Site 3  group high")
        assert [x[:7] for x in lines[3:5]] == ["  S3PW1", "  S3PW2"]
        await pilot.click(heat, offset=(3, 3 + 3))  # on S3PW1's row label: nothing happens
        await pilot.click(heat, offset=(heat.label_width + 1, 3 + 3))
        await settle(pilot)
        assert app.screen.matrix.rows[heat.cursor[0]].label == "S3PW1"
