"""Who may see the page (the access token) and how often a guest may comment.

The token travels in the link the analyst shows the room (``?token=``); the
first page sets it as a same-site, script-proof cookie so the rest of the page
(assets, live updates, comments) needs nothing more. It is compared in constant
time. Without it nothing is served, not even the style sheet.
"""

from __future__ import annotations

import hmac
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

COOKIE = "qualcode_workshop"
HEADER = b"x-workshop-token"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REFUSED = (
    b"This workshop link is not valid. Ask the analyst for the link shown when the "
    b"workshop page was started.\n"
)


def same(given: str | None, token: str) -> bool:
    """Constant-time comparison (a wrong guess takes as long as a nearly right one)."""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class TokenGate:
    """ASGI middleware: answer 403 with no project data unless the token is given."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        from_query = (query.get("token") or [None])[0]
        headers = dict(scope.get("headers") or [])
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
        except Exception:
            cookie = SimpleCookie()
        from_cookie = cookie[COOKIE].value if COOKIE in cookie else None
        from_header = headers.get(HEADER, b"").decode("latin-1") or None
        if not any(same(t, self.token) for t in (from_query, from_header, from_cookie)):
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"cache-control", b"no-store"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": REFUSED})
            return
        if not same(from_cookie, self.token):
            set_cookie = (f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict").encode()

            async def send_with_cookie(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message.setdefault("headers", [])
                    message["headers"] = [*message["headers"], (b"set-cookie", set_cookie)]
                await send(message)

            await self.app(scope, receive, send_with_cookie)
            return
        await self.app(scope, receive, send)


class RateLimit:
    """At most ``per_client`` comments a minute from one address, ``overall`` from everyone."""

    def __init__(
        self,
        per_client: int = 10,
        overall: int = 120,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_client, self.overall, self.window, self.clock = per_client, overall, window, clock
        self._by_client: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()

    def allow(self, client: str) -> bool:
        """Record one comment from ``client`` if it is within the limits; False if not."""
        now = self.clock()
        for q in (self._all, self._by_client.setdefault(client, deque())):
            while q and q[0] <= now - self.window:
                q.popleft()
        mine = self._by_client[client]
        if len(mine) >= self.per_client or len(self._all) >= self.overall:
            return False
        mine.append(now)
        self._all.append(now)
        return True
