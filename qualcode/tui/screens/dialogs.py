"""Small modal dialogs: a one-line prompt, a memo editor, a definitions editor, a confirmation.

Each returns its result through ``dismiss`` (None when cancelled); the caller
does the saving in a worker.
"""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from qualcode.tui import keymap


class _Dialog(ModalScreen[object]):
    DEFAULT_CSS = """
    _Dialog { align: center middle; }
    _Dialog > Vertical { width: 76; max-width: 96%; height: auto; max-height: 96%;
        border: round $primary; background: $surface; padding: 0 1; }
    _Dialog .dialog-title { text-style: bold; margin-bottom: 1; }
    _Dialog .dialog-hint { color: $text-muted; }
    _Dialog TextArea { height: 8; }
    _Dialog Horizontal.buttons { height: auto; align-horizontal: right; margin-top: 1; }
    _Dialog Button { margin-left: 1; min-width: 10; }
    """
    BINDINGS = keymap.bindings("dialog")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.action_save()
        else:
            self.dismiss(None)

    def action_save(self) -> None:  # overridden
        self.dismiss(None)

    def _buttons(self, ok: str = "Save") -> Horizontal:
        return Horizontal(
            Button(ok, id="ok", variant="primary"), Button("Cancel", id="cancel"), classes="buttons"
        )


class PromptDialog(_Dialog):
    """Ask for one line of text (a name, a colour, a key)."""

    def __init__(self, title: str, value: str = "", hint: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text, self.value, self.hint, self.placeholder = title, value, hint, placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(escape(self.title_text), classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt")
            if self.hint:
                yield Static(escape(self.hint), classes="dialog-hint")
            yield self._buttons("OK")

    def on_mount(self) -> None:
        box = self.query_one(Input)
        box.focus()
        box.select_all()  # typing replaces the old value; arrows keep it

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        self.dismiss(self.query_one(Input).value)


class MemoDialog(_Dialog):
    """Write or edit a memo; ctrl+s saves, escape cancels."""

    def __init__(self, title: str, text: str = "", context: str = "") -> None:
        super().__init__()
        self.title_text, self.text, self.context = title, text, context

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(escape(self.title_text), classes="dialog-title")
            if self.context:
                yield Static(escape(self.context), classes="dialog-hint")
            yield TextArea(self.text, id="memo", soft_wrap=True)
            yield Static("ctrl+s save · esc cancel", classes="dialog-hint")
            yield self._buttons()

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)


class DefinitionDialog(_Dialog):
    """Edit a code's definition, inclusion and exclusion notes together."""

    DEFAULT_CSS = """
    DefinitionDialog TextArea { height: 5; }
    """

    def __init__(self, title: str, definition: str, inclusion: str, exclusion: str) -> None:
        super().__init__()
        self.title_text = title
        self.values = (definition, inclusion, exclusion)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(escape(self.title_text), classes="dialog-title")
            for label, value, wid in zip(
                ("Definition", "Include when", "Exclude when"),
                self.values,
                ("definition", "inclusion", "exclusion"),
                strict=True,
            ):
                yield Label(label, classes="dialog-hint")
                yield TextArea(value, id=wid, soft_wrap=True)
            yield Static("ctrl+s save · esc cancel · tab next field", classes="dialog-hint")
            yield self._buttons()

    def on_mount(self) -> None:
        self.query_one("#definition", TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(
            {
                wid: self.query_one(f"#{wid}", TextArea).text
                for wid in ("definition", "inclusion", "exclusion")
            }
        )


class ConfirmDialog(_Dialog):
    """Yes / no for something that cannot be undone from the reader."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,Y", "save", "Yes", show=False),
        Binding("n,N", "cancel", "No", show=False),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(escape(self.question))
            yield self._buttons("Yes")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def action_save(self) -> None:
        self.dismiss(True)
