"""The listing commands read a SQLite project two ways and print the same bytes.

``case list``, ``code list`` and ``matrix`` open a SQLite project at the schema head
read-only without SQLAlchemy (:mod:`qualcode.store.readonly`); the same file named as
a ``sqlite:///`` URL always takes the normal path (``Project.open``). Each command runs
both ways in a real subprocess and stdout, stderr and the exit code must match, on
the demo and on the charting project (with summaries and workshop comments). Then
the projects the read-only path must hand over to the normal one: a write-ahead log
left by a killed writer, a locked file, a missing file, an older and a newer schema.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

import qualcode.store.engine as engine_mod
from qualcode.services import charting
from qualcode.services.demo import open_or_build_demo
from qualcode.store.migrations import SCHEMA_HEAD
from qualcode.store.readonly import open_read_only
from tests.conftest import PG_ENV, fresh_pg_database
from tests.matrix_data import _build as build_chart_from_scratch
from tests.matrix_data import build_chart_project

ROOT = Path(__file__).resolve().parents[1]

LISTINGS = [
    ["case", "list"],
    ["case", "list", "--json"],
    ["code", "list"],
    ["code", "list", "--json"],
    ["matrix"],
    ["matrix", "--by", "participant"],
    ["matrix", "--format", "json"],
    ["matrix", "--by", "participant", "--format", "json"],
    ["matrix", "--format", "csv"],
    ["matrix", "--domain", "Context", "--no-rollup", "--format", "json"],
    ["matrix", "--domain", "Nope"],
    ["matrix", "--depth", "1", "--format", "csv"],
    ["matrix", "--valence", "none", "--valence", "barrier", "--format", "json"],
    ["matrix", "--coder", "analyst", "--group", "high", "--format", "json"],
    ["matrix", "--coder", "nobody"],
    ["matrix", "--case", "Site 3", "--where", "fidelity >= 10", "--format", "json"],
    ["matrix", "--case", "Site 99"],
    ["matrix", "--where", "fidelity >="],
    ["matrix", "--code", "Context", "--document", "S3PW1", "--format", "json"],
]


def run(db: str, *args: str, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QUALCODE_CODER="lister", PYTHONIOENCODING="utf-8", COLUMNS="100")
    env.pop("QUALCODE_DB", None)
    return subprocess.run(
        [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "qualcode"]
        + ["--db", db, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def both_ways(path: Path, *args: str) -> tuple[tuple[str, str, int], tuple[str, str, int]]:
    """(stdout, stderr, exit code) read-only by path, then the normal way by URL."""
    quick, normal = run(str(path), *args), run(f"sqlite:///{path}", *args)
    return (
        (quick.stdout, quick.stderr, quick.returncode),
        (normal.stdout, normal.stderr, normal.returncode),
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    project, _ = open_or_build_demo(str(db))
    project.close()
    return db


@pytest.fixture(scope="module")
def chart_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("chart") / "chart.db"
    project = build_chart_project(db)
    charting.write_summary(
        project, "case", "Site 3", "Culture", "Welcoming ward staff.", status="reviewed"
    )
    charting.write_summary(project, "participant", "S4PW1", "Geography", "Long bus journeys.")
    charting.add_workshop_comment(project, "case", "Site 4", "Geography", "Buses twice a day.")
    project.close()
    return db


@pytest.mark.parametrize("which", ["demo_db", "chart_db"])
def test_each_listing_prints_the_same_both_ways(which: str, request: pytest.FixtureRequest) -> None:
    db: Path = request.getfixturevalue(which)
    conn = open_read_only(db)
    assert conn is not None  # the read-only path is really taken by path
    conn.close()
    differ = []
    for args in LISTINGS:
        quick, normal = both_ways(db, *args)
        if quick != normal:
            differ.append(" ".join(args))
        assert "Traceback" not in quick[1]
    assert differ == []
    # Values typed as the ORM reads them: booleans, not 0/1; times as ISO text.
    codes = json.loads(run(str(db), "code", "list", "--json").stdout)
    assert {type(c["codable"]) for c in codes} == {bool}
    cells = json.loads(run(str(db), "matrix", "--format", "json").stdout)["cells"]
    if which == "chart_db":
        summary = next(c for c in cells if c["summary"])
        assert summary["summary"] == "Welcoming ward staff." and summary["status"] == "reviewed"
        assert datetime.fromisoformat(summary["updated_at"]).year >= 2024
        assert sum(c["workshop_comments"] for c in cells) == 1


def test_a_write_ahead_log_left_by_a_killed_writer_goes_the_normal_way(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    build_chart_project(db).close()
    code = (
        "import os\n"
        "from qualcode.services.cases import set_case\n"
        "from qualcode.services.project import Project\n"
        f"set_case(Project.open({str(db)!r}), 'Site 9', {{'fidelity': '3'}})\n"
        "os._exit(0)  # killed: no checkpoint\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)
    wal = Path(f"{db}-wal")
    assert wal.stat().st_size > 0
    assert open_read_only(db) is None
    twin = tmp_path / "twin.db"
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(f"{db}{suffix}", f"{twin}{suffix}")
    quick, normal = run(str(db), "case", "list"), run(f"sqlite:///{twin}", "case", "list")
    assert (quick.stdout, quick.returncode) == (normal.stdout, normal.returncode)
    assert "Site 9  fidelity=3" in quick.stdout
    assert not wal.exists() or wal.stat().st_size == 0  # folded into the file, as before


def test_a_locked_project_is_reported_as_before(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    build_chart_project(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("SELECT count(*) FROM cases")  # holds the file until it closes
        assert open_read_only(db) is None  # a read-only connection is locked out...
        quick, normal = both_ways(db, "case", "list")
    finally:
        holder.close()
    assert quick == normal  # ...so the normal path reads it, as it always has
    assert quick[2] == 0 and "Site 3  [high]" in quick[0]


def test_missing_damaged_and_foreign_files_are_reported_as_before(tmp_path: Path) -> None:
    missing = tmp_path / "absent.db"
    notes = tmp_path / "notes.db"
    notes.write_text("these are my notes")
    empty = tmp_path / "empty.db"
    empty.touch()
    foreign = tmp_path / "other.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE stuff (x)")
    con.commit()
    con.close()
    for db, message in (
        (missing, "no project database here"),
        (notes, "not a SQLite database"),
        (empty, "empty file"),
        (foreign, "not a qualcode project"),
    ):
        quick, normal = both_ways(db, "code", "list")
        assert quick == normal
        assert quick[2] == 1 and message in quick[1]
    assert not missing.exists()


def test_a_newer_schema_is_refused_as_before(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    build_chart_project(db).close()
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    assert open_read_only(db) is None
    quick, normal = both_ways(db, "matrix")
    assert quick == normal
    assert quick[2] == 1 and "newer qualcode" in quick[1]


def _older_project(db: Path) -> None:
    """A project made by the first release (schema 0001) with one case."""
    old = create_engine(f"sqlite:///{db}")
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(engine_mod.__file__).parent / "migrations"))
    with old.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text(
                "INSERT INTO cases (id, name, description, created_at) VALUES (1, 'Site 3', '', '2026-01-01')"
            )
        )
    with old.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    old.dispose()


def test_an_older_schema_is_upgraded_as_before(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "p.db", tmp_path / "b" / "p.db"
    for db in (first, second):
        db.parent.mkdir()
        _older_project(db)
    assert open_read_only(first) is None
    quick, normal = run(str(first), "case", "list"), run(f"sqlite:///{second}", "case", "list")
    assert (quick.stdout, quick.stderr, quick.returncode) == (
        normal.stdout,
        normal.stderr,
        normal.returncode,
    )
    assert quick.stdout.startswith("Site 3")
    for db in (first, second):
        con = sqlite3.connect(db)
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_HEAD,)
        con.close()
        assert list(db.parent.glob("*before-upgrade*")) or list(db.parent.rglob("*before-upgrade*"))


def _without_times(output: str) -> object:
    data = json.loads(output)
    cells = data.get("cells", []) if isinstance(data, dict) else []
    for cell in cells:
        cell.pop("updated_at")
    return data


def test_postgresql_lists_and_charts_as_sqlite_does(tmp_path: Path) -> None:
    """The same plain SQL on PostgreSQL (always the normal path): the same listings."""
    server = os.environ.get(PG_ENV)
    if not server:
        pytest.skip(
            f"PostgreSQL run skipped: ${PG_ENV} is not set (start a server with "
            "`bash .ci/postgres.sh start` and export the URL it prints)"
        )
    pg = fresh_pg_database(server)
    url = next(pg)
    try:
        projects = {"sqlite": str(tmp_path / "chart.db"), "postgresql": url}
        for db in projects.values():
            project = build_chart_from_scratch(db)
            charting.write_summary(project, "case", "Site 3", "Culture", "Welcoming.")
            charting.add_workshop_comment(project, "case", "Site 4", "Geography", "Buses.")
            project.close()
        for args in (
            ["case", "list", "--json"],
            ["code", "list", "--json"],
            ["matrix", "--format", "json"],
            ["matrix", "--by", "participant", "--valence", "barrier", "--format", "json"],
            ["matrix", "--coder", "second", "--where", "fidelity >= 10", "--format", "json"],
        ):
            lite, post = (run(db, *args) for db in projects.values())
            assert post.returncode == 0, post.stderr
            assert _without_times(lite.stdout) == _without_times(post.stdout), args
    finally:
        pg.close()
