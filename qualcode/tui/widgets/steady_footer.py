"""A footer that rebuilds its keys only when the keys it shows have changed.

Textual's Footer remounts every key on each bindings update: each focus change and
each change of the screen stack, seven times while the matrix screen first opens,
each remount restyling a dozen widgets on the event loop. This one gathers the
updates that arrive together into one look, and rebuilds only if the keys shown
(their key, label, action, whether enabled, tooltip, group) differ from those on
screen. What it shows is exactly what Textual's Footer shows.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    """Footer whose keys are rebuilt once per burst of bindings updates, and only on a change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None
        self._look_pending = False

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._look_pending:
            self._look_pending = True
            self.call_after_refresh(self._rebuild_if_changed)

    def _keys_shown(self) -> tuple[Any, ...]:
        app = self.app
        return tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action)
            + (enabled, tooltip, binding.group)
            for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show
        )

    async def _rebuild_if_changed(self) -> None:
        self._look_pending = False
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
