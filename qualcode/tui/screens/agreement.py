"""Intercoder agreement: codes ranked by agreement, and the units where two coders differ.

Opened with F7 from anywhere in the workbench (escape goes back). The left table lists
every code from least to most agreement (kappa, alpha, percent). The right table lists,
for the highlighted code, the sentences (or turns) where the two coders differ; below it
both coders' codings of that unit side by side. From there the difference can be
settled: keep one coder's version, keep both, or write a memo; ``o`` opens the text in
the reader. All work runs in workers through the services.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from qualcode.services.agreement import AgreementResult, compute_agreement
from qualcode.services.agreement_review import (
    Difference,
    differences,
    settle_both,
    settle_keep,
    settle_memo,
)
from qualcode.services.coders import coders_by_use
from qualcode.tui import keymap
from qualcode.tui.screens.dialogs import MemoDialog
from qualcode.tui.widgets.bulk_table import ResultTable
from qualcode.tui.widgets.chrome import ModeBar, StatusLine
from qualcode.tui.workers import ProjectChanged

WHERE_WIDTH = 10


def fig(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


class AgreementScreen(Screen[None]):
    """Compare two coders; settle where they differ."""

    CSS_PATH = "agreement.tcss"
    KEYMAP_SCOPE = "agreement"
    BINDINGS: ClassVar[list[BindingType]] = [*keymap.bindings("agreement")]

    def __init__(self) -> None:
        super().__init__()
        self.coders: list[str] = []
        self.pair = 0
        self.unit = "sentence"
        self.result: AgreementResult | None = None
        self.code_id: int | None = None
        self.diffs: list[Difference] = []

    def compose(self) -> ComposeResult:
        yield ModeBar("")
        yield Static("", id="agreement-head")
        with Horizontal(id="agreement-body"):
            yield ResultTable(id="agreement-codes", cursor_type="row", zebra_stripes=True)
            with Vertical(id="agreement-side"):
                yield ResultTable(id="agreement-units", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="agreement-compare-scroll"):
                    yield Static("", id="agreement-unit-text")
                    with Horizontal(id="agreement-compare"):
                        yield Static("", id="agreement-first", classes="coder-side")
                        yield Static("", id="agreement-second", classes="coder-side")
        yield StatusLine("Loading coders…", id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        codes = self.query_one("#agreement-codes", DataTable)
        for label in ("Code", "κ", "α", "%"):
            codes.add_column(label, key=label)
        self.query_one("#agreement-units", DataTable).add_column("Where", key="where")
        codes.focus()
        self.action_refresh()

    @property
    def project(self) -> Any:
        return self.app.project  # type: ignore[attr-defined]

    def _run(self, fn: Any, *args: Any, then: Any, serial: bool = False, **kw: Any) -> None:
        self.app.run_service(
            self,
            fn,
            *args,
            then=then,
            serial=serial,  # type: ignore[attr-defined]
            **kw,
        )

    # -- loading ---------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self._run(coders_by_use, self.project, then=self._coders_loaded)

    def _coders_loaded(self, coders: list[tuple[str, int]]) -> None:
        self.coders = [n for n, k in coders if k]
        if len(self.coders) < 2:
            self.query_one("#agreement-head", Static).update(
                "Agreement needs codings by at least two coders. Ask a colleague to code, or "
                "bring their work in with `qualcode import --merge colleague.qdpx`."
            )
            self.query_one(StatusLine).update(f"{len(self.coders)} coder(s) with codings")
            return
        self._compute()

    def _pairs(self) -> list[tuple[str, str]]:
        c = self.coders
        return [(c[i], c[j]) for i in range(len(c)) for j in range(i + 1, len(c))]

    @property
    def current(self) -> tuple[str, str]:
        pairs = self._pairs()
        return pairs[self.pair % len(pairs)]

    def _compute(self) -> None:
        self.query_one(StatusLine).update("Computing agreement…")
        self._run(
            compute_agreement,
            self.project,
            list(self.current),
            self.unit,
            then=self._loaded,
            on_error=self._not_computed,
        )

    def _not_computed(self, exc: BaseException) -> None:
        """Bad input (no shared documents...) is said where the figures would be."""
        self.query_one("#agreement-head", Static).update(
            f"[$warning]{escape(str(exc))}[/]\n[dim]c: next pair of coders[/dim]"
        )
        self.query_one(StatusLine).update("No figures for this pair")
        self.query_one("#agreement-codes", DataTable).clear()
        self.query_one("#agreement-units", DataTable).clear()
        self.diffs = []

    def _loaded(self, result: AgreementResult) -> None:
        self.result = result
        o = result.overall
        a, b = result.coders
        self.query_one("#agreement-head", Static).update(
            f"[b]{escape(a)}[/b] (1) vs [b]{escape(b)}[/b] (2) by [b]{result.unit}[/b] · "
            f"{len(result.documents)} documents · pooled κ {fig(o.kappa)} α {fig(o.alpha)} "
            f"{fig(o.percent, 1)}%\n[dim]A {result.unit} counts as coded when a coding overlaps "
            "it by at least one character; κ Cohen's, α Krippendorff's (nominal).[/dim]"
        )
        table = self.query_one("#agreement-codes", DataTable)
        table.clear()
        keep = None
        for n, c in enumerate(result.ranked()):
            f = c.figures
            style = "dim" if "all" in f.reasons else ""
            table.add_row(
                Text(_short(c.name, 18), style=style),
                fig(f.kappa),
                fig(f.alpha),
                fig(f.percent, 0),
                key=str(c.code_id),
            )
            if c.code_id == self.code_id:
                keep = n
        units = self.query_one("#agreement-units", DataTable)
        units.clear(columns=True)
        # Fixed widths from the screen's width: auto-sized columns can be measured before
        # their rows arrive, and then stay too narrow.
        units.add_column("Where", key="where", width=WHERE_WIDTH)
        units.add_column(a, key="first", width=self._coder_width())
        units.add_column(b, key="second", width=self._coder_width())
        if table.row_count:
            table.move_cursor(row=keep or 0)
            self._select_code(int(table.coordinate_to_cell_key((keep or 0, 0)).row_key.value))
        self.query_one(StatusLine).update(
            f"{len(result.codes)} codes · c next pair of coders · u unit · 1/2 keep · "
            "b keep both · m memo · o open"
        )

    # -- a code's differences -----------------------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "agreement-codes" and event.row_key.value:
            code_id = int(event.row_key.value)
            if code_id != self.code_id:
                self._select_code(code_id)
        elif event.data_table.id == "agreement-units":
            self._show(event.cursor_row)

    def _select_code(self, code_id: int) -> None:
        self.code_id = code_id
        self._run(
            differences,
            self.project,
            list(self.current),
            code_id,
            self.unit,
            then=partial(self._diffs_loaded, code_id),
        )

    def _diffs_loaded(self, code_id: int, diffs: list[Difference]) -> None:
        if code_id != self.code_id:
            return  # a later code was chosen while this one loaded
        self.diffs = diffs
        units = self.query_one("#agreement-units", DataTable)
        row = units.cursor_row
        units.clear()
        for n, d in enumerate(diffs):
            limit = self._coder_width() - 2
            marks = ["✓ " + escape(_short(s[0].text, limit)) if s else "—" for s in d.spans]
            units.add_row(f"{d.document} {d.seq}", *marks, key=str(n))
        if diffs:
            units.move_cursor(row=min(row, len(diffs) - 1))
        self._show(units.cursor_row if diffs else None)

    def _show(self, index: int | None) -> None:
        head = self.query_one("#agreement-unit-text", Static)
        sides = (
            self.query_one("#agreement-first", Static),
            self.query_one("#agreement-second", Static),
        )
        if index is None or not 0 <= index < len(self.diffs):
            head.update("[dim]No differences for this code.[/dim]" if self.code_id else "")
            for side in sides:
                side.update("")
            return
        d = self.diffs[index]
        head.update(f"[b]{escape(d.where)}[/b]: {escape(d.text)}")
        for side, name, spans in zip(sides, d.coders, d.spans):
            body = "\n".join(f"“{escape(s.text)}”" for s in spans) or "[dim]not coded[/dim]"
            side.update(f"[b]{escape(name)}[/b]\n{body}")

    def _coder_width(self) -> int:
        """Each coder's column: half of what the differences table has after "Where"."""
        width = self.app.size.width
        side = width - max(36, int(width * 0.45)) - 1
        return max(10, (side - WHERE_WIDTH - 6) // 2)

    @property
    def chosen(self) -> Difference | None:
        units = self.query_one("#agreement-units", DataTable)
        if not self.diffs or not 0 <= units.cursor_row < len(self.diffs):
            self.notify("No difference selected.", severity="warning")
            return None
        return self.diffs[units.cursor_row]

    # -- actions -----------------------------------------------------------------------------
    def action_cycle_coders(self) -> None:
        if len(self.coders) > 2:
            self.pair += 1
            self._compute()

    def action_toggle_unit(self) -> None:
        self.unit = "turn" if self.unit == "sentence" else "sentence"
        if len(self.coders) >= 2:
            self._compute()

    def action_keep(self, which: int) -> None:
        d = self.chosen
        if d is not None:
            self._run(
                settle_keep,
                self.project,
                d,
                d.coders[which],
                serial=True,
                then=lambda n: self._settled(
                    f"Kept {d.coders[which]}'s version at {d.where} ({n} coding(s) replaced)."
                ),
            )

    def action_keep_both(self) -> None:
        d = self.chosen
        if d is not None:
            self._run(
                settle_both,
                self.project,
                d,
                serial=True,
                then=lambda _: self._settled(f"Kept both at {d.where} (noted in memo)."),
            )

    def action_memo(self) -> None:
        d = self.chosen
        if d is None:
            return

        def save(text: object) -> None:
            if isinstance(text, str) and text.strip():
                self._run(
                    settle_memo,
                    self.project,
                    d,
                    text,
                    serial=True,
                    then=lambda _: self._settled(f"Memo written for {d.where}."),
                )

        self.app.push_screen(MemoDialog(f"Memo on {d.where}", context=d.text[:200]), save)

    def action_open_text(self) -> None:
        d = self.chosen
        if d is not None:
            self.dismiss()
            self.app.open_reader(d.document_id, d.start)  # type: ignore[attr-defined]

    def action_leave(self) -> None:
        self.dismiss()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "agreement-units":
            self.action_open_text()
        else:
            self.query_one("#agreement-units", DataTable).focus()

    def on_project_changed(self, message: ProjectChanged) -> None:
        if self.result is not None:
            self._compute()  # someone coded elsewhere: the figures moved

    def _settled(self, message: str) -> None:
        self.notify(message, timeout=4)
        self._compute()


def _short(text: str, limit: int = 40) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"
