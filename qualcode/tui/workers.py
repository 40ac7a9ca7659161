"""Running service calls off the event loop.

Every database (or spaCy) call from the workbench goes through
``app.run_service(node, fn, *args, then=callback)``: it runs ``fn`` in a
thread worker and posts a :class:`ServiceResult` back to ``node``. The message
bubbles up to the app, which calls ``then(value)`` on the event loop, or shows
the error. If ``node`` has gone away meanwhile, the result is dropped.

Writes pass ``serial=True``: they run one at a time in the order the keys were
pressed (a ticket is taken on the event loop), so "apply code, then set its
valence" can never run the other way round.

Tests wait for the work with ``await app.workers.wait_for_complete()`` followed
by ``await pilot.pause()`` (see :func:`settle`), never by sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from textual.message import Message


class ServiceResult(Message):
    """The outcome of one service call, delivered on the event loop."""

    def __init__(self, label: str, value: Any = None, error: BaseException | None = None,
                 then: Callable[[Any], Any] | None = None,
                 on_error: Callable[[BaseException], Any] | None = None) -> None:
        super().__init__()
        self.label = label
        self.value = value
        self.error = error
        self.then = then
        self.on_error = on_error


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


ENDLESS_GROUPS = ("_loader",)
"""Worker groups that never finish by design (DirectoryTree's load queue)."""


async def settle(pilot: Any, rounds: int = 5) -> None:
    """Wait until service workers (and the work their results start) are done."""
    from textual.worker import WorkerCancelled, WorkerState

    def finite() -> list[Any]:  # a DirectoryTree's loader waits for work forever: not ours
        return [w for w in pilot.app.workers if w.group not in ENDLESS_GROUPS]

    for _ in range(rounds):
        busy = finite()
        if busy:  # an empty list would mean "every worker" to wait_for_complete
            try:
                await pilot.app.workers.wait_for_complete(busy)
            except WorkerCancelled:  # the app is closing (e.g. it exited with a result)
                pass
        await pilot.pause()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in finite()):
            break


class CodebookChanged(Message):
    """Sent to every screen when ``app.codes`` has been reloaded (a code was added or changed)."""


class DocumentsChanged(Message):
    """Sent to every screen when ``app.documents`` has been reloaded."""
