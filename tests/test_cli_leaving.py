"""A finished command ends at once, with its exit code, its output whole and exit handlers run.

Each case runs in a fresh Python: ``leave`` ends the process that calls it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


def _qualcode(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qualcode", "--db", str(db), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "QUALCODE_CODER": "tester"},
        check=False,
    )


def test_leave_runs_exit_handlers_flushes_and_exits_with_the_code() -> None:
    done = _python(
        "import atexit, sys\n"
        "from qualcode.cli.leaving import leave\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "sys.stdout.write('x' * 1_000_000)\n"
        "sys.stderr.write('said')\n"
        "leave(3)\n"
        "print('not reached')\n"
    )
    assert done.returncode == 3
    assert done.stdout == "x" * 1_000_000 + "handler ran\n"
    assert done.stderr == "said"


def test_leave_returns_while_another_thread_runs() -> None:
    done = _python(
        "import threading\n"
        "from qualcode.cli.leaving import leave\n"
        "go = threading.Event()\n"
        "worker = threading.Thread(target=lambda: (go.wait(), print('worker finished')))\n"
        "worker.start()\n"
        "leave(3)\n"
        "print('returned')\n"
        "go.set()\n"
    )
    assert done.returncode == 0
    assert done.stdout.splitlines() == ["returned", "worker finished"]


def test_a_profiled_command_leaves_its_figures(tmp_path: Path) -> None:
    figures = tmp_path / "run.prof"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(figures), "-m", "qualcode", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout
    assert figures.stat().st_size > 0


def test_commands_keep_their_output_and_exit_codes(tmp_path: Path) -> None:
    db = tmp_path / "study.db"
    transcript = tmp_path / "P01.txt"
    transcript.write_text(
        "Interviewer: How did the training go?\nP01: Well. The facilitator was there.\n",
        encoding="utf-8",
    )
    imported = _qualcode("import", str(transcript), "--framework", "none", db=db)
    assert imported.returncode == 0, imported.stderr
    assert "1 document imported" in imported.stdout
    listed = _qualcode("documents", "--json", db=db)
    assert listed.returncode == 0, listed.stderr
    assert '"P01"' in listed.stdout and listed.stdout.rstrip().endswith("]")
    missing = _qualcode("import", str(tmp_path / "nowhere.txt"), db=db)
    assert missing.returncode not in (0, None)
    assert "nowhere.txt" in missing.stderr
    # the project was closed cleanly before the process ended: its WAL folded in
    assert not Path(f"{db}-wal").exists()
