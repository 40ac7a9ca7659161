"""Snapshots of the set-up screens and dialogs at 80×24 (SSH) and 120×40 (full screen).

The screens show the folder they start in, so the tests run in a fixed folder
(same path, same files on every run). Regenerate after an intended change with
``pytest tests/test_setup_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.welcome_app import WelcomeApp
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts"
UNKNOWN_SPEAKER = (
    "Interviewer: How was it?\n\nS7PW1: Fine at first.\n\nResearcher: And "
    "then?\n\nS7PW1: Better once the ward knew us.\n"
)


def _study_folder() -> Path:
    """``<tmp>/qualcode-setup-snapshots/study``, made once with fixed contents."""
    root = Path(tempfile.gettempdir()) / "qualcode-setup-snapshots"
    study = root / "study"
    if not (study / "transcripts" / "S7PW1.txt").exists():
        building = root / f"building-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        (building / "transcripts").mkdir(parents=True)
        for name in ("S3PW1.txt", "S4PWC.docx", "sites.csv"):
            shutil.copy(SAMPLES / name, building / "transcripts" / name)
        (building / "transcripts" / "S7PW1.txt").write_text(UNKNOWN_SPEAKER, encoding="utf-8")
        try:
            building.rename(study)
        except OSError:  # another test process made it first
            shutil.rmtree(building, ignore_errors=True)
    return study


@pytest.fixture
def study(monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = _study_folder()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def sample(tmp_path: Path, study: Path) -> Project:
    return make_sample_project(tmp_path / "project.db")


def _keys(*keys: str) -> Any:
    async def run(pilot: Any) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for box in pilot.app.screen.query("Input, TextArea"):
            box.cursor_blink = False  # a steady cursor: the same picture every time
        await settle(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_welcome(snap_compare: Any, study: Path, size: tuple[int, int]) -> None:
    assert snap_compare(WelcomeApp(study), terminal_size=size, run_before=_keys())


@pytest.mark.parametrize("size", SIZES)
def test_setup_checklist(snap_compare: Any, sample: Project, size: tuple[int, int]) -> None:
    assert snap_compare(
        QualcodeApp(sample, start_mode="setup"), terminal_size=size, run_before=_keys()
    )


@pytest.mark.parametrize("size", SIZES)
def test_import_checked(snap_compare: Any, sample: Project, size: tuple[int, int]) -> None:
    # the folder added and checked; the cursor on S7PW1, whose "Researcher:" is unplaced
    keys = ("1", "down", "plus", "tab", "down", "down")
    assert snap_compare(
        QualcodeApp(sample, start_mode="setup"), terminal_size=size, run_before=_keys(*keys)
    )


@pytest.mark.parametrize("size", SIZES)
def test_framework(snap_compare: Any, sample: Project, size: tuple[int, int]) -> None:
    assert snap_compare(
        QualcodeApp(sample, start_mode="setup"), terminal_size=size, run_before=_keys("2")
    )


@pytest.mark.parametrize("size", SIZES)
def test_cases(snap_compare: Any, sample: Project, size: tuple[int, int]) -> None:
    assert snap_compare(
        QualcodeApp(sample, start_mode="setup"),
        terminal_size=size,
        run_before=_keys("3", "right", "right"),
    )


@pytest.mark.parametrize("size", SIZES)
def test_groups_live_error(snap_compare: Any, sample: Project, size: tuple[int, int]) -> None:
    typed = [{" ": "space"}.get(ch, ch) for ch in "fidelity >= 10 and engagment >= 60"]
    assert snap_compare(
        QualcodeApp(sample, start_mode="setup"), terminal_size=size, run_before=_keys("4", *typed)
    )


@pytest.mark.parametrize("size", SIZES)
def test_exports(snap_compare: Any, sample: Project, size: tuple[int, int]) -> None:
    assert snap_compare(
        QualcodeApp(sample, start_mode="setup"), terminal_size=size, run_before=_keys("5")
    )


@pytest.mark.parametrize("size", SIZES)
def test_file_dialog(snap_compare: Any, sample: Project, size: tuple[int, int]) -> None:
    assert snap_compare(
        QualcodeApp(sample, start_mode="setup"),
        terminal_size=size,
        run_before=_keys("3", "ctrl+o", "down"),
    )
