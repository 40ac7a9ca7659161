"""Export the framework chart from the workbench: pick a format and a file, watch it being written.

The export runs in a worker (the same service the CLI calls) and reports its
progress here; the file appears only when complete (written beside it, then
renamed). The identifier check runs first: while certain findings remain the
dialog lists them and asks for a reason to export anyway (recorded in the audit
log, as ``--allow-identifiers`` is on the command line). The dialog returns the
path written, or None when cancelled.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Static,
)

from qualcode.analysis.matrix_spec import MatrixSpec
from qualcode.services.charting import EXPORT_FORMATS, export_chart
from qualcode.services.leaks import IdentifiersFoundError, describe_findings
from qualcode.tui import keymap
from qualcode.tui.widgets.export_progress import ExportProgressBar

FORMAT_NOTES = {
    "docx": "Word: a landscape table per domain, summaries and quotes",
    "xlsx": "Excel: a sheet per domain, plus every coding and summary",
    "csv": "CSV: every coding in long format (for R, Python, pivot tables)",
    "html": "One web page to project in a workshop or print",
}


def default_name(project_name: str, fmt: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", project_name.lower()).strip("-") or "project"
    return f"{slug}-chart.{fmt}"


class ChartExportDialog(ModalScreen[Path | None]):
    """Choose format and file; export with the matrix screen's current filters."""

    DEFAULT_CSS = """
    ChartExportDialog { align: center middle; }
    ChartExportDialog > Vertical { width: 72; max-width: 96%; height: auto; max-height: 96%;
        border: round $primary; background: $surface; padding: 0 1; }
    ChartExportDialog .dialog-title { text-style: bold; margin-bottom: 1; }
    ChartExportDialog .dialog-hint { color: $text-muted; }
    ChartExportDialog RadioSet { layout: horizontal; border: none; height: auto; width: 100%; }
    ChartExportDialog Horizontal.buttons { height: auto; align-horizontal: right; margin-top: 1; }
    ChartExportDialog Button { margin-left: 1; min-width: 10; }
    ChartExportDialog ProgressBar { margin-top: 1; }
    ChartExportDialog #gate { display: none; height: auto; }
    ChartExportDialog.gated #gate { display: block; }
    ChartExportDialog.gated .choice { display: none; }
    ChartExportDialog #gate-findings { color: $error; }
    """
    KEYMAP_SCOPE = "export"
    BINDINGS: ClassVar[list[BindingType]] = [*keymap.bindings("export")]

    def __init__(self, spec: MatrixSpec, fmt: str = "docx") -> None:
        super().__init__()
        self.spec = spec
        self.fmt = fmt
        self.running = False
        self.gate_shown = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Export the framework chart", classes="dialog-title")
            filters = [f"rows by {self.spec.by}"]
            if self.spec.domains:
                filters.append("domain " + ", ".join(self.spec.domains))
            if self.spec.valences:
                filters.append("valence " + ", ".join(self.spec.valences))
            if self.spec.groups:
                filters.append("group " + ", ".join(self.spec.groups))
            yield Static(
                escape("With the matrix's filters: " + "; ".join(filters)), classes="dialog-hint"
            )
            with RadioSet(id="format", classes="choice"):
                for fmt in EXPORT_FORMATS:
                    yield RadioButton(fmt, value=fmt == self.fmt, id=f"fmt-{fmt}")
            yield Static(FORMAT_NOTES[self.fmt], id="format-note", classes="dialog-hint choice")
            yield Label("File")
            yield Input(default_name(self.app.project.name, self.fmt), id="path")  # type: ignore[attr-defined]
            yield Label("Quotes per cell (-1: all)", classes="choice")
            yield Input("3", id="quotes", type="integer", classes="choice")
            with Vertical(id="gate"):
                yield Static("", id="gate-findings")
                yield Label("Reason to export anyway (recorded in the audit log)")
                yield Input("", id="reason", placeholder="e.g. names are staff who consented")
            yield ExportProgressBar(id="progress")
            yield Static("", id="export-message", classes="dialog-hint")
            yield Horizontal(
                Button("Export", id="ok", variant="primary"),
                Button("Cancel", id="cancel"),
                classes="buttons",
            )

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        fmt = str(event.pressed.label)
        box = self.query_one("#path", Input)
        path = Path(box.value or default_name(self.app.project.name, fmt))  # type: ignore[attr-defined]
        box.value = str(path.with_suffix(f".{fmt}"))
        self.fmt = fmt
        self.query_one("#format-note", Static).update(FORMAT_NOTES[fmt])

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
            self.dismiss(None)

    def action_export(self) -> None:
        if self.running:
            return
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self.query_one("#export-message", Static).update("Give a file name.")
            return
        path = Path(raw).expanduser()
        try:
            quotes = int(self.query_one("#quotes", Input).value or "3")
        except ValueError:
            quotes = 3
        reason: str | None = None
        if self.gate_shown:
            reason = self.query_one("#reason", Input).value.strip()
            if not reason:
                self.query_one("#export-message", Static).update(
                    "Give a reason to export with these details, or Cancel and fix the "
                    "transcripts (qualcode check-names lists every place)."
                )
                self.query_one("#reason", Input).focus()
                return
        self.running = True
        self.query_one("#export-message", Static).update(f"Writing {escape(str(path))}…")
        progress = self.query_one(ExportProgressBar).start()
        self.app.run_service(
            self,
            export_chart,
            self.app.project,
            self.spec,
            path,
            self.fmt,  # type: ignore[attr-defined]
            quotes_per_cell=None if quotes < 0 else quotes,
            progress=progress,
            allow_identifiers=reason,
            then=self._done,
            on_error=self._failed,
            label="export chart",
        )

    def _done(self, path: Path) -> None:
        self.running = False
        self.query_one(ExportProgressBar).finish()
        self.app.notify(f"Chart written to {path.resolve()}", title="Exported", timeout=8)
        self.dismiss(path)

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.query_one(ExportProgressBar).finish(complete=False)
        if isinstance(exc, IdentifiersFoundError):
            self._show_gate(exc)
            return
        self.query_one("#export-message", Static).update(f"[b $error]{escape(str(exc))}[/]")

    def _show_gate(self, exc: IdentifiersFoundError) -> None:
        """List what the check found and ask for a reason to export anyway."""
        self.gate_shown = True
        lines = describe_findings(exc.findings, 4)
        self.query_one("#gate-findings", Static).update(
            escape(
                f"Not exported: {len(exc.findings)} certain identifying detail(s) in the "
                "transcripts:\n" + "\n".join(lines)
            )
        )
        self.add_class("gated")  # the choices are made: room for the findings and the reason
        self.query_one("#export-message", Static).update(
            f"{escape(self.fmt)} to {escape(self.query_one('#path', Input).value)}: fix them "
            "(Cancel), or give a reason and Export anyway."
        )
        ok = self.query_one("#ok", Button)
        ok.label = "Export anyway"
        ok.styles.min_width = 17
        self.query_one("#reason", Input).focus()
