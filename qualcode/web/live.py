"""Live updates: one poller notices any write to the project; every open page hears of it.

The workbench writes summaries and comments to the same database from another
process, so the server cannot wait to be told: while at least one page is
listening it asks :func:`qualcode.services.workshop.change_marker` (three index
look-ups) every ``interval`` seconds, in a worker thread. When the marker moves,
the version goes up and each page's event stream sends ``change``; the page
then fetches its live part again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import anyio.to_thread


class ChangeHub:
    def __init__(self, marker: Callable[[], object], interval: float = 1.0) -> None:
        self.marker, self.interval = marker, interval
        self.version = 0
        self.listeners = 0
        self._last: object = None
        self._changed = asyncio.Condition()
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._last = await anyio.to_thread.run_sync(self.marker)
        self._task = asyncio.create_task(self._poll())

    async def close(self) -> None:
        """End every stream (so the server can stop at once) and the poller."""
        self._closed = True
        async with self._changed:
            self._changed.notify_all()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def close_soon(self) -> None:
        """Close from any thread or a signal handler (the server is stopping)."""
        if self.loop is not None and not self._closed:
            self.loop.call_soon_threadsafe(self._start_closing)

    def _start_closing(self) -> None:
        self._closing = asyncio.ensure_future(self.close())

    async def check(self) -> None:
        """Compare the marker now (after a comment is stored, so nobody waits for the poll)."""
        marker = await anyio.to_thread.run_sync(self.marker)
        if marker != self._last:
            self._last = marker
            async with self._changed:
                self.version += 1
                self._changed.notify_all()

    async def _poll(self) -> None:
        while not self._closed:
            await asyncio.sleep(self.interval)
            if self.listeners:
                with contextlib.suppress(Exception):  # a busy database: try again next time
                    await self.check()

    async def events(self, keepalive: float = 15.0) -> AsyncIterator[str]:
        """A page's event stream: ``change`` with the new version, comments to keep it open."""
        self.listeners += 1
        try:
            seen = self.version
            yield f"retry: 2000\nevent: hello\ndata: {seen}\n\n"
            while not self._closed:
                async with self._changed:

                    def moved(v: int = seen) -> bool:
                        return self.version != v or self._closed

                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait_for(moved), keepalive)
                if self._closed:
                    return
                if self.version != seen:
                    seen = self.version
                    yield f"event: change\ndata: {seen}\n\n"
                else:
                    yield ": still here\n\n"
        finally:
            self.listeners -= 1
