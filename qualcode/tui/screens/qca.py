"""Crisp-set QCA in the workbench: conditions, truth table, models, necessity, calibration.

Opened with F8 from anywhere (escape goes back). The conditions and the outcome are typed
as in ``qualcode qca`` (``LABEL: expression``, several conditions separated by ``;``),
starting from what the service suggests for this project. Enter runs the analysis in a
worker. The truth table lists each configuration with its cases (C: contradictory);
enter on a row shows the quotes behind its cases' conditions. Ctrl+E writes the report
(.docx and .xlsx, through the same export gate as the CLI).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from qualcode.analysis.qca import QcaResult, calibration_rows
from qualcode.services.qca import (
    export_qca_report,
    row_quotes,
    run_project_qca,
    suggested_setup,
)
from qualcode.tui import keymap
from qualcode.tui.widgets.bulk_table import ResultTable
from qualcode.tui.widgets.chrome import ModeBar, StatusLine

KINDS = (("complex", "Complex"), ("intermediate", "Intermediate"), ("parsimonious", "Parsimonious"))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def results_text(result: QcaResult) -> str:
    """Models with fit, then necessity and calibration, as Rich markup."""
    y = result.outcome_label
    lines: list[str] = []
    for kind, title in KINDS:
        if kind == "intermediate" and result.expectations is None:
            continue
        models = getattr(result, kind)
        lines.append(f"[b]{title}[/b]: {len(models)} model(s)")
        if note := result.search_note(kind):
            lines.append(f"  [$warning]{escape(note)}[/]")
        for i, m in enumerate(models, 1):
            lines.append(
                f"  M{i}: {escape(m.expression)} -> {escape(y)}  "
                f"cons {_pct(m.consistency)} cov {_pct(m.coverage)}"
            )
    lines.append(f"[b]Necessity for {escape(y)}[/b] (cons / cov / RoN)")
    for n in result.necessity:
        lines.append(
            f"  {escape(n.expression)}: {_pct(n.consistency)} / {_pct(n.coverage)} / "
            f"{_pct(n.relevance)}"
        )
    lines.append("[b]Calibration[/b] (raw value -> membership)")
    for row in calibration_rows(result):
        cells = ", ".join(
            f"{c['label']} {escape(str(c['raw']))} -> {'?' if c['membership'] is None else c['membership']}"
            for c in row["cells"]
        )
        lines.append(f"  {escape(row['case'])}: {cells}")
    lines += [f"[$warning]{escape(w)}[/]" for w in result.warnings]
    return "\n".join(lines)


class QcaScreen(Screen[None]):
    """Truth table and models over the project's cases."""

    CSS_PATH = "qca.tcss"
    KEYMAP_SCOPE = "qca"
    BINDINGS: ClassVar[list[BindingType]] = [*keymap.bindings("qca")]

    def __init__(self) -> None:
        super().__init__()
        self.result: QcaResult | None = None
        self.report: Path | None = None
        self.reports: list[Path] = []

    def compose(self) -> ComposeResult:
        yield ModeBar("")
        with Vertical(id="qca-setup"):
            yield Input(placeholder="Conditions: LABEL: expression; ...", id="qca-conditions")
            with Horizontal(id="qca-setup-row"):
                yield Input(placeholder="Outcome: LABEL: expression", id="qca-outcome")
                yield Input(placeholder="Expectations (optional): A=1, B=-", id="qca-expect")
        with Horizontal(id="qca-body"):
            yield ResultTable(id="qca-truth", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="qca-side"):
                yield Static("", id="qca-models")
                yield Static("", id="qca-quotes")
        yield StatusLine("Loading…", id="status")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def project(self) -> Any:
        return self.app.project  # type: ignore[attr-defined]

    def _run(self, fn: Any, *args: Any, then: Any, **kw: Any) -> None:
        self.app.run_service(self, fn, *args, then=then, **kw)  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self.query_one("#qca-truth", DataTable).focus()
        self._run(suggested_setup, self.project, then=self._suggested)

    def _suggested(self, setup: tuple[list[str], str]) -> None:
        conditions, outcome = setup
        self.query_one("#qca-conditions", Input).value = "; ".join(conditions)
        self.query_one("#qca-outcome", Input).value = outcome
        if conditions and outcome:
            self.action_run()
        else:
            self.query_one(StatusLine).update("Type conditions and an outcome, then Enter")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    def action_run(self) -> None:
        conditions = [c.strip() for c in self.query_one("#qca-conditions", Input).value.split(";")]
        outcome = self.query_one("#qca-outcome", Input).value.strip()
        expect = self.query_one("#qca-expect", Input).value.strip()
        self.query_one(StatusLine).update("Running QCA…")
        self._run(
            run_project_qca,
            self.project,
            [c for c in conditions if c],
            outcome,
            expectations=[e.strip() for e in expect.split(",") if e.strip()] or None,
            then=self._shown,
            on_error=self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        self.query_one("#qca-models", Static).update(f"[$warning]{escape(str(exc))}[/]")
        self.query_one(StatusLine).update("Not run: fix the conditions and press Enter")

    def _shown(self, result: QcaResult) -> None:
        self.result = result
        table = self.query_one("#qca-truth", DataTable)
        table.clear(columns=True)
        labels = [c.label for c in result.conditions]
        for label in (*labels, result.outcome_label, "n", "cons", "Cases"):
            table.add_column(label, key=label)
        contradictory = {id(r) for r in result.contradictory_rows()}
        for i, r in enumerate(result.truth_table):
            out = "C!" if id(r) in contradictory else r.output
            table.add_row(*r.values, out, r.n, _pct(r.consistency), ", ".join(r.cases), key=str(i))
        self.query_one("#qca-models", Static).update(results_text(result))
        self.query_one("#qca-quotes", Static).update("Enter on a row: the quotes behind it")
        self.query_one(StatusLine).update(
            f"{len(result.truth_table)} row(s), {len(result.complex)} complex model(s)"
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if self.result is None or event.row_key.value is None:
            return
        self._run(
            row_quotes, self.project, self.result, int(event.row_key.value), then=self._quotes
        )

    def _quotes(self, quotes: list[tuple[str, str, str, str]]) -> None:
        text = "\n".join(
            f"[b]{escape(case)}[/b] {escape(label)} ({escape(who)}): “{escape(passage)}”"
            for case, label, who, passage in quotes
        )
        self.query_one("#qca-quotes", Static).update(
            text or "No codings behind this row (its conditions are attributes)."
        )
        self.query_one("#qca-side", VerticalScroll).scroll_end(animate=False)

    def action_export(self) -> None:
        if self.result is None:
            return
        where = self.project.location
        folder = Path(where).parent if Path(where).exists() else Path.cwd()
        self.query_one(StatusLine).update("Writing the QCA report…")
        self._run(
            export_qca_report,
            self.project,
            self.result,
            folder,
            then=self._exported,
            on_error=self._failed,
        )

    def _exported(self, paths: list[Path]) -> None:
        self.report = paths[0]
        self.reports = paths
        self.query_one(StatusLine).update("Report written: " + " and ".join(map(str, paths)))

    def action_leave(self) -> None:
        self.app.pop_screen()
