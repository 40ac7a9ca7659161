"""Running service calls off the event loop.

Every database (or spaCy) call from the workbench goes through
``app.run_service(node, fn, *args, then=callback)``: it runs ``fn`` in a
thread worker and posts a :class:`ServiceResult` back to ``node``. The message
bubbles up to the app, which calls ``then(value)`` on the event loop, or shows
the error. If ``node`` has gone away meanwhile, the result is dropped.

Writes pass ``serial=True``: they run one at a time in the order the keys were
pressed (a ticket is taken on the event loop), so "apply code, then set its
valence" can never run the other way round.

Writes (and the reader's document loads) also hold the keyboard: keys that
arrive while one is in flight wait in an :class:`InputGate` and are replayed,
in order, once its result has been handled. A burst of keys (a laggy SSH
link, a paste) therefore acts exactly as the same keys typed slowly: ``c``
then ``+`` sets the valence of the coding ``c`` made, ``j c j c`` codes two
different sentences.

Tests wait with :func:`settle`, which returns once every service call has run
*and its result has been handled*, never by sleeping.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from textual.message import Message
from textual.worker import WorkerCancelled


class ServiceResult(Message):
    """The outcome of one service call, delivered on the event loop."""

    def __init__(
        self,
        label: str,
        value: Any = None,
        error: BaseException | None = None,
        then: Callable[[Any], Any] | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
        node: Any = None,
        holds_keys: bool = False,
    ) -> None:
        super().__init__()
        self.node = node
        """Who asked: when it has been removed meanwhile, the result is dropped."""
        self.holds_keys = holds_keys
        self.label = label
        self.value = value
        self.error = error
        self.then = then
        self.on_error = on_error


class KeyInFlight:
    """One key on its way through the workbench (see ``QualcodeApp._dispatch_key_in_order``)."""

    def __init__(self, screen: Any) -> None:
        self.screen = screen
        """The screen that was active when the key arrived."""
        self.rounds = 0
        self.done = False


class KeyHandled(Message):
    """Follows a key through the widgets it bubbles through; at the app, the key is done."""

    def __init__(self, key: KeyInFlight) -> None:
        super().__init__()
        key.rounds += 1
        self.key = key


class SerialTickets:
    """Run thread jobs strictly in the order their tickets were taken."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._issued = 0
        self._serving = 0

    def take(self) -> int:
        """Called on the event loop, in the order of the user's actions."""
        with self._cond:
            ticket = self._issued
            self._issued += 1
            return ticket

    def run(self, ticket: int, fn: Callable[[], Any]) -> Any:
        """Wait for our turn, run ``fn``, then let the next ticket go (even on error)."""
        with self._cond:
            while self._serving != ticket:
                self._cond.wait()
        try:
            return fn()
        finally:
            with self._cond:
                self._serving += 1
                self._cond.notify_all()


class LatestRead:
    """Keeps an older read from overwriting a newer one.

    Reads run in parallel threads, so a read asked for before a save can finish
    after the read asked for after it; its (stale) result is then dropped.
    """

    def __init__(self) -> None:
        self._asked = 0
        self._shown = 0

    def ask(self) -> int:
        """A number for a read about to start (on the event loop)."""
        self._asked += 1
        return self._asked

    def is_fresh(self, asked: int) -> bool:
        """Whether the result of read ``asked`` is newer than what is shown; if so it is."""
        if asked < self._shown:
            return False
        self._shown = asked
        return True


def read_ahead(fn: Callable[..., Any], *args: Any) -> Future[Any]:
    """``fn(*args)`` started at once in a thread of its own, as a standard ``Future``.

    Used as the app is made, before its event loop runs: the workbench's first list of
    documents then overlaps Textual's own start (CSS, compose) instead of queueing
    behind it. A daemon thread, so a read still waiting never holds up quitting.
    """
    future: Future[Any] = Future()

    def run() -> None:
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # handed to whoever takes the result
            future.set_exception(exc)

    threading.Thread(target=run, name="qualcode-read-ahead", daemon=True).start()
    return future


class InputGate:
    """Keys wait here while an action that changes what they act on is in flight.

    Used on the event loop only. ``hold()`` when such an action starts,
    ``release()`` when its result has been handled; ``should_wait()`` says
    whether a key must queue (something in flight, or older keys still queued,
    so keys never overtake each other).
    """

    def __init__(self) -> None:
        self._holding = 0
        self._keys: deque[Any] = deque()

    @property
    def holding(self) -> bool:
        return self._holding > 0

    def hold(self) -> None:
        self._holding += 1

    def release(self) -> None:
        self._holding = max(0, self._holding - 1)

    def should_wait(self) -> bool:
        return self._holding > 0 or bool(self._keys)

    def queue(self, event: Any) -> None:
        self._keys.append(event)

    def next_key(self) -> Any | None:
        """The oldest waiting key, if nothing is in flight any more."""
        if self._holding or not self._keys:
            return None
        return self._keys.popleft()

    @property
    def waiting(self) -> int:
        return len(self._keys)


ENDLESS_GROUPS = ("_loader",)
"""Worker groups that never finish by design (DirectoryTree's load queue)."""


def screen_is_quiet(app: Any) -> bool:
    """Whether the screen has nothing left to draw: every queue empty, no repaint pending.

    Textual does some work only when a widget's queue runs empty (a ``DataTable`` sizes
    its columns on idle) and paints on a timer; ``pilot.pause()`` guesses "idle" from
    CPU time, which a loaded machine fools. This looks at the state itself (Textual's
    own private flags, stable within the major version pinned in pyproject).
    """
    return still_drawing(app) is None


def still_drawing(app: Any) -> str | None:
    """What keeps the screen from being quiet (for :func:`settle`'s failure message)."""
    screen = app.screen
    nodes = [app, screen, *screen.walk_children()]
    for node in nodes:
        if not node._message_queue.empty():
            return f"{node!r} has messages waiting"
    if (
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._recompose_required
        or screen._dirty_widgets
    ):
        return f"{screen!r} has a repaint pending"
    for node in nodes:
        if getattr(node, "_require_update_dimensions", False) or getattr(
            node, "_updated_cells", None
        ):
            return f"{node!r} has not sized its columns yet"
    return None


async def settle(pilot: Any, max_rounds: int = 1000) -> None:
    """Wait until every service call has run and its result (and what that started) is handled.

    Each round waits for the running workers (not a DirectoryTree's endless loader),
    then lets the message queues drain (``pilot.pause()`` with no delay waits for
    idle, it does not sleep). It ends when no call is in flight, no key is waiting
    and the screen is quiet (:func:`screen_is_quiet`); ``max_rounds`` only turns a
    hang into a clear failure.
    """

    app = pilot.app
    for _ in range(max_rounds):
        busy = [w for w in app.workers if w.group not in ENDLESS_GROUPS]
        if busy:  # an empty list would mean "every worker" to wait_for_complete
            try:
                await app.workers.wait_for_complete(busy)
            except WorkerCancelled:  # the app is closing (e.g. it exited with a result)
                pass
        await pilot.pause()
        idle = getattr(app, "services_idle", None)  # the welcome app runs no services
        if (idle is None or idle()) and screen_is_quiet(app):
            await pilot.pause()
            if (idle is None or idle()) and screen_is_quiet(app):
                return
    pending = app.services_pending() if hasattr(app, "services_pending") else ""
    raise AssertionError(f"the workbench never became idle: {pending} {still_drawing(app) or ''}")


class CodebookChanged(Message):
    """Sent to every screen when ``app.codes`` has been reloaded (a code was added or changed)."""


class DocumentsChanged(Message):
    """Sent to every screen when ``app.documents`` has been reloaded."""


class ProjectChanged(Message):
    """Sent to every screen when someone else (another terminal, a script) changed the project."""
