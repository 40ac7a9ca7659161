"""Import: pick files or folders, see what each would become, fix the speaker map, import.

Nothing is stored until the import is run (ctrl+s). Checking and importing run
in thread workers; their progress arrives as messages, so a large folder never
blocks the screen. The check shows, per file, what the import service can tell
before storing: kind, layout, participant and case, speakers with their roles
and turns, lines it could not place, and warnings with their lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, ProgressBar, Static

from qualcode.errors import InvalidInputError
from qualcode.ingest.turns import parse_speaker_labels
from qualcode.services.import_preview import (
    FileCheck,
    check_files,
    files_in,
    importable_suffixes,
    summary,
)
from qualcode.services.importing import import_paths, options_from_settings, remember_options
from qualcode.tui import keymap
from qualcode.tui.screens.dialogs import PromptDialog
from qualcode.tui.widgets.bulk_table import ResultTable
from qualcode.tui.widgets.chrome import StatusLine
from qualcode.tui.widgets.file_tree import FilteredTree
from qualcode.tui.workers import LatestRead
from qualcode.wording import plural

COLUMNS = ("tick", "file", "check", "participant", "case", "turns", "kind")
COLUMN_LABELS = ("✓", "File", "Check", "Participant", "Case", "Turns", "Kind")
ROLE_STYLE = {"participant": "green", "interviewer": "cyan", "other": "magenta", "unknown": "b red"}


class WorkProgress(Message):
    """Posted from a worker thread: how far checking or importing has got."""

    def __init__(self, done: int, total: int, label: str) -> None:
        super().__init__()
        self.done, self.total, self.label = done, total, label


def _import(project: Any, paths: list[Path], speaker_map: dict[str, str], progress: Any) -> Any:
    options = options_from_settings(project, speaker_labels=speaker_map or None)
    if speaker_map:
        remember_options(project, options, ["speaker_labels"])
    return import_paths(project, paths, progress=progress, options=options)


def _check(project: Any, paths: list[Path], speaker_map: dict[str, str], progress: Any) -> Any:
    options = options_from_settings(project, speaker_labels=speaker_map or None)
    return check_files(project, paths, options, progress=progress)


def detail_markup(check: FileCheck) -> str:
    """Everything known about one file, for the detail pane."""
    lines = [
        f"[b]{escape(check.name)}[/b]  [dim]{escape(str(check.path.parent))}[/dim]",
        f"Kind: {check.kind}"
        + (f" · {escape(check.layout)}" if check.layout else "")
        + f" · {check.status}",
    ]
    if check.kind == "transcript":
        lines.append(
            f"Participant: [b]{escape(check.participant or '— none found')}[/b] · "
            f"Case: [b]{escape(check.case or '— none')}[/b] · "
            f"{check.words:,} words, {plural(check.turns, 'turn')}"
        )
        if check.speakers:
            parts = [
                f"[{ROLE_STYLE.get(s.role, '')}]{escape(s.label)}[/] {s.role}"
                + (f" ({s.turns})" if s.turns else "")
                for s in check.speakers
            ]
            lines.append("Speakers: " + " · ".join(parts))
    if check.unplaced:
        lines.append(f"[b $warning]Unplaced lines ({len(check.unplaced)}):[/]")
        lines += [f"  {escape(u)}" for u in check.unplaced]
    if check.warnings:
        lines.append(f"[b $warning]Warnings ({len(check.warnings)}):[/]")
        lines += [f"  {escape(w)}" for w in check.warnings]
    if not check.unplaced and not check.warnings:
        lines.append("[green]Nothing to fix.[/]")
    return "\n".join(lines)


class ImportScreen(Screen[None]):
    """Left: the folder tree (importable files only). Right: the chosen files, checked."""

    KEYMAP_SCOPE = "import"
    CSS_PATH = "import_files.tcss"
    BINDINGS = keymap.bindings("import")

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        self.start = (start or Path.cwd()).resolve()
        self.files: list[Path] = []
        self.ticked: set[Path] = set()
        self.checks: dict[Path, FileCheck] = {}
        self.speaker_map: dict[str, str] = {}
        self.running = False
        self._keep_report = False  # the import report stays until the next highlight
        self._checks_read = LatestRead()

    def compose(self) -> ComposeResult:
        yield Static(
            "[b]Import[/b] transcripts and tables · space ticks a file · nothing is "
            "stored before ctrl+s",
            id="import-title",
        )
        with Horizontal(id="import-body"):
            with Vertical(id="import-left"):
                yield Static(f"[dim]{escape(str(self.start))}[/dim]  + adds", id="tree-title")
                yield FilteredTree(self.start, importable_suffixes(), id="import-tree")
            with Vertical(id="import-right"):
                yield ResultTable(id="import-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="import-detail-box"):
                    yield Static(
                        "Add files or a folder with + (from the tree on the left). "
                        "Each is checked at once; nothing is stored until you press "
                        "ctrl+s.",
                        id="import-detail",
                    )
        yield ProgressBar(total=1, show_eta=False, id="import-progress")
        yield StatusLine("", id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in zip(COLUMN_LABELS, COLUMNS, strict=True):
            table.add_column(label, key=key)
        self.query_one(ProgressBar).display = False
        self.query_one(FilteredTree).focus()
        self._status()

    # -- choosing ------------------------------------------------------------------------
    def action_add(self) -> None:
        path = self.query_one(FilteredTree).highlighted_path()
        if path is None:
            return
        new = [p for p in files_in([path]) if p not in self.files]
        if not new:
            self.notify(f"Nothing new to import in {path.name}.", severity="warning")
            return
        self.files += new
        self.ticked |= set(new)
        self._fill()
        self._run_check(new)

    def action_up(self) -> None:
        tree = self.query_one(FilteredTree)
        self.start = Path(str(tree.path)).resolve().parent
        tree.path = self.start
        self.query_one("#tree-title", Static).update(
            f"[dim]{escape(str(self.start))}[/dim]  + adds"
        )

    def on_directory_tree_file_selected(self, event: Any) -> None:
        event.stop()
        self.action_add()

    def action_remove(self) -> None:
        path = self._highlighted()
        if path is None:
            return
        self.files.remove(path)
        self.ticked.discard(path)
        self.checks.pop(path, None)
        self._fill()

    def action_toggle(self) -> None:
        path = self._highlighted()
        if path is None:
            return
        self.ticked ^= {path}
        self._fill()

    def _highlighted(self) -> Path | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return Path(key) if key else None

    # -- checking ------------------------------------------------------------------------
    def action_check(self) -> None:
        if self.files:
            self._run_check(list(self.files))

    def _run_check(self, paths: list[Path]) -> None:
        asked = self._checks_read.ask()
        self._busy(f"Checking {plural(len(paths), 'file')}…")
        app: Any = self.app
        app.run_service(
            self,
            _check,
            app.project,
            paths,
            dict(self.speaker_map),
            self._progress,
            then=lambda r: self._checked(asked, r),
            on_error=self._failed,
            label="check files",
        )

    def _checked(self, asked: int, results: list[FileCheck]) -> None:
        self._idle()
        if not self._checks_read.is_fresh(asked):
            return
        for c in results:
            if c.path in self.files:
                self.checks[c.path] = c
                if not c.ok or c.status == "already imported":
                    self.ticked.discard(c.path)
        self._fill()
        self._status(summary([self.checks[p] for p in self.files if p in self.checks]))

    def action_speakers(self) -> None:
        unknown = sorted(
            {s.label for c in self.checks.values() for s in c.speakers if s.role == "unknown"}
        )
        current = dict(self.speaker_map)
        for label in unknown:
            current.setdefault(label, "participant")
        value = ", ".join(f"{k}={v}" for k, v in current.items())

        def done(text: Any) -> None:
            if text is None:
                return

            try:
                self.speaker_map = parse_speaker_labels(str(text))
            except InvalidInputError as exc:
                self.notify(str(exc), title="Speaker map not changed", severity="error")
                return
            self.action_check()

        self.app.push_screen(
            PromptDialog(
                "Speaker map: LABEL=role, … (roles: interviewer, participant, other)",
                value,
                hint=("Unknown labels found: " + ", ".join(unknown))
                if unknown
                else "No unknown speaker labels in the checked files.",
            ),
            done,
        )

    # -- importing -----------------------------------------------------------------------
    def action_run_import(self) -> None:
        if self.running:
            return
        chosen = [p for p in self.files if p in self.ticked]
        if not chosen:
            self.notify("Tick at least one file (space) to import.", severity="warning")
            return
        self._busy(f"Importing {plural(len(chosen), 'file')}…")
        app: Any = self.app
        app.run_service(
            self,
            _import,
            app.project,
            chosen,
            dict(self.speaker_map),
            self._progress,
            then=self._imported,
            on_error=self._failed,
            serial=True,
            label="import",
        )

    def _imported(self, report: Any) -> None:
        self._idle()
        lines = ["[b]Import finished[/b]", *[escape(x) for x in report.summary_lines()]]
        lines += [f"[b $error]{escape(f)}[/]" for f in report.failed]
        lines += [f"  {escape(w)}" for w in report.warning_lines()]
        self.query_one("#import-detail", Static).update("\n".join(lines))
        app: Any = self.app
        app.reload_documents()
        app.reload_codes()
        self.notify(report.summary_lines()[0], title="Imported", timeout=8)
        self._status(report.summary_lines()[0])
        self.action_check()
        self._keep_report = True

    # -- progress and display ------------------------------------------------------------
    def _progress(self, done: int, total: int, label: str) -> None:
        self.post_message(WorkProgress(done, total, label))  # from the worker thread

    def on_work_progress(self, message: WorkProgress) -> None:
        if not self.running:
            return  # progress posted just before the result, arriving after it: stale
        bar = self.query_one(ProgressBar)
        bar.update(total=max(message.total, 1), progress=message.done)
        self.query_one(StatusLine).update(f"{message.done}/{message.total} {message.label}")

    def _busy(self, text: str) -> None:
        self.running = True
        bar = self.query_one(ProgressBar)
        bar.update(total=1, progress=0)
        bar.display = True
        self.query_one(StatusLine).update(text)

    def _idle(self) -> None:
        self.running = False
        self.query_one(ProgressBar).display = False

    def _failed(self, exc: BaseException) -> None:
        self._idle()
        self.query_one("#import-detail", Static).update(f"[b $error]{escape(str(exc))}[/]")
        self._status("Stopped: see the message above.")

    def _status(self, text: str = "") -> None:
        ticked = sum(1 for p in self.files if p in self.ticked)
        self.query_one(StatusLine).update(
            f"{ticked} of {plural(len(self.files), 'file')} ticked"
            + (f" · {text}" if text else "")
            + " · ctrl+s imports the ticked files"
        )

    def _cells(self, path: Path) -> list[Any]:
        c = self.checks.get(path)
        note = Text("checking…", style="dim")
        if c is not None:
            problems = len(c.unplaced) + len(c.warnings)
            if not c.ok:
                note = Text("cannot import", style="bold red")
            elif c.status != "new":
                note = Text(c.status, style="yellow" if c.status == "changed" else "dim")
            elif problems:
                note = Text(f"{problems} to look at", style="yellow")
            else:
                note = Text("ok", style="green")
        is_transcript = c is not None and c.kind == "transcript"
        return [
            "☑" if path in self.ticked else "☐",
            path.name,
            note,
            (c.participant or "—") if is_transcript else "",
            (c.case or "—") if is_transcript else "",
            str(c.turns) if is_transcript else "",
            c.kind if c else "",
        ]

    def _fill(self) -> None:
        """Update the rows in place (keys pressed meanwhile keep their row); rebuild if the
        list of files changed."""
        table = self.query_one(DataTable)
        shown = [str(k.value) for k in table.rows]
        if shown == [str(p) for p in self.files]:
            for path in self.files:
                for column, value in zip(COLUMNS, self._cells(path), strict=True):
                    table.update_cell(str(path), column, value, update_width=True)
        else:
            keep = self._highlighted()
            table.clear()
            for path in self.files:
                table.add_row(*self._cells(path), key=str(path))
            if keep is not None and keep in self.files:
                table.move_cursor(row=self.files.index(keep))
        self._show_detail()
        self._status()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        path = self._highlighted()
        check = self.checks.get(path) if path else None
        if check is not None and not getattr(self, "_keep_report", False):
            self.query_one("#import-detail", Static).update(detail_markup(check))
        self._keep_report = False

    def action_back(self) -> None:
        if not self.running:
            self.dismiss(None)
        else:
            self.notify("Still working; the screen closes when it is done.")
