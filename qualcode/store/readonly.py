"""A read-only look at a SQLite project for the listing commands, without SQLAlchemy.

``case list``, ``code list`` and ``matrix`` only read; importing SQLAlchemy and its ORM
costs more than the rest of such a command. When the project is a SQLite file at this
release's schema, :func:`open_read_only` opens it with the standard ``sqlite3`` module
(``mode=ro``: nothing can be written) and the queries of :mod:`qualcode.store.sql` run on
it. Whenever anything is not as expected (a URL rather than a file, a missing or
locked file, another schema revision, a project never opened by qualcode, any SQLite
error) it answers None and the caller opens the project the normal way, which
migrates, reports damage and words every error as before.

So does a write-ahead log with frames in it (a process writing now, or one that was
killed mid-write): the normal path folds the log into the project file when the
command ends, which a read-only connection cannot do.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from qualcode.store.location import SQLITE_HEADER, project_value
from qualcode.store.migrations import SCHEMA_HEAD

IDENTITY_KEYS = "('project.uuid', 'project.name')"


def open_read_only(db: str | os.PathLike[str] | None = None) -> sqlite3.Connection | None:
    """A read-only connection in one read transaction (one snapshot), or None.

    None means "not available here": the caller takes the normal path.
    """
    value = project_value(db)
    if "://" in value:  # a URL (PostgreSQL, or SQLite written as a URL): the normal path
        return None
    path = Path(value).expanduser().resolve()
    try:
        with path.open("rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return None
        if _wal_size(path) != 0:
            return None
    except OSError:
        return None
    try:
        # timeout 0: a locked project is the normal path's to wait for and report
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=0)
    except sqlite3.Error:
        return None
    try:
        conn.isolation_level = None
        conn.execute("BEGIN")
        if _ready(conn):
            return conn
    except sqlite3.Error:
        pass
    conn.close()
    return None


def _wal_size(path: Path) -> int:
    """Bytes in the project's write-ahead log (0 when there is none)."""
    try:
        return path.with_name(path.name + "-wal").stat().st_size
    except FileNotFoundError:
        return 0


def _ready(conn: sqlite3.Connection) -> bool:
    """At this release's schema, in WAL mode, and named (as opening it the normal way leaves it)."""
    if conn.execute("PRAGMA journal_mode").fetchone() != ("wal",):
        return False
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    if "alembic_version" not in tables or "settings" not in tables:
        return False
    if conn.execute("SELECT version_num FROM alembic_version").fetchall() != [(SCHEMA_HEAD,)]:
        return False
    known = conn.execute(f"SELECT count(*) FROM settings WHERE key IN {IDENTITY_KEYS}").fetchone()
    return known == (2,)
