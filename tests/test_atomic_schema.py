"""Creating and upgrading the schema is all-or-nothing: a failure after any DDL statement
leaves the project as it was, and it then opens (and upgrades) cleanly."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event, text

import qualcode.store.engine as engine_mod
from qualcode.store.backups import list_backups
from qualcode.store.engine import current_revision, make_engine, migrate, open_engine
from qualcode.store.migrations import SCHEMA_HEAD
from qualcode.store.models import Base

DDL = ("CREATE", "DROP", "ALTER", "INSERT INTO ALEMBIC_VERSION", "UPDATE ALEMBIC_VERSION")


class Injected(Exception):
    """The failure put in after a DDL statement."""


def fail_after(engine: Engine, n: int) -> list[str]:
    """Raise after the n-th DDL statement (n=0: never); returns the DDL seen."""
    seen: list[str] = []

    @event.listens_for(engine, "after_cursor_execute")
    def count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(DDL):
            seen.append(statement.split("(")[0].strip())
            if len(seen) == n:
                raise Injected(statement[:60])

    return seen


def empty_sqlite(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE t (x); DROP TABLE t;")
    con.close()


def same_schema_as_models(engine: Engine) -> None:
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def tables(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()


def test_creation_fails_whole_after_any_ddl_statement(tmp_path: Path) -> None:
    probe = tmp_path / "probe.db"
    empty_sqlite(probe)
    engine = make_engine(f"sqlite:///{probe}")
    statements = fail_after(engine, 0)
    migrate(engine)
    engine.dispose()
    assert len(statements) > 20  # every table and index of the schema
    for n in range(1, len(statements) + 1):
        db = tmp_path / f"create{n}.db"
        empty_sqlite(db)
        engine = make_engine(f"sqlite:///{db}")
        fail_after(engine, n)
        with pytest.raises(Injected):
            migrate(engine)
        engine.dispose()
        assert tables(db) == set(), f"statement {n} ({statements[n - 1]}) was kept"
        reopened = open_engine(db)
        assert current_revision(reopened) == SCHEMA_HEAD
        same_schema_as_models(reopened)
        reopened.dispose()


def make_first_release_project(db: Path) -> None:
    """A project at schema 0001 with a document, codes, codings (one stored twice) and a memo."""
    old = create_engine(f"sqlite:///{db}")
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(engine_mod.__file__).parent / "migrations"))
    with old.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text("INSERT INTO coders (id, name, created_at) VALUES (1, 'ann', '2026-01-01')")
        )
        conn.execute(
            text(
                "INSERT INTO codes (id, origin, name, codable, definition, inclusion, "
                "exclusion, sort_order, created_at) VALUES (1, 'inductive', 'Geography', "
                "1, '', '', '', 0, '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO documents (id, name, source_file, file_format, sha256, text, "
                "word_count, imported_at) VALUES (1, 'S4PW1', 's.txt', 'txt', 'x', "
                "'far to travel, no bus', 5, '2026-01-01')"
            )
        )
        for cid, valence, memo in ((1, None, "rural"), (2, "barrier", ""), (3, None, "bus")):
            conn.execute(
                text(
                    "INSERT INTO codings (id, document_id, code_id, coder_id, start, "
                    '"end", valence, memo, created_at, updated_at) VALUES (:id, 1, 1, '
                    "1, 0, 13, :v, :m, '2026-01-01', '2026-01-01')"
                ),
                {"id": cid, "v": valence, "m": memo},
            )
        conn.execute(
            text(
                'INSERT INTO codings (id, document_id, code_id, coder_id, start, "end", '
                "valence, memo, created_at, updated_at) VALUES (4, 1, 1, 1, 15, 21, "
                "'barrier', '', '2026-01-01', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO memos (target_type, target_id, title, text, created_at, "
                "updated_at) VALUES ('coding', 3, '', 'see the bus timetable', "
                "'2026-01-01', '2026-01-01')"
            )
        )
    old.dispose()


def codings(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(
            'SELECT id, start, "end", valence, memo FROM codings ORDER BY id'
        ).fetchall()
    finally:
        con.close()


def test_upgrade_fails_whole_after_any_ddl_statement(tmp_path: Path) -> None:
    probe = tmp_path / "probe.db"
    make_first_release_project(probe)
    engine = make_engine(f"sqlite:///{probe}")
    statements = fail_after(engine, 0)
    migrate(engine, backup=False)
    engine.dispose()
    assert len(statements) >= 4
    for n in range(1, len(statements) + 1):
        db = tmp_path / f"upgrade{n}.db"
        make_first_release_project(db)
        before = codings(db)
        engine = make_engine(f"sqlite:///{db}")
        fail_after(engine, n)
        with pytest.raises(Injected):
            migrate(engine, backup=False)
        assert current_revision(engine) == "0001"
        engine.dispose()
        assert codings(db) == before, f"a failure after statement {n} changed the codings"
        upgraded = open_engine(db)
        assert current_revision(upgraded) == SCHEMA_HEAD
        same_schema_as_models(upgraded)
        upgraded.dispose()


def test_upgrade_folds_duplicates_and_backs_up_first(tmp_path: Path) -> None:
    db = tmp_path / "study.db"
    make_first_release_project(db)
    before = codings(db)
    engine = open_engine(db)
    engine.dispose()
    # the three identical codings become the oldest one, with the others' memo and valence
    assert codings(db) == [(1, 0, 13, "barrier", "rural\n\nbus"), (4, 15, 21, "barrier", "")]
    con = sqlite3.connect(db)
    assert con.execute("SELECT target_id FROM memos").fetchall() == [(1,)]
    detail = con.execute(
        "SELECT detail FROM audit_log WHERE operation = 'fold duplicate codings'"
    ).fetchone()[0]
    assert '"1": [2, 3]' in detail
    with pytest.raises(sqlite3.IntegrityError):
        con.execute(
            'INSERT INTO codings (document_id, code_id, coder_id, start, "end", memo, '
            "created_at, updated_at) VALUES (1, 1, 1, 15, 21, '', 'x', 'x')"
        )
    con.close()
    [backup] = list_backups(db)
    assert backup.automatic and backup.reason == "before-upgrade-from-0001"
    assert codings(backup.path) == before  # the backup holds the project as it was
    assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600


def test_new_project_files_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = tmp_path / "p.db"
        engine = open_engine(db)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO coders (name, created_at) VALUES ('ann', 'x')"))
        with engine.connect() as conn:  # keep it open so the -wal and -shm exist
            conn.execute(text("SELECT 1")).all()
            for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        engine.dispose()
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.db"]  # no build files left


def test_a_build_left_by_a_killed_process_is_cleared(tmp_path: Path) -> None:
    stale = tmp_path / ".p.db.creating-99999999"
    stale.write_bytes(b"half built")
    Path(f"{stale}-wal").write_bytes(b"")
    open_engine(tmp_path / "p.db").dispose()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.db"]


def triggers(path: Path) -> dict[str, str]:
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger'")
        return dict(rows.fetchall())
    finally:
        con.close()


def test_a_new_project_is_what_the_migration_chain_builds(tmp_path: Path) -> None:
    """New projects are made from the models; the chain of migrations must give the same."""
    chain = tmp_path / "chain.db"
    empty_sqlite(chain)
    engine = create_engine(f"sqlite:///{chain}")
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(engine_mod.__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    engine.dispose()

    fresh = tmp_path / "fresh.db"
    empty_sqlite(fresh)
    engine = make_engine(f"sqlite:///{fresh}")
    ddl = fail_after(engine, 0)
    migrate(engine)
    assert current_revision(engine) == SCHEMA_HEAD
    same_schema_as_models(engine)
    engine.dispose()
    assert not any("ALEMBIC_VERSION" in s.upper() and "UPDATE" in s.upper() for s in ddl)

    reopened = make_engine(f"sqlite:///{chain}")
    assert current_revision(reopened) == SCHEMA_HEAD
    same_schema_as_models(reopened)
    reopened.dispose()
    assert triggers(fresh) == triggers(chain) != {}
