"""Stand-in for a screen whose module is missing or failed to load."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Static

from qualcode.tui.widgets.chrome import ModeBar


class UnavailableScreen(Screen[None]):
    """Says plainly that this part of the workbench is not available, and why if known."""

    DEFAULT_CSS = """
    UnavailableScreen #unavailable { width: 60; height: auto; padding: 1 2; border: round $panel; }
    """

    def __init__(self, title: str, detail: str = "", mode: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.detail = detail
        self.mode = mode

    def compose(self) -> ComposeResult:
        yield ModeBar(self.mode)
        msg = f"[b]{escape(self.title_text)}[/b] is not available in this installation."
        if self.detail:
            msg += f"\n\n[dim]{escape(self.detail)}[/dim]"
        msg += "\n\nThe other screens work as usual: F1 project home, F2 coding reader."
        with Middle(), Center():
            yield Static(msg, id="unavailable")
        yield Footer(compact=True, show_command_palette=False)
