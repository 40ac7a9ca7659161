"""The workbench app: modes from the screen registry, shared worker pattern, keys, themes.

Screens reach the project as ``self.app.project`` and never touch the database
on the event loop: they call ``self.app.run_service(self, fn, *args, then=cb)``
(see :mod:`qualcode.tui.workers`). Other screens open a quote in the reader
with ``self.app.open_reader(document_id, offset)``.
"""

from __future__ import annotations

import importlib
import logging
import os
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import Any, ClassVar

from textual import events
from textual.app import App, ScreenStackError
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen
from textual.worker import Worker

from qualcode.errors import QualcodeError
from qualcode.services.codebook import CodeInfo, list_codes
from qualcode.services.documents import DocumentInfo, list_documents
from qualcode.services.failures import explain
from qualcode.services.history import History
from qualcode.services.live import ProjectVersion
from qualcode.services.project import CODER_ENV, Project, default_coder_name, on_busy
from qualcode.tui import keymap
from qualcode.tui.commands import WorkbenchCommands
from qualcode.tui.matrix_ahead import MatrixAhead, build_ahead
from qualcode.tui.screen_registry import SCREENS, ScreenEntry
from qualcode.tui.settings import TuiSettings, load_settings
from qualcode.tui.setup_steps import open_step
from qualcode.tui.stylesheet import ReusingStylesheet
from qualcode.tui.themes import HIGH_CONTRAST_NAME, THEMES
from qualcode.tui.workers import (
    CodebookChanged,
    DocumentsChanged,
    InputGate,
    KeyHandled,
    KeyInFlight,
    LatestRead,
    ProjectChanged,
    SerialTickets,
    ServiceResult,
    read_ahead,
)

log = logging.getLogger(__name__)


def _mode_bindings() -> list[BindingType]:
    return [
        Binding(
            e.key,
            f"app.switch_mode('{e.mode}')",
            e.title,
            show=False,
            id=keymap.mode_binding_id(e.mode),
        )
        for e in SCREENS
    ]


def screen_factory(entry: ScreenEntry) -> Callable[[], Screen[Any]]:
    """Import the screen on first switch; a missing or broken module gives a placeholder."""

    def make() -> Screen[Any]:
        module_name, _, class_name = entry.target.partition(":")
        try:
            module = importlib.import_module(module_name)
            return getattr(module, class_name)()
        except Exception as exc:
            detail = "" if isinstance(exc, ModuleNotFoundError) else f"{type(exc).__name__}: {exc}"
            # lazy: screens load on first use (as SCREENS does), so the first screen opens fast
            from qualcode.tui.screens.unavailable import UnavailableScreen

            return UnavailableScreen(entry.title, detail, entry.mode)

    return make


class QualcodeApp(App[None]):
    """The qualcode workbench on one project."""

    CSS_PATH = "app.tcss"
    TITLE = "qualcode"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {WorkbenchCommands}
    BINDINGS: ClassVar[list[BindingType]] = keymap.bindings("app") + _mode_bindings()

    def __init__(
        self,
        project: Project,
        *,
        settings: TuiSettings | None = None,
        keys: dict[str, str] | None = None,
        start_mode: str = "home",
        poll_seconds: float | None = 1.0,
    ) -> None:
        self.project = project
        self.poll_seconds = poll_seconds
        """How often to look for others' changes to the project (None: never)."""
        self._polling = False
        self.settings = settings or TuiSettings()
        self.history = History(project)
        self._tickets = SerialTickets()
        self._gate = InputGate()
        self._in_flight = 0
        self._user_keys = dict(keys or {})
        self._start_mode = start_mode
        self.project_name = project.name  # read once, before the event loop starts
        self.codes: list[CodeInfo] = []
        """Every code, depth-first (a cache refreshed by :meth:`reload_codes`)."""
        self.documents: list[DocumentInfo] = []
        """Every document with its progress (a cache refreshed by :meth:`reload_documents`)."""
        self._codes_read, self._documents_read = LatestRead(), LatestRead()
        self._documents_ahead: Future[list[DocumentInfo]] | None = read_ahead(
            list_documents, project
        )
        self._first_documents: tuple[int, Future[list[DocumentInfo]]] | None = None
        self.project_version = ProjectVersion(project)
        """The project's change number (call it in a worker)."""
        self._matrix_ahead: MatrixAhead | None = None
        self._ahead_started = self._ahead_in_flight = False
        self._ahead_waiting: Callable[[MatrixAhead | None], Any] | None = None
        super().__init__()
        self.stylesheet = ReusingStylesheet(variables=self.get_css_variables())
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

    def on_load(self) -> None:
        # Read as soon as the app runs, not once the screen is composed and mounted:
        # the read then overlaps that work. Keys typed before the first list is in (a
        # burst right after opening) wait for the rows they move over and open.
        self.reload_documents(holds_keys=True)
        self.reload_codes()

    def on_mount(self) -> None:
        on_busy(self._project_busy)
        if self._user_keys:
            self.set_keymap(self._user_keys)
        self.sub_title = self.project_name
        self.switch_mode(self._start_mode)
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self.poll_changes, name="live refresh")

    # -- others' changes ------------------------------------------------------------
    def poll_changes(self) -> None:
        """Look (in a worker) whether the project changed; if so refresh every screen."""
        if self._polling:
            return
        self._polling = True
        self.run_service(
            self,
            self.project_version.changed,
            then=self._after_poll,
            on_error=self._poll_failed,
            label="live refresh",
        )

    def _after_poll(self, changed: bool) -> None:
        self._polling = False
        if changed:
            self.reload_codes()
            self.reload_documents()
            self._broadcast(ProjectChanged())

    def _poll_failed(self, exc: BaseException) -> None:
        self._polling = False  # a server that went away: try again next time, quietly
        log.warning("live refresh: %s", exc)

    def on_unmount(self) -> None:
        self.project_version.close()

    # -- the matrix, built ahead --------------------------------------------------
    def _build_matrix_ahead(self) -> None:
        """Once, when start-up's reads are done and drawn: build the default matrix."""
        self.run_service(
            self,
            build_ahead,
            self.project_version,
            then=self._ahead_built,
            on_error=lambda exc: self._ahead_built(None),  # the matrix screen builds it then
            label="matrix built ahead",
        )

    def _ahead_built(self, ahead: MatrixAhead | None) -> None:
        self._ahead_in_flight = False
        waiting, self._ahead_waiting = self._ahead_waiting, None
        if waiting is None:
            self._matrix_ahead = ahead
            return
        try:
            waiting(ahead)
        finally:
            self._gate.release()  # held while the matrix screen waited

    def take_matrix_ahead(self, then: Callable[[MatrixAhead | None], Any]) -> None:
        """Hand the matrix built ahead to ``then`` (once), now or when its build ends;
        ``None`` if there is none. The matrix screen checks it is still current."""
        if self._ahead_in_flight and self._ahead_waiting is None:
            self._ahead_waiting = then
            self._gate.hold()  # keys act on the matrix once it is shown, as when it is built
            return
        ahead, self._matrix_ahead = self._matrix_ahead, None
        then(ahead)

    # -- caches shared by screens -------------------------------------------------
    def reload_codes(self) -> None:
        """Refresh :attr:`codes` in a worker, then tell every screen (CodebookChanged)."""
        self.run_service(
            self, list_codes, self.project, then=partial(self._codes_loaded, self._codes_read.ask())
        )

    def _codes_loaded(self, asked: int, codes: list[CodeInfo]) -> None:
        if not self._codes_read.is_fresh(asked):
            return  # a read from before a later save finished last
        self.codes = codes
        self._broadcast(CodebookChanged())

    def reload_documents(self, holds_keys: bool = False) -> None:
        """Refresh :attr:`documents` in a worker, then tell every screen (DocumentsChanged).

        The first time, the worker waits for the read started as the app was made.
        """
        asked = self._documents_read.ask()
        ahead, self._documents_ahead = self._documents_ahead, None
        if ahead is not None:
            self._first_documents = (asked, ahead)
        self.run_service(
            self,
            *((ahead.result,) if ahead is not None else (list_documents, self.project)),
            then=partial(self._documents_loaded, asked),
            on_error=self._documents_failed,
            holds_keys=holds_keys,
            label="list_documents",
        )

    def take_first_documents(self) -> None:
        """Take the first read's documents now if it is in (the home screen, mounting,
        fills with them instead of waiting for the worker's message)."""
        first, self._first_documents = self._first_documents, None
        if first is not None and first[1].done() and first[1].exception() is None:
            self._documents_loaded(first[0], first[1].result(), tell=False)

    def _documents_failed(self, exc: BaseException) -> None:
        self.notify_error(exc)
        self._broadcast(DocumentsChanged())  # screens waiting for the list stop waiting

    def _documents_loaded(
        self, asked: int, documents: list[DocumentInfo], tell: bool = True
    ) -> None:
        if documents is self.documents or not self._documents_read.is_fresh(asked):
            return  # taken already (take_first_documents), or older than what is shown
        self.documents = documents
        if tell:
            self._broadcast(DocumentsChanged())

    def _broadcast(self, message_type: Any) -> None:
        for stack in self._screen_stacks.values():
            for screen in stack:
                screen.post_message(type(message_type)())

    # -- the shared worker pattern ---------------------------------------------
    def run_service(
        self,
        node: DOMNode,
        fn: Callable[..., Any],
        *args: Any,
        then: Callable[[Any], Any] | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
        serial: bool = False,
        holds_keys: bool | None = None,
        label: str = "",
        **kwargs: Any,
    ) -> Worker[None]:
        """Run ``fn(*args, **kwargs)`` in a thread; hand the result back on the event loop.

        ``then(value)`` runs on the event loop when it succeeds; an error goes to
        ``on_error`` or is shown by :meth:`notify_error`. If ``node`` has been removed
        by then, the result is dropped. ``serial=True`` (for writes) runs the calls
        strictly in the order they were asked for. ``holds_keys`` (default: the same
        as ``serial``) makes later keys wait until this result has been handled.
        """
        ticket = self._tickets.take() if serial else None
        holds = serial if holds_keys is None else holds_keys
        self._in_flight += 1
        if holds:
            self._gate.hold()
        call = partial(fn, *args, **kwargs)
        label = label or getattr(fn, "__name__", "service")
        # run_worker, not @work: that decorator describes the worker with the repr() of
        # every argument, which for a matrix of 2,000 rows took a tenth of a second.
        return self.run_worker(
            partial(self._service_worker, node, label, call, ticket, then, on_error, holds),
            name=label,
            group="service",
            description=label,
            exit_on_error=False,
            thread=True,
        )

    def _service_worker(
        self,
        node: DOMNode,
        label: str,
        call: Callable[[], Any],
        ticket: int | None,
        then: Callable[[Any], Any] | None,
        on_error: Callable[[BaseException], Any] | None,
        holds: bool,
    ) -> None:
        try:
            value = self._tickets.run(ticket, call) if ticket is not None else call()
        except Exception as exc:
            result = ServiceResult(
                label, error=exc, then=then, on_error=on_error, node=node, holds_keys=holds
            )
        else:
            result = ServiceResult(
                label, value, then=then, on_error=on_error, node=node, holds_keys=holds
            )
        # Posted to the app, which always outlives the call, so the count of calls in
        # flight (and the keys they hold) is always settled.
        self.post_message(result)

    async def on_service_result(self, message: ServiceResult) -> None:
        """Hand a result to its callback (unless its screen has gone), then release keys."""
        message.stop()
        try:
            node = message.node
            if node is not None and node is not self and not node.is_attached:
                return  # the screen that asked was closed meanwhile: nothing to show it on
            if message.error is not None:
                if message.on_error is not None:
                    message.on_error(message.error)
                else:
                    self.notify_error(message.error)
            elif message.then is not None:
                message.then(message.value)
        finally:
            self._in_flight -= 1
            if message.holds_keys:
                self._gate.release()
            await self._drain_keys()
            if self._in_flight == 0 and not self._ahead_started:
                # after the screen has drawn what start-up read, not competing with it
                self._ahead_started = self._ahead_in_flight = True
                self.call_after_refresh(self._build_matrix_ahead)

    def services_idle(self) -> bool:
        """No service call in flight or about to start, and no key waiting (what tests
        wait for)."""
        return self._in_flight == 0 and not self._ahead_in_flight and not self._gate.should_wait()

    def services_pending(self) -> str:
        return f"{self._in_flight} service call(s) in flight, {self._gate.waiting} key(s) waiting"

    # -- keys, in order ---------------------------------------------------------
    _KEYS_THAT_NEVER_WAIT = frozenset({"ctrl+q", "ctrl+c"})

    async def on_event(self, event: events.Event) -> None:
        """Keys wait while an action they depend on is in flight (see InputGate)."""
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and event.key not in self._KEYS_THAT_NEVER_WAIT
        ):
            if self._gate.should_wait() or not self._screen_ready():
                self._gate.queue(event)
                if not self._gate.holding:
                    self.call_after_refresh(self._drain_keys)
                return
            await self._dispatch_key_in_order(event)
            return
        await super().on_event(event)

    async def _dispatch_key_in_order(self, event: events.Key) -> None:
        """Dispatch a key and hold the next ones until this one has been fully handled.

        Textual hands a key to the focused widget and bubbles it up through message
        queues, and what it starts (a row selected, a screen pushed) travels as further
        messages. A :class:`KeyHandled` marker sent after it the same way reaches the app
        only after the key itself; it goes round again until the screens' queues are
        empty, so the next key meets the state this one left.
        """
        self._gate.hold()
        key = KeyInFlight(self.screen)
        await super().on_event(event)
        self._send_marker(key)
        self.set_timer(5.0, partial(self._key_handled, key, True))  # should a marker be lost

    def _send_marker(self, key: KeyInFlight) -> None:
        target = self.focused or self.screen
        if not target.post_message(KeyHandled(key)):
            self.call_later(self._key_handled, key, True)

    async def on_key_handled(self, message: KeyHandled) -> None:
        message.stop()
        await self._key_handled(message.key)

    async def _key_handled(self, key: KeyInFlight, give_up: bool = False) -> None:
        if key.done:
            return
        if not give_up and key.rounds < 100 and not self._screens_quiet(key.screen):
            self._send_marker(key)
            return
        key.done = True
        self._gate.release()
        await self._drain_keys()

    def _screens_quiet(self, *screens: Screen[Any]) -> bool:
        """No message waits in the given screens, the active one, or any of their widgets."""
        try:
            active = self.screen
        except ScreenStackError:
            return True  # closing down: nothing left to wait for
        for screen in {*screens, active}:
            if not screen.is_attached:
                continue
            for node in (screen, *screen.walk_children(with_self=False)):
                if not node._message_queue.empty():
                    return False
        return True

    def _screen_ready(self) -> bool:
        """The active screen has mounted and taken focus (a dialog just pushed has not)."""
        try:
            screen = self.screen
        except ScreenStackError:  # starting up or closing down: no screen yet or any more
            return False
        return bool(screen.is_mounted and screen.stack_updates > 0)

    async def _drain_keys(self) -> None:
        """Dispatch waiting keys, oldest first, until one of them starts something."""
        while self._gate.waiting and not self._gate.holding:
            if not self._screen_ready():
                if self._gate.waiting:
                    self.call_after_refresh(self._drain_keys)
                return
            event = self._gate.next_key()
            if event is None:
                return
            await self._dispatch_key_in_order(event)

    def _project_busy(self, message: str) -> None:
        """Called from a worker thread while a write waits for another process's lock."""
        try:
            self.call_from_thread(self.notify, message, title="Waiting", timeout=6)
        except RuntimeError:  # already on the event loop
            self.notify(message, title="Waiting", timeout=6)

    def notify_error(self, exc: BaseException) -> None:
        """Show a user error as it is; a storage failure in plain words; anything else with
        its type, and log it."""

        plain = None if isinstance(exc, QualcodeError) else explain(exc, "The project")
        if isinstance(exc, QualcodeError) or plain is not None:
            log.warning("%s", exc)
            self.notify(plain or str(exc), title="Cannot do that", severity="error", timeout=10)
        else:
            log.error("".join(traceback.format_exception(exc)))
            self.log.error("".join(traceback.format_exception(exc)))
            self.notify(
                f"{type(exc).__name__}: {exc}",
                title="Unexpected error",
                severity="error",
                timeout=10,
            )

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
        # lazy: screens load on first use (as SCREENS does), so the first screen opens fast
        from qualcode.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(getattr(self.screen, "KEYMAP_SCOPE", None)))

    def action_search_project(self) -> None:
        # lazy: screens load on first use (as SCREENS does), so the first screen opens fast
        from qualcode.tui.screens.search import ProjectSearchScreen

        if not isinstance(self.screen, ProjectSearchScreen):
            self.push_screen(ProjectSearchScreen())

    def action_open_agreement(self) -> None:
        # lazy: the agreement screen loads numpy and krippendorff (~0.2 s); it opens on demand
        from qualcode.tui.screens.agreement import AgreementScreen

        if not isinstance(self.screen, AgreementScreen):
            self.push_screen(AgreementScreen())

    def action_open_qca(self) -> None:
        # The QCA screen loads on first use, so the workbench opens fast.
        from qualcode.tui.screens.qca import QcaScreen

        if not isinstance(self.screen, QcaScreen):
            self.push_screen(QcaScreen())

    def action_open_setup(self, step: str) -> None:
        """Open a set-up step (import, framework, cases, groups, exports) over this screen."""

        open_step(self, step)

    def action_toggle_high_contrast(self) -> None:
        self.theme = self._base_theme() if self.high_contrast else HIGH_CONTRAST_NAME

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A text box that takes focus blinks only if the settings say so and a person watches."""
        widget = event.widget
        if hasattr(widget, "cursor_blink") and (self.is_headless or not self.settings.cursor_blink):
            widget.cursor_blink = False

    def watch_theme(self, theme: str) -> None:
        self.set_class(theme == HIGH_CONTRAST_NAME, "-high-contrast")


def run_workbench(project: Project, *, start_mode: str = "home") -> None:
    """Open the workbench (the CLI's ``qualcode``, ``qualcode open`` and ``qualcode demo``)."""

    settings = load_settings()
    if (
        settings.coder
        and not os.environ.get(CODER_ENV)
        and project.coder_name == default_coder_name()
    ):
        project.coder_name = settings.coder
    known = {a.id for a in keymap.ACTIONS} | {keymap.mode_binding_id(e.mode) for e in SCREENS}
    keys = keymap.load_keymap(settings.keymap, known_ids=known)
    QualcodeApp(project, settings=settings, keys=keys, start_mode=start_mode).run()
