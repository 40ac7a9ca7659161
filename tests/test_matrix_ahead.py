"""The default matrix, built in the background after start-up, shown at once by F4 when current."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qualcode.analysis.matrix_spec import MatrixSpec
from qualcode.services import charting
from qualcode.services.coding import add_coding_by_phrase
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.matrix import MatrixScreen
from qualcode.tui.settings import TuiSettings
from qualcode.tui.workers import settle
from tests.matrix_data import CODINGS, build_chart_project

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[MatrixSpec]:
    """Every matrix the workbench builds (the real service, counted)."""
    seen: list[MatrixSpec] = []
    real = charting.matrix

    def counted(project: Project, spec: MatrixSpec | None = None) -> Any:
        seen.append(spec or MatrixSpec())
        return real(project, spec)

    monkeypatch.setattr(charting, "matrix", counted)
    return seen


async def test_f4_shows_the_matrix_built_ahead_without_building_it_again(
    tmp_path: Path, builds: list[MatrixSpec]
) -> None:
    project = build_chart_project(tmp_path / "p.db")
    app = QualcodeApp(project, settings=TuiSettings(), poll_seconds=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert builds == [MatrixSpec()]  # built once start-up's reads were done
        await pilot.press("f4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MatrixScreen) and screen.matrix is not None
        assert builds == [MatrixSpec()]
        expected = charting.matrix(project, MatrixSpec())
        assert screen.matrix.codings == expected.codings == len(CODINGS)
        assert [r.label for r in screen.matrix.rows] == [r.label for r in expected.rows]


async def test_a_change_after_it_was_built_makes_f4_build_the_matrix_again(
    tmp_path: Path, builds: list[MatrixSpec]
) -> None:
    project = build_chart_project(tmp_path / "p.db")
    doc, _, _, phrase, _ = CODINGS[0]
    app = QualcodeApp(project, settings=TuiSettings(), poll_seconds=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(builds) == 1
        add_coding_by_phrase(project, doc, phrase, "Geography")  # committed after it was built
        await pilot.press("f4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MatrixScreen) and screen.matrix is not None
        assert len(builds) == 2
        assert screen.matrix.codings == len(CODINGS) + 1
