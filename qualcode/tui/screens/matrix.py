"""The framework matrix: a heat map of codings per case (or participant) and code.

Move with the arrows (or h j k l); the line below the map describes the cell
under the cursor. Enter opens the cell (its quotes, the summary editor, its
history); ``w`` starts the workshop view there; ``x`` exports the chart. Filters
(rows by case or participant, domain, valence, case group, roll-up) rebuild the
matrix in a worker: a few grouped queries, whatever the size of the project.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any, ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Static

from qualcode.analysis.matrix import Matrix
from qualcode.analysis.matrix_spec import MatrixSpec
from qualcode.errors import InvalidInputError
from qualcode.services import charting
from qualcode.services.coders import coders_by_use
from qualcode.tui import keymap
from qualcode.tui.matrix_ahead import MatrixAhead, fresh
from qualcode.tui.screens.dialogs import PromptDialog
from qualcode.tui.widgets.chrome import ModeBar, StatusLine
from qualcode.tui.widgets.heatmap import HeatMap
from qualcode.tui.widgets.steady_footer import SteadyFooter

VALENCE_CYCLE: tuple[tuple[str, ...], ...] = ((), ("facilitator",), ("barrier",), ("neutral",))


def cell_summary_line(m: Matrix, ri: int, ci: int) -> str:
    """Markup describing one cell: where, how much, who, and its summary."""
    row, col, cell = m.rows[ri], m.columns[ci], m.cell(ri, ci)
    where = f"[b]{escape(row.label)}[/b]"
    if row.row_type == "participant" and row.case:
        where += f" [dim]({escape(row.case)})[/dim]"
    head = f"{where} × [b]{escape(col.path_str)}[/b]" + (
        " [dim](+ child codes)[/dim]" if col.rolls_up else ""
    )
    if cell.count:
        people = ", ".join(cell.participants)
        vals = " ".join(f"{k} {v}" for k, v in sorted(cell.valences.items()))
        counts = (
            f"{cell.count} coding{'s' if cell.count != 1 else ''} · "
            f"{len(cell.participants)} participant{'s' if len(cell.participants) != 1 else ''}"
            f" [dim]{escape(people)} · {vals}[/dim]"
        )
    else:
        counts = "[dim]no codings[/dim]"
    if cell.summary_text:
        s = cell.summary
        first = cell.summary_text.split("\n", 1)[0]
        summary = (
            f"[b]{cell.status}[/b] [dim]{escape(s.author or '') if s else ''}[/dim]: "
            f"{escape(first)}"
        )
    else:
        summary = (
            "[dim]no summary yet — Enter to write one[/dim]"
            if row.chartable
            else "[dim]assign these documents to a case to chart them[/dim]"
        )
    comments = (
        f"  [dim]· {cell.comments} workshop comment{'s' if cell.comments != 1 else ''}[/dim]"
        if cell.comments
        else ""
    )
    return f"{head}\n{counts}{comments}\n{summary}"


class MatrixScreen(Screen[None]):
    """Cases × codes heat map with drill-down, summaries and the workshop view."""

    CSS_PATH = "matrix.tcss"
    KEYMAP_SCOPE = "matrix"
    BINDINGS: ClassVar[list[BindingType]] = [
        *keymap.bindings("matrix"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.spec = MatrixSpec()
        self.matrix: Matrix | None = None
        self.domains: list[str] = []
        self.groups: list[str] = []
        self._want: tuple[int | None, int] | None = None  # (row id, code id) to keep the cursor on
        self._fallback: MatrixSpec | None = None  # the filters before a new case filter
        self._rejected: MatrixSpec | None = None  # a case filter already reported as unusable

    def compose(self) -> ComposeResult:
        yield ModeBar("matrix")
        yield Static("", id="matrix-head")
        yield HeatMap(id="heatmap")
        yield Static("", id="matrix-cell")
        yield StatusLine("Building the matrix…", id="status")
        yield SteadyFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(HeatMap).focus()
        self.app.take_matrix_ahead(self._got_ahead)  # type: ignore[attr-defined]

    def _got_ahead(self, ahead: MatrixAhead | None) -> None:
        """Check the matrix built ahead is still current (one cheap read), or build it."""
        if ahead is None or self.matrix is not None:
            self.action_refresh()
            return
        self.app.run_service(  # type: ignore[attr-defined]
            self,
            self.app.project_version,  # type: ignore[attr-defined]
            then=partial(self._check_ahead, ahead),
            label="matrix",
            holds_keys=True,
        )

    def _check_ahead(self, ahead: MatrixAhead, number: int) -> None:
        """Show the matrix built ahead if nothing changed since, else build it now."""
        m = fresh(ahead, self.spec, number)
        if m is None:
            self.action_refresh()
        else:
            self._loaded(m)

    def on_screen_resume(self) -> None:
        if self.matrix is not None:
            self.action_refresh()

    # -- loading ----------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self._remember_cursor()
        self.app.run_service(
            self,
            charting.matrix,
            self.app.project,
            self.spec,  # type: ignore[attr-defined]
            then=self._loaded,
            on_error=partial(self._refresh_failed, self.spec),
            label="matrix",
            holds_keys=True,
        )  # keys typed meanwhile (moves, Enter) act on the matrix being built

    def _refresh_failed(self, asked: MatrixSpec, exc: BaseException) -> None:
        """A new filter the project cannot apply (a misspelt attribute): say so once, and go
        back to the filters before it; any other error is shown as usual."""
        if asked is self._rejected:
            return  # a second read of the same filter (e.g. on resume): already reported
        if self._fallback is not None and asked is self.spec:
            self._rejected, self.spec, self._fallback = asked, self._fallback, None
            self.app.notify(str(exc), title="Filter not applied", severity="error", timeout=12)
            self.action_refresh()
            return
        self.app.notify_error(exc)  # type: ignore[attr-defined]

    def _remember_cursor(self) -> None:
        if self.matrix and self.matrix.rows and self.matrix.columns:
            ri, ci = self.query_one(HeatMap).cursor
            self._want = (self.matrix.rows[ri].id, self.matrix.columns[ci].code_id)

    def _loaded(self, m: Matrix) -> None:
        if m.spec == self.spec:
            self._fallback = None  # the new filter worked
        self.matrix = m
        if not self.spec.domains:
            self.domains = m.domains
        self.groups = sorted({r.group for r in m.rows if r.group}) or self.groups
        cursor = (0, 0)
        if self._want is not None:
            row_id, code_id = self._want
            ri, ci = m.row_index(row_id), m.column_index(code_id)
            cursor = (ri if ri is not None else 0, ci if ci is not None else 0)
        self.query_one(HeatMap).set_matrix(m, cursor)
        self._head()
        if not m.rows or not m.columns:
            self.query_one("#matrix-cell", Static).update(
                "[dim]Nothing to chart with these filters: no cases or no codes. Import "
                "transcripts and cases, or press d / v / g to widen the filters.[/dim]"
            )

    def _head(self) -> None:
        spec, m = self.spec, self.matrix
        parts = [
            f"Rows: [b]{spec.by}[/b]",
            f"Domain: [b]{escape(', '.join(spec.domains) or 'all')}[/b]",
            f"Valence: [b]{', '.join(spec.valences) or 'all'}[/b]",
            f"Group: [b]{escape(', '.join(spec.groups) or 'all')}[/b]",
            *([f"Cases: [b]{escape(' and '.join(spec.where))}[/b]"] if spec.where else []),
            f"Roll-up: [b]{'on' if spec.roll_up else 'off'}[/b]",
            *([f"Coder: [b]{escape(', '.join(spec.coders))}[/b]"] if spec.coders else []),
        ]
        self.query_one("#matrix-head", Static).update("  ".join(parts))
        if m is not None:
            status = m.status_counts()
            self.query_one(StatusLine).update(
                f"{len(m.rows)} × {len(m.columns)} · {m.codings} codings · summaries: "
                f"{status['reviewed']} reviewed, {status['draft']} draft, {status['empty']} to write"
            )

    def on_heat_map_cell_highlighted(self, event: HeatMap.CellHighlighted) -> None:
        if self.matrix and self.matrix.rows and self.matrix.columns:
            self.query_one("#matrix-cell", Static).update(
                cell_summary_line(self.matrix, event.row, event.column)
            )

    def on_heat_map_cell_selected(self, event: HeatMap.CellSelected) -> None:
        self.action_open_cell()

    # -- filters ------------------------------------------------------------------------------
    def _respec(self, **changes: Any) -> None:
        self.spec = replace(self.spec, **changes)
        self.action_refresh()

    def action_toggle_rows(self) -> None:
        self._respec(by="participant" if self.spec.by == "case" else "case")

    def action_cycle_domain(self) -> None:
        options: list[tuple[str, ...]] = [()] + [(d,) for d in self.domains]
        now = options.index(self.spec.domains) if self.spec.domains in options else 0
        self._respec(domains=options[(now + 1) % len(options)])

    def action_cycle_valence(self) -> None:
        now = VALENCE_CYCLE.index(self.spec.valences) if self.spec.valences in VALENCE_CYCLE else 0
        self._respec(valences=VALENCE_CYCLE[(now + 1) % len(VALENCE_CYCLE)])

    def action_cycle_group(self) -> None:
        options: list[tuple[str, ...]] = [()] + [(g,) for g in self.groups]
        now = options.index(self.spec.groups) if self.spec.groups in options else 0
        self._respec(groups=options[(now + 1) % len(options)])

    def action_cycle_coder(self) -> None:
        """Everyone's codings, then each coder's in turn (the matrix and its exports)."""

        self.app.run_service(
            self,
            coders_by_use,
            self.app.project,  # type: ignore[attr-defined]
            then=self._next_coder,
        )

    def _next_coder(self, coders: list[tuple[str, int]]) -> None:
        options: list[tuple[str, ...]] = [()] + [(n,) for n, k in coders if k]
        now = options.index(self.spec.coders) if self.spec.coders in options else 0
        self._respec(coders=options[(now + 1) % len(options)])

    def action_toggle_roll_up(self) -> None:
        self._respec(roll_up=not self.spec.roll_up)

    def action_filter_cases(self) -> None:

        def done(value: Any) -> None:
            if value is None:
                return
            text = str(value).strip()
            try:
                spec = replace(self.spec, where=(text,) if text else ())
            except InvalidInputError as exc:
                self.app.notify(str(exc), title="Filter not applied", severity="error")
                return
            self._fallback = self.spec  # back to it if the project cannot apply the filter
            self.spec = spec
            self.action_refresh()

        self.app.push_screen(
            PromptDialog(
                "Only cases whose attributes match",
                " and ".join(self.spec.where),
                hint="As in group rules, e.g. fidelity >= 10 and locality == 'urban'. Empty: all "
                "cases.",
            ),
            done,
        )

    # -- drill-down, workshop, export ------------------------------------------------------------
    def _current(self) -> tuple[int, int] | None:
        m = self.matrix
        if not m or not m.rows or not m.columns:
            return None
        return self.query_one(HeatMap).cursor

    def action_open_cell(self) -> None:
        at = self._current()
        if at is None or self.matrix is None:
            return
        row = self.matrix.rows[at[0]]
        if not row.chartable:
            self.app.notify(
                f"{row.label}: these codings belong to documents with no "
                f"{row.row_type}; assign them to chart them.",
                severity="warning",
            )
            return
        # lazy: screens load when first opened, as the screen registry does (fast start)
        from qualcode.tui.screens.matrix_cell import CellScreen

        self.app.push_screen(CellScreen(self.matrix, *at))

    def action_workshop(self) -> None:
        at = self._current()
        if at is None or self.matrix is None:
            return
        # lazy: screens load when first opened, as the screen registry does (fast start)
        from qualcode.tui.screens.workshop import WorkshopScreen

        self.app.push_screen(WorkshopScreen(self.matrix, *at))

    def action_export(self) -> None:
        # lazy: screens load when first opened, as the screen registry does (fast start)
        from qualcode.tui.screens.chart_export import ChartExportDialog

        self.app.push_screen(ChartExportDialog(self.spec))
