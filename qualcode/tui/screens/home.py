"""Project home: documents by case and participant with coding progress, cases, codebook counts."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from qualcode.services.cases import CaseInfo, list_cases
from qualcode.services.documents import DocumentInfo, percent_of
from qualcode.tui import keymap
from qualcode.tui.widgets.bulk_table import BulkTable
from qualcode.tui.widgets.chrome import ModeBar, StatusLine
from qualcode.tui.workers import CodebookChanged, DocumentsChanged


@lru_cache(maxsize=512)
def progress_bar(percent: int, width: int = 8) -> Text:
    """``▰▰▰▱▱▱▱▱  34%``: how much of a document is coded.

    One shared (never changed) ``Text`` per figure: a table of 2,000 documents builds
    about a hundred of them instead of 2,000.
    """
    filled = round(width * min(max(percent, 0.0), 100.0) / 100)
    bar = Text("▰" * filled, style="green")
    bar.append("▱" * (width - filled), style="dim")
    bar.append(f" {percent:3d}%")
    return bar


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _cell(value: str, style: str = "") -> Text:
    """Plain text for a table cell, never read as markup (a name may hold brackets)."""
    return Text(value, style=style, no_wrap=True, end="")


class _Cells:
    """Cells for one fill of a table: a value seen before (a blank, a count) is one shared
    ``Text`` (tables draw cells without changing them), so 12,000 cells build far fewer."""

    def __init__(self) -> None:
        self._made: dict[tuple[str, str], Text] = {}

    def __call__(self, value: str, style: str = "") -> Text:
        cell = self._made.get((value, style))
        if cell is None:
            cell = self._made[value, style] = _cell(value, style)
        return cell


class HomeScreen(Screen[None]):
    """The project at a glance; Enter (or o) opens the highlighted document for coding."""

    KEYMAP_SCOPE = "home"
    CSS_PATH = "home.tcss"
    BINDINGS = keymap.bindings("home")

    def __init__(self) -> None:
        super().__init__()
        self.cases: list[CaseInfo] = []
        self._away = False
        self._docs: list[DocumentInfo] = []

    def compose(self) -> ComposeResult:
        yield ModeBar("home")
        yield Static("", id="summary")
        with TabbedContent(id="home-tabs"):
            with TabPane("Documents", id="documents"):
                yield BulkTable(id="documents-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Cases", id="cases"):
                yield BulkTable(id="cases-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Codebook", id="codes"):
                yield BulkTable(id="codes-table", cursor_type="row", zebra_stripes=True)
        yield StatusLine("", id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        docs = self.query_one("#documents-table", DataTable)
        docs.add_column("Case", key="case")
        docs.add_column("Participant", key="participant")
        docs.add_column("Document", key="document")
        docs.add_column("Words", key="words")
        docs.add_column("Codings", key="codings")
        docs.add_column("Coded", key="coded")
        codes = self.query_one("#codes-table", DataTable)
        for label in ("Code", "Key", "Origin", "Codings"):
            codes.add_column(label, key=label.lower())
        # The app reads the documents with their stored coded share as it starts (one
        # query, holding keys until it is in); its DocumentsChanged fills the table,
        # unless the read is in already: then the first frame has the rows.
        self.app.take_first_documents()  # type: ignore[attr-defined]
        self._fill_documents()
        self._fill_codes()
        self._load_cases()
        self.set_focus(docs)  # now, not after the first frame: that would draw it twice

    def on_screen_suspend(self) -> None:
        self._away = True

    def on_screen_resume(self) -> None:
        # Back from another screen: reload. On first showing the app and on_mount load
        # everything already; loading it all twice over would double the wait.
        if self._away:
            self.action_refresh()

    def action_refresh(self) -> None:
        self.app.reload_documents()  # type: ignore[attr-defined]
        self.app.reload_codes()  # type: ignore[attr-defined]
        self._load_cases()

    def _load_cases(self) -> None:
        self.app.run_service(
            self,
            list_cases,
            self.app.project,  # type: ignore[attr-defined]
            then=self._cases_loaded,
        )

    def on_documents_changed(self, message: DocumentsChanged) -> None:
        self._fill_documents()

    def on_codebook_changed(self, message: CodebookChanged) -> None:
        self._fill_codes()

    # -- tables ------------------------------------------------------------------------
    def _fill_documents(self) -> None:
        table = self.query_one("#documents-table", BulkTable)
        docs = list(getattr(self.app, "documents", []))
        self._docs = docs
        key = (
            table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if table.row_count
            else None
        )
        rows = []
        last_case, last_part = object(), object()
        cell = _Cells()
        for d in docs:
            case = d.case or "(no case)"
            rows.append(
                (
                    str(d.id),
                    (
                        cell(case, "bold") if case != last_case else cell(""),
                        cell((d.participant or "") if (case, d.participant) != last_part else ""),
                        _cell(d.name),
                        cell(f"{d.words:,}"),
                        cell(str(d.codings)),
                        progress_bar(d.percent_coded),
                    ),
                )
            )
            last_case, last_part = case, (case, d.participant)
        table.fill(rows)
        if key is not None and any(str(d.id) == key for d in docs):
            table.move_cursor(row=table.get_row_index(key))
        self._summary()

    def _fill_codes(self) -> None:
        table = self.query_one("#codes-table", BulkTable)
        rows = []
        for c in getattr(self.app, "codes", []):
            name = Text("  " * c.depth, no_wrap=True, end="")
            name.append("▌", style=c.colour or "grey50")
            name.append(c.name, style="" if c.codable else "bold")
            rows.append(
                (
                    str(c.id),
                    (
                        name,
                        _cell(c.shortcut or ""),
                        _cell(c.origin),
                        _cell(str(c.count) if c.codable else ""),
                    ),
                )
            )
        table.fill(rows)
        self._summary()

    def _cases_loaded(self, cases: list[CaseInfo]) -> None:
        self.cases = cases
        table = self.query_one("#cases-table", BulkTable)
        table.clear(columns=True)
        attrs: list[str] = []
        for c in cases:
            attrs += [a for a in c.attributes if a not in attrs]
        table.add_column("Case", key="case")
        table.add_column("Group", key="group")
        for a in attrs:
            table.add_column(a.capitalize(), key=f"attr:{a}")
        table.add_column("Participants", key="participants")
        table.add_column("Docs", key="docs")
        cell = _Cells()
        table.fill(
            [
                (
                    str(c.id),
                    (
                        _cell(c.name, "bold"),
                        cell(c.group or ""),
                        *[cell(_fmt(c.attributes.get(a, ""))) for a in attrs],
                        cell(" ".join(c.participants)),
                        cell(str(c.documents)),
                    ),
                )
                for c in cases
            ]
        )
        self._summary()

    def _summary(self) -> None:
        docs = self._docs
        words = sum(d.words for d in docs)
        spoken = sum(d.spoken_chars for d in docs)
        coded = sum(d.coded_chars for d in docs)
        codings = sum(d.codings for d in docs)
        pct = percent_of(coded, spoken)
        project = self.app.project  # type: ignore[attr-defined]
        self.query_one("#summary", Static).update(
            f"{len(docs)} documents · {len(self.cases)} cases · {words:,} words · "
            f"{codings} codings · {pct:.0f}% coded"
        )
        hint = (
            "⏎ open a document for coding │ F2 reader · F3 codebook"
            if docs
            else "No transcripts yet │ F6 Set up: import, framework, cases, groups"
        )
        self.query_one(StatusLine).update(f"{project.coder_name} │ {hint}")

    # -- actions -----------------------------------------------------------------------
    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.query_one(f"#{tab}-table", DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "documents-table" and event.row_key.value:
            self.app.open_reader(int(event.row_key.value))  # type: ignore[attr-defined]
        elif event.data_table.id == "codes-table" and event.row_key.value:
            self.app.show_code(int(event.row_key.value))  # type: ignore[attr-defined]

    def action_open_selected(self) -> None:
        table = self.query_one("#documents-table", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key:
                self.app.open_reader(int(key))  # type: ignore[attr-defined]
