"""Help: every key of the workbench, as currently bound (user overrides included), and the code keys."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from qualcode.tui import keymap
from qualcode.tui.screen_registry import SCREENS

KEY_NAMES = {
    "question_mark": "?",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "slash": "/",
    "greater_than_sign": ">",
    "less_than_sign": "<",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "left_curly_bracket": "{",
    "right_curly_bracket": "}",
    "space": "Space",
    "enter": "Enter",
    "escape": "Esc",
    "tab": "Tab",
    "delete": "Del",
    "down": "↓",
    "up": "↑",
    "left": "←",
    "right": "→",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "home": "Home",
    "end": "End",
    "backspace": "Backspace",
}


KEY_COLUMN = 14
SCOPE_NOTES = {
    "reader": (
        "Letters and digits apply codes (either case); every command is an arrow,",
        "a symbol or Ctrl+key. With no selection a code applies to the sentence.",
        "Valence, memo and remove act on the coding marked ▸ (Tab picks another).",
    ),
    "matrix": ("Arrows (or h j k l), PgUp/PgDn and Home/End move between cells.",),
    "codebook": ("↑↓ move in the tree; a letter and its capital do the same thing.",),
}


def key_label(key: str) -> str:
    """``ctrl+down`` -> ``Ctrl+↓``; ``question_mark`` -> ``?``; ``J`` stays ``J``."""
    *mods, last = key.split("+") if key != "plus" else ["plus"]
    name = KEY_NAMES.get(
        last, last.upper() if last.startswith("f") and last[1:].isdigit() else last
    )
    return "+".join([m.capitalize() for m in mods] + [name])


def keys_label(keys: str) -> str:
    return " ".join(key_label(k) for k in keys.split(",") if k)


class HelpScreen(ModalScreen[None]):
    """Scrollable list of keys: the screen you came from first, then everywhere, then the rest.

    Built from plain :class:`~rich.text.Text` (never markup), so a key such as ``[``
    shows as itself.
    """

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 96; max-width: 100%; height: 100%; max-height: 100%;
        border: round $primary; background: $surface; }
    HelpScreen #help-title { padding: 0 1; background: $panel; }
    HelpScreen VerticalScroll { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,Q,question_mark", "dismiss", "Close", show=False),
        Binding("j,J,down", "scroll('down')", show=False),
        Binding("k,K,up", "scroll('up')", show=False),
    ]

    def __init__(self, scope: str | None = None) -> None:
        super().__init__()
        self.scope = scope if scope in keymap.SCOPE_TITLES else "app"

    def compose(self) -> ComposeResult:
        hint = "  esc closes · ↑↓ scroll · rebind any key in keys.toml by its id"
        title = Text.assemble(
            ("Keys", "bold"), " · ", keymap.SCOPE_TITLES[self.scope], (hint, "dim")
        )
        with Vertical():
            yield Static(title, id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(self._text(), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def on_resize(self) -> None:
        self.query_one("#help-text", Static).update(self._text())

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_relative(y=1 if direction == "down" else -1, animate=False)

    def _keys_for(self, spec_id: str, default: str) -> str:
        overrides: dict[str, str] = getattr(self.app, "_user_keys", {})
        return overrides.get(spec_id, default)

    def _text(self) -> Text:
        out = Text()
        room = min(96, self.app.size.width) - 6  # border and padding

        def row(keys: str, text: str, ident: str = "") -> None:
            out.append("  ")
            out.append(keys_label(_plain_keys(keys)).ljust(KEY_COLUMN), style="bold")
            out.append(f" {text}")
            if ident:  # the id beside the text when it fits, else under it
                fits = 2 + KEY_COLUMN + 1 + len(text) + 2 + len(ident) <= room
                out.append(
                    f"  {ident}" if fits else "\n" + " " * (KEY_COLUMN + 3) + ident, style="dim"
                )
            out.append("\n")

        def note(text: str) -> None:
            out.append(f"  {text}\n", style="dim")

        def heading(text: str) -> None:
            if out:
                out.append("\n")
            out.append(f"{text}\n", style="bold underline")

        order = [self.scope, *(s for s in keymap.SCOPE_TITLES if s != self.scope)]
        if self.scope != "app":
            order.remove("app")
            order.insert(1, "app")
        for scope in order:
            heading(
                keymap.SCOPE_TITLES[scope]
                + ("  (this screen)" if scope == self.scope and scope != "app" else "")
            )
            if scope == "app":
                for e in SCREENS:
                    ident = keymap.mode_binding_id(e.mode)
                    row(self._keys_for(ident, e.key), f"Go to {e.title}", ident)
            for line in SCOPE_NOTES.get(scope, ()):
                note(line)
            for spec in keymap.actions(scope):
                row(self._keys_for(spec.id, spec.keys), spec.description, spec.id)
            if scope == "reader":
                self._code_keys(out)
        out.rstrip()
        return out

    def _code_keys(self, out: Text) -> None:
        codes = [c for c in getattr(self.app, "codes", []) if c.shortcut and c.codable]
        if not codes:
            return
        out.append("  Code keys (from the codebook; change them there with s):\n", style="dim")
        for c in codes:
            out.append("  ")
            out.append(c.shortcut.ljust(KEY_COLUMN), style="bold")
            out.append(" ▌", style=c.colour or "#888888")
            out.append(f"{c.path_str}\n")


def _plain_keys(keys: str) -> str:
    """Leave out the capitals :func:`keymap.with_capitals` adds (Caps Lock), to keep rows short."""
    given = [k for k in keys.split(",") if k]
    return ",".join(k for k in given if not (len(k) == 1 and k.isupper() and k.lower() in given))
