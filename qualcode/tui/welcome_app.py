"""The first-run app: no project yet, so start one, open one, or open the demo.

It runs before the workbench (which needs a project) and exits with the
project file chosen; ``qualcode`` then opens the workbench on it. Database and
spaCy work runs in thread workers that only post a :class:`ServiceResult`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.dom import DOMNode

from qualcode.errors import QualcodeError
from qualcode.tui.themes import THEMES
from qualcode.tui.workers import ServiceResult


@dataclass(frozen=True)
class WelcomeChoice:
    """The project to open, and the workbench screen to open it on."""

    path: Path
    start_mode: str = "home"


class WelcomeApp(App[WelcomeChoice]):
    """Welcome screen only; exits with a :class:`WelcomeChoice` (None when quitting)."""

    TITLE = "qualcode"

    def __init__(
        self, folder: Path | None = None, project_file: Path | None = None, coder: str | None = None
    ) -> None:
        super().__init__()
        self.folder = (folder or Path.cwd()).resolve()
        self.project_file = project_file or self.folder / "qualcode.db"
        self.coder = coder
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = "qualcode"

    def on_mount(self) -> None:
        # cycle: the welcome screen imports WelcomeChoice from this module
        from qualcode.tui.screens.welcome import WelcomeScreen

        self.push_screen(WelcomeScreen())

    def run_service(
        self,
        node: DOMNode,
        fn: Callable[..., Any],
        *args: Any,
        then: Callable[[Any], Any] | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
        label: str = "",
        **kwargs: Any,
    ) -> None:
        """As :meth:`QualcodeApp.run_service`: ``fn`` in a thread, the result as a message."""
        self._worker(
            node,
            label or getattr(fn, "__name__", "service"),
            partial(fn, *args, **kwargs),
            then,
            on_error,
        )

    @work(thread=True, group="service", exit_on_error=False)
    def _worker(
        self,
        node: DOMNode,
        label: str,
        call: Callable[[], Any],
        then: Callable[[Any], Any] | None,
        on_error: Callable[[BaseException], Any] | None,
    ) -> None:
        try:
            value = call()
        except Exception as exc:
            node.post_message(ServiceResult(label, error=exc, then=then, on_error=on_error))
        else:
            node.post_message(ServiceResult(label, value, then=then, on_error=on_error))

    def on_service_result(self, message: ServiceResult) -> None:
        message.stop()
        if message.error is not None:
            if message.on_error is not None:
                message.on_error(message.error)
            else:
                title = (
                    "Cannot do that"
                    if isinstance(message.error, QualcodeError)
                    else "Unexpected error"
                )
                self.notify(str(message.error), title=title, severity="error", timeout=10)
        elif message.then is not None:
            message.then(message.value)


def run_welcome(project_file: Path, coder: str | None = None) -> WelcomeChoice | None:
    """Show the welcome screen; the chosen project, or None when the user quit."""
    return WelcomeApp(project_file.parent, project_file, coder).run()
