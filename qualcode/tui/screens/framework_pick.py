"""Framework: choose a bundled framework or load a framework file, preview it, apply it.

Applying adds the framework's constructs as codes (again: refreshes their
definitions); codings and inductive codes are never touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape
from sqlalchemy import select
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static, Tree
from textual.widgets.option_list import Option

from qualcode.services.frameworks import apply_framework, list_frameworks, load_framework
from qualcode.store.models import Framework
from qualcode.tui import keymap
from qualcode.tui.screens.file_dialog import FileDialog
from qualcode.tui.widgets.chrome import StatusLine


def _bundled(project: Any) -> tuple[list[Any], set[str]]:
    """The bundled frameworks, and the keys of those the project has applied."""

    with project.read() as s:
        applied = set(s.scalars(select(Framework.key)))
    return list_frameworks(), applied


def _load(path: Path) -> Any:
    return load_framework(path)


def _apply(project: Any, spec: Any) -> Any:
    return apply_framework(project, spec)


def code_markup(code: Any) -> str:
    """A construct's definition and its include / exclude notes."""
    lines = [
        f"[b]{escape(' / '.join(code.path))}[/b]"
        + (f"  [dim]key {escape(code.shortcut)}[/dim]" if code.shortcut else "")
        + ("" if code.codable else "  [dim](a heading: not coded itself)[/dim]")
    ]
    for label, text in (
        ("", code.definition),
        ("Include when: ", code.include),
        ("Exclude when: ", code.exclude),
    ):
        if text:
            lines.append(f"[b]{label}[/b]{escape(text)}" if label else escape(text))
    if len(lines) == 1:
        lines.append("[dim]No definition in the file.[/dim]")
    return "\n\n".join(lines)


class FrameworkScreen(Screen[None]):
    """Frameworks on the left; the highlighted one's constructs and definitions on the right."""

    KEYMAP_SCOPE = "framework"
    CSS_PATH = "framework_pick.tcss"
    BINDINGS = keymap.bindings("framework")

    def __init__(self) -> None:
        super().__init__()
        self.specs: list[Any] = []
        self.applied: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Static(
            "[b]Framework[/b] · choose one and apply it (ctrl+s), or load a file (ctrl+o)",
            id="fw-title",
        )
        with Horizontal(id="fw-body"):
            with Vertical(id="fw-left"):
                yield OptionList(id="fw-list")
                yield Static("", id="fw-about")
            with Vertical(id="fw-right"):
                yield Tree("Constructs", id="fw-tree")
                with VerticalScroll(id="fw-definition-box"):
                    yield Static("", id="fw-definition")
        yield StatusLine("", id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#fw-tree", Tree).show_root = False
        self.query_one("#fw-list", OptionList).focus()
        app: Any = self.app
        app.run_service(self, _bundled, app.project, then=self._listed, label="frameworks")

    def _listed(self, found: tuple[list[Any], set[str]]) -> None:
        specs, self.applied = found
        self.specs = list(specs)
        self._fill_list()

    def _fill_list(self, highlight: int = 0) -> None:
        options = self.query_one("#fw-list", OptionList)
        options.clear_options()
        for i, spec in enumerate(self.specs):
            options.add_option(
                Option(
                    ("[green]✓[/] " if spec.key in self.applied else "  ")
                    + f"{escape(spec.name)}\n  [dim]{escape(spec.path.name)}[/]",
                    id=str(i),
                )
            )
        if self.specs:
            options.highlighted = highlight
            self._preview(self.specs[highlight])

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self._preview(self.specs[int(event.option.id)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_apply()

    def _current(self) -> Any | None:
        index = self.query_one("#fw-list", OptionList).highlighted
        return self.specs[index] if index is not None and index < len(self.specs) else None

    def _preview(self, spec: Any) -> None:
        n = sum(1 for _ in spec.walk())
        codable = sum(1 for c in spec.walk() if c.codable)
        about = f"[b]{escape(spec.name)}[/b] {escape(spec.version)}\n{n} codes, {codable} codable"
        if spec.key in self.applied:
            about += " · [green]✓ applied to this project[/]"
        if spec.description:
            about += f"\n[dim]{escape(spec.description)}[/dim]"
        self.query_one("#fw-about", Static).update(about)
        tree = self.query_one("#fw-tree", Tree)
        tree.clear()

        def add(node: Any, code: Any) -> None:
            label = (f"[{escape(code.shortcut)}] " if code.shortcut else "") + code.name
            child = (
                node.add(escape(label), data=code, expand=True)
                if code.children
                else node.add_leaf(escape(label), data=code)
            )
            for c in code.children:
                add(child, c)

        for root in spec.codes:
            add(tree.root, root)
        first = spec.codes[0] if spec.codes else None
        self.query_one("#fw-definition", Static).update(code_markup(first) if first else "")
        self.query_one(StatusLine).update(f"{spec.key} · ctrl+s applies it to the project")

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Any]) -> None:
        if event.node.data is not None:
            self.query_one("#fw-definition", Static).update(code_markup(event.node.data))

    def action_apply(self) -> None:
        spec = self._current()
        if spec is None:
            return
        app: Any = self.app
        self.query_one(StatusLine).update(f"Applying {spec.name}…")
        app.run_service(
            self,
            _apply,
            app.project,
            spec,
            then=self._applied,
            serial=True,
            label="apply framework",
        )

    def _applied(self, report: Any) -> None:
        text = (
            f"{report.framework}: {len(report.created)} codes created, "
            f"{len(report.updated)} updated."
        )
        if report.skipped_shortcuts:
            text += " Shortcuts taken by other codes: " + ", ".join(report.skipped_shortcuts)
        self.query_one(StatusLine).update(text)
        self.notify(text, title="Framework applied", timeout=8)
        app: Any = self.app
        app.reload_codes()
        self.applied.add(report.framework)
        index = self.query_one("#fw-list", OptionList).highlighted or 0
        self._fill_list(index)

    def action_load(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is None:
                return
            app: Any = self.app
            app.run_service(self, _load, path, then=self._loaded, label="load framework")

        self.app.push_screen(FileDialog("Load a framework file", (".yaml", ".yml")), chosen)

    def _loaded(self, spec: Any) -> None:
        known = [i for i, s in enumerate(self.specs) if s.path == spec.path]
        if known:
            self.specs[known[0]] = spec
            index = known[0]
        else:
            self.specs.append(spec)
            index = len(self.specs) - 1
        self._fill_list(index)
        self.query_one("#fw-list", OptionList).focus()

    def action_back(self) -> None:
        self.dismiss(None)
