"""The set-up steps of a study, in order: one place for the checklist, the palette and keys."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SetupStep:
    id: str
    title: str
    key: str  # on the Set up screen
    target: str  # "module:Class" of the screen or dialog it opens


SETUP_STEPS: tuple[SetupStep, ...] = (
    SetupStep(
        "import",
        "Import transcripts and tables",
        "1",
        "qualcode.tui.screens.import_files:ImportScreen",
    ),
    SetupStep(
        "framework",
        "Choose and apply a framework",
        "2",
        "qualcode.tui.screens.framework_pick:FrameworkScreen",
    ),
    SetupStep(
        "cases",
        "Cases, attributes and participants",
        "3",
        "qualcode.tui.screens.cases_table:CasesScreen",
    ),
    SetupStep(
        "groups",
        "Case groups (by hand, by attribute or by rules)",
        "4",
        "qualcode.tui.screens.groups:GroupsScreen",
    ),
    SetupStep(
        "exports",
        "Export: chart, pattern tables, REFI-QDA, codebook",
        "5",
        "qualcode.tui.screens.exports:ExportsDialog",
    ),
)
BY_ID = {s.id: s for s in SETUP_STEPS}


def open_step(app: Any, step_id: str) -> None:
    """Push the step's screen (imported now: screens load on first use)."""
    step = BY_ID.get(step_id)
    if step is None:
        app.notify(f"No set-up step {step_id!r}.", severity="error")
        return
    module_name, _, class_name = step.target.partition(":")
    screen_class = getattr(importlib.import_module(module_name), class_name)
    if isinstance(app.screen, screen_class):
        return
    app.push_screen(screen_class(), callback=lambda _result: _refresh(app))


def _refresh(app: Any) -> None:
    """Counts on every screen may have changed: reload the shared caches."""
    app.reload_documents()
    app.reload_codes()
    setup = app.screen_for_mode("setup")
    if setup is not None and hasattr(setup, "action_refresh"):
        setup.action_refresh()
