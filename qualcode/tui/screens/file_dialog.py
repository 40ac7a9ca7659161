"""Choose one file: a folder tree starting in the current folder, or a typed path.

Returns the chosen :class:`~pathlib.Path` (None when cancelled). With
``must_exist=False`` it chooses where to write a new file: the typed name is
kept and a highlighted folder becomes its folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Footer, Input, Label, Static

from qualcode.tui import keymap
from qualcode.tui.widgets.file_tree import FilteredTree


class FileDialog(ModalScreen[Path | None]):
    """Pick a file with one of ``suffixes`` (Enter on a file chooses it)."""

    CSS_PATH = "file_dialog.tcss"
    KEYMAP_SCOPE = "files"
    BINDINGS: ClassVar[list[BindingType]] = [*keymap.bindings("files")]

    def __init__(
        self,
        title: str,
        suffixes: tuple[str, ...],
        *,
        start: Path | None = None,
        value: str = "",
        must_exist: bool = True,
    ) -> None:
        super().__init__()
        self.title_text, self.suffixes = title, suffixes
        self.start = (start or Path.cwd()).resolve()
        self.value, self.must_exist = value, must_exist

    def compose(self) -> ComposeResult:
        with Vertical(id="file-box"):
            yield Label(escape(self.title_text), classes="dialog-title")
            yield Static(
                f"Showing folders and {', '.join(self.suffixes)} files in "
                f"{escape(str(self.start))}",
                classes="dialog-hint",
            )
            yield FilteredTree(self.start, self.suffixes, id="file-tree")
            yield Label("Path")
            yield Input(self.value, id="file-path", placeholder="type a path, or pick above")
            yield Static("", id="file-message", classes="dialog-hint")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(FilteredTree).focus()

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self._finish(event.path)

    def on_directory_tree_directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        if not self.must_exist:
            box = self.query_one("#file-path", Input)
            name = Path(box.value).name if box.value else ""
            box.value = str(event.path / name) if name else str(event.path) + "/"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_choose()

    def action_choose(self) -> None:
        typed = self.query_one("#file-path", Input).value.strip()
        if typed:
            self._finish(Path(typed).expanduser())
            return
        path = self.query_one(FilteredTree).highlighted_path()
        if path is not None and path.is_file():
            self._finish(path)
        else:
            self._say("Highlight a file (Enter), or type a path.")

    def action_up(self) -> None:
        tree = self.query_one(FilteredTree)
        parent = Path(str(tree.path)).resolve().parent
        tree.path = parent
        self.start = parent

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _finish(self, path: Path) -> None:
        if not path.is_absolute():
            path = (Path.cwd() / path).resolve()
        if self.must_exist and not path.is_file():
            self._say(f"{path}: no such file.")
            return
        if path.suffix.lower() not in self.suffixes:
            self._say(f"{path.name}: choose a {' or '.join(self.suffixes)} file.")
            return
        self.dismiss(path)

    def _say(self, text: str) -> None:
        self.query_one("#file-message", Static).update(f"[b $error]{escape(text)}[/]")
