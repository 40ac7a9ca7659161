"""Codebook: the framework tree and inductive codes; rename, recolour, move, merge, define.

The right side shows the highlighted code's definition and inclusion/exclusion
notes, and every place it is used (Enter opens that quote in the reader).
Changes go through the codebook services in workers; codings follow codes on
rename, move and merge (they point at the code's id).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.command import SimpleCommand
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, Tree

from qualcode.services import codebook as svc
from qualcode.services.codebook import CodeInfo
from qualcode.services.coding import CodingRow, list_codings
from qualcode.services.frameworks import RESERVED_SHORTCUTS
from qualcode.tui import keymap
from qualcode.tui.screens.dialogs import ConfirmDialog, DefinitionDialog, PromptDialog
from qualcode.tui.widgets.bulk_table import ResultTable
from qualcode.tui.widgets.chrome import ModeBar, StatusLine, place_cursor
from qualcode.tui.widgets.coding_panel import valence_text
from qualcode.tui.workers import CodebookChanged
from qualcode.wording import plural

_COLOUR_RE = re.compile(r"#[0-9a-fA-F]{6}")


class CodebookScreen(Screen[None]):
    """Browse and edit the code tree."""

    KEYMAP_SCOPE = "codebook"
    CSS_PATH = "codebook.tcss"
    BINDINGS = keymap.bindings("codebook")

    def __init__(self) -> None:
        super().__init__()
        self.selected: int | None = None
        self._want: int | None = None

    def compose(self) -> ComposeResult:
        yield ModeBar("codebook")
        with Horizontal(id="codebook-body"):
            tree: Tree[int] = Tree("Codebook", id="code-tree")
            tree.show_root = False
            yield tree
            with Vertical(id="code-side"):
                with VerticalScroll(id="code-detail-scroll"):
                    yield Static("", id="code-detail")
                yield Static(
                    "[b]Where it is used[/b] [dim](u, then ⏎ opens the quote)[/dim]",
                    id="usages-title",
                )
                yield ResultTable(id="usages", cursor_type="row", zebra_stripes=True)
        yield StatusLine("", id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#usages", DataTable)
        for label in ("Document", "Valence", "Text"):
            table.add_column(label, key=label.lower())
        self._fill_tree()
        self.query_one(Tree).focus()

    def on_screen_resume(self) -> None:
        self.app.reload_codes()  # type: ignore[attr-defined]

    def on_codebook_changed(self, message: CodebookChanged) -> None:
        self._fill_tree()

    @property
    def codes(self) -> list[CodeInfo]:
        return list(getattr(self.app, "codes", []))

    def _code(self, code_id: int | None) -> CodeInfo | None:
        return next((c for c in self.codes if c.id == code_id), None)

    # -- tree --------------------------------------------------------------------------
    def _fill_tree(self) -> None:
        tree: Tree[int] = self.query_one(Tree)
        keep = self._want or self.selected
        tree.clear()
        nodes: dict[int | None, Any] = {None: tree.root}
        for c in self.codes:
            parent = nodes.get(c.parent_id, tree.root)
            label = Text()
            label.append("▌", style=c.colour or "grey50")
            label.append(c.name, style="bold" if not c.codable else "")
            if c.shortcut:
                label.append(f" [{c.shortcut}]", style="dim")
            if c.codable:
                label.append(f" {c.count}", style="cyan")
            if c.origin == "inductive" and c.parent_id is None:
                label.append(" ·ind", style="dim italic")
            nodes[c.id] = parent.add(label, data=c.id, expand=True, allow_expand=False)
        target = nodes.get(keep) if keep is not None else None
        if target is None and self.codes:
            target = nodes.get(self.codes[0].id)
        if target is not None:
            self.selected = target.data
            place_cursor(tree, target)
        self._want = None
        self._show_detail()
        self._status()

    def select_code(self, code_id: int) -> None:
        """Highlight a code (used by the command palette and the project home)."""
        self._want = code_id
        self.selected = code_id
        self._fill_tree()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[int]) -> None:
        if event.node.data is None:
            return
        self.selected = event.node.data
        self._show_detail()
        self.app.run_service(
            self,
            list_codings,
            self.app.project,  # type: ignore[attr-defined]
            code=self.selected,
            then=partial(self._usages_loaded, self.selected),
        )

    def _show_detail(self) -> None:
        c = self._code(self.selected)
        detail = self.query_one("#code-detail", Static)
        if c is None:
            detail.update("")
            return
        lines = [
            (
                f"[{c.colour or '#888888'}]▌[/][b]{escape(c.name)}[/b]  "
                f"[dim]{escape(' / '.join(c.path))}[/dim]"
            ),
            (
                f"[dim]{c.origin}{' · ' + escape(c.framework) if c.framework else ''}"
                f"{' · key ' + escape(c.shortcut) if c.shortcut else ''}"
                f" · colour {escape(c.colour or 'none')}"
                f"{' · heading (not codable)' if not c.codable else ''} · {plural(c.count, 'coding')}[/dim]"
            ),
        ]
        for title, text in (
            ("Definition", c.definition),
            ("Include when", c.inclusion),
            ("Exclude when", c.exclusion),
        ):
            lines.append(f"[b]{title}:[/b] {escape(text) if text else '[dim]—[/dim]'}")
        detail.update("\n".join(lines))

    def _usages_loaded(self, code_id: int, rows: list[CodingRow]) -> None:
        if code_id != self.selected:
            return
        table = self.query_one("#usages", DataTable)
        table.clear()
        for r in rows:
            quote = " ".join(r.text.split())
            table.add_row(
                r.participant or r.document,
                valence_text(r.valence),
                quote[:200],
                key=f"{r.document_id}:{r.start}",
            )
        self._status(len(rows))

    def _status(self, used: int | None = None) -> None:
        n_fw = sum(1 for c in self.codes if c.origin == "framework")
        n_ind = sum(1 for c in self.codes if c.origin == "inductive")
        extra = f" │ {plural(used, 'coding')} of the highlighted code" if used is not None else ""
        self.query_one(StatusLine).update(f"{n_fw} framework codes · {n_ind} inductive{extra}")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            doc, _, start = event.row_key.value.partition(":")
            self.app.open_reader(int(doc), int(start))  # type: ignore[attr-defined]

    # -- editing -------------------------------------------------------------------------
    def _run(self, fn: Any, *args: Any, done: str, **kwargs: Any) -> None:
        def finished(result: Any) -> None:
            self.app.reload_codes()  # type: ignore[attr-defined]
            self.app.reload_documents()  # type: ignore[attr-defined]
            self.app.notify(done, timeout=3)

        self.app.run_service(
            self,
            fn,
            self.app.project,
            *args,
            then=finished,  # type: ignore[attr-defined]
            serial=True,
            **kwargs,
        )

    def _current(self) -> CodeInfo | None:
        c = self._code(self.selected)
        if c is None:
            self.app.notify("Highlight a code first.", severity="warning")
        return c

    def action_new_code(self) -> None:
        parent = self._code(self.selected)

        def create(name: object) -> None:
            if isinstance(name, str) and name.strip():
                self._run(
                    svc.create_code,
                    name.strip(),
                    parent=parent.id if parent and parent.origin == "inductive" else None,
                    done=f"Created {name.strip()}",
                )

        where = f" under {parent.name}" if parent and parent.origin == "inductive" else ""
        self.app.push_screen(
            PromptDialog(
                f"New inductive code{where}",
                hint="Framework constructs stay as the framework "
                "defines them; new codes go at the top or under an "
                "inductive code.",
            ),
            create,
        )

    def action_rename(self) -> None:
        c = self._current()
        if c is None:
            return

        def rename(name: object) -> None:
            if isinstance(name, str) and name.strip() and name.strip() != c.name:
                self._run(
                    svc.update_code,
                    c.id,
                    name=name.strip(),
                    done=f"Renamed to {name.strip()}; its codings stay with it",
                )

        self.app.push_screen(PromptDialog(f"Rename {c.name}", c.name), rename)

    def action_recolour(self) -> None:
        c = self._current()
        if c is None:
            return

        def recolour(value: object) -> None:
            if not isinstance(value, str) or not value.strip():
                return
            colour = value.strip()
            if not _COLOUR_RE.fullmatch(colour):
                self.app.notify(
                    f"{colour!r} is not a colour: write #rrggbb, e.g. #e6550d.", severity="error"
                )
                return
            self._run(svc.update_code, c.id, colour=colour, done=f"{c.name} is now {colour}")

        palette = " ".join(svc.INDUCTIVE_PALETTE[:6])
        self.app.push_screen(
            PromptDialog(f"Colour for {c.name}", c.colour or "", hint=f"#rrggbb, e.g. {palette}"),
            recolour,
        )

    def action_shortcut(self) -> None:
        c = self._current()
        if c is None:
            return

        def set_key(value: object) -> None:
            if not isinstance(value, str):
                return
            key = value.strip().lower()
            if key and (
                len(key) != 1 or key in RESERVED_SHORTCUTS or not key.isascii() or not key.isalnum()
            ):
                self.app.notify(
                    f"{key!r}: a shortcut is one letter (a-z) or digit (0-9); "
                    "other keys are the reader's commands.",
                    severity="error",
                )
                return
            self._run(svc.update_code, c.id, shortcut=key, done=f"{c.name}: key {key or 'none'}")

        self.app.push_screen(
            PromptDialog(
                f"Shortcut key for {c.name}",
                c.shortcut or "",
                hint="One letter or digit; empty for none.",
            ),
            set_key,
        )

    def action_edit(self) -> None:
        c = self._current()
        if c is None:
            return

        def save(values: object) -> None:
            if isinstance(values, dict):
                self._run(svc.update_code, c.id, **values, done=f"Saved the rules for {c.name}")

        self.app.push_screen(
            DefinitionDialog(f"Coding rules for {c.name}", c.definition, c.inclusion, c.exclusion),
            save,
        )

    def _pick(self, title: str, options: list[tuple[str, Any]]) -> None:
        self.app.search_commands(
            [SimpleCommand(label, cb) for label, cb in options], placeholder=title
        )

    def _subtree(self, code_id: int) -> set[int]:
        ids, changed = {code_id}, True
        while changed:
            changed = False
            for c in self.codes:
                if c.parent_id in ids and c.id not in ids:
                    ids.add(c.id)
                    changed = True
        return ids

    def action_move(self) -> None:
        c = self._current()
        if c is None:
            return
        banned = self._subtree(c.id)
        options: list[tuple[str, Any]] = [("(top level)", partial(self._move, c, None))]
        options += [
            (o.path_str, partial(self._move, c, o.id))
            for o in self.codes
            if o.id not in banned and o.id != c.parent_id
        ]
        self._pick(f"Move {c.name} under…", options)

    def _move(self, c: CodeInfo, parent: int | None) -> None:
        self._want = c.id
        self._run(svc.move_code, c.id, parent, done=f"Moved {c.name}")

    def action_merge(self) -> None:
        c = self._current()
        if c is None:
            return
        banned = self._subtree(c.id)
        options = [
            (o.path_str, partial(self._confirm_merge, c, o))
            for o in self.codes
            if o.id not in banned
        ]
        self._pick(f"Merge {c.name} into…", options)

    def _confirm_merge(self, source: CodeInfo, target: CodeInfo) -> None:
        def go(ok: object) -> None:
            if ok:
                self._want = target.id
                self.selected = target.id
                self._run(
                    svc.merge_codes,
                    source.id,
                    target.id,
                    done=f"Merged {source.name} into {target.name}; its codings moved with it",
                )

        self.app.push_screen(
            ConfirmDialog(
                f"Merge “{source.path_str}” ({plural(source.count, 'coding')}) into "
                f"“{target.path_str}”?\n"
                f"Its codings and child codes move to {target.name}; {source.name} is deleted."
            ),
            go,
        )

    def action_delete(self) -> None:
        c = self._current()
        if c is None:
            return

        def go(ok: object) -> None:
            if ok:
                self._run(svc.delete_code, c.id, done=f"Deleted {c.name}")

        self.app.push_screen(
            ConfirmDialog(
                f"Delete “{c.path_str}” and its child codes? "
                "Only codes with no codings can be deleted; merge "
                "a used code instead."
            ),
            go,
        )

    def action_focus_usages(self) -> None:
        self.query_one("#usages", DataTable).focus()
