"""Two processes at once: one coding per coder, code and span; one row per new coder;
a writer that finds the project busy waits, says so, and stores its action."""

from __future__ import annotations

import multiprocessing as mp
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from qualcode.errors import ConflictError
from qualcode.services.codebook import create_code
from qualcode.services.project import Project
from tests.conftest import add_document

TEXT = "S4PW1: " + " ".join(f"Sentence {i} about the ward." for i in range(40))
ROUNDS = 12


def _racer(db: str, barrier: Any, results: Any, worker: int) -> None:
    from qualcode.services.coding import add_coding

    for r in range(ROUNDS):
        project = Project.open(db, coder=f"new coder {r}")  # the coder is created by the race
        barrier.wait()
        try:
            add_coding(project, "S4PW1", r * 10, r * 10 + 8, "Ward relationships")
            results.put((r, worker, "added"))
        except ConflictError as e:
            results.put((r, worker, "already" if "already coded" in str(e) else str(e)))
        except Exception as e:
            results.put((r, worker, f"{type(e).__name__}: {e}"))
        project.engine.dispose()


def test_two_processes_adding_the_same_coding_store_it_once(tmp_path: Path) -> None:
    db = tmp_path / "race.db"
    project = Project.open(db, coder="setup")
    add_document(project, "S4PW1", TEXT)
    create_code(project, "Ward relationships")
    project.close()
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(str(db), barrier, results, w)) for w in (0, 1)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=300) for _ in range(2 * ROUNDS)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for r in range(ROUNDS):
        assert sorted(o for rr, _w, o in outcomes if rr == r) == ["added", "already"], outcomes
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM codings").fetchone()[0] == ROUNDS
    names = [n for (n,) in con.execute("SELECT name FROM coders WHERE name LIKE 'new coder %'")]
    assert sorted(names) == sorted(f"new coder {r}" for r in range(ROUNDS))
    con.close()


def _cli(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full = dict(os.environ, QUALCODE_CODER="tester", PYTHONIOENCODING="utf-8", **(env or {}))
    full.pop("QUALCODE_DB", None)
    return subprocess.Popen(
        [sys.executable, "-m", "qualcode", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full,
    )


def _project(tmp_path: Path) -> Path:
    db = tmp_path / "busy.db"
    project = Project.open(db, coder="setup")
    add_document(project, "S4PW1", TEXT)
    create_code(project, "Ward relationships")
    project.close()
    return db


def _count(db: Path) -> tuple[int, int]:
    con = sqlite3.connect(db)
    try:
        return (
            con.execute("SELECT count(*) FROM codings").fetchone()[0],
            con.execute("SELECT count(*) FROM audit_log").fetchone()[0],
        )
    finally:
        con.close()


def test_a_writer_waits_for_a_long_write_and_says_so(tmp_path: Path) -> None:
    db = _project(tmp_path)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a long import holding the write lock
    holder.execute("INSERT INTO audit_log (at, operation, detail) VALUES ('x', 'import', '')")
    proc = _cli(db, "coding", "add", "S4PW1", "Ward relationships", "--range", "0-12")
    first = proc.stderr.readline()  # returns once the waiting writer has said so
    assert "The project is busy" in first and "waiting" in first
    holder.execute("COMMIT")
    holder.close()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Coding 1: S4PW1 0-12" in out
    assert _count(db)[0] == 1


def test_a_writer_gives_up_after_the_wait_with_a_plain_message(tmp_path: Path) -> None:
    db = _project(tmp_path)
    before = _count(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        proc = _cli(
            db,
            "coding",
            "add",
            "S4PW1",
            "Ward relationships",
            "--range",
            "0-12",
            env={"QUALCODE_BUSY_WAIT": "1"},
        )
        out, err = proc.communicate(timeout=120)
    finally:
        holder.rollback()
        holder.close()
    assert proc.returncode == 1
    assert err.strip().splitlines()[-1].startswith("error: The project is busy")
    assert "Nothing of this action was stored" in err and "Traceback" not in err
    assert _count(db) == before


def test_one_coding_per_coder_code_and_span_in_every_service(tmp_path: Path) -> None:
    """Changing a coding or merging codes never makes a second identical coding."""
    import pytest

    from qualcode.services.codebook import merge_codes
    from qualcode.services.coding import add_coding, update_coding

    db = _project(tmp_path)
    project = Project.open(db, coder="ann")
    create_code(project, "Staff attitudes")
    first = add_coding(project, "S4PW1", 0, 12, "Ward relationships", valence="barrier")
    other = add_coding(project, "S4PW1", 20, 30, "Ward relationships")
    with pytest.raises(ConflictError, match="already coded"):
        add_coding(project, "S4PW1", 0, 12, "Ward relationships")
    with pytest.raises(ConflictError, match="same as another coding"):
        update_coding(project, other.id, start=0, end=12)
    add_coding(project, "S4PW1", 0, 12, "Staff attitudes", valence="facilitator")
    with pytest.raises(ConflictError, match="another valence"):
        merge_codes(project, "Staff attitudes", "Ward relationships")
    assert _count(db)[0] == 3
    update_coding(project, first.id, valence="facilitator")
    assert merge_codes(project, "Staff attitudes", "Ward relationships") == 0
    assert _count(db)[0] == 2  # the identical coding was folded, not doubled
