"""Command palette (ctrl+p): every action of the current screen, every code, every document.

Typing part of a code's name in the reader offers "Apply code: Context/Culture";
elsewhere it offers to show the code in the codebook. The code list and the
document list come from the app's caches (refreshed by workers), so the palette
never queries the database on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from qualcode.tui import keymap
from qualcode.tui.screen_registry import SCREENS
from qualcode.tui.setup_steps import SETUP_STEPS


def _entries(provider: Provider) -> list[tuple[str, Callable[[], Any], str]]:
    app: Any = provider.app
    screen: Any = provider.screen
    scope = getattr(screen, "KEYMAP_SCOPE", None)
    out: list[tuple[str, Callable[[], Any], str]] = []
    for spec in keymap.ACTIONS:
        if spec.scope == "app" and spec.id not in ("app.palette",):
            out.append((spec.description, partial(app.run_action, spec.action), _keys(app, spec)))
        elif scope and spec.scope == scope:
            out.append(
                (
                    f"{keymap.SCOPE_TITLES[scope]}: {spec.description}",
                    partial(screen.run_action, spec.action),
                    _keys(app, spec),
                )
            )
    for entry in SCREENS:
        out.append((f"Go to {entry.title}", partial(app.switch_mode, entry.mode), entry.key))
    for step in SETUP_STEPS:
        out.append(
            (
                f"Set up: {step.title}",
                partial(app.run_action, f"open_setup('{step.id}')"),
                f"F6 then {step.key}",
            )
        )
    codes = getattr(app, "codes", [])
    apply = getattr(screen, "apply_code", None)
    for code in codes:
        if apply is not None and code.codable:
            out.append(
                (
                    f"Apply code: {code.path_str}",
                    partial(apply, code.id),
                    f"key {code.shortcut}" if code.shortcut else "code",
                )
            )
        elif apply is None:
            out.append((f"Show code: {code.path_str}", partial(app.show_code, code.id), "codebook"))
    for doc in getattr(app, "documents", []):
        label = (
            doc.name
            if not doc.participant or doc.participant == doc.name
            else f"{doc.name} ({doc.participant})"
        )
        out.append((f"Open document: {label}", partial(app.open_reader, doc.id), doc.case or ""))
    return out


def _keys(app: Any, spec: keymap.ActionSpec) -> str:
    override = getattr(app, "_user_keys", {}).get(spec.id)
    return override or spec.key_display or spec.keys


class WorkbenchCommands(Provider):
    """Actions, codes and documents, fuzzy-matched."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in _entries(self):
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text, help=help_text)

    async def discover(self) -> Hits:
        for text, command, help_text in _entries(self):
            yield DiscoveryHit(text, command, text=text, help=help_text)
