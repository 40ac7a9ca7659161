"""The workshop view: one matrix cell (or one case's row) at a time, big and high-contrast.

For co-production sessions with the chart on a projector: the case and construct
as headings, the analyst's summary, a few quotes labelled by participant id, and
the comments the workshop has recorded. ``c`` records a comment (with its author
and time, kept apart from the analyst's summary); ``a`` sets who is speaking.
The colours are fixed black/white/yellow whatever the theme; zoom the terminal
(usually ctrl and +) for larger type: the view reflows to fit.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from qualcode.analysis.matrix import Matrix
from qualcode.analysis.quotes import illustrative
from qualcode.services import charting
from qualcode.services.charting import CellDetail
from qualcode.tui import keymap
from qualcode.tui.screens.dialogs import MemoDialog, PromptDialog
from qualcode.tui.screens.matrix_cell import when

QUOTES_SHOWN = 3


class WorkshopScreen(Screen[None]):
    """A projectable view of the chart that records the workshop's comments."""

    DEFAULT_CSS = """
    WorkshopScreen { background: #000000; color: #ffffff; padding: 1 4; }
    WorkshopScreen #ws-where { color: #ffffff; text-style: bold; height: auto; }
    WorkshopScreen #ws-what { color: #ffff00; text-style: bold; height: auto; margin-bottom: 1; }
    WorkshopScreen #ws-body { height: 1fr; scrollbar-color: #ffff00; }
    WorkshopScreen #ws-content { color: #ffffff; max-width: 100; }
    WorkshopScreen #ws-keys { height: auto; color: #ffff00; margin-top: 1; }
    """
    KEYMAP_SCOPE = "workshop"
    BINDINGS: ClassVar[list[BindingType]] = [
        *keymap.bindings("workshop"),
    ]

    author: ClassVar[str | None] = None
    """Who is speaking; kept for the rest of the session once set."""

    def __init__(self, matrix: Matrix, row: int, column: int) -> None:
        super().__init__()
        self.matrix = matrix
        self.ri, self.ci = row, column
        self.row_mode = False
        self.all_quotes = False
        self.details: dict[tuple[int, int], CellDetail] = {}
        self._pending: set[tuple[int, int]] = set()

    def compose(self) -> ComposeResult:
        yield Static("", id="ws-where")
        yield Static("", id="ws-what")
        with VerticalScroll(id="ws-body"):
            yield Static("", id="ws-content")
        yield Static("", id="ws-keys")

    def on_mount(self) -> None:
        if WorkshopScreen.author is None:
            WorkshopScreen.author = self.app.project.coder_name  # type: ignore[attr-defined]
        self._show()

    # -- navigation --------------------------------------------------------------------------------
    def action_step(self, rows: int, columns: int) -> None:
        m = self.matrix
        ri = min(max(self.ri + rows, 0), len(m.rows) - 1)
        ci = min(max(self.ci + columns, 0), len(m.columns) - 1)
        if (ri, ci) != (self.ri, self.ci):
            self.ri, self.ci = ri, ci
            self.query_one("#ws-body", VerticalScroll).scroll_home(animate=False)
            self._show()

    def action_toggle_row(self) -> None:
        self.row_mode = not self.row_mode
        self._show()

    def action_more(self) -> None:
        self.all_quotes = not self.all_quotes
        self._show()

    def action_leave(self) -> None:
        self.dismiss()

    def _row_columns(self) -> list[int]:
        return self.matrix.columns_in(self.matrix.columns[self.ci].domain)

    # -- showing -------------------------------------------------------------------------------------
    def _show(self) -> None:
        m = self.matrix
        row, col = m.rows[self.ri], m.columns[self.ci]
        where = escape(row.label)
        if row.row_type == "participant" and row.case:
            where += f"  ({escape(row.case)})"
        extra = " · ".join(
            ([f"group {row.group}"] if row.group else [])
            + [f"{k} {v}" for k, v in row.attributes.items() if k.lower() != "group"]
        )
        self.query_one("#ws-where", Static).update(
            f"{where}"
            + (f"   [not bold]{escape(extra)}[/]" if extra else "")
            + f"   [not bold]({self.ri + 1} of {len(m.rows)})[/]"
        )
        if self.row_mode:
            self.query_one("#ws-what", Static).update(
                f"{escape(col.domain.upper())} — every construct for this case"
            )
            self._show_row()
        else:
            path = (
                " › ".join([col.domain.upper(), *col.path[1:]])
                if col.path[0] == col.domain
                else " › ".join([col.domain.upper(), *col.path])
            )
            self.query_one("#ws-what", Static).update(escape(path))
            self._show_cell()
        mode = "cell view" if self.row_mode else "row view"
        self.query_one("#ws-keys", Static).update(
            "←/→ construct · ↑/↓ case · c comment · "
            f"a author: {escape(WorkshopScreen.author or '')} · r {mode} · m all quotes · "
            "esc leave"
        )

    def _show_cell(self) -> None:
        key = (self.ri, self.ci)
        detail = self.details.get(key)
        content = self.query_one("#ws-content", Static)
        if not self.matrix.rows[self.ri].chartable:
            content.update("These codings belong to documents with no case; assign them first.")
            return
        if detail is None:
            content.update("…")
            self._request(key)
            return
        content.update(self._cell_text(detail))

    def _request(self, key: tuple[int, int]) -> None:
        """Load a cell's quotes and comments in a worker (once at a time per cell)."""
        if key in self._pending or not self.matrix.rows[key[0]].chartable:
            return
        self._pending.add(key)
        self.app.run_service(
            self,
            charting.matrix_cell_detail,
            self.app.project,  # type: ignore[attr-defined]
            self.matrix,
            *key,
            then=lambda d: self._detail_loaded(key, d),
            label="workshop cell",
        )

    def _detail_loaded(self, key: tuple[int, int], detail: CellDetail) -> None:
        self._pending.discard(key)
        self.details[key] = detail
        if key == (self.ri, self.ci) and not self.row_mode:
            self.query_one("#ws-content", Static).update(self._cell_text(detail))
        elif self.row_mode and key[0] == self.ri:
            self._show_row()

    def _cell_text(self, d: CellDetail) -> str:
        out = []
        s = d.summary
        if s and s.text:
            out.append(f"[b]Analyst's summary[/b] ({s.status}, {escape(s.author or '')})")
            out.append(escape(s.text))
        else:
            out.append("[b]Analyst's summary[/b]\n[i]Not written yet.[/i]")
        c = d.cell
        out.append("")
        out.append(
            f"[b]What participants said[/b]  ({c.count} coding{'s' if c.count != 1 else ''}, "
            f"{len(c.participants)} participant{'s' if len(c.participants) != 1 else ''})"
        )
        shown = list(d.quotes) if self.all_quotes else illustrative(d.quotes, QUOTES_SHOWN)
        for q in shown:
            out.append(f"“{escape(q.clean_text)}”\n   [b #ffff00]— {escape(q.citation)}[/]")
        if len(shown) < len(d.quotes):
            out.append(f"[i]… and {len(d.quotes) - len(shown)} more (m shows all)[/i]")
        if not d.quotes:
            out.append("[i]No codings here.[/i]")
        out.append("")
        out.append(f"[b]Workshop comments[/b]  ({len(d.comments)})")
        for cm in d.comments:
            out.append(
                f"[b #ffff00]{escape(cm.author)}[/], {when(cm.created_at)}: {escape(cm.text)}"
            )
        if not d.comments:
            out.append("[i]None yet: press c to record one.[/i]")
        return "\n".join(out)

    def _show_row(self) -> None:
        m = self.matrix
        out = []
        for ci in self._row_columns():
            col, cell = m.columns[ci], m.cell(self.ri, ci)
            detail = self.details.get((self.ri, ci))
            if detail is None:
                self._request((self.ri, ci))
            mark = "▶ " if ci == self.ci else ""
            out.append(
                f"[b #ffff00]{mark}{escape(' / '.join(col.path[1:]) or col.name)}[/]  "
                f"({cell.count} coding{'s' if cell.count != 1 else ''})"
            )
            out.append(escape(cell.summary_text) if cell.summary_text else "[i]No summary yet.[/i]")
            comments = detail.comments if detail else ()
            for cm in comments:
                out.append(f"  [b]{escape(cm.author)}[/b]: {escape(cm.text)}")
            if not detail and cell.comments:
                out.append(f"  [i]{cell.comments} workshop comment(s)[/i]")
            out.append("")
        self.query_one("#ws-content", Static).update("\n".join(out))

    # -- recording -----------------------------------------------------------------------------------
    def action_author(self) -> None:
        def done(value: Any) -> None:
            if value and str(value).strip():
                WorkshopScreen.author = str(value).strip()
                self._show()

        self.app.push_screen(
            PromptDialog(
                "Who is commenting?",
                WorkshopScreen.author or "",
                hint="A name or a role, e.g. 'Peer researcher' or 'Workshop group'.",
            ),
            done,
        )

    def action_comment(self) -> None:
        m = self.matrix
        row, col = m.rows[self.ri], m.columns[self.ci]
        if not row.chartable:
            return
        key = (self.ri, self.ci)

        def done(text: Any) -> None:
            if not text or not str(text).strip():
                return
            self.app.run_service(
                self,
                charting.add_workshop_comment,
                self.app.project,  # type: ignore[attr-defined]
                row.row_type,
                row.id,
                col.code_id,
                str(text),
                author=WorkshopScreen.author,
                serial=True,
                then=lambda _c: self._comment_saved(key),
                label="comment",
            )

        self.app.push_screen(
            MemoDialog(
                f"Workshop comment on {row.label} × {col.path_str}",
                context=f"Recorded as said by {WorkshopScreen.author} "
                "(press a in the workshop view to change).",
            ),
            done,
        )

    def _comment_saved(self, key: tuple[int, int]) -> None:
        self.notify("Workshop comment recorded.", timeout=2)
        self.details.pop(key, None)
        self._request(key)
