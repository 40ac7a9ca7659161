"""One matrix cell: the quotes behind it, the analyst's summary editor, its history and comments.

Enter on a quote opens the transcript at that passage. ``ctrl+s`` saves the
summary with the chosen status; leaving with escape saves unsaved text first, so
nothing typed is lost. Each save is one transaction and one new revision; if
someone else saved the cell meanwhile, the save is refused and the text stays in
the editor to be merged by hand.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, RadioButton, RadioSet, Static, TextArea
from textual.widgets.option_list import Option

from qualcode.analysis.matrix import Matrix
from qualcode.errors import ConflictError
from qualcode.services import charting
from qualcode.services.charting import CellDetail
from qualcode.tui import keymap
from qualcode.tui.widgets.chrome import ModeBar

VALENCE_MARK = {"facilitator": ("+", "green"), "barrier": ("−", "red"), "neutral": ("=", "grey50")}


def when(moment: Any) -> str:
    """A short, fixed-format time (``14 May 2024 10:30``)."""
    return moment.strftime("%d %b %Y %H:%M") if moment else ""


def quote_prompt(q: Any) -> Text:
    """A quote as an option: who and where on the first line, the passage below."""
    who, _, where = q.citation.partition(", ")
    head = Text.assemble((who, "bold"), (f"  {where}", "dim"))
    if q.valence:
        mark, colour = VALENCE_MARK[q.valence]
        head.append(f"  {mark}{q.valence}", style=colour)
    head.append(f"  {' / '.join(q.code_path[1:] or q.code_path)}", style="dim italic")
    return Text.assemble(head, "\n", (f"“{q.clean_text}”", ""))


class CellScreen(Screen[None]):
    """Read a cell's quotes and chart its summary."""

    CSS_PATH = "matrix.tcss"
    KEYMAP_SCOPE = "cell"
    BINDINGS: ClassVar[list[BindingType]] = [*keymap.bindings("cell")]

    def __init__(self, matrix: Matrix, row: int, column: int) -> None:
        super().__init__()
        self.matrix = matrix
        self.row, self.column = matrix.rows[row], matrix.columns[column]
        self.cell = matrix.cell(row, column)
        self.detail: CellDetail | None = None
        self._saved_text = ""
        self._saved_status = "draft"
        self._leaving = False

    def compose(self) -> ComposeResult:
        yield ModeBar("matrix")
        yield Static("", id="cell-title")
        with Horizontal(id="cell-body"):
            with Vertical(id="cell-quotes-side"):
                yield Static("Quotes [dim](⏎ opens the transcript)[/dim]", classes="section-title")
                yield OptionList(id="cell-quotes")
            with Vertical(id="cell-editor-side"):
                yield Static("Summary", id="summary-title", classes="section-title")
                yield TextArea("", id="summary", soft_wrap=True)
                with RadioSet(id="summary-status"):
                    yield RadioButton("Draft", id="status-draft", value=True)
                    yield RadioButton("Reviewed", id="status-reviewed")
                with VerticalScroll(id="cell-history"):
                    yield Static("", id="history")
        yield Static(
            "ctrl+s save · ctrl+r save as reviewed · tab next · esc back (saves)", id="cell-hint"
        )
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        title = f"[b]{escape(self.row.label)}[/b]"
        if self.row.row_type == "participant" and self.row.case:
            title += f" [dim]({escape(self.row.case)})[/dim]"
        title += f" × [b]{escape(self.column.path_str)}[/b]"
        if self.column.rolls_up:
            title += " [dim](+ child codes)[/dim]"
        c = self.cell
        title += (
            f"\n{c.count} coding{'s' if c.count != 1 else ''} · {len(c.participants)} "
            f"participant{'s' if len(c.participants) != 1 else ''}"
            + (f" [dim]({escape(', '.join(c.participants))})[/dim]" if c.participants else "")
        )
        if self.column.definition:
            first = self.column.definition.split(". ", 1)[0].rstrip(".") + "."
            first = first if len(first) <= 100 else first[:99].rsplit(" ", 1)[0].rstrip(",;") + " …"
            title += f"\n[dim i]{escape(first)}[/]"
        self.query_one("#cell-title", Static).update(title)
        self.query_one("#summary", TextArea).focus()
        self._load()

    def _load(self) -> None:
        self.app.run_service(
            self,
            charting.cell_detail,
            self.app.project,  # type: ignore[attr-defined]
            self.row.row_type,
            self.row.id,
            self.column.code_id,
            cell=self.cell,
            then=self._loaded,
            label="cell",
        )

    def _loaded(self, detail: CellDetail) -> None:
        first_load = self.detail is None
        self.detail = detail
        s = detail.summary
        self._saved_text = s.text if s else ""
        self._saved_status = s.status if s and s.status != "empty" else "draft"
        if first_load:
            quotes = self.query_one("#cell-quotes", OptionList)
            quotes.clear_options()
            quotes.add_options(
                [Option(quote_prompt(q), id=str(n)) for n, q in enumerate(detail.quotes)]
            )
            if detail.quotes:
                quotes.highlighted = 0
            else:
                quotes.add_option(
                    Option(
                        Text("No codings in this cell (with these filters).", style="dim"),
                        disabled=True,
                    )
                )
            self.query_one("#summary", TextArea).load_text(self._saved_text)
            self._set_status(self._saved_status)
        self._show_history()

    def _set_status(self, status: str) -> None:
        self.query_one(
            f"#status-{'reviewed' if status == 'reviewed' else 'draft'}", RadioButton
        ).value = True

    def _status(self) -> str:
        return "reviewed" if self.query_one("#status-reviewed", RadioButton).value else "draft"

    def _show_history(self) -> None:
        assert self.detail is not None
        d = self.detail
        s = d.summary
        title = "Summary"
        if s and s.status != "empty":
            title += f" [dim]· {s.status} · {escape(s.author or '')} · {when(s.updated_at)}[/dim]"
        self.query_one("#summary-title", Static).update(title)
        lines = []
        if d.revisions:
            lines.append(f"[b]History[/b] [dim]({len(d.revisions)} saved)[/dim]")
            for r in d.revisions[:8]:
                first = (r.text.split("\n", 1)[0] or "(cleared)")[:70]
                lines.append(
                    f"[dim]{when(r.saved_at)} {r.status} {escape(r.author or '')}:[/dim] "
                    f"{escape(first)}"
                )
        if d.comments:
            lines.append(f"[b]Workshop comments[/b] [dim]({len(d.comments)})[/dim]")
            for c in d.comments:
                lines.append(
                    f"[dim]{when(c.created_at)} {escape(c.author)}:[/dim] {escape(c.text)}"
                )
        self.query_one("#history", Static).update(
            "\n".join(lines) or "[dim]No saved versions yet.[/dim]"
        )

    # -- saving --------------------------------------------------------------------------------
    def _dirty(self) -> bool:
        text = charting.normalise_summary(self.query_one("#summary", TextArea).text)
        return text != self._saved_text or (bool(text) and self._status() != self._saved_status)

    def action_save(self, status: str | None = None) -> None:
        if self.detail is None:
            return
        text = self.query_one("#summary", TextArea).text
        status = status or self._status()
        if status != self._status():
            self._set_status(status)
        self.app.run_service(
            self,
            charting.write_summary,
            self.app.project,  # type: ignore[attr-defined]
            self.row.row_type,
            self.row.id,
            self.column.code_id,
            text,
            status=status if text.strip() else None,
            expected_revision=self.detail.revision_id,
            serial=True,
            then=self._saved,
            on_error=self._save_failed,
            label="summary",
        )

    def action_save_reviewed(self) -> None:
        self.action_save("reviewed")

    def _saved(self, summary: Any) -> None:
        self.notify(f"Summary saved ({summary.status}).", timeout=2)
        if self._leaving:
            self.dismiss()
            return
        self.app.run_service(
            self,
            charting.cell_detail,
            self.app.project,  # type: ignore[attr-defined]
            self.row.row_type,
            self.row.id,
            self.column.code_id,
            cell=self.cell,
            then=self._loaded,
            label="cell",
        )

    def _save_failed(self, exc: BaseException) -> None:
        self._leaving = False
        if isinstance(exc, ConflictError):
            self.notify(str(exc), title="Not saved", severity="error", timeout=15)
        else:
            self.app.notify_error(exc)  # type: ignore[attr-defined]

    def action_leave(self) -> None:
        if self.detail is not None and self._dirty():
            self._leaving = True
            self.action_save()
        else:
            self.dismiss()

    # -- quotes -----------------------------------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option_index)

    def action_open_quote(self) -> None:
        self._open(self.query_one("#cell-quotes", OptionList).highlighted)

    def _open(self, index: int | None) -> None:
        if self.detail is None or index is None or index >= len(self.detail.quotes):
            return
        q = self.detail.quotes[index]
        if self._dirty():
            self.action_save()
        self.app.open_reader(q.document_id, q.start)  # type: ignore[attr-defined]
