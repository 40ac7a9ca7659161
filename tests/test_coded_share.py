""" "% coded" has one definition: the home screen, the reader and the CLI show the same figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.services.coding import add_coding
from qualcode.services.documents import (
    coded_share,
    list_documents,
    open_document,
    percent_of,
)
from qualcode.tui.app import QualcodeApp
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project


def test_only_what_was_said_counts_and_overlaps_count_once() -> None:
    turns = [(10, 20), (30, 40)]  # labels and the preamble lie outside the turns
    assert coded_share(50, turns, []) == (0, 20)
    assert coded_share(50, turns, [(0, 15), (12, 18), (18, 35)]) == (15, 20)
    assert coded_share(50, turns, [(12, 14), (13, 16), (38, 45)]) == (6, 20)
    assert coded_share(50, [], [(0, 25)]) == (25, 50)  # no turns: the whole text


def test_percent_rounds_halves_up_and_survives_nothing() -> None:
    assert (percent_of(1, 8), percent_of(5, 8), percent_of(0, 0)) == (13, 63, 0)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_home_and_reader_show_the_same_figure(tmp_path: Path, anyio_backend: str) -> None:
    project = make_sample_project(tmp_path / "project.db")
    doc = list_documents(project)[0]
    turns = open_document(project, doc.id).turns
    add_coding(project, doc.id, turns[1].start, turns[1].end, "Culture")
    add_coding(project, doc.id, turns[1].end - 20, turns[1].end, "Leadership")  # counted once
    add_coding(project, doc.id, turns[3].start, turns[3].start + 7, "Leadership")
    (info,) = [d for d in list_documents(project) if d.id == doc.id]
    assert 0 < info.percent_coded < 100
    app = QualcodeApp(project)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        row = app.screen.query_one("#documents-table").get_row_at(0)
        assert f"{info.percent_coded}%" in str(row[-1]).split()[-1]
        await pilot.press("enter")
        await settle(pilot)
        status = str(app.screen.query_one("#status").render())
        assert f"{info.percent_coded}% coded" in status
