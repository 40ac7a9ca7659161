"""Editing the cases table: the prompts behind each cell, new cases and columns, CSV.

A mixin of :class:`~qualcode.tui.screens.cases_table.CasesScreen`: each edit
runs one service call in a worker (one transaction), then the table reloads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from qualcode.services.case_table import (
    ParticipantInfo,
    export_cases_csv,
    remove_case_attribute,
    set_case_participants,
    set_participant_case,
)
from qualcode.services.cases import CaseInfo, import_cases_csv, parse_value, set_case
from qualcode.tui.screens.dialogs import PromptDialog
from qualcode.tui.screens.file_dialog import FileDialog
from qualcode.tui.widgets.chrome import StatusLine

VALUE_HINT = (
    "A number (12, 7.5, 76%) is stored as a number and compared as one in group "
    "rules; anything else is text. Leave it empty to remove the value."
)


def type_word(value: Any) -> str:
    return "text" if isinstance(value, str) else "number"


def show_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


class CaseEditing:
    """Prompts and CSV for the cases screen (which provides the tables and ``_saved``)."""

    cases: list[CaseInfo]
    participants: list[ParticipantInfo]
    attributes: list[str]
    pending: list[str]
    app: Any  # the screen provides query_one, notify, _at, _fill_cases and _saved

    def _save(self, service: Any, *args: Any, label: str) -> None:
        """Run one edit in a worker (one transaction), then reload the tables."""
        app: Any = self.app
        app.run_service(
            self, service, app.project, *args, then=self._saved, serial=True, label=label
        )

    def _edit_value(self, case: CaseInfo, name: str) -> None:
        current = case.attributes.get(name)

        def done(text: Any) -> None:
            if text is None:
                return
            raw = str(text).strip()
            if raw == "":
                if current is not None:
                    self._save(remove_case_attribute, case.name, name, label="remove attribute")
                return
            self._save(set_case, case.name, {name: raw}, label="set attribute")
            kind = type_word(parse_value(raw))
            self.query_one(StatusLine).update(f"{case.name}: {name} = {raw} saved as {kind}")

        self.app.push_screen(
            PromptDialog(f"{name} for {case.name}", show_value(current), hint=VALUE_HINT), done
        )

    def _edit_members(self, case: CaseInfo) -> None:
        def done(text: Any) -> None:
            if text is None:
                return
            labels = str(text).replace(",", " ").split()
            self._save(set_case_participants, case.name, labels, label="set participants")

        known = ", ".join(p.label for p in self.participants) or "none imported yet"
        self.app.push_screen(
            PromptDialog(
                f"Participants in {case.name} (ids, space separated)",
                " ".join(case.participants),
                hint=f"Participants: {known}",
            ),
            done,
        )

    def _edit_participant(self, label: str) -> None:
        person = next((p for p in self.participants if p.label == label), None)

        def done(text: Any) -> None:
            if text is None:
                return
            self._save(
                set_participant_case, label, str(text).strip() or None, label="set participant case"
            )

        cases = ", ".join(c.name for c in self.cases) or "none yet"
        self.app.push_screen(
            PromptDialog(
                f"Case for {label}",
                person.case or "" if person else "",
                hint=f"Cases: {cases}. Empty: no case.",
            ),
            done,
        )

    def action_new_case(self) -> None:
        def done(text: Any) -> None:
            if text is None or not str(text).strip():
                return
            self._save(set_case, str(text).strip(), label="new case")

        self.app.push_screen(PromptDialog("New case", "", placeholder="e.g. Site 7"), done)

    def action_new_attribute(self) -> None:
        def done(text: Any) -> None:
            name = " ".join(str(text or "").split())
            if not name:
                return
            if name.lower() in {a.lower() for a in self.attributes}:
                self.notify(f"There is already an attribute {name!r}.", severity="warning")
                return
            self.pending.append(name)
            self.attributes.append(name)
            self._fill_cases()
            grid = self.query_one("#cases-grid", DataTable)
            grid.move_cursor(column=1 + self.attributes.index(name))
            grid.focus()

        self.app.push_screen(
            PromptDialog(
                "New attribute (a column: e.g. fidelity, engagement, locality)",
                "",
                hint="Then give each case its value with Enter.",
            ),
            done,
        )

    def action_clear_cell(self) -> None:
        case, column = self._at()
        if case is None or not column.startswith("attr:"):
            return
        name = column[5:]
        if case.attributes.get(name) is None:
            return
        self._save(remove_case_attribute, case.name, name, label="remove attribute")

    # -- CSV -----------------------------------------------------------------------------
    def action_import_csv(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is None:
                return
            app: Any = self.app
            app.run_service(
                self,
                import_cases_csv,
                app.project,
                path,
                then=self._csv_imported,
                serial=True,
                label="import cases",
            )

        self.app.push_screen(
            FileDialog("Import cases from a CSV (first column 'case')", (".csv",)), chosen
        )

    def _csv_imported(self, report: Any) -> None:
        text = f"{len(report.cases_created)} cases created, {len(report.cases_updated)} updated."
        self.notify(text, title="Cases imported", timeout=8)
        self.action_refresh()

    def action_export_csv(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is None:
                return
            app: Any = self.app
            app.run_service(
                self,
                export_cases_csv,
                app.project,
                path,
                then=lambda p: self.notify(f"Cases written to {p}", title="Exported", timeout=8),
                label="export cases",
            )

        self.app.push_screen(
            FileDialog(
                "Export the cases table as CSV",
                (".csv",),
                value=str(Path.cwd() / "cases.csv"),
                must_exist=False,
            ),
            chosen,
        )
