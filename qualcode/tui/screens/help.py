"""Help: every key of the workbench, as currently bound (user overrides included), and the code keys."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from qualcode.tui import keymap
from qualcode.tui.screen_registry import SCREENS

KEY_NAMES = {
    "question_mark": "?", "plus": "+", "minus": "-", "equals_sign": "=", "slash": "/",
    "greater_than_sign": ">", "less_than_sign": "<", "left_square_bracket": "[",
    "right_square_bracket": "]", "left_curly_bracket": "{", "right_curly_bracket": "}",
    "space": "Space", "enter": "Enter", "escape": "Esc", "tab": "Tab", "delete": "Del",
    "down": "↓", "up": "↑", "left": "←", "right": "→", "pagedown": "PgDn", "pageup": "PgUp",
    "home": "Home", "end": "End", "backspace": "Backspace",
}


def key_label(key: str) -> str:
    """``ctrl+down`` -> ``Ctrl+↓``; ``question_mark`` -> ``?``; ``J`` stays ``J``."""
    *mods, last = key.split("+") if key != "plus" else ["plus"]
    name = KEY_NAMES.get(last, last.upper() if last.startswith("f") and last[1:].isdigit()
                         else last)
    return "+".join([m.capitalize() for m in mods] + [name])


def keys_label(keys: str) -> str:
    return " ".join(key_label(k) for k in keys.split(",") if k)


class HelpScreen(ModalScreen[None]):
    """Scrollable list of keys, grouped by screen; escape, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 96; max-width: 100%; height: 100%; max-height: 100%;
        border: round $primary; background: $surface; }
    HelpScreen #help-title { padding: 0 1; background: $panel; }
    HelpScreen VerticalScroll { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "dismiss", "Close", show=False),
                Binding("j,down", "scroll('down')", show=False),
                Binding("k,up", "scroll('up')", show=False)]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]Keys[/b]  [dim]esc closes · ↑↓ scroll · rebind any of them in "
                         "keys.toml by its id[/dim]", id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(self._text(), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_relative(y=1 if direction == "down" else -1, animate=False)

    def _keys_for(self, spec_id: str, default: str) -> str:
        overrides: dict[str, str] = getattr(self.app, "_user_keys", {})
        return overrides.get(spec_id, default)

    def _text(self) -> str:
        out: list[str] = []

        def row(keys: str, text: str, ident: str) -> None:
            out.append(f"  [b]{escape(keys_label(keys)):<16}[/b] {escape(text)}  "
                       f"[dim]{escape(ident)}[/dim]")

        out.append("[b u]Everywhere[/b u]")
        for e in SCREENS:
            ident = keymap.mode_binding_id(e.mode)
            row(self._keys_for(ident, e.key), f"Go to {e.title}", ident)
        for scope in keymap.SCOPE_TITLES:
            if scope != "app":
                out.append("")
                out.append(f"[b u]{keymap.SCOPE_TITLES[scope]}[/b u]")
            if scope == "reader":
                out.append("  [dim]With no selection, a code applies to the sentence under the "
                           "cursor.[/dim]")
                out.append("  [dim]Valence, memo and remove act on the coding marked ▸ (Tab "
                           "picks another).[/dim]")
            for spec in keymap.actions(scope):
                row(self._keys_for(spec.id, spec.keys), spec.description, spec.id)
            if scope == "reader":
                codes = [c for c in getattr(self.app, "codes", []) if c.shortcut and c.codable]
                if codes:
                    out.append("  [dim]Code keys (from the codebook; change them there with s):"
                               "[/dim]")
                    for c in codes:
                        out.append(f"  [b]{escape(c.shortcut):<16}[/b] "
                                   f"[{c.colour or '#888888'}]▌[/]{escape(c.path_str)}")
        out += self._other_screen_keys()
        return "\n".join(out)

    def _other_screen_keys(self) -> list[str]:
        """Keys of the screen underneath that are not in the registry (e.g. matrix, patterns)."""
        stack = self.app.screen_stack
        if len(stack) < 2:
            return []
        below: Any = stack[-2]
        known = {a.id for a in keymap.ACTIONS}
        extra = []
        for bindings in below._bindings.key_to_bindings.values():
            for b in bindings:
                if b.id in known or not b.description or b.system:
                    continue
                extra.append((b.key, b.description, b.id or ""))
        if not extra:
            return []
        lines = ["", f"[b u]{escape(getattr(below, 'title', None) or type(below).__name__)}[/b u]"]
        for key, desc, ident in sorted(set(extra), key=lambda x: x[1]):
            lines.append(f"  [b]{escape(key_label(key)):<16}[/b] {escape(desc)}  "
                         f"[dim]{escape(ident)}[/dim]")
        return lines
