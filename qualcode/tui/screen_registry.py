"""The workbench's top-level screens, in tab order.

Each entry names a Textual mode: its id, its title in the header/tab bar, the key
that switches to it, and where its Screen class lives (imported on first use, so
the app starts fast). A screen class takes no arguments and reaches the project
through ``self.app.project``; database work runs in ``@work(thread=True)`` workers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenEntry:
    mode: str
    title: str
    key: str
    target: str  # "package.module:ClassName"


SCREENS: list[ScreenEntry] = [
    ScreenEntry("home", "Project", "f1", "qualcode.tui.screens.home:HomeScreen"),
    ScreenEntry("reader", "Code", "f2", "qualcode.tui.screens.reader:ReaderScreen"),
    ScreenEntry("codebook", "Codebook", "f3", "qualcode.tui.screens.codebook:CodebookScreen"),
    ScreenEntry("matrix", "Matrix", "f4", "qualcode.tui.screens.matrix:MatrixScreen"),
    ScreenEntry("patterns", "Patterns", "f5", "qualcode.tui.screens.patterns:PatternsScreen"),
    ScreenEntry("setup", "Set up", "f6", "qualcode.tui.screens.setup:SetupScreen"),
]
