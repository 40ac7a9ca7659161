"""The frame every workbench screen shares: the mode bar on top, the status line below
(and the small helpers the screens share)."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from qualcode.tui.screen_registry import SCREENS


class ModeBar(Static):
    """The screens of the workbench with their keys; the current one highlighted; clickable."""

    DEFAULT_CSS = """
    ModeBar { dock: top; height: 1; background: $panel; color: $text-muted; }
    """

    def __init__(self, current: str, **kwargs: object) -> None:
        super().__init__("", markup=True, **kwargs)  # type: ignore[arg-type]
        self.current = current

    def on_mount(self) -> None:
        self.update(self._text())

    def _text(self) -> str:
        parts = []
        for e in SCREENS:
            label = f" {e.key.upper()} {escape(e.title)} "
            if e.mode == self.current:
                parts.append(f"[reverse b]{label}[/]")
            else:
                parts.append(f"[@click=app.switch_mode('{e.mode}')]{label}[/]")
        name = escape(getattr(self.app, "sub_title", "") or "")
        return "".join(parts) + (f"  [dim]{name}[/]" if name else "")


class StatusLine(Static):
    """One line of status: who is coding, where, and how far.

    Its size never changes, so updates skip the layout pass (cheap on every key).
    """

    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    _last: object = None

    def update(self, content: object = "", *, layout: bool = False) -> None:  # type: ignore[override]
        if content != self._last:
            self._last = content
            super().update(content, layout=layout)  # type: ignore[arg-type]


def place_cursor(tree: Tree[Any], node: TreeNode[Any]) -> None:
    """Put a freshly rebuilt tree's cursor on ``node`` now.

    New nodes have no line until the tree lays them out; moving the cursor to one
    before that (e.g. after the next refresh, which may come before the tree's own)
    asks for line -1, which the tree clamps to line 0: the first node is highlighted
    and becomes the selection. Reading ``last_line`` lays the lines out first.
    """
    _ = tree.last_line
    tree.move_cursor(node)
