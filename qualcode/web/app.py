"""The workshop page as an ASGI app (Starlette): read the chart, comment, see changes live.

Routes: ``/`` the matrix, ``/cell/{row_type}/{row}/{code}`` one cell, ``/patterns``
the pattern table, ``/pattern/{code}/{valence}`` one pattern row, ``POST /comment``,
``/events`` (server-sent events) and ``/static/...``. Any view with ``fragment=1``
returns only its live part. Guests cannot change codings or summaries: there is
no route that would. Database work runs in worker threads, one service call each.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from qualcode.analysis.patterns import PresenceRule
from qualcode.errors import InvalidInputError, NotFoundError, QualcodeError
from qualcode.services import charting, patterns, workshop
from qualcode.services.project import Project
from qualcode.web import pages
from qualcode.web.cache import FreshCache
from qualcode.web.guard import RateLimit, TokenGate
from qualcode.web.html import e, page
from qualcode.web.live import ChangeHub
from qualcode.web.views import View

STATIC = Path(__file__).parent / "static"
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_BODY = 32 * 1024  # a comment of the longest allowed length, percent-encoded, fits
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


class WorkshopApp:
    """The routes, bound to one project."""

    def __init__(
        self, project: Project, *, poll_interval: float = 1.0, rate_limit: RateLimit | None = None
    ) -> None:
        self.project = project
        self.name = project.name
        self.hub = ChangeHub(lambda: workshop.change_marker(project), poll_interval)
        self.limit = rate_limit or RateLimit()
        self.cache = FreshCache()

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))

    # -- helpers -------------------------------------------------------------------------
    def _html(
        self, request: Request, title: str, view: View, top: str, live: str, bottom: str = ""
    ) -> Response:
        if request.query_params.get("fragment") == "1":
            return HTMLResponse(live, headers=SECURITY_HEADERS)
        params = {k: v for k, v in request.query_params.items() if k not in ("token", "fragment")}
        live_src = request.url.path + "?" + urlencode({**params, "fragment": "1"})
        return HTMLResponse(
            page(
                title, view, project=self.name, top=top, live=live, live_src=live_src, bottom=bottom
            ),
            headers=SECURITY_HEADERS,
        )

    def _spec(self, view: View) -> Any:
        return charting.make_spec(
            self.project,
            groups=[view.group] if view.group else (),
            valences=[view.valence] if view.valence else (),
        )

    async def marker(self) -> object:
        return await self.run(workshop.change_marker, self.project)

    async def _matrix(self, view: View, marker: object) -> Any:
        """The matrix for the view's group and valence filters (built once per change)."""
        return await self.cache.get(
            ("matrix", view.group, view.valence),
            marker,
            lambda: self.run(lambda: charting.matrix(self.project, self._spec(view))),
        )

    async def _choices(self, marker: object) -> pages.FilterChoices:
        full = await self._matrix(View(), marker)
        groups = await self.run(patterns.list_groups, self.project)
        return pages.FilterChoices(full.domains, sorted({a.group for a in groups if a.group}))

    # -- views ---------------------------------------------------------------------------
    async def matrix_view(self, request: Request) -> Response:
        view = View.from_query("matrix", request.query_params)
        marker = await self.marker()
        try:
            m = await self._matrix(view, marker)
        except QualcodeError as exc:
            return _error(exc, 400)
        live = await self.cache.get(
            ("matrix-live", view), marker, lambda: self.run(pages.matrix_live, m, view)
        )
        if request.query_params.get("fragment") == "1":
            return HTMLResponse(live, headers=SECURITY_HEADERS)
        choices = await self._choices(marker)
        top = (
            '<h1>Framework matrix</h1><p class="lead">Open a cell to read its quotes and add a '
            "comment. Comments appear for everyone in a moment.</p>"
            + pages.filter_form(view, choices, "/")
        )
        return self._html(request, "Framework matrix", view, top, live)

    async def _cell(self, view: View, row_type: str, row_id: int, code_id: int) -> tuple[Any, ...]:
        m = await self._matrix(view, await self.marker())
        ri = next(
            (i for i, r in enumerate(m.rows) if r.row_type == row_type and r.id == row_id), None
        )
        ci = m.column_index(code_id)
        if ri is None or ci is None:
            raise NotFoundError("This cell is not in the matrix with these filters.")
        return m, ri, ci, await self.run(charting.matrix_cell_detail, self.project, m, ri, ci)

    async def cell_view(self, request: Request) -> Response:
        view = View.from_query("matrix", request.query_params)
        p = request.path_params
        try:
            m, ri, ci, detail = await self._cell(view, p["row_type"], p["row_id"], p["code_id"])
        except QualcodeError as exc:
            return _error(exc, 404)
        live = pages.cell_live(detail)
        if request.query_params.get("fragment") == "1":
            return HTMLResponse(live, headers=SECURITY_HEADERS)
        row, col = m.rows[ri], m.columns[ci]
        target = {
            "kind": "cell",
            "row_type": row.row_type,
            "row_id": str(row.id),
            "code_id": str(col.code_id),
        }
        back = request.url.path + ("?" + urlencode(view.params()) if view.params() else "")
        form = pages.comment_form(target, back, f"{row.label} × {col.name}")
        return self._html(
            request, f"{row.label} × {col.name}", view, pages.cell_top(m, ri, ci, view), live, form
        )

    async def _patterns(self) -> tuple[Any, Any]:
        def build() -> tuple[Any, Any]:
            result = patterns.find_project_patterns(self.project, PresenceRule(by_valence=True))
            return result, workshop.pattern_comments(self.project)

        return await self.cache.get(("patterns",), await self.marker(), lambda: self.run(build))

    async def patterns_view(self, request: Request) -> Response:
        view = View.from_query("patterns", request.query_params)
        try:
            result, comments = await self._patterns()
            live = pages.patterns_live(result, comments, view)
        except QualcodeError as exc:  # e.g. a group rule that no longer fits the attributes
            live = f'<p class="warning">{e(str(exc))}</p>'
        top = (
            '<h1>Cross-case patterns</h1><p class="lead">Open a row to read how often each '
            "case has it and to add a comment.</p>"
            + pages.filter_form(view, pages.FilterChoices([], []), "/patterns")
        )
        return self._html(request, "Cross-case patterns", view, top, live)

    async def pattern_view(self, request: Request) -> Response:
        view = View.from_query("patterns", request.query_params)
        code_id = request.path_params["code_id"]
        valence = request.path_params["valence"]
        valence = None if valence == "any" else valence
        try:
            result, comments = await self._patterns()
        except QualcodeError as exc:
            return _error(exc, 200)
        row = next((r for r in result.rows if r.key == (code_id, valence)), None)
        if row is None:
            return _error(NotFoundError("No such pattern row."), 404)
        live = pages.pattern_live(row, result, comments.get(row.key, []))
        target = {"kind": "pattern", "code_id": str(code_id), "valence": valence or ""}
        back = request.url.path + ("?" + urlencode(view.params()) if view.params() else "")
        form = pages.comment_form(target, back, row.path_label)
        return self._html(request, row.path_label, view, pages.pattern_top(row, view), live, form)

    # -- comments ------------------------------------------------------------------------
    async def comment(self, request: Request) -> Response:
        wants_json = "application/json" in request.headers.get("accept", "")
        origin = request.headers.get("origin")
        if origin and urlsplit(origin).netloc != request.headers.get("host"):
            return _refuse("Comments come from the workshop page only.", 403, wants_json)
        client = request.client.host if request.client else "?"
        if not request.headers.get("content-type", "").startswith(FORM_TYPE):
            return _refuse("Send the comment form.", 415, wants_json)
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_BODY:
                return _refuse("That comment is far too long.", 413, wants_json)
        data = {
            k: v[0]
            for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()
        }
        if not self.limit.allow(client):
            return _refuse(
                "Too many comments at once: wait a minute, then send it again.", 429, wants_json
            )
        try:
            if data.get("kind") == "pattern":
                stored = await self.run(
                    workshop.add_pattern_comment,
                    self.project,
                    _int(data.get("code_id")),
                    data.get("valence") or None,
                    data.get("text", ""),
                    data.get("author"),
                )
            else:
                stored = await self.run(
                    workshop.add_guest_comment,
                    self.project,
                    data.get("row_type", ""),
                    _int(data.get("row_id")),
                    _int(data.get("code_id")),
                    data.get("text", ""),
                    data.get("author"),
                )
        except QualcodeError as exc:
            status = 404 if isinstance(exc, NotFoundError) else 400
            return _refuse(str(exc), status, wants_json)
        await self.hub.check()
        if wants_json:
            return JSONResponse(
                {"id": stored.id, "author": stored.author}, headers=SECURITY_HEADERS
            )
        return RedirectResponse(_local(data.get("back", "/")), status_code=303)

    async def events(self, request: Request) -> Response:
        return StreamingResponse(
            self.hub.events(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        await self.hub.start()
        try:
            yield
        finally:
            await self.hub.close()


def _local(path: str) -> str:
    """A path on this page, never another site (``//host`` or ``/\\host`` would be)."""
    if (
        not path.startswith("/")
        or path.startswith("//")
        or "\\" in path
        or ":" in path.split("?")[0]
    ):
        return "/"
    return path


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError as exc:
        raise InvalidInputError("The comment does not say which cell it is on.") from exc


def _error(exc: Exception, status: int) -> Response:
    return PlainTextResponse(str(exc), status_code=status, headers=SECURITY_HEADERS)


def _refuse(message: str, status: int, wants_json: bool) -> Response:
    if wants_json:
        return JSONResponse({"error": message}, status_code=status, headers=SECURITY_HEADERS)
    return PlainTextResponse(message, status_code=status, headers=SECURITY_HEADERS)


def create_app(
    project: Project, token: str, *, poll_interval: float = 1.0, rate_limit: RateLimit | None = None
) -> Any:
    """The whole app behind the token gate; ``.state.workshop`` is the :class:`WorkshopApp`."""
    w = WorkshopApp(project, poll_interval=poll_interval, rate_limit=rate_limit)
    routes = [
        Route("/", w.matrix_view),
        Route("/cell/{row_type:str}/{row_id:int}/{code_id:int}", w.cell_view),
        Route("/patterns", w.patterns_view),
        Route("/pattern/{code_id:int}/{valence:str}", w.pattern_view),
        Route("/comment", w.comment, methods=["POST"]),
        Route("/events", w.events),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=w.lifespan)
    app.state.workshop = w
    gated = TokenGate(app, token)
    gated.workshop = w  # type: ignore[attr-defined]
    return gated
