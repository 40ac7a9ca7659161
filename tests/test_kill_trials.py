"""A few kill -9 trials (bench/kill_trials.py runs 100): one per phase, each must open,
pass integrity_check and keep everything committed before the kill."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "kill_trials.py"


def test_killed_processes_leave_sound_projects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("kill_trials", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "kill_trials", module)  # (its dataclasses look it up)
    spec.loader.exec_module(module)
    tallies = module.main(["--trials", "5", "--seed", "3", "--keep", str(tmp_path / "work")])
    printed = capsys.readouterr().out
    assert "kill -9 trials: 5" in printed
    for phase, t in tallies.items():
        assert t.failures == [], (phase, t.failures)
        assert (t.trials, t.opened, t.intact, t.kept) == (1, 1, 1, 1), phase
