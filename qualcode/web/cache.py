"""Results shared by every open page until the project changes.

After a change, every open page fetches its live part at once; on a large project
building the matrix takes about a second, so thirty phones must not build it thirty
times. Each result is kept with the change marker read *before* it was built: a
write that lands during the build moves the marker, so the next request builds
again and nothing stale is ever served as fresh. One build per key at a time;
the others wait for it.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any


class FreshCache:
    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, tuple[object, Any]] = OrderedDict()
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self.builds = 0

    async def get(self, key: Hashable, marker: object, build: Callable[[], Awaitable[Any]]) -> Any:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] == marker:
                self._items.move_to_end(key)
                return hit[1]
            value = await build()
            self.builds += 1
            self._items[key] = (marker, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                old, _ = self._items.popitem(last=False)
                self._locks.pop(old, None)
            return value
