"""The workbench app: modes from the screen registry, shared worker pattern, keys, themes.

Screens reach the project as ``self.app.project`` and never touch the database
on the event loop: they call ``self.app.run_service(self, fn, *args, then=cb)``
(see :mod:`qualcode.tui.workers`). Other screens open a quote in the reader
with ``self.app.open_reader(document_id, offset)``.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen
from textual.worker import Worker

from qualcode.errors import QualcodeError
from qualcode.services.codebook import CodeInfo, list_codes
from qualcode.services.documents import DocumentInfo, list_documents
from qualcode.services.history import History
from qualcode.services.project import Project
from qualcode.tui import keymap
from qualcode.tui.commands import WorkbenchCommands
from qualcode.tui.screen_registry import SCREENS, ScreenEntry
from qualcode.tui.settings import TuiSettings
from qualcode.tui.themes import HIGH_CONTRAST_NAME, THEMES
from qualcode.tui.workers import (
    CodebookChanged,
    DocumentsChanged,
    LatestRead,
    SerialTickets,
    ServiceResult,
)

log = logging.getLogger(__name__)


def _mode_bindings() -> list[BindingType]:
    return [Binding(e.key, f"app.switch_mode('{e.mode}')", e.title, show=False,
                    id=keymap.mode_binding_id(e.mode)) for e in SCREENS]


def screen_factory(entry: ScreenEntry) -> Callable[[], Screen[Any]]:
    """Import the screen on first switch; a missing or broken module gives a placeholder."""

    def make() -> Screen[Any]:
        module_name, _, class_name = entry.target.partition(":")
        try:
            module = importlib.import_module(module_name)
            return getattr(module, class_name)()
        except Exception as exc:  # noqa: BLE001 - any failure: say so, keep the app running
            from qualcode.tui.screens.unavailable import UnavailableScreen

            detail = "" if isinstance(exc, ModuleNotFoundError) else f"{type(exc).__name__}: {exc}"
            return UnavailableScreen(entry.title, detail, entry.mode)

    return make


class QualcodeApp(App[None]):
    """The qualcode workbench on one project."""

    CSS_PATH = "app.tcss"
    TITLE = "qualcode"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {WorkbenchCommands}
    BINDINGS: ClassVar[list[BindingType]] = keymap.bindings("app") + _mode_bindings()

    def __init__(self, project: Project, *, settings: TuiSettings | None = None,
                 keys: dict[str, str] | None = None, start_mode: str = "home") -> None:
        self.project = project
        self.settings = settings or TuiSettings()
        self.history = History(project)
        self._tickets = SerialTickets()
        self._user_keys = dict(keys or {})
        self._start_mode = start_mode
        self.project_name = project.name  # read once, before the event loop starts
        self.codes: list[CodeInfo] = []
        """Every code, depth-first (a cache refreshed by :meth:`reload_codes`)."""
        self.documents: list[DocumentInfo] = []
        """Every document with its progress (a cache refreshed by :meth:`reload_documents`)."""
        self._codes_read, self._documents_read = LatestRead(), LatestRead()
        super().__init__()
        for entry in SCREENS:
            self.add_mode(entry.mode, screen_factory(entry))
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = self._base_theme()
        if self.settings.high_contrast:
            self.theme = HIGH_CONTRAST_NAME

    def _base_theme(self) -> str:
        name = self.settings.theme
        return name if name in self.available_themes and name != HIGH_CONTRAST_NAME else "qualcode"

    @property
    def high_contrast(self) -> bool:
        return self.theme == HIGH_CONTRAST_NAME

    def on_mount(self) -> None:
        if self._user_keys:
            self.set_keymap(self._user_keys)
        self.sub_title = self.project_name
        self.reload_codes()
        self.reload_documents()
        self.switch_mode(self._start_mode)

    # -- caches shared by screens -------------------------------------------------
    def reload_codes(self) -> None:
        """Refresh :attr:`codes` in a worker, then tell every screen (CodebookChanged)."""
        self.run_service(self, list_codes, self.project,
                         then=partial(self._codes_loaded, self._codes_read.ask()))

    def _codes_loaded(self, asked: int, codes: list[CodeInfo]) -> None:
        if not self._codes_read.is_fresh(asked):
            return  # a read from before a later save finished last
        self.codes = codes
        self._broadcast(CodebookChanged())

    def reload_documents(self) -> None:
        """Refresh :attr:`documents` in a worker, then tell every screen (DocumentsChanged)."""
        self.run_service(self, list_documents, self.project,
                         then=partial(self._documents_loaded, self._documents_read.ask()))

    def _documents_loaded(self, asked: int, documents: list[DocumentInfo]) -> None:
        if not self._documents_read.is_fresh(asked):
            return
        self.documents = documents
        self._broadcast(DocumentsChanged())

    def _broadcast(self, message_type: Any) -> None:
        for stack in self._screen_stacks.values():
            for screen in stack:
                screen.post_message(type(message_type)())

    # -- the shared worker pattern ---------------------------------------------
    def run_service(self, node: DOMNode, fn: Callable[..., Any], *args: Any,
                    then: Callable[[Any], Any] | None = None,
                    on_error: Callable[[BaseException], Any] | None = None,
                    serial: bool = False, label: str = "", **kwargs: Any) -> Worker[None]:
        """Run ``fn(*args, **kwargs)`` in a thread; deliver the result to ``node`` as a message.

        ``then(value)`` runs on the event loop when it succeeds; an error goes to
        ``on_error`` or is shown by :meth:`notify_error`. ``serial=True`` (for
        writes) runs the calls strictly in the order they were asked for.
        """
        ticket = self._tickets.take() if serial else None
        call = partial(fn, *args, **kwargs)
        return self._service_worker(node, label or getattr(fn, "__name__", "service"), call,
                                    ticket, then, on_error)

    @work(thread=True, group="service", exit_on_error=False)
    def _service_worker(self, node: DOMNode, label: str, call: Callable[[], Any],
                        ticket: int | None, then: Callable[[Any], Any] | None,
                        on_error: Callable[[BaseException], Any] | None) -> None:
        try:
            value = self._tickets.run(ticket, call) if ticket is not None else call()
        except Exception as exc:  # noqa: BLE001 - delivered to the UI, never lost
            node.post_message(ServiceResult(label, error=exc, then=then, on_error=on_error))
        else:
            node.post_message(ServiceResult(label, value, then=then, on_error=on_error))

    def on_service_result(self, message: ServiceResult) -> None:
        """Results bubble here from any screen or widget that did not handle them itself."""
        message.stop()
        if message.error is not None:
            if message.on_error is not None:
                message.on_error(message.error)
            else:
                self.notify_error(message.error)
        elif message.then is not None:
            message.then(message.value)

    def notify_error(self, exc: BaseException) -> None:
        """Show a user error as it is; anything unexpected with its type, and log it."""
        if isinstance(exc, QualcodeError):
            self.notify(str(exc), title="Cannot do that", severity="error", timeout=8)
        else:
            log.error("".join(traceback.format_exception(exc)))
            self.log.error("".join(traceback.format_exception(exc)))
            self.notify(f"{type(exc).__name__}: {exc}", title="Unexpected error",
                        severity="error", timeout=10)

    # -- navigation shared by screens ---------------------------------------------
    def open_reader(self, document_id: int, offset: int | None = None) -> None:
        """Switch to the coding reader on a document, with the cursor at ``offset``."""
        self.switch_mode("reader")
        reader = self._screen_stacks["reader"][0]
        opener = getattr(reader, "open_document", None)
        if opener is None:
            self.notify("The coding reader is not available.", severity="warning")
            return
        opener(document_id, offset)

    def show_code(self, code_id: int) -> None:
        """Switch to the codebook with a code selected."""
        self.switch_mode("codebook")
        selector = getattr(self._screen_stacks["codebook"][0], "select_code", None)
        if selector is not None:
            selector(code_id)

    def screen_for_mode(self, mode: str) -> Screen[Any] | None:
        stack = self._screen_stacks.get(mode)
        return stack[0] if stack else None

    # -- app actions -------------------------------------------------------------
    def action_help(self) -> None:
        from qualcode.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_search_project(self) -> None:
        from qualcode.tui.screens.search import ProjectSearchScreen

        if not isinstance(self.screen, ProjectSearchScreen):
            self.push_screen(ProjectSearchScreen())

    def action_open_setup(self, step: str) -> None:
        """Open a set-up step (import, framework, cases, groups, exports) over this screen."""
        from qualcode.tui.setup_steps import open_step

        open_step(self, step)

    def action_toggle_high_contrast(self) -> None:
        self.theme = self._base_theme() if self.high_contrast else HIGH_CONTRAST_NAME

    def watch_theme(self, theme: str) -> None:
        self.set_class(theme == HIGH_CONTRAST_NAME, "-high-contrast")


def run_workbench(project: Project, *, start_mode: str = "home") -> None:
    """Open the workbench (the CLI's ``qualcode``, ``qualcode open`` and ``qualcode demo``)."""
    import os

    from qualcode.services.project import CODER_ENV, default_coder_name
    from qualcode.tui.settings import load_settings

    settings = load_settings()
    if settings.coder and not os.environ.get(CODER_ENV) and \
            project.coder_name == default_coder_name():
        project.coder_name = settings.coder
    known = {a.id for a in keymap.ACTIONS} | {keymap.mode_binding_id(e.mode) for e in SCREENS}
    keys = keymap.load_keymap(settings.keymap, known_ids=known)
    QualcodeApp(project, settings=settings, keys=keys, start_mode=start_mode).run()
