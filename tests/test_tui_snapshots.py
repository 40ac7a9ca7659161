"""Snapshots of each workbench screen at 80×24 (SSH) and 120×40 (full screen).

Fixed sample data, fixed coder, no clock on screen. Regenerate after an intended
change with ``pytest tests/test_tui_snapshots.py --snapshot-update`` and review
the SVGs under ``tests/__snapshots__``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qualcode.services.coding import add_coding, update_coding
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def coded(tmp_path: Path) -> Project:
    project = make_sample_project(tmp_path / "project.db")
    text = open_text(project, "S3PW1")
    a = text.index("Staff knew who we were")
    add_coding(
        project,
        "S3PW1",
        a,
        text.index("there for.") + len("there for."),
        "Culture",
        valence="facilitator",
        memo="Ward sessions paid off.",
    )
    b = text.index("Mostly really good.")
    add_coding(project, "S3PW1", b, b + len("Mostly really good."), "Leadership")
    c = text.index("Sometimes I hear")
    row = add_coding(
        project, "S3PW1", c, text.index("fit.") + 4, "Monitoring and feedback", valence="barrier"
    )
    update_coding(project, row.id, memo="Community teams out of the loop.")
    d = text.index("the bus out to the estate")
    add_coding(project, "S3PW1", d, d + len("the bus out to the estate"), "Context/Culture")
    return project


def open_text(project: Project, name: str) -> str:
    from qualcode.services.documents import open_document

    return open_document(project, name).text


async def _settled(pilot: Any) -> None:
    await settle(pilot)
    await settle(pilot)


async def _no_text_cursor(pilot: Any) -> None:
    """Take focus off a text field: its blinking cursor would make the picture depend on time."""
    if pilot.app.screen.query("TextArea, Input"):
        pilot.app.screen.set_focus(None)
        await _settled(pilot)


def _keys(*keys: str) -> Any:
    async def run(pilot: Any) -> None:
        await _settled(pilot)
        for key in keys:
            await pilot.press(key)
            await _settled(pilot)
        await _no_text_cursor(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare: Any, coded: Project, size: tuple[int, int]) -> None:
    assert snap_compare(QualcodeApp(coded), terminal_size=size, run_before=_keys())


@pytest.mark.parametrize("size", SIZES)
def test_home_cases(snap_compare: Any, coded: Project, size: tuple[int, int]) -> None:
    assert snap_compare(QualcodeApp(coded), terminal_size=size, run_before=_keys("2"))


@pytest.mark.parametrize("size", SIZES)
def test_reader(snap_compare: Any, coded: Project, size: tuple[int, int]) -> None:
    # cursor on the coded "Staff knew..." sentence: panel shows the coding and Culture's rules
    keys = ("right_curly_bracket",) * 3 + ("down", "down")
    assert snap_compare(
        QualcodeApp(coded, start_mode="reader"), terminal_size=size, run_before=_keys(*keys)
    )


@pytest.mark.parametrize("size", SIZES)
def test_reader_selection(snap_compare: Any, coded: Project, size: tuple[int, int]) -> None:
    keys = ("down", "down", "right", "right", "shift+right", "shift+right", "shift+down")
    assert snap_compare(
        QualcodeApp(coded, start_mode="reader"), terminal_size=size, run_before=_keys(*keys)
    )


def test_reader_high_contrast(snap_compare: Any, coded: Project) -> None:
    keys = ("f9",) + ("right_curly_bracket",) * 3 + ("down", "down")
    assert snap_compare(
        QualcodeApp(coded, start_mode="reader"), terminal_size=(80, 24), run_before=_keys(*keys)
    )


@pytest.mark.parametrize("size", SIZES)
def test_codebook(snap_compare: Any, coded: Project, size: tuple[int, int]) -> None:
    async def run(pilot: Any) -> None:
        await _settled(pilot)
        screen = pilot.app.screen
        culture = next(c.id for c in pilot.app.codes if c.name == "Culture")
        screen.select_code(culture)
        await _settled(pilot)

    assert snap_compare(
        QualcodeApp(coded, start_mode="codebook"), terminal_size=size, run_before=run
    )


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Any, coded: Project, size: tuple[int, int]) -> None:
    assert snap_compare(
        QualcodeApp(coded, start_mode="reader"),
        terminal_size=size,
        run_before=_keys("question_mark"),
    )


@pytest.mark.parametrize("size", SIZES)
def test_help_on_the_codebook(snap_compare: Any, coded: Project, size: tuple[int, int]) -> None:
    assert snap_compare(
        QualcodeApp(coded, start_mode="codebook"),
        terminal_size=size,
        run_before=_keys("question_mark"),
    )


@pytest.mark.parametrize("size", SIZES)
def test_reader_memo_dialog(snap_compare: Any, coded: Project, size: tuple[int, int]) -> None:
    keys = ("right_curly_bracket",) * 3 + ("down", "down", "ctrl+e")
    assert snap_compare(
        QualcodeApp(coded, start_mode="reader"), terminal_size=size, run_before=_keys(*keys)
    )


@pytest.mark.parametrize("size", SIZES)
def test_reader_new_code_dialog(snap_compare: Any, coded: Project, size: tuple[int, int]) -> None:
    assert snap_compare(
        QualcodeApp(coded, start_mode="reader"),
        terminal_size=size,
        run_before=_keys("down", "down", "ctrl+n"),
    )


@pytest.mark.parametrize("size", SIZES)
def test_reader_refuses_a_coding_across_turns(
    snap_compare: Any, coded: Project, size: tuple[int, int]
) -> None:
    # from the interviewer's question into the answer: refused with a message, nothing stored
    keys = ("down", "down", "shift+down", "shift+down", "c")
    assert snap_compare(
        QualcodeApp(coded, start_mode="reader"), terminal_size=size, run_before=_keys(*keys)
    )


@pytest.mark.parametrize("size", SIZES)
def test_project_search(snap_compare: Any, coded: Project, size: tuple[int, int]) -> None:
    async def run(pilot: Any) -> None:
        await _settled(pilot)
        await pilot.press("ctrl+f")
        await pilot.press(*"staff")
        await pilot.press("enter")
        await _settled(pilot)

    assert snap_compare(QualcodeApp(coded), terminal_size=size, run_before=run)


def _codebook_on(name: str, *keys: str) -> Any:
    async def run(pilot: Any) -> None:
        await _settled(pilot)
        code = next(c.id for c in pilot.app.codes if c.name == name)
        pilot.app.screen.select_code(code)
        await _settled(pilot)
        for key in keys:
            await pilot.press(key)
            await _settled(pilot)
        await _no_text_cursor(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_codebook_definition_dialog(
    snap_compare: Any, coded: Project, size: tuple[int, int]
) -> None:
    assert snap_compare(
        QualcodeApp(coded, start_mode="codebook"),
        terminal_size=size,
        run_before=_codebook_on("Culture", "e"),
    )


@pytest.mark.parametrize("size", SIZES)
def test_codebook_confirm_dialog(snap_compare: Any, coded: Project, size: tuple[int, int]) -> None:
    assert snap_compare(
        QualcodeApp(coded, start_mode="codebook"),
        terminal_size=size,
        run_before=_codebook_on("Research evidence", "delete"),
    )


@pytest.mark.parametrize("size", SIZES)
def test_codebook_shortcut_prompt(snap_compare: Any, coded: Project, size: tuple[int, int]) -> None:
    assert snap_compare(
        QualcodeApp(coded, start_mode="codebook"),
        terminal_size=size,
        run_before=_codebook_on("Research evidence", "s"),
    )
