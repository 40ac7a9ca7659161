"""Case groups: set each case's group by hand, from an attribute, or by rules.

As a rule is typed, every case's group and the reason for it are worked out
again (nothing is stored until ctrl+s); a misspelt attribute or a syntax slip is
reported with its column, never shown as cases that "match no rule".
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TextArea

from qualcode.analysis.groups import GROUPS, GroupAssignment
from qualcode.services.cases import list_cases
from qualcode.services.patterns import (
    apply_groups,
    clear_groups,
    group_attribute,
    group_rules,
    list_groups,
    preview_group_rules,
    set_group,
    set_group_rules,
)
from qualcode.tui import keymap
from qualcode.tui.screens.dialogs import PromptDialog
from qualcode.tui.widgets.bulk_table import ResultTable
from qualcode.tui.widgets.chrome import StatusLine
from qualcode.tui.workers import LatestRead

GROUP_STYLE = {"high": "green", "low": "red", "outlier": "yellow"}


def _load(project: Any) -> tuple[list[str], str | None, list[Any], list[GroupAssignment]]:
    return group_rules(project), group_attribute(project), list_cases(project), list_groups(project)


def tally(assignments: list[GroupAssignment]) -> str:
    counts = {g: 0 for g in (*GROUPS, None)}
    for a in assignments:
        counts[a.group] = counts.get(a.group, 0) + 1
    return ", ".join(f"{counts[g]} {g}" for g in GROUPS) + f", {counts[None]} left out"


class GroupsScreen(Screen[None]):
    """One rule per group on top; every case, its group and why, below (live)."""

    KEYMAP_SCOPE = "groups"
    CSS_PATH = "groups.tcss"
    BINDINGS = keymap.bindings("groups")

    def __init__(self) -> None:
        super().__init__()
        self.cases: list[Any] = []
        self.assignments: list[GroupAssignment] = []
        self.saved_rules: list[str] = []
        self._preview_read = LatestRead()
        self._loading = True
        self._first_load = True

    def compose(self) -> ComposeResult:
        yield Static(
            "[b]Case groups[/b] · one rule a line, e.g. [b]high: fidelity >= 10 and "
            "engagement >= 60[/b] (groups: high, low, outlier). The first rule a case "
            "matches wins; a group set by hand wins over rules.",
            id="groups-title",
        )
        yield TextArea("", id="rules", soft_wrap=True, show_line_numbers=True)
        yield Static("", id="rule-message")
        yield ResultTable(id="groups-grid", cursor_type="row", zebra_stripes=True)
        yield Static("", id="group-why")
        yield StatusLine("", id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#rules", TextArea).focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        app: Any = self.app
        self._loading = True
        app.run_service(self, _load, app.project, then=self._loaded, label="groups")

    def _loaded(self, data: tuple[list[str], str | None, list[Any], list[GroupAssignment]]) -> None:
        rules, attribute, self.cases, assignments = data
        self.saved_rules = rules
        area = self.query_one("#rules", TextArea)
        if self._first_load or self._specs() != rules:
            area.load_text("\n".join(rules) if rules else "high: \nlow: \noutlier: ")
            area.move_cursor((0, len(area.document.get_line(0))))
        self._first_load = False
        self._loading = False
        self._show(assignments, saved=True)
        source = (
            "rules"
            if rules
            else (f"attribute {attribute!r}" if attribute else "hand and stored groups only")
        )
        self.query_one(StatusLine).update(
            f"Groups now come from {source} · ctrl+s saves the "
            "rules · ⏎ sets a case by hand · ctrl+t from an "
            "attribute"
        )

    # -- live preview --------------------------------------------------------------------
    def _specs(self) -> list[str]:
        """The typed rules, one a line; a line with a group and nothing after it is no rule."""
        out = []
        for line in self.query_one("#rules", TextArea).text.splitlines():
            label, sep, rest = line.partition(":")
            if line.strip() and not (sep and label.strip().lower() in GROUPS and not rest.strip()):
                out.append(line.strip())
        return out

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self._loading:
            return
        asked = self._preview_read.ask()
        app: Any = self.app
        app.run_service(
            self,
            preview_group_rules,
            app.project,
            self._specs(),
            then=lambda r: self._previewed(asked, r),
            on_error=lambda e: self._preview_failed(asked, e),
            label="preview rules",
        )

    def _previewed(self, asked: int, assignments: list[GroupAssignment]) -> None:
        if self._preview_read.is_fresh(asked):
            self._show(assignments, saved=self._specs() == self.saved_rules)

    def _preview_failed(self, asked: int, exc: BaseException) -> None:
        if not self._preview_read.is_fresh(asked):
            return
        self.query_one("#rule-message", Static).update(f"[b $error]✗ {escape(str(exc))}[/]")
        self.query_one("#groups-grid", DataTable).add_class("-stale")

    def _show(self, assignments: list[GroupAssignment], *, saved: bool) -> None:
        self.assignments = assignments
        grid = self.query_one("#groups-grid", DataTable)
        grid.remove_class("-stale")
        row = grid.cursor_row if grid.row_count else 0
        attrs: list[str] = []
        for c in self.cases:
            attrs += [a for a in c.attributes if a not in attrs]
        columns = ["case", *[f"attr:{a}" for a in attrs], "group", "source", "why"]
        if [str(k.value) for k in grid.columns] != columns:
            grid.clear(columns=True)
            grid.add_column("Case", key="case")
            for a in attrs:
                grid.add_column(a, key=f"attr:{a}")
            grid.add_column("Group", key="group")
            grid.add_column("From", key="source")
            grid.add_column("Why", key="why")
        else:
            grid.clear()
        values = {c.name: c.attributes for c in self.cases}
        for a in assignments:
            shown = values.get(a.case, {})
            grid.add_row(
                Text(a.case, style="bold"),
                *[_fmt(shown.get(name)) for name in attrs],
                Text(a.group or "—", style=GROUP_STYLE.get(a.group or "", "dim")),
                a.source or "",
                a.reason,
                key=a.case,
            )
        if grid.row_count:
            grid.move_cursor(row=min(row, grid.row_count - 1))
        self._why()
        state = "saved" if saved else "[b]not saved yet[/b]: ctrl+s saves and applies"
        if not assignments:
            text = "No cases yet: add them in Cases (F6 then 3)."
        else:
            text = f"[green]✓[/] {tally(assignments)} · {state}"
        self.query_one("#rule-message", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._why()

    def _why(self) -> None:
        """The whole reason for the highlighted case (the table cuts long ones short)."""
        case = self._selected_case()
        found = next((a for a in self.assignments if a.case == case), None)
        self.query_one("#group-why", Static).update(
            f"[b]{escape(found.case)}[/b] → {escape(found.group or 'no group')}: "
            f"{escape(found.reason)}"
            if found
            else ""
        )

    # -- saving --------------------------------------------------------------------------
    def action_save_rules(self) -> None:
        app: Any = self.app
        specs = self._specs()
        app.run_service(
            self,
            set_group_rules,
            app.project,
            specs,
            then=self._rules_saved,
            on_error=self._save_failed,
            serial=True,
            label="set group rules",
        )

    def _rules_saved(self, assignments: list[GroupAssignment]) -> None:
        self.saved_rules = self._specs()
        self.notify(f"Rules saved: {tally(assignments)}.", title="Groups", timeout=6)
        self.action_refresh()

    def _save_failed(self, exc: BaseException) -> None:
        self.query_one("#rule-message", Static).update(
            f"[b $error]✗ Not saved: {escape(str(exc))}[/]"
        )

    def _selected_case(self) -> str | None:
        grid = self.query_one("#groups-grid", DataTable)
        if not grid.row_count:
            return None
        return str(grid.coordinate_to_cell_key(grid.cursor_coordinate).row_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_by_hand()

    def action_by_hand(self) -> None:
        case = self._selected_case()
        if case is None:
            return

        def done(text: Any) -> None:
            if text is None:
                return
            word = str(text).strip().lower()
            app: Any = self.app
            if word in ("", "clear", "auto"):
                app.run_service(
                    self,
                    clear_groups,
                    app.project,
                    [case],
                    then=lambda _r: self.action_refresh(),
                    serial=True,
                    label="clear group",
                )
                return
            app.run_service(
                self,
                set_group,
                app.project,
                case,
                word,
                then=lambda _r: self.action_refresh(),
                on_error=self._save_failed,
                serial=True,
                label="set group",
            )

        self.app.push_screen(
            PromptDialog(
                f"Group for {case} (set by hand)",
                "",
                hint="high, low or outlier; none keeps the case out; empty: forget the hand-set "
                "group and let the rules decide.",
            ),
            done,
        )

    def action_clear_hand(self) -> None:
        case = self._selected_case()
        if case is None:
            return
        app: Any = self.app
        app.run_service(
            self,
            clear_groups,
            app.project,
            [case],
            then=lambda _r: self.action_refresh(),
            serial=True,
            label="clear group",
        )

    def action_from_attribute(self) -> None:
        def done(text: Any) -> None:
            name = str(text or "").strip()
            if not name:
                return
            app: Any = self.app
            app.run_service(
                self,
                apply_groups,
                app.project,
                name,
                then=lambda _r: self.action_refresh(),
                on_error=self._save_failed,
                serial=True,
                label="groups from attribute",
            )

        attrs = sorted({a for c in self.cases for a in c.attributes})
        self.app.push_screen(
            PromptDialog(
                "Take each case's group from an attribute",
                "",
                hint=f"Its values must be high, low, outlier or none. Attributes: "
                f"{', '.join(attrs) or 'none yet'}. This replaces the rules.",
            ),
            done,
        )

    def action_back(self) -> None:
        self.dismiss(None)


def _fmt(value: Any) -> Text:
    if value is None:
        return Text("")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return Text(str(value), justify="left" if isinstance(value, str) else "right")
