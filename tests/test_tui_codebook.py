"""Project home, codebook editing, help, palette and frame (Pilot); changes checked in the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qualcode.errors import InvalidInputError
from qualcode.services.codebook import list_codes
from qualcode.services.coding import add_coding, list_codings
from qualcode.services.project import Project
from qualcode.tui import keymap
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.home import HomeScreen
from qualcode.tui.settings import load_settings
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project, palette_highlights, wait_until

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sample(tmp_path: Path) -> Project:
    project = make_sample_project(tmp_path / "project.db")
    add_coding(project, "S3PW1", 120, 160, "Culture", valence="facilitator")
    add_coding(project, "S4PW1", 60, 90, "Culture", valence="barrier")
    add_coding(project, "S4PW1", 100, 130, "Leadership")
    return project


async def press(pilot: Any, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def code(project: Project, name: str) -> Any:
    return next(c for c in list_codes(project) if c.name == name)


async def eventually(pilot: Any, check: Any, tries: int = 60) -> Any:
    """``check()``'s first truthy value, waiting for workers between tries (a loaded CI
    machine can take more rounds than ``settle`` waits for)."""
    for _ in range(tries):
        try:
            value = check()
        except StopIteration:  # the code is not there (yet)
            value = None
        if value:
            return value
        await settle(pilot)
    return check()


async def open_codebook(pilot: Any, project: Project, name: str) -> CodebookScreen:
    await press(pilot, "f3")
    screen = pilot.app.screen
    assert isinstance(screen, CodebookScreen)
    screen.select_code(code(project, name).id)
    await settle(pilot)
    await settle(pilot)
    assert screen.selected == code(project, name).id
    return screen


async def test_home_lists_documents_by_case_with_progress(sample: Project) -> None:
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        docs = screen.query_one("#documents-table")
        assert docs.row_count == 2
        first = [str(c) for c in docs.get_row_at(0)]
        assert first[:5] == ["Site 3", "S3PW1", "S3PW1", "192", "1"]
        assert first[5] == "▱▱▱▱▱▱▱▱   4%"
        await press(pilot, "2")
        cases = screen.query_one("#cases-table")
        row = [str(c) for c in cases.get_row_at(0)]
        assert row[:2] == ["Site 3", "high"] and "12" in row and "76" in row
        await press(pilot, "3")
        codes = screen.query_one("#codes-table")
        culture = next(
            r for r in range(codes.row_count) if "Culture" in str(codes.get_row_at(r)[0])
        )
        assert str(codes.get_row_at(culture)[3]) == "2"
        summary = str(screen.query_one("#summary").render())
        assert "2 documents" in summary and "2 cases" in summary and "3 codings" in summary


async def test_rename_recolour_and_edit_rules(sample: Project) -> None:
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_codebook(pilot, sample, "Culture")
        await press(pilot, "r")
        await pilot.press(*"Ward culture")
        await press(pilot, "enter")
        renamed = await eventually(pilot, lambda: code(sample, "Ward culture"))
        assert renamed.path == ("Context", "Ward culture") and renamed.count == 2
        await press(pilot, "c")
        await pilot.press(*"#123456")
        await press(pilot, "enter")
        assert await eventually(pilot, lambda: code(sample, "Ward culture").colour == "#123456")
        await press(pilot, "e")
        # the dialog's editor has focus once it is mounted
        assert await eventually(pilot, lambda: getattr(app.focused, "id", None) == "definition")
        title = str(app.screen.query_one(".dialog-title").render())
        assert "Ward culture" in title, title  # the dialog edits the code still highlighted
        area = app.screen.query_one("#definition")
        area.select_all()
        await pilot.press(*"Shared ways of working")
        await settle(pilot)
        assert area.text == "Shared ways of working"
        await press(pilot, "ctrl+s")
        assert await eventually(
            pilot, lambda: code(sample, "Ward culture").definition == "Shared ways of working"
        )
        detail = await eventually(
            pilot,
            lambda: "Shared ways of working" in str(app.screen.query_one("#code-detail").render()),
        )
        assert detail, (app.screen.selected, str(app.screen.query_one("#code-detail").render()))


async def test_merge_moves_codings_and_deletes_the_source(sample: Project) -> None:
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_codebook(pilot, sample, "Leadership")
        await press(pilot, "g")
        await pilot.press(*"Context/Culture")
        await settle(pilot)
        await wait_until(
            pilot, lambda: palette_highlights(app, "Culture"), "the picker offers Context/Culture"
        )
        await press(pilot, "enter")  # choose the target in the picker
        await press(pilot, "y")  # confirm
        names = [c.name for c in list_codes(sample)]
        assert "Leadership" not in names
        assert "Access and authority" in names  # the child moved with it
        assert code(sample, "Access and authority").path == (
            "Context",
            "Culture",
            "Access and authority",
        )
        assert sorted(r.code for r in list_codings(sample)) == ["Culture"] * 3


async def test_move_and_where_used(sample: Project) -> None:
    from qualcode.services.codebook import create_code

    create_code(sample, "Geography")
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_codebook(pilot, sample, "Geography")
        await press(pilot, "m")
        await pilot.press(*"Context")
        await settle(pilot)
        await wait_until(
            pilot, lambda: palette_highlights(app, "Context"), "the picker offers Context"
        )
        await press(pilot, "enter")
        assert code(sample, "Geography").path == ("Context", "Geography")
        screen.select_code(code(sample, "Culture").id)
        await settle(pilot)
        usages = screen.query_one("#usages")
        assert usages.row_count == 2
        await press(pilot, "u", "enter")  # open the first usage in the reader
        reader = app.screen
        assert reader.doc is not None and reader.doc.name == "S3PW1"
        assert reader.view.sentence_span[0] <= 120 < reader.view.sentence_span[1]


async def test_shortcut_key_is_a_letter_or_digit(sample: Project) -> None:
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_codebook(pilot, sample, "Research evidence")
        await press(pilot, "s")
        await pilot.press("plus")  # a symbol is one of the reader's commands
        await press(pilot, "enter")
        assert code(sample, "Research evidence").shortcut is None
        await press(pilot, "s")
        await pilot.press("J")  # any letter, stored lower case
        await press(pilot, "enter")
        assert code(sample, "Research evidence").shortcut == "j"


async def test_help_lists_every_action_and_code_keys(sample: Project) -> None:
    app = QualcodeApp(sample, start_mode="reader")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        text = str(app.screen.query_one("#help-text").render())
        for spec in keymap.ACTIONS:
            assert spec.id in text
        assert "Context/Culture" in text
        # it opens on the reader's keys, and shows keys as themselves, not markup or class names
        assert text.splitlines()[0].startswith("Coding reader")
        assert "  [" + " " * 14 + "Previous document" in text
        assert "[/" not in text and "Screen" not in text
        await press(pilot, "escape")
        assert type(app.screen).__name__ == "ReaderScreen"
        await press(pilot, "f4", "question_mark")
        text = str(app.screen.query_one("#help-text").render())
        assert text.splitlines()[0].startswith("Framework matrix")


async def test_missing_screen_shows_a_placeholder(sample: Project) -> None:
    from qualcode.tui.screen_registry import ScreenEntry

    app = QualcodeApp(sample)
    app.add_mode(
        "nowhere",
        __import__("qualcode.tui.app", fromlist=["x"]).screen_factory(
            ScreenEntry("nowhere", "Nowhere", "f12", "qualcode.tui.screens.no_such:Nope")
        ),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.switch_mode("nowhere")
        await settle(pilot)
        assert type(app.screen).__name__ == "UnavailableScreen"
        assert "not available" in str(app.screen.query_one("#unavailable").render())
        await press(pilot, "f1")
        assert isinstance(app.screen, HomeScreen)


async def test_high_contrast_toggle(sample: Project) -> None:
    app = QualcodeApp(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "qualcode"
        await press(pilot, "f9")
        assert app.theme == "qualcode-high-contrast" and app.has_class("-high-contrast")
        await press(pilot, "f9")
        assert app.theme == "qualcode"


async def test_palette_offers_codes_and_applies_them(sample: Project) -> None:
    app = QualcodeApp(sample, start_mode="reader")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "ctrl+p")
        await pilot.press(*"apply code flexibility")
        await settle(pilot)
        await wait_until(
            pilot,
            lambda: palette_highlights(app, "Flexibility"),
            "the palette offers Apply code: Flexibility",
        )
        await press(pilot, "enter")
        assert "Flexibility and consistency" in [r.code for r in list_codings(sample)]


def test_keymap_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text('"reader.undo" = "z"\n[other]\n', encoding="utf-8")
    with pytest.raises(InvalidInputError, match="'other' must be a string of keys"):
        keymap.load_keymap(path)
    path.write_text(
        '[keys]\n"reader.undo" = "z, ctrl+z"\n"matrix.workshop" = "W"\n', encoding="utf-8"
    )
    assert keymap.load_keymap(path) == {"reader.undo": "z,Z,ctrl+z", "matrix.workshop": "W"}
    path.write_text('"reader.nope" = "x"\n', encoding="utf-8")
    with pytest.raises(InvalidInputError, match="reader.nope"):
        keymap.load_keymap(path)
    assert keymap.load_keymap(tmp_path / "missing.toml") == {}
    assert not (tmp_path / "missing.toml").exists()


def test_every_binding_has_a_unique_id() -> None:
    ids = [a.id for a in keymap.ACTIONS]
    assert len(ids) == len(set(ids))
    for scope in keymap.SCOPE_TITLES:
        assert keymap.bindings(scope), f"no bindings for {scope}"
        assert all(b.id for b in keymap.bindings(scope))


def test_settings_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[tui]\ntheme = "nord"\nhigh_contrast = true\ncoder = "ana"\nkeymap = "~/k.toml"\n',
        encoding="utf-8",
    )
    s = load_settings(path)
    assert (s.theme, s.high_contrast, s.coder) == ("nord", True, "ana")
    assert s.keymap is not None and s.keymap.name == "k.toml"
    path.write_text("[tui]\nhigh_contrast = 'yes'\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="high_contrast"):
        load_settings(path)
    path.write_text("[tui]\ncolour = 'x'\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="unknown setting tui.colour"):
        load_settings(path)


async def test_a_read_that_finishes_late_never_overwrites_a_newer_one(sample: Project) -> None:
    app = QualcodeApp(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        fresh = list(app.codes)
        before_save, after_save = app._codes_read.ask(), app._codes_read.ask()
        app._codes_loaded(after_save, fresh)
        app._codes_loaded(before_save, fresh[:-1])  # the older read finishes last
        assert app.codes == fresh
        app._codes_loaded(app._codes_read.ask(), fresh[:-1])  # a newer read is shown
        assert app.codes == fresh[:-1]
