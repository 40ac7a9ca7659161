"""The agreement screen: codes by agreement, the units two coders differ on, settling them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from qualcode.services.agreement import compute_agreement
from qualcode.services.project import Project
from qualcode.store.models import Code, Coder, Coding, Memo
from qualcode.tui.app import QualcodeApp
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _code_as(project: Project, coder: str, doc: str, code: str, phrase: str) -> None:
    from qualcode.services.coding import add_coding
    from qualcode.services.documents import open_document

    text = open_document(project, doc).text
    start = text.index(phrase)
    add_coding(project, doc, start, start + len(phrase), code, coder=coder)


@pytest.fixture
def double(tmp_path: Path) -> Project:
    project = make_sample_project(tmp_path / "project.db", coder="ann")
    both = [
        ("Culture", "Staff knew who we were before we turned up"),
        ("Leadership", "Our coordinator left after three months"),
    ]
    for code, phrase in both:
        for who in ("ann", "ben"):
            _code_as(project, who, "S4PW1" if "coordinator" in phrase else "S3PW1", code, phrase)
    _code_as(project, "ann", "S3PW1", "Culture", "The nurses will come and find me at handover.")
    _code_as(project, "ben", "S3PW1", "Culture", "Mostly really good.")
    _code_as(project, "ben", "S4PW1", "Leadership", "The manager never really backed us.")
    return project


async def _settled(pilot: Any) -> None:
    await settle(pilot)
    await settle(pilot)


async def _open(pilot: Any) -> None:
    """Start on the project home and open the agreement screen with F7, as a user would."""
    await _settled(pilot)
    await pilot.press("f7")
    await _settled(pilot)


def _culture_kappa(project: Project) -> float | None:
    result = compute_agreement(project, ["ann", "ben"], "sentence", codes=["Culture"])
    return result.codes[0].figures.kappa


async def test_settle_keep_memo_and_jump(double: Project) -> None:
    before = _culture_kappa(double)
    app = QualcodeApp(double, start_mode="home")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot)
        screen = app.screen
        codes = screen.query_one("#agreement-codes")
        names = [str(codes.get_row_at(i)[0]) for i in range(codes.row_count)]
        unused = [
            str(codes.get_row_at(i)[0])
            for i, c in enumerate(screen.result.ranked())
            if "all" in c.figures.reasons
        ]
        assert unused and names.index("Culture") < min(names.index(u) for u in unused)
        culture = next(c.code_id for c in screen.result.codes if c.name == "Culture")
        codes.move_cursor(row=names.index("Culture"))
        await _settled(pilot)
        assert screen.code_id == culture
        assert [d.seq for d in screen.diffs] and len(screen.diffs) == 2
        first = screen.diffs[0]
        assert {"ann", "ben"} == set(first.coders)
        keep, other = first.coders  # the busiest coder is first
        side = str(screen.query_one("#agreement-first").render())
        assert keep in side
        assert (first.spans[0] and first.spans[0][0].text in side) or "not coded" in side
        await pilot.click("#agreement-units")
        await pilot.press("1")  # keep the first coder's version of the first difference
        await _settled(pilot)
        assert len(screen.diffs) == 1
        assert _culture_kappa(double) > before  # type: ignore[operator]
        await pilot.press("m")
        await _settled(pilot)
        await pilot.press(*"ward staff were told", "ctrl+s")
        await _settled(pilot)
        with double.read() as s:
            memo = s.scalar(
                select(Memo.text).where(Memo.target_type == "code", Memo.target_id == culture)
            )
            other_id = s.scalar(select(Coder.id).where(Coder.name == other))
            theirs = s.scalars(
                select(Coding.start).where(Coding.coder_id == other_id, Coding.code_id == culture)
            ).all()
        assert f"kept {keep}'s coding" in memo and "ward staff were told" in memo
        assert {s.start for s in first.spans[0]} <= set(theirs)
        assert not {s.start for s in first.spans[1]} & set(theirs)
        await pilot.press("o")
        await _settled(pilot)
        assert app.current_mode == "reader"


async def test_keep_both_changes_no_coding(double: Project) -> None:
    with double.read() as s:
        before = s.scalar(select(Coding.id).order_by(Coding.id.desc()))
    app = QualcodeApp(double, start_mode="home")
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot)
        screen = app.screen
        await pilot.click("#agreement-units")
        n = len(screen.diffs)
        await pilot.press("b")
        await _settled(pilot)
        assert len(screen.diffs) == n  # still different, but on record
    with double.read() as s:
        assert s.scalar(select(Coding.id).order_by(Coding.id.desc())) == before
        leadership = s.scalar(select(Code.id).where(Code.name == screen.result.ranked()[0].name))
        memo = s.scalar(select(Memo.text).where(Memo.target_id == leadership))
    assert "kept both" in memo


async def test_one_coder_says_what_to_do(tmp_path: Path) -> None:
    project = make_sample_project(tmp_path / "p.db", coder="ann")
    _code_as(project, "ann", "S3PW1", "Culture", "Mostly really good.")
    app = QualcodeApp(project, start_mode="home")
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot)
        head = str(app.screen.query_one("#agreement-head").render())
        assert "at least two coders" in head and "--merge" in head


@pytest.mark.parametrize("size", SIZES)
def test_snapshot(snap_compare: Any, double: Project, size: tuple[int, int]) -> None:
    assert snap_compare(
        QualcodeApp(double, start_mode="home"), terminal_size=size, run_before=_open
    )


async def test_no_shared_document_is_said_on_screen(tmp_path: Path) -> None:
    project = make_sample_project(tmp_path / "p.db", coder="ann")
    _code_as(project, "ann", "S3PW1", "Culture", "Mostly really good.")
    _code_as(project, "ben", "S4PW1", "Culture", "Slowly.")
    app = QualcodeApp(project, start_mode="home")
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot)
        head = str(app.screen.query_one("#agreement-head").render())
        assert "No document compared was coded by all of" in head
