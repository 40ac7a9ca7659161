"""The coding reader driven by keys and mouse (Pilot); every flow is checked in the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from qualcode.services.codebook import list_codes
from qualcode.services.coding import CodingRow, list_codings
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.reader import ReaderScreen
from qualcode.tui.widgets.coding_panel import CodingPanel
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project, palette_highlights, wait_until

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sample(tmp_path: Path) -> Project:
    return make_sample_project(tmp_path / "project.db")


@asynccontextmanager
async def reader(
    project: Project, size: tuple[int, int] = (80, 24), keys: dict[str, str] | None = None
) -> AsyncIterator[tuple[Any, ReaderScreen]]:
    """The app opened on the first document (from the project home, as a user would)."""
    app = QualcodeApp(project, keys=keys)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        yield pilot, screen


async def press(pilot: Any, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def rows(project: Project) -> list[CodingRow]:
    return list_codings(project)


def sentence(screen: ReaderScreen, i: int) -> tuple[int, int]:
    t = screen.view.transcript
    assert t is not None
    return t.sentences[i]


async def test_open_shows_the_first_document_by_turn(sample: Project) -> None:
    async with reader(sample) as (_, screen):
        assert screen.doc is not None and screen.doc.name == "S3PW1"
        t = screen.view.transcript
        assert t is not None
        speakers = [b.speaker for b in t.blocks if b.is_turn]
        assert speakers[:3] == ["Interviewer", "S3PW1", "Interviewer"]
        assert [b.is_participant for b in t.blocks if b.is_turn][:2] == [False, True]
        # the label is not part of the participant's block text
        first_part = next(b for b in t.blocks if b.speaker == "S3PW1")
        assert t.text[first_part.start : first_part.end].startswith("Really well")
        status = str(screen.query_one("#status").render())
        assert "S3PW1 · Site 3" in status and "0% coded" in status


async def test_navigate_by_sentence_word_and_turn(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        view = screen.view
        await press(pilot, "down", "down")
        assert view.cursor == sentence(screen, 2)[0]
        text = view.transcript.text  # type: ignore[union-attr]
        assert text[view.cursor :].startswith("Thanks for making")
        await press(pilot, "right", "right")
        assert text[view.cursor :].startswith("making")
        await press(pilot, "left")
        assert text[view.cursor :].startswith("for making")
        await press(pilot, "up")  # back to the start of this sentence first
        assert text[view.cursor :].startswith("Thanks")
        await press(pilot, "right_curly_bracket")
        assert text[view.cursor :].startswith("Really well")
        await press(pilot, "left_curly_bracket")
        assert text[view.cursor :].startswith("Thanks")
        await press(pilot, "end")
        assert text[view.cursor :].startswith("The only thing is the bus")
        await press(pilot, "home")
        assert view.cursor == 0


async def test_select_by_sentence_and_code_with_its_key(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        await press(pilot, "down", "down", "down", "down")  # "Really well, actually."
        start = sentence(screen, 4)[0]
        await press(pilot, "shift+down", "shift+down")  # extend by two sentences
        end = sentence(screen, 6)[1]
        assert screen.view.selection == (start, end)
        await press(pilot, "c")
        got = rows(sample)
        assert [(r.start, r.end, r.code_path) for r in got] == [
            (start, end, ("Context", "Culture"))
        ]
        assert got[0].coder == "tester"
        # the side panel names the coding and the rules of its code
        panel = screen.query_one(CodingPanel)
        here, rules = panel.here_text, panel.rules_text
        assert "Culture" in here and "no valence" in here
        assert "Include:" in rules


async def test_select_by_word_with_shift_arrows(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        await press(pilot, "down", "down", "right", "right", "shift+right", "shift+right")
        text = screen.view.transcript.text  # type: ignore[union-attr]
        sel = screen.view.selection
        assert sel is not None and text[sel[0] : sel[1]] == "making time for"
        await press(pilot, "shift+left")
        sel = screen.view.selection
        assert sel is not None and text[sel[0] : sel[1]] == "making time"
        await press(pilot, "escape")
        assert screen.view.selection is None


async def test_mark_mode_extends_with_plain_moves(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        await press(pilot, "down", "down", "space", "down")
        sel = screen.view.selection
        assert sel == (sentence(screen, 2)[0], sentence(screen, 3)[1])
        await press(pilot, "d")  # Leadership
        assert [(r.start, r.end, r.code) for r in rows(sample)] == [(*sel, "Leadership")]


async def test_mouse_drag_selects_words(sample: Project) -> None:
    async with reader(sample, size=(120, 40)) as (pilot, screen):
        view = screen.view
        wrapped = view.wrapped
        assert wrapped is not None
        text = view.transcript.text  # type: ignore[union-attr]
        line = next(
            i
            for i in range(len(wrapped))
            if text[wrapped.starts[i] :].startswith("Thanks for making")
        )
        x0 = view.label_width + 1  # label gutter, then the coding stripe
        y = line - int(view.scroll_y)
        await pilot.mouse_down(view, offset=(x0 + 1 + 1, y))  # padding-left is one cell
        await pilot.hover(view, offset=(x0 + 1 + 12, y))
        await pilot.mouse_up(view, offset=(x0 + 1 + 12, y))
        await settle(pilot)
        sel = view.selection
        assert sel is not None and text[sel[0] : sel[1]] == "Thanks for making"


async def test_valence_keys_toggle_and_are_stored(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        await press(pilot, "down", "down", "c")
        await press(pilot, "plus")
        assert rows(sample)[0].valence == "facilitator"
        await press(pilot, "plus")  # the same valence again clears it
        assert rows(sample)[0].valence is None
        await press(pilot, "minus")
        assert rows(sample)[0].valence == "barrier"
        await press(pilot, "equals_sign")
        assert rows(sample)[0].valence == "neutral"
        assert "neutral" in screen.query_one(CodingPanel).here_text


async def test_memo_is_saved_and_undone(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        await press(pilot, "down", "down", "c", "ctrl+e")
        await pilot.press(*"staff knew them")
        await press(pilot, "ctrl+s")
        assert rows(sample)[0].memo == "staff knew them"
        assert "staff knew them" in screen.query_one(CodingPanel).here_text
        await press(pilot, "ctrl+e", "escape")  # cancel changes nothing
        assert rows(sample)[0].memo == "staff knew them"
        await press(pilot, "ctrl+z")
        assert rows(sample)[0].memo == ""


async def test_remove_undo_redo(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        await press(pilot, "down", "down", "c", "minus")
        (before,) = rows(sample)
        await press(pilot, "delete")
        assert rows(sample) == []
        await press(pilot, "ctrl+z")
        (back,) = rows(sample)
        assert (back.id, back.start, back.end, back.valence) == (
            before.id,
            before.start,
            before.end,
            "barrier",
        )
        await press(pilot, "ctrl+y")
        assert rows(sample) == []
        await press(pilot, "ctrl+z", "ctrl+z")  # the remove, then the coding with its valence
        assert rows(sample) == []
        await press(pilot, "ctrl+z")
        assert "nothing to undo" in str(screen.query_one("#status").render())
        await press(pilot, "ctrl+y")
        assert [(r.id, r.valence) for r in rows(sample)] == [(before.id, "barrier")]
        assert screen.view.index.by_id.keys() == {before.id}


async def test_code_then_valence_undoes_as_one_step(sample: Project) -> None:
    async with reader(sample) as (pilot, _):
        await press(pilot, "down", "down", "c", "plus")
        assert [(r.code, r.valence) for r in rows(sample)] == [("Culture", "facilitator")]
        await press(pilot, "ctrl+z")
        assert rows(sample) == []
        await press(pilot, "ctrl+y")
        assert [(r.code, r.valence) for r in rows(sample)] == [("Culture", "facilitator")]


async def test_caps_lock_or_shift_still_applies_the_code(sample: Project) -> None:
    async with reader(sample) as (pilot, _):
        await press(pilot, "down", "down", "C")  # Caps Lock on: the same code, nothing else
        assert [r.code for r in rows(sample)] == ["Culture"]
        await press(pilot, "down", "D")
        assert sorted(r.code for r in rows(sample)) == ["Culture", "Leadership"]


async def test_a_letter_with_no_code_writes_nothing_and_says_so(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        taken = {c.shortcut for c in list_codes(sample) if c.shortcut}
        free = next(ch for ch in "qwzyvkjb" if ch not in taken)
        await press(pilot, "down", free, free.upper())
        assert rows(sample) == []
        assert f"no code on key {free}" in str(screen.query_one("#status").render())


async def test_tab_cycles_between_overlapping_codings(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        await press(pilot, "down", "down", "c", "d")
        culture, leadership = sorted(rows(sample), key=lambda r: r.code)
        assert screen.view.active_coding == leadership.id  # the latest applied
        await press(pilot, "tab")
        assert screen.view.active_coding == culture.id
        await press(pilot, "plus")
        got = {r.code: r.valence for r in rows(sample)}
        assert got == {"Culture": "facilitator", "Leadership": None}


async def test_in_vivo_code_from_the_selection(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        await press(pilot, "end", *["right"] * 4)  # "bus" in "The only thing is the bus ..."
        text = screen.view.transcript.text  # type: ignore[union-attr]
        assert text[screen.view.cursor :].startswith("the bus")
        await press(pilot, *["shift+right"] * 4)
        await press(pilot, "apostrophe")
        (row,) = rows(sample)
        assert row.code == "the bus out to the"
        assert row.text == "the bus out to the"
        code = next(c for c in list_codes(sample) if c.name == row.code)
        assert code.origin == "inductive" and code.parent_id is None
        await press(pilot, "ctrl+z")
        assert rows(sample) == []
        assert not [c for c in list_codes(sample) if c.origin == "inductive"]


async def test_new_code_by_name_under_a_parent(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        await press(pilot, "end", "ctrl+n")
        await pilot.press(*"Context/Geography")
        await press(pilot, "enter")
        (row,) = rows(sample)
        assert row.code_path == ("Context", "Geography")
        assert row.start == sentence(screen, len(screen.view.transcript.sentences) - 1)[0]  # type: ignore[union-attr]


async def test_pick_a_code_by_fuzzy_search(sample: Project) -> None:
    async with reader(sample) as (pilot, _):
        await press(pilot, "down", "down", "enter")
        await pilot.press(*"monitfeed")
        await settle(pilot)
        # the palette searches in a task of its own: wait for its answer
        await wait_until(
            pilot,
            lambda: palette_highlights(pilot.app, "Monitoring and feedback"),
            "the picker offers Monitoring and feedback",
        )
        await press(pilot, "enter")
        assert [r.code for r in rows(sample)] == ["Monitoring and feedback"]


async def test_jump_between_codings_and_to_uncoded_turns(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        view = screen.view
        await press(pilot, "right_curly_bracket", "c")  # first participant turn, first sentence
        await press(pilot, "end", "d")
        first, last = sorted(rows(sample), key=lambda r: r.start)
        await press(pilot, "home", "full_stop")
        assert view.cursor == first.start
        await press(pilot, "full_stop")
        assert view.cursor == last.start
        await press(pilot, "comma")
        assert view.cursor == first.start
        await press(pilot, "ctrl+u")  # the next participant turn with nothing coded
        t = view.transcript
        assert t is not None
        block = t.blocks[t.block_index(view.cursor)]
        assert block.speaker == "S3PW1" and block.start > first.end
        assert not view.index.overlapping(block.start, block.end)


async def test_next_document_and_back(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        await press(pilot, "right_square_bracket")
        assert screen.doc is not None and screen.doc.name == "S4PW1"
        await press(pilot, "down", "c")
        assert [(r.document, r.code) for r in rows(sample)] == [("S4PW1", "Culture")]
        await press(pilot, "left_square_bracket")
        assert screen.doc.name == "S3PW1"
        await press(pilot, "ctrl+z")  # undo reaches back into the other document
        assert rows(sample) == []


async def test_search_in_document_selects_the_match(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        await press(pilot, "slash")
        await pilot.press(*"staff")
        await press(pilot, "enter")
        text = screen.view.transcript.text  # type: ignore[union-attr]
        sel = screen.view.selection
        assert sel is not None and text[sel[0] : sel[1]] == "staff"
        assert len(screen.view.matches) == text.lower().count("staff") == 2
        await press(pilot, "greater_than_sign")
        sel2 = screen.view.selection
        assert sel2 is not None and sel2[0] > sel[0]
        await press(pilot, "m")  # code the match itself
        assert [(r.start, r.end, r.code) for r in rows(sample)] == [
            (*sel2, "Monitoring and feedback")
        ]


async def test_search_across_the_project_opens_the_hit(sample: Project) -> None:
    async with reader(sample) as (pilot, screen):
        await press(pilot, "ctrl+f")
        await pilot.press(*"supervision")
        await press(pilot, "enter")
        await press(pilot, "enter")
        assert screen.app.screen is screen
        assert screen.doc is not None and screen.doc.name == "S4PW1"
        text = screen.view.transcript.text  # type: ignore[union-attr]
        sel = screen.view.selection
        assert sel is not None and text[sel[0] : sel[1]] == "supervision"


async def test_remapped_keys_from_a_keymap(sample: Project) -> None:
    async with reader(
        sample, keys={"reader.next_sentence": "s", "reader.facilitator": "ctrl+f"}
    ) as (pilot, screen):
        await press(pilot, "s", "s")
        assert screen.view.cursor == sentence(screen, 2)[0]
        await press(pilot, "c", "ctrl+f")
        assert rows(sample)[0].valence == "facilitator"


async def test_work_survives_a_restart(sample: Project, tmp_path: Path) -> None:
    async with reader(sample) as (pilot, _):
        await press(pilot, "down", "down", "c", "plus")
    reopened = Project.open(tmp_path / "project.db", coder="tester")
    assert [(r.code, r.valence) for r in list_codings(reopened)] == [("Culture", "facilitator")]


async def test_works_at_80_by_24_and_side_panel_moves_below(sample: Project) -> None:
    async with reader(sample, size=(80, 24)) as (pilot, screen):
        assert screen.has_class("-narrow")
        panel = screen.query_one("#panel")
        assert panel.region.y > screen.view.region.y
        await press(pilot, "ctrl+b")
        assert not panel.display
    async with reader(sample, size=(120, 40)) as (pilot, screen):
        assert not screen.has_class("-narrow")
        assert screen.query_one("#panel").region.x > screen.view.region.x


async def test_rules_scroll_when_they_do_not_fit(sample: Project) -> None:
    from qualcode.tui.widgets.text_pane import TextPane

    async with reader(sample, size=(80, 24)) as (pilot, screen):
        await press(pilot, "down", "down", "c")
        pane = screen.query_one("#panel-rules", TextPane)
        assert "Include:" in pane.plain()
        assert pane.virtual_size.height > pane.size.height  # longer than the pane
        await press(pilot, "ctrl+d")
        assert pane.scroll_y > 0
