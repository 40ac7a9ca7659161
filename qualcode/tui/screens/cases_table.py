"""Cases and participants: a table of cases with typed attributes, and who belongs where.

Enter edits the highlighted cell: an attribute value (a number such as 12, 7.5 or
76% is stored as a number; anything else as text), the case's participants, or
a participant's case. Every edit is one transaction, saved at once.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from qualcode.services.case_table import ParticipantInfo, list_participants
from qualcode.services.cases import CaseInfo, list_cases
from qualcode.tui import keymap
from qualcode.tui.screens.cases_edit import CaseEditing, show_value, type_word
from qualcode.tui.widgets.bulk_table import BulkTable
from qualcode.tui.widgets.chrome import StatusLine
from qualcode.wording import plural


def _plain(value: str) -> Text:
    """A cell as it is, never read as markup (a label may hold brackets)."""
    return Text(value, no_wrap=True, end="")


def _load(project: Any) -> tuple[list[CaseInfo], list[ParticipantInfo]]:
    return list_cases(project), list_participants(project)


class CasesScreen(CaseEditing, Screen[None]):
    """The cases table on top, the participants below (tab moves between them)."""

    KEYMAP_SCOPE = "cases"
    CSS_PATH = "cases_table.tcss"
    BINDINGS = keymap.bindings("cases")

    def __init__(self) -> None:
        super().__init__()
        self.cases: list[CaseInfo] = []
        self.participants: list[ParticipantInfo] = []
        self.attributes: list[str] = []
        self.pending: list[str] = []  # new columns with no value yet

    def compose(self) -> ComposeResult:
        yield Static(
            "[b]Cases[/b] (sites) with their attributes · ⏎ edit a cell · ctrl+n new "
            "case · + new attribute",
            id="cases-title",
        )
        yield BulkTable(id="cases-grid", cursor_type="cell", zebra_stripes=True)
        yield Static("", id="cases-cell")
        yield Static(
            "[b]Participants[/b] · ⏎ sets the case a participant belongs to", id="people-title"
        )
        yield BulkTable(id="people-grid", cursor_type="row", zebra_stripes=True)
        yield StatusLine("", id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        people = self.query_one("#people-grid", DataTable)
        for label in ("Participant", "Case", "Role", "Documents"):
            people.add_column(label, key=label.lower())
        self.query_one("#cases-grid", DataTable).focus()
        self.action_refresh()

    # -- loading -------------------------------------------------------------------------
    def action_refresh(self) -> None:
        app: Any = self.app
        app.run_service(self, _load, app.project, then=self._loaded, label="cases")

    def _loaded(self, data: tuple[list[CaseInfo], list[ParticipantInfo]]) -> None:
        self.cases, self.participants = data
        attrs: list[str] = []
        for c in self.cases:
            attrs += [a for a in c.attributes if a not in attrs]
        self.pending = [p for p in self.pending if p.lower() not in {a.lower() for a in attrs}]
        self.attributes = attrs + self.pending
        self._fill_cases()
        self._fill_people()

    def _fill_cases(self) -> None:
        grid = self.query_one("#cases-grid", BulkTable)
        at = grid.cursor_coordinate
        was = grid.coordinate_to_cell_key(at) if grid.row_count else None
        grid.clear(columns=True)
        grid.add_column("Case", key="case")
        for a in self.attributes:
            grid.add_column(a, key=f"attr:{a}")
        grid.add_column("Participants", key="participants")
        grid.add_column("Docs", key="docs")
        rows = []
        for c in self.cases:
            cells: list[Text] = [Text(c.name, style="bold")]
            for a in self.attributes:
                v = c.attributes.get(a)
                cells.append(
                    Text(show_value(v), justify="right" if not isinstance(v, str) else "left")
                )
            cells += [_plain(" ".join(c.participants)), _plain(str(c.documents))]
            rows.append((str(c.id), cells))
        grid.fill(rows)
        if grid.row_count:  # the same case and column, wherever they are now
            row, column = min(at.row, grid.row_count - 1), min(at.column, len(grid.columns) - 1)
            if was is not None:
                rows, columns = list(grid.rows), list(grid.columns)
                row = rows.index(was.row_key) if was.row_key in rows else row
                column = columns.index(was.column_key) if was.column_key in columns else column
            grid.move_cursor(row=row, column=column)
        self._cell_line()
        self.query_one(StatusLine).update(
            f"{plural(len(self.cases), 'case')}, {plural(len(self.attributes), 'attribute')}, "
            f"{plural(len(self.participants), 'participant')} · ctrl+o import CSV · ctrl+e "
            "export CSV"
        )
        if not self.cases:
            self.query_one("#cases-cell", Static).update(
                "No cases yet. Press ctrl+n to add one (e.g. Site 3), or ctrl+o to import a "
                "CSV (first column 'case'). Imported transcripts make their cases too."
            )

    def _fill_people(self) -> None:
        grid = self.query_one("#people-grid", BulkTable)
        grid.fill(
            [
                (
                    p.label,
                    (
                        Text(p.label, style="bold"),
                        _plain(p.case or "—"),
                        _plain(p.role or ""),
                        _plain(str(p.documents)),
                    ),
                )
                for p in self.participants
            ]
        )

    # -- where the cursor is -------------------------------------------------------------
    def _at(self) -> tuple[CaseInfo | None, str]:
        grid = self.query_one("#cases-grid", DataTable)
        if not grid.row_count:
            return None, ""
        key = grid.coordinate_to_cell_key(grid.cursor_coordinate)
        case = next((c for c in self.cases if str(c.id) == key.row_key.value), None)
        return case, str(key.column_key.value or "")

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._cell_line()

    def _cell_line(self) -> None:
        case, column = self._at()
        line = self.query_one("#cases-cell", Static)
        if case is None:
            return
        if column.startswith("attr:"):
            name = column[5:]
            value = case.attributes.get(name)
            line.update(
                f"{escape(case.name)} · {escape(name)} = "
                + (
                    f"[b]{escape(show_value(value))}[/b] ({type_word(value)})"
                    if value is not None
                    else "[dim]no value[/dim]"
                )
            )
        elif column == "participants":
            line.update(
                f"{escape(case.name)} · participants: "
                f"{escape(' '.join(case.participants) or 'none')}"
            )
        else:
            group = f" · group {case.group}" if case.group else ""
            line.update(f"{escape(case.name)}{group} · {plural(case.documents, 'document')}")

    # -- editing -------------------------------------------------------------------------
    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_edit()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "people-grid" and event.row_key.value:
            self._edit_participant(str(event.row_key.value))

    def action_edit(self) -> None:
        if self.query_one("#people-grid", DataTable).has_focus:
            grid = self.query_one("#people-grid", DataTable)
            if grid.row_count:
                key = grid.coordinate_to_cell_key(grid.cursor_coordinate).row_key.value
                self._edit_participant(str(key))
            return
        case, column = self._at()
        if case is None:
            return
        if column.startswith("attr:"):
            self._edit_value(case, column[5:])
        elif column == "participants":
            self._edit_members(case)
        elif column == "case":
            self.notify(
                "Case names come from the participant ids; edit its attributes in the "
                "other columns.",
                timeout=6,
            )

    def action_switch_table(self) -> None:
        cases = self.query_one("#cases-grid", DataTable)
        (self.query_one("#people-grid", DataTable) if cases.has_focus else cases).focus()

    def _saved(self, _result: Any = None) -> None:
        self.action_refresh()

    def action_back(self) -> None:
        self.dismiss(None)
