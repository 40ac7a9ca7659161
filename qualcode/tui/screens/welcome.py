"""Welcome (no project here yet): start a new project, open an existing one, or the demo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import (
    Button,
    ContentSwitcher,
    DirectoryTree,
    Footer,
    Input,
    Label,
    OptionList,
    ProgressBar,
    Static,
)
from textual.widgets.option_list import Option

from qualcode.tui import keymap
from qualcode.tui.welcome_app import WelcomeChoice
from qualcode.tui.widgets.file_tree import FilteredTree

NO_FRAMEWORK = "(none: inductive codes only)"


def _frameworks() -> list[tuple[str, str]]:
    """(key, label) of every bundled framework, the default first (files only: no database)."""
    # lazy: the welcome screen opens before SQLAlchemy (~0.3 s) loads; only the chosen action needs it
    from qualcode.services.frameworks import list_frameworks

    out = []
    for fw in list_frameworks():
        n = sum(1 for _ in fw.walk())
        out.append((fw.key, f"{fw.name}  ({n} codes)"))
    return out


def _new_project(path: str, name: str, framework: str | None, coder: str | None) -> Path:
    # lazy: the welcome screen opens before SQLAlchemy (~0.3 s) loads; only the chosen action needs it
    from qualcode.services.new_project import create_project

    project = create_project(path, name, framework, coder)
    location = Path(project.location)
    project.engine.dispose()
    return location


def _check_project(path: Path, coder: str | None) -> Path:
    # lazy: the welcome screen opens before SQLAlchemy (~0.3 s) loads; only the chosen action needs it
    from qualcode.services.project import Project

    Project.open(path, coder=coder, create=False).engine.dispose()
    return path


def _build_demo(folder: Path, coder: str | None, progress: Any) -> Path:
    # lazy: the welcome screen opens before SQLAlchemy (~0.3 s) loads; only the chosen action needs it
    from qualcode.services.demo import DEMO_DB, open_or_build_demo

    project, _ = open_or_build_demo(folder / DEMO_DB, coder=coder, progress=progress)
    location = Path(project.location)
    project.engine.dispose()
    return location


class WelcomeScreen(Screen[None]):
    """Three ways in; each shows its own panel below the buttons."""

    CSS_PATH = "welcome.tcss"
    KEYMAP_SCOPE = "welcome"
    BINDINGS = keymap.bindings("welcome")

    def __init__(self) -> None:
        super().__init__()
        self.busy = False

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield Static(
            "[b]qualcode[/b] · framework analysis of interview transcripts", id="welcome-title"
        )
        yield Static(
            f"There is no project in {escape(str(app.folder))} yet. What would you like to do?",
            id="welcome-intro",
        )
        with Horizontal(id="welcome-choices"):
            yield Button("F2 Start a new project", id="choose-new", variant="primary", compact=True)
            yield Button("F3 Open a project", id="choose-open", compact=True)
            yield Button("F4 Open the demo", id="choose-demo", compact=True)
        with ContentSwitcher(initial="new", id="welcome-panels"):
            with Vertical(id="new"):
                yield Label("Project name")
                yield Input(
                    placeholder="e.g. Peer support implementation", id="new-name", compact=True
                )
                yield Label("Project file (one file holds the whole project)")
                yield Input(str(app.project_file), id="new-path", compact=True)
                yield Label("Framework to code against (more can be added later)")
                yield OptionList(id="new-framework")
                yield Button(
                    "Create the project (ctrl+s)", id="create", variant="success", compact=True
                )
            with Vertical(id="open"):
                yield Label("Choose a project file (.db): Enter opens it, ⌫ the folder above")
                yield Static(escape(str(app.folder)), id="open-where")
                yield FilteredTree(app.folder, (".db", ".sqlite", ".qualcode"), id="open-tree")
            with Vertical(id="demo"):
                yield Static(
                    "The demo is the sample study: the modified PARIHS framework, five "
                    "sites with their attributes and groups, sixteen transcripts and "
                    f"first-pass codings. It is built in {escape(str(app.folder))}"
                    "/qualcode-demo.db (or opened, if it is there).",
                    id="demo-text",
                )
                yield Button(
                    "Build and open the demo", id="demo-go", variant="success", compact=True
                )
        yield ProgressBar(total=1, show_eta=False, id="welcome-progress")
        yield Static("", id="welcome-message")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        options = self.query_one("#new-framework", OptionList)
        try:
            frameworks = _frameworks()
        except Exception as exc:
            frameworks = []
            self._say(f"The bundled frameworks could not be read: {exc}")
        for key, label in frameworks:
            options.add_option(Option(label, id=key))
        options.add_option(Option(NO_FRAMEWORK, id="-"))
        options.highlighted = 0
        self.query_one("#welcome-progress").display = False
        self.query_one("#new-name", Input).focus()

    # -- choosing ------------------------------------------------------------------------
    def action_choose(self, which: str) -> None:
        self.query_one(ContentSwitcher).current = which
        target = {"new": "#new-name", "open": "#open-tree", "demo": "#demo-go"}[which]
        self.query_one(target).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        bid = event.button.id or ""
        if bid.startswith("choose-"):
            self.action_choose(bid.removeprefix("choose-"))
        elif bid == "create":
            self.action_create()
        elif bid == "demo-go":
            self._demo()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "new-name":
            self.query_one("#new-path", Input).focus()
        elif event.input.id == "new-path":
            self.query_one("#new-framework", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_create()

    def action_up(self) -> None:
        """Show the folder above in the project-file tree (a project kept elsewhere)."""
        tree = self.query_one("#open-tree", FilteredTree)
        tree.path = Path(str(tree.path)).resolve().parent
        self.query_one("#open-where", Static).update(escape(str(tree.path)))

    # -- doing ---------------------------------------------------------------------------
    def action_create(self) -> None:
        if self.busy:
            return
        name = self.query_one("#new-name", Input).value.strip()
        if not name:
            self._say("Give the project a name first.")
            self.query_one("#new-name", Input).focus()
            return
        options = self.query_one("#new-framework", OptionList)
        index = options.highlighted
        key = options.get_option_at_index(index).id if index is not None else "-"
        framework = None if key in (None, "-") else key
        self._start(f"Creating {name}…")
        app: Any = self.app
        app.run_service(
            self,
            _new_project,
            self.query_one("#new-path", Input).value,
            name,
            framework,
            app.coder,
            then=lambda p: self._done(p, "setup"),
            on_error=self._failed,
        )

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        if self.busy:
            return
        self._start(f"Opening {event.path.name}…")
        app: Any = self.app
        app.run_service(
            self,
            _check_project,
            event.path,
            app.coder,
            then=lambda p: self._done(p, "home"),
            on_error=self._failed,
        )

    def _demo(self) -> None:
        if self.busy:
            return
        self._start("Building the demo (about half a minute the first time)…")
        bar = self.query_one(ProgressBar)
        bar.display = True
        app: Any = self.app

        def progress(done: int, total: int, label: str) -> None:
            app.call_from_thread(bar.update, total=max(total, 1), progress=done)

        app.run_service(
            self,
            _build_demo,
            app.folder,
            app.coder,
            progress,
            then=lambda p: self._done(p, "home"),
            on_error=self._failed,
        )

    def _start(self, text: str) -> None:
        self.busy = True
        self._say(text, error=False)

    def _done(self, path: Path, mode: str) -> None:
        self.busy = False
        self.app.exit(WelcomeChoice(path, mode))

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.query_one(ProgressBar).display = False
        self._say(str(exc))

    def _say(self, text: str, *, error: bool = True) -> None:
        self.query_one("#welcome-message", Static).update(
            f"[b $error]{escape(text)}[/]" if error else escape(text)
        )
