"""Project home: documents by case and participant with coding progress, cases, codebook counts."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from qualcode.services.cases import CaseInfo, list_cases
from qualcode.services.documents import percent_of
from qualcode.tui import keymap
from qualcode.tui.widgets.chrome import ModeBar, StatusLine
from qualcode.tui.workers import CodebookChanged, DocumentsChanged


def progress_bar(percent: int, width: int = 8) -> Text:
    """``▰▰▰▱▱▱▱▱  34%``: how much of a document is coded."""
    filled = round(width * min(max(percent, 0.0), 100.0) / 100)
    bar = Text("▰" * filled, style="green")
    bar.append("▱" * (width - filled), style="dim")
    bar.append(f" {percent:3d}%")
    return bar


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class HomeScreen(Screen[None]):
    """The project at a glance; Enter (or o) opens the highlighted document for coding."""

    KEYMAP_SCOPE = "home"
    CSS_PATH = "home.tcss"
    BINDINGS = keymap.bindings("home")

    def __init__(self) -> None:
        super().__init__()
        self.cases: list[CaseInfo] = []

    def compose(self) -> ComposeResult:
        yield ModeBar("home")
        yield Static("", id="summary")
        with TabbedContent(id="home-tabs"):
            with TabPane("Documents", id="documents"):
                yield DataTable(id="documents-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Cases", id="cases"):
                yield DataTable(id="cases-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Codebook", id="codes"):
                yield DataTable(id="codes-table", cursor_type="row", zebra_stripes=True)
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
        self._fill_documents()
        self._fill_codes()
        self._load_cases()
        docs.focus()

    def on_screen_resume(self) -> None:
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
        table = self.query_one("#documents-table", DataTable)
        docs = list(getattr(self.app, "documents", []))
        key = (
            table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if table.row_count
            else None
        )
        table.clear()
        last_case, last_part = object(), object()
        for d in docs:
            case = d.case or "(no case)"
            table.add_row(
                Text(case, style="bold") if case != last_case else "",
                (d.participant or "") if (case, d.participant) != last_part else "",
                d.name,
                f"{d.words:,}",
                str(d.codings),
                progress_bar(d.percent_coded),
                key=str(d.id),
            )
            last_case, last_part = case, (case, d.participant)
        if key is not None and any(str(d.id) == key for d in docs):
            table.move_cursor(row=table.get_row_index(key))
        self._summary()

    def _fill_codes(self) -> None:
        table = self.query_one("#codes-table", DataTable)
        table.clear()
        for c in getattr(self.app, "codes", []):
            name = Text("  " * c.depth)
            name.append("▌", style=c.colour or "grey50")
            name.append(c.name, style="" if c.codable else "bold")
            table.add_row(
                name, c.shortcut or "", c.origin, str(c.count) if c.codable else "", key=str(c.id)
            )
        self._summary()

    def _cases_loaded(self, cases: list[CaseInfo]) -> None:
        self.cases = cases
        table = self.query_one("#cases-table", DataTable)
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
        for c in cases:
            table.add_row(
                Text(c.name, style="bold"),
                c.group or "",
                *[_fmt(c.attributes.get(a, "")) for a in attrs],
                " ".join(c.participants),
                str(c.documents),
                key=str(c.id),
            )
        self._summary()

    def _summary(self) -> None:
        docs = getattr(self.app, "documents", [])
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
