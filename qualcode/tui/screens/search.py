"""Search the whole project (ctrl+f): every occurrence, with context; Enter opens it in the reader."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from qualcode.services.search import SearchHit, search_text
from qualcode.tui.widgets.bulk_table import ResultTable


class ProjectSearchScreen(ModalScreen[None]):
    """A search line and a table of hits."""

    DEFAULT_CSS = """
    ProjectSearchScreen { align: center middle; }
    ProjectSearchScreen > Vertical { width: 110; max-width: 100%; height: 90%;
        border: round $primary; background: $surface; }
    ProjectSearchScreen #search-count { height: 1; padding: 0 1; color: $text-muted; }
    ProjectSearchScreen DataTable { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[SearchHit] = []
        self.query_text = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Input(
                placeholder="Search every document (Enter), ↓ to the results, Enter opens one",
                id="project-query",
            )
            yield Static("", id="search-count")
            yield ResultTable(id="hits", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Who", key="who")
        table.add_column("Where", key="where")
        table.add_column("In context", key="context")
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_text = event.value.strip()
        if not self.query_text:
            return
        self.query_one("#search-count", Static).update("Searching…")
        self.app.run_service(
            self,
            search_text,
            self.app.project,  # type: ignore[attr-defined]
            self.query_text,
            then=self._show,
        )

    def _show(self, hits: list[SearchHit]) -> None:
        self.hits = hits
        table = self.query_one(DataTable)
        table.clear()
        for i, h in enumerate(hits):
            context = Text("…" + h.before[-40:], style="dim")
            context.append(h.match, style="bold reverse")
            context.append(h.after[:40] + "…", style="dim")
            table.add_row(h.participant or h.document, h.case or "", context, key=str(i))
        docs = len({h.document_id for h in hits})
        self.query_one("#search-count", Static).update(
            f"{len(hits)} matches in {docs} documents for “{self.query_text}”"
            + (" (first 500)" if len(hits) >= 500 else "")
        )
        if hits:
            table.focus()

    def key_down(self) -> None:
        if isinstance(self.focused, Input) and self.hits:
            self.query_one(DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        hit = self.hits[int(event.row_key.value or 0)]
        query = self.query_text
        self.dismiss()
        self.app.open_reader(hit.document_id, hit.start)  # type: ignore[attr-defined]
        reader = self.app.screen_for_mode("reader")  # type: ignore[attr-defined]
        if reader is not None and hasattr(reader, "search_after_load"):
            reader.search_after_load(query, hit.start)
