"""The workshop page over HTTP: token, views, filters, comments, limits, escaping, live updates."""

from __future__ import annotations

import re
import warnings
from html import unescape
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the workshop extra (starlette) is not installed")
pytest.importorskip("uvicorn", reason="the workshop extra (uvicorn) is not installed")
httpx = pytest.importorskip("httpx", reason="httpx is needed for the HTTP tests")

from sqlalchemy import select

from qualcode.services import charting
from qualcode.services.project import Project
from qualcode.services.workshop import MAX_COMMENT_CHARS, pattern_comments
from qualcode.store.models import AuditEntry, WorkshopComment
from qualcode.web.app import create_app
from qualcode.web.guard import RateLimit
from qualcode.web.server import serve_in_thread
from tests.matrix_data import build_chart_project

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's note about a future HTTP client
    from starlette.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
TOKEN = "right-token-0123456789"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return build_chart_project(tmp_path / "workshop.db")


def client(project: Project, **options: object) -> TestClient:
    return TestClient(create_app(project, TOKEN, **options), base_url="http://127.0.0.1:8765")


def ids(project: Project, case: str, code: str) -> tuple[int, int]:
    ref = charting.cell_detail(project, "case", case, code).ref
    return ref.row_id, ref.code_id


def comments(project: Project) -> list[tuple[str, str, str, str | None]]:
    with project.read() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(  # type: ignore[misc]
                    WorkshopComment.row_type,
                    WorkshopComment.author,
                    WorkshopComment.text,
                    WorkshopComment.valence,
                ).order_by(WorkshopComment.id)
            )
        ]


def post_comment(
    c: TestClient,
    project: Project,
    case: str,
    code: str,
    text: str,
    author: str = "",
    *,
    json: bool = True,
    **headers: str,
) -> httpx.Response:
    row_id, code_id = ids(project, case, code)
    h = {"Accept": "application/json"} if json else {}
    return c.post(
        "/comment",
        data={
            "kind": "cell",
            "row_type": "case",
            "row_id": str(row_id),
            "code_id": str(code_id),
            "text": text,
            "author": author,
            "back": f"/cell/case/{row_id}/{code_id}",
        },
        headers={**h, **headers},
        follow_redirects=False,
    )


def test_a_wrong_or_missing_token_gets_nothing(project: Project) -> None:
    charting.write_summary(project, "case", "Site 3", "Context/Culture", "Welcomed from day one.")
    row_id, code_id = ids(project, "Site 3", "Context/Culture")
    with client(project) as c:
        for token in (None, "", "wrong", TOKEN[:-1] + "X", TOKEN + "0"):
            q = "" if token is None else f"?token={token}"
            for path in (
                "/",
                f"/cell/case/{row_id}/{code_id}",
                "/patterns",
                "/events",
                "/static/workshop.css",
                "/static/workshop.js",
                "/nowhere",
            ):
                r = c.get(path + q, cookies={"qualcode_workshop": token or ""})
                assert r.status_code == 403, (path, token)
                assert "Peer support" not in r.text and "Welcomed" not in r.text
                assert "set-cookie" not in r.headers
            r = c.post(
                "/comment" + q,
                data={
                    "kind": "cell",
                    "row_type": "case",
                    "row_id": str(row_id),
                    "code_id": str(code_id),
                    "text": "let me in",
                },
                headers={"X-Workshop-Token": token or ""},
            )
            assert r.status_code == 403
    assert comments(project) == []


def test_the_token_opens_the_matrix_and_then_the_cookie_serves_the_rest(project: Project) -> None:
    charting.write_summary(
        project, "case", "Site 3", "Context/Culture", "Welcomed from day one.", status="reviewed"
    )
    with client(project) as c:
        r = c.get(f"/?token={TOKEN}")
        assert r.status_code == 200
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "default-src 'none'" in r.headers["content-security-policy"]
        assert r.headers["referrer-policy"] == "no-referrer"
        page = r.text
        assert "<title>Framework matrix · Peer support study</title>" in page
        for domain in ("Context", "Facilitation", "Inductive"):
            assert f"<h2>{domain}</h2>" in page
        for case in ("Site 2", "Site 3", "Site 4"):
            assert f'<span class="case">{case}</span>' in page
        assert "Welcomed from day one." in page and "reviewed" in page
        assert '<span class="group">high</span>' in page and "fidelity 13" in page
        assert not re.search(r"https?://(?!127\.0\.0\.1)", page)  # nothing from elsewhere
        for asset in ("/static/workshop.css", "/static/workshop.js"):  # now by cookie alone
            assert c.get(asset).status_code == 200
        live = c.get("/?fragment=1").text
        assert live.startswith('<section class="domain">') and "<html" not in live
        assert '<body class="matrix-view high-contrast">' in c.get("/?hc=1").text
        assert 'href="/patterns?hc=1"' in c.get("/?hc=1").text  # kept while moving around


def test_a_cell_shows_summary_status_counts_and_labelled_quotes(project: Project) -> None:
    charting.write_summary(
        project,
        "case",
        "Site 4",
        "Access and authority",
        "Shut out of team meetings; no say over referrals.",
    )
    row_id, code_id = ids(project, "Site 4", "Access and authority")
    with client(project) as c:
        r = c.get(f"/cell/case/{row_id}/{code_id}?token={TOKEN}")
        assert r.status_code == 200
        text = unescape(r.text)
        assert "Shut out of team meetings; no say over referrals." in text and "draft" in text
        assert "2 codings · 2 participants" in text
        assert "“We never got into team meetings.”" in text
        assert "S4PW1, turn 2" in text and "S4PWC, turn 2" in text
        assert "Workshop comments (0)" in text
        assert '<form class="comment-form" method="post" action="/comment">' in r.text
        assert c.get(f"/cell/case/{row_id}/999999").status_code == 404


def test_filters_as_in_the_workbench(project: Project) -> None:
    with client(project) as c:
        c.get(f"/?token={TOKEN}")
        context = c.get("/?domain=Context&fragment=1").text
        assert "<h2>Context</h2>" in context and "<h2>Facilitation</h2>" not in context
        high = c.get("/?group=high&fragment=1").text
        assert "Site 3" in high and "Site 4" not in high and "Site 2" not in high
        row_id, code_id = ids(project, "Site 4", "Context/Culture")
        cell = f'data-cell="{row_id}-{code_id}"'
        barrier = c.get("/?valence=barrier&domain=Context&fragment=1").text
        facilitator = c.get("/?valence=facilitator&domain=Context&fragment=1").text
        assert "1 coding" in barrier.split(cell)[1].split("</td>")[0]
        assert "coding" not in facilitator.split(cell)[1].split("</td>")[0]
        page = c.get("/?valence=barrier").text
        assert '<option value="barrier" selected>' in page
        assert c.get("/?domain=Nowhere&fragment=1").text.startswith('<p class="none">No domain')


def test_a_comment_is_stored_escaped_and_shown(project: Project) -> None:
    evil = '<script>alert("x")</script> & <b>bold</b>'
    with client(project) as c:
        c.get(f"/?token={TOKEN}")
        r = post_comment(c, project, "Site 3", "Context/Culture", evil, "<i>Peer</i> panel")
        assert r.status_code == 200 and r.json()["author"] == "<i>Peer</i> panel"
        r = post_comment(c, project, "Site 3", "Context/Culture", "  Second thought.  ")
        assert r.json()["author"] == "Workshop guest"
        row_id, code_id = ids(project, "Site 3", "Context/Culture")
        page = c.get(f"/cell/case/{row_id}/{code_id}").text
        assert "<script>alert" not in page and "<b>bold" not in page and "<i>Peer" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page
        assert "Workshop comments (2)" in page
        matrix = c.get("/?domain=Context").text
        assert "2 comments" in matrix
    assert comments(project) == [
        ("case", "<i>Peer</i> panel", evil, None),
        ("case", "Workshop guest", "Second thought.", None),
    ]
    # the workbench reads the same comments
    assert [
        x.text for x in charting.workshop_comments(project, "case", "Site 3", "Context/Culture")
    ] == [evil, "Second thought."]
    with project.read() as s:
        audit = s.scalars(
            select(AuditEntry.operation).where(AuditEntry.operation == "workshop comment")
        ).all()
    assert len(audit) == 2


def test_a_comment_without_script_comes_back_to_the_cell(project: Project) -> None:
    with client(project) as c:
        c.get(f"/?token={TOKEN}")
        r = post_comment(
            c, project, "Site 2", "Context/Leadership", "Consultant matters.", json=False
        )
        assert r.status_code == 303
        row_id, code_id = ids(project, "Site 2", "Context/Leadership")
        assert r.headers["location"] == f"/cell/case/{row_id}/{code_id}"
        for elsewhere in (
            "//evil.example/",
            "/\\evil.example/",
            "https://evil.example/",
            "/\\/evil.example",
        ):
            r = c.post(
                "/comment",
                data={
                    "kind": "cell",
                    "row_type": "case",
                    "row_id": str(row_id),
                    "code_id": str(code_id),
                    "text": "again",
                    "back": elsewhere,
                },
                follow_redirects=False,
            )
            assert r.status_code == 303 and r.headers["location"] == "/"


def test_long_empty_or_misplaced_comments_are_refused(project: Project) -> None:
    with client(project) as c:
        c.get(f"/?token={TOKEN}")
        r = post_comment(c, project, "Site 3", "Context/Culture", "x" * (MAX_COMMENT_CHARS + 1))
        assert r.status_code == 400 and "at most 2000 characters" in r.json()["error"]
        r = post_comment(c, project, "Site 3", "Context/Culture", "   ")
        assert r.status_code == 400
        r = post_comment(c, project, "Site 3", "Context/Culture", "ok", "n" * 81)
        assert r.status_code == 400
        r = c.post(
            "/comment",
            data={
                "kind": "cell",
                "row_type": "case",
                "row_id": "99999",
                "code_id": "1",
                "text": "where?",
            },
            headers={"Accept": "application/json"},
        )
        assert r.status_code == 404
        r = post_comment(
            c, project, "Site 3", "Context/Culture", "from elsewhere", Origin="http://evil.example"
        )
        assert r.status_code == 403
        r = c.post(
            "/comment", content=b'{"text": "json"}', headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 415
    assert comments(project) == []


def test_comments_are_rate_limited(project: Project) -> None:
    with client(project, rate_limit=RateLimit(per_client=3, overall=100)) as c:
        c.get(f"/?token={TOKEN}")
        codes = [
            post_comment(c, project, "Site 3", "Context/Culture", f"point {n}").status_code
            for n in range(5)
        ]
    assert codes == [200, 200, 200, 429, 429]
    assert [t for _, _, t, _ in comments(project)] == ["point 0", "point 1", "point 2"]


def test_rate_limit_window_moves_on() -> None:
    now = [0.0]
    limit = RateLimit(per_client=2, overall=3, window=60, clock=lambda: now[0])
    assert [limit.allow("a"), limit.allow("a"), limit.allow("a")] == [True, True, False]
    assert limit.allow("b") and not limit.allow("c")  # everyone together: 3 a minute
    now[0] = 61
    assert limit.allow("a") and limit.allow("c")


def test_the_pattern_table_and_a_comment_on_a_pattern_row(project: Project) -> None:
    with client(project) as c:
        page = c.get(f"/patterns?token={TOKEN}").text
        assert "A. Shared across all cases" in page
        assert "B. Characteristic of the high group" in page
        assert "C. Characteristic of the low group" in page
        links = {
            unescape(text): unescape(href)
            for href, text in re.findall(r'<a href="(/pattern/[^"]+)">([^<]+)</a>', page)
        }
        href = links["Context / Monitoring and feedback"]
        assert href.endswith("/facilitator")
        row = c.get(href).text
        assert "Site 3" in row and "Workshop comments (0)" in row
        code_id = href.split("/")[2]
        r = c.post(
            "/comment",
            data={
                "kind": "pattern",
                "code_id": code_id,
                "valence": "facilitator",
                "text": "Only where it was funded.",
                "author": "Clinician",
            },
            headers={"Accept": "application/json"},
        )
        assert r.status_code == 200
        assert "Only where it was funded." in c.get(href + "?fragment=1").text
        assert "1 comment" in c.get("/patterns?fragment=1").text
        r = c.post(
            "/comment",
            data={"kind": "pattern", "code_id": code_id, "valence": "sideways", "text": "?"},
            headers={"Accept": "application/json"},
        )
        assert r.status_code == 400
    assert comments(project) == [
        ("pattern", "Clinician", "Only where it was funded.", "facilitator")
    ]
    assert [c.text for c in pattern_comments(project)[(int(code_id), "facilitator")]] == [
        "Only where it was funded."
    ]
    # pattern comments are not counted in the matrix's cells
    m = charting.matrix(project)
    assert all(cell.comments == 0 for cell in m.cells.values())


def test_guests_cannot_change_codings_or_summaries(project: Project) -> None:
    row_id, code_id = ids(project, "Site 3", "Context/Culture")
    with client(project) as c:
        c.get(f"/?token={TOKEN}")
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            for path in ("/", f"/cell/case/{row_id}/{code_id}", "/patterns", "/summary"):
                assert c.request(method, path, data={"text": "changed"}).status_code in (404, 405)
    assert charting.cell_detail(project, "case", "Site 3", "Context/Culture").summary is None


def test_summary_edits_and_comments_arrive_as_live_events(project: Project) -> None:
    """A real server on the loopback: the workbench's writes reach an open page's event stream."""
    with serve_in_thread(project, poll_interval=0.1) as running:
        assert running.url.startswith("http://127.0.0.1:")
        base = running.url.split("/?")[0]
        headers = {"X-Workshop-Token": running.token}
        with (
            httpx.Client(base_url=base, headers=headers, timeout=10) as http,
            http.stream("GET", "/events") as events,
        ):
            assert events.status_code == 200
            assert events.headers["content-type"].startswith("text/event-stream")
            lines = events.iter_lines()
            assert next(line for line in lines if line.startswith("event:")) == "event: hello"
            # the analyst saves a summary in the workbench (another connection)
            charting.write_summary(project, "case", "Site 4", "Geography", "Travel eats the day.")
            assert next(line for line in lines if line.startswith("event:")) == "event: change"
            assert "Travel eats the day." in http.get("/?fragment=1").text
            post = http.post(
                "/comment",
                data={
                    "kind": "cell",
                    "row_type": "case",
                    "row_id": str(ids(project, "Site 4", "Geography")[0]),
                    "code_id": str(ids(project, "Site 4", "Geography")[1]),
                    "text": "Fuel money.",
                },
                headers={"Accept": "application/json"},
            )
            assert post.status_code == 200
            assert next(line for line in lines if line.startswith("event:")) == "event: change"
        assert httpx.get(base + "/", timeout=10).status_code == 403


def test_open_pages_share_one_build_until_the_project_changes(project: Project) -> None:
    gated = create_app(project, TOKEN)
    cache = gated.workshop.cache
    with TestClient(gated, base_url="http://127.0.0.1:8765") as c:
        c.get(f"/?token={TOKEN}")
        first = c.get("/?fragment=1").text
        builds = cache.builds
        for _ in range(5):  # five phones fetch the same view: nothing is built again
            assert c.get("/?fragment=1").text == first
        assert cache.builds == builds
        charting.write_summary(
            project, "case", "Site 2", "Context/Leadership", "Backed by the consultant."
        )
        after = c.get("/?fragment=1").text
        assert "Backed by the consultant." in after and "Backed by the" not in first
        assert cache.builds == builds + 2  # the matrix and its page, once


def test_the_printed_link_and_a_port_already_taken() -> None:
    from qualcode.errors import InvalidInputError
    from qualcode.web.server import bind, new_token, page_url

    token = new_token()
    assert len(token) >= 22 and token != new_token()
    assert page_url("127.0.0.1", 8765, token) == f"http://127.0.0.1:8765/?token={token}"
    room = page_url("0.0.0.0", 8765, token)  # the machine's own name or address, never 0.0.0.0
    assert room.startswith("http://") and "0.0.0.0" not in room and room.endswith(token)
    sock = bind("127.0.0.1", 0)
    try:
        with pytest.raises(InvalidInputError, match="--port 0 for any free one"):
            bind("127.0.0.1", sock.getsockname()[1])
    finally:
        sock.close()
