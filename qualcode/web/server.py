"""Running the workshop page: a token, a bound socket, uvicorn, and the address to show.

The socket is bound before uvicorn starts, so the printed link always names the
port really in use (``--port 0`` picks a free one) and a port already taken is a
clear error, not a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from qualcode.errors import InvalidInputError
from qualcode.services.project import Project

LOOPBACK = "127.0.0.1"


def new_token() -> str:
    """An unguessable access token (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, or a message that says what to do."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InvalidInputError(
            f"Cannot listen on {host}:{port} ({exc.strerror}). Give another "
            "--port, or --port 0 for any free one."
        ) from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def room_address() -> str | None:
    """This machine's address on the room's network, as far as its name says (no traffic sent)."""
    with contextlib.suppress(OSError):
        _, _, addresses = socket.gethostbyname_ex(socket.gethostname())
        for a in addresses:
            if not a.startswith("127."):
                return a
    return None


def page_url(host: str, port: int, token: str) -> str:
    shown = host
    if host in ("0.0.0.0", "::", ""):
        shown = room_address() or socket.gethostname()
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/?token={token}"


@dataclass
class Running:
    """A server started by :func:`serve_in_thread`: its URL, token and uvicorn server."""

    url: str
    token: str
    port: int
    server: Any
    app: Any


def _server(app: Any) -> Any:
    import uvicorn  # the optional extra: only the workshop commands need it

    class WorkshopServer(uvicorn.Server):
        """Ends the open pages' event streams as soon as ctrl+c is pressed, so it stops at once."""

        def handle_exit(self, sig: int, frame: Any) -> None:
            app.workshop.hub.close_soon()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
        lifespan="on",
        ws="none",
    )
    return WorkshopServer(config)


def serve(app: Any, sock: socket.socket) -> None:
    """Serve until interrupted (ctrl+c)."""
    server = _server(app)
    asyncio.run(server.serve(sockets=[sock]))


@contextlib.contextmanager
def serve_in_thread(
    project: Project,
    *,
    host: str = LOOPBACK,
    port: int = 0,
    token: str | None = None,
    **app_options: Any,
) -> Iterator[Running]:
    """Run the page in a background thread (tests, benchmarks); stopped on leaving."""
    # lazy: web.app needs Starlette, the optional 'workshop' extra
    from qualcode.web.app import create_app

    token = token or new_token()
    app = create_app(project, token, **app_options)
    sock = bind(host, port)
    real_port = sock.getsockname()[1]
    server = _server(app)
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[sock])),
        daemon=True,
        name="workshop-server",
    )
    thread.start()
    started = threading.Event()

    def wait_started() -> None:
        while not server.started and thread.is_alive():
            started.wait(0.02)

    wait_started()
    if not server.started:
        raise RuntimeError("The workshop server did not start.")
    try:
        yield Running(page_url(host, real_port, token), token, real_port, server, app)
    finally:
        hub = app.workshop.hub
        loop = getattr(hub, "loop", None)
        if loop is not None:
            asyncio.run_coroutine_threadsafe(hub.close(), loop).result(timeout=5)
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
