"""The store: migrations build the models' schema, SQLite settings, opening errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

import qualcode.store.engine as engine_mod
from qualcode.store.engine import ProjectOpenError, current_revision, open_engine, resolve_url
from qualcode.store.migrations import SCHEMA_HEAD
from qualcode.store.models import Base


def test_migrations_build_exactly_the_models_schema(db_url: str) -> None:
    engine = open_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_migrations_run_once_and_reopen_on_either_backend(db_url: str) -> None:
    engine = open_engine(db_url)
    assert current_revision(engine) == SCHEMA_HEAD
    engine.dispose()
    again = open_engine(db_url)  # already at head: nothing to do
    assert current_revision(again) == SCHEMA_HEAD
    with again.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM codings")).scalar() == 0


def test_schema_head_constant_matches_alembic_head() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(engine_mod.__file__).parent / "migrations"))
    assert ScriptDirectory.from_config(cfg).get_current_head() == SCHEMA_HEAD


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = open_engine(tmp_path / "p.db")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_reopening_keeps_data_and_revision(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    engine = open_engine(db)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO coders (name, created_at) VALUES ('ann', '2026-01-01')"))
    engine.dispose()
    again = open_engine(db)
    assert current_revision(again) == SCHEMA_HEAD
    with again.connect() as conn:
        assert conn.execute(text("SELECT name FROM coders")).scalar() == "ann"


def test_project_from_an_older_release_is_upgraded(tmp_path: Path) -> None:
    """A SQLite database with no tables is built; a 0-byte file is refused with advice."""
    db = tmp_path / "p.db"
    con = sqlite3.connect(db)
    con.executescript("CREATE TABLE t (x); DROP TABLE t;")  # a SQLite file with no tables
    con.close()
    engine = open_engine(db)
    assert current_revision(engine) == SCHEMA_HEAD
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(ProjectOpenError, match=r"empty file \(0 bytes\).*qualcode restore"):
        open_engine(empty)
    assert empty.stat().st_size == 0


def test_newer_schema_is_refused_with_advice(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    open_engine(db).dispose()
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(ProjectOpenError, match="newer qualcode"):
        open_engine(db)


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes")
    with pytest.raises(ProjectOpenError, match="not a SQLite database"):
        open_engine(bad)


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE stuff (x)")
    con.commit()
    con.close()
    with pytest.raises(ProjectOpenError, match="not a qualcode project"):
        open_engine(db)


def test_missing_project_without_create(tmp_path: Path) -> None:
    with pytest.raises(ProjectOpenError, match="no project database"):
        open_engine(tmp_path / "absent.db", create=False)
    with pytest.raises(ProjectOpenError, match="does not exist"):
        open_engine(tmp_path / "no" / "such" / "p.db")


def test_resolve_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("QUALCODE_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'qualcode.db'}"
    monkeypatch.setenv("QUALCODE_DB", "x.db")
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'x.db'}"
    assert resolve_url("postgresql://u@h/db") == "postgresql://u@h/db"


def test_upgrading_a_first_release_project_keeps_its_codings(tmp_path: Path) -> None:
    """A project made by the first release (schema 0001) opens and keeps every row."""
    from alembic import command
    from sqlalchemy import create_engine

    db = tmp_path / "old.db"
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
                "'far to travel', 3, '2026-01-01')"
            )
        )
        conn.execute(
            text(
                'INSERT INTO codings (document_id, code_id, coder_id, start, "end", '
                "valence, memo, created_at, updated_at) VALUES (1, 1, 1, 0, 3, "
                "'barrier', '', '2026-01-01', '2026-01-01')"
            )
        )
    old.dispose()
    engine = open_engine(db)
    assert current_revision(engine) == SCHEMA_HEAD
    with engine.connect() as conn:
        assert conn.execute(text("SELECT valence FROM codings")).scalar() == "barrier"
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
