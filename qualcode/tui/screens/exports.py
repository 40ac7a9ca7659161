"""Exports: one dialog for everything the project can write out.

The framework chart (Word, Excel, CSV, web page), the cross-case pattern table
(Word, Excel), the whole project for other QDA tools (REFI-QDA .qdpx) and the
codebook (REFI-QDA .qdc). Each runs in a worker with the same service the
command line uses; the file appears only when complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from qualcode.analysis.matrix_spec import MatrixSpec
from qualcode.exchange import refi_export
from qualcode.services.charting import export_chart
from qualcode.services.patterns import export_patterns, find_project_patterns
from qualcode.tui import keymap
from qualcode.tui.widgets.export_progress import ExportProgressBar


@dataclass(frozen=True)
class ExportKind:
    id: str
    label: str
    suffix: str
    stem: str  # default file name after the project's slug


EXPORTS: tuple[ExportKind, ...] = (
    ExportKind("chart-docx", "Framework chart: Word table per domain", ".docx", "chart"),
    ExportKind("chart-xlsx", "Framework chart: Excel workbook", ".xlsx", "chart"),
    ExportKind("chart-csv", "Framework chart: every coding as CSV", ".csv", "chart"),
    ExportKind("chart-html", "Framework chart: one web page", ".html", "chart"),
    ExportKind("patterns-docx", "Pattern table (A/B/C/D) with quotes: Word", ".docx", "patterns"),
    ExportKind("patterns-xlsx", "Pattern table (A/B/C/D) with quotes: Excel", ".xlsx", "patterns"),
    ExportKind(
        "qdpx", "Whole project for NVivo, ATLAS.ti, MAXQDA (REFI-QDA .qdpx)", ".qdpx", "project"
    ),
    ExportKind("qdc", "Codebook with definitions (REFI-QDA .qdc)", ".qdc", "codebook"),
)
BY_ID = {k.id: k for k in EXPORTS}


def default_file(project_name: str, kind: ExportKind, folder: Path | None = None) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", project_name.lower()).strip("-") or "project"
    return (folder or Path.cwd()) / f"{slug}-{kind.stem}{kind.suffix}"


def run_export(project: Any, kind_id: str, out: Path, progress: Any = None) -> str:
    """Write one export; returns a line saying what was written."""
    kind = BY_ID[kind_id]
    if out.suffix.lower() != kind.suffix:
        out = out.with_suffix(kind.suffix)
    if kind.id.startswith("chart-"):
        path = export_chart(project, MatrixSpec(), out, kind.suffix[1:], progress=progress)
        return f"Chart written to {path}"
    if kind.id.startswith("patterns-"):
        result = find_project_patterns(project)
        path = export_patterns(project, result, out)
        return f"Pattern table written to {path}"
    report = (
        refi_export.export_qdpx(project, out, progress)
        if kind.id == "qdpx"
        else refi_export.export_qdc(project, out)
    )
    return " ".join(report.summary_lines())


class ExportsDialog(ModalScreen[Path | None]):
    """Choose what to export and where; ctrl+s writes it, esc closes."""

    CSS_PATH = "exports.tcss"
    KEYMAP_SCOPE = "exports"
    BINDINGS: ClassVar[list[BindingType]] = [*keymap.bindings("exports")]

    def __init__(self, kind: str = "chart-docx") -> None:
        super().__init__()
        self.kind = BY_ID[kind]
        self.running = False
        self.written: Path | None = None

    def compose(self) -> ComposeResult:
        app: Any = self.app
        with Vertical(id="exports-box"):
            yield Label("Export", classes="dialog-title")
            with RadioSet(id="exports-kind"):
                for k in EXPORTS:
                    yield RadioButton(k.label, value=k is self.kind, id=f"kind-{k.id}")
            yield Label("File")
            yield Input(
                str(default_file(app.project_name, self.kind)), id="exports-path", compact=True
            )
            yield ExportProgressBar(id="exports-progress")
            yield Static(
                "Charts include every case and code; use the Matrix screen (x) for a "
                "filtered chart.",
                id="exports-message",
                classes="dialog-hint",
            )
            yield Horizontal(
                Button("Export", id="ok", variant="primary", compact=True),
                Button("Close", id="cancel", compact=True),
                classes="buttons",
            )

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        kid = (event.pressed.id or "").removeprefix("kind-")
        if kid not in BY_ID:
            return
        self.kind = BY_ID[kid]
        box = self.query_one("#exports-path", Input)
        app: Any = self.app
        folder = Path(box.value).expanduser().parent if box.value else None
        box.value = str(default_file(app.project_name, self.kind, folder))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.action_export()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        if not self.running:
            self.dismiss(self.written)

    def action_export(self) -> None:
        if self.running:
            return
        raw = self.query_one("#exports-path", Input).value.strip()
        if not raw:
            self._say("Give a file name.", error=True)
            return
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = Path.cwd() / path
        self.running = True
        progress = self.query_one(ExportProgressBar).start()
        self._say(f"Writing {path}…")
        app: Any = self.app
        app.run_service(
            self,
            run_export,
            app.project,
            self.kind.id,
            path,
            progress,
            then=lambda line: self._done(line, path),
            on_error=self._failed,
            label="export",
        )

    def _done(self, line: str, path: Path) -> None:
        self.running = False
        self.written = path.with_suffix(self.kind.suffix)
        self.query_one(ExportProgressBar).finish()
        self._say(f"[green]✓[/] {escape(line)}", markup=True)
        self.app.notify(line, title="Exported", timeout=8)

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.query_one(ExportProgressBar).finish(complete=False)
        self._say(str(exc), error=True)

    def _say(self, text: str, *, error: bool = False, markup: bool = False) -> None:
        shown = text if markup else escape(text)
        self.query_one("#exports-message", Static).update(
            f"[b $error]{shown}[/]" if error else shown
        )
