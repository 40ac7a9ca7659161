"""Engine setup for a project database, and schema migration on open.

A project is one database: a SQLite file path (the embedded default, no server)
or any SQLAlchemy URL (e.g. PostgreSQL for a team). SQLite runs with foreign
keys on and in WAL mode, so a committed coding survives a crash or a kill.

Transactions on SQLite are ours, not the driver's: Python's sqlite3 would run
each DDL statement outside any transaction (so a half-finished schema upgrade
stays half-finished), and would start write transactions only at the first
INSERT. Here the driver is put in autocommit mode and every transaction begins
with an explicit ``BEGIN`` (SQLAlchemy's documented recipe): writes take the
write lock up front (``BEGIN IMMEDIATE``), waiting politely while someone else
writes, and a schema upgrade is one transaction that commits whole or not at all.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from qualcode.errors import ProjectBusyError, ProjectOpenError
from qualcode.store.files import create_atomically
from qualcode.store.location import DEFAULT_DB, SQLITE_HEADER, resolve_url
from qualcode.store.migrations import SCHEMA_HEAD
from qualcode.store.models import Base
from qualcode.store.progress import after_upgrade, install_triggers

__all__ = [
    "DEFAULT_DB",
    "ProjectOpenError",
    "close_engine",
    "current_revision",
    "make_engine",
    "migrate",
    "open_engine",
    "reading",
    "resolve_url",
    "set_busy_notifier",
    "sqlite_path",
]

BUSY_WAIT_ENV = "QUALCODE_BUSY_WAIT"
DEFAULT_BUSY_WAIT = 120.0  # seconds a write waits for another writer before giving up
BUSY_STEP_MS = 2000  # one wait inside SQLite; after the first, the user is told
BEGIN_OPTION = "qualcode_begin"

_busy_notifier: Callable[[str], None] | None = None


def set_busy_notifier(notify: Callable[[str], None] | None) -> None:
    """Who hears "the project is busy; waiting…" (the CLI prints it, the workbench shows it)."""
    global _busy_notifier
    _busy_notifier = notify


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as e:
        raise ProjectOpenError(
            f"{url}: not a database URL ({e}). Give a SQLite file path, or a "
            "URL such as postgresql://user@host:5432/dbname."
        ) from None
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


def _sqlite_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_STEP_MS}")
    cur.close()


def busy_wait() -> float:
    try:
        return float(os.environ.get(BUSY_WAIT_ENV) or DEFAULT_BUSY_WAIT)
    except ValueError:
        return DEFAULT_BUSY_WAIT


def is_locked(exc: BaseException) -> bool:
    text_ = str(exc).lower()
    return "database is locked" in text_ or "database is busy" in text_


def _sqlite_begin(conn: Connection) -> None:
    """Begin: reads see one snapshot; writes take the write lock now, waiting if needed."""
    raw = conn.connection.driver_connection
    if conn.get_execution_options().get(BEGIN_OPTION) == "DEFERRED":
        raw.execute("BEGIN")
        return
    started, told = time.monotonic(), False
    while True:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as e:
            if not is_locked(e):
                raise
            waited = time.monotonic() - started
            if waited >= busy_wait():
                raise ProjectBusyError(
                    f"The project is busy: another qualcode process has been writing to it for "
                    f"{waited:.0f} s. Nothing of this action was stored; run it again when that "
                    "process (an import, perhaps) has finished."
                ) from None
            if not told and _busy_notifier is not None:
                told = True
                _busy_notifier(
                    "The project is busy (another qualcode process, such as an import, "
                    "is writing); waiting…"
                )


def make_engine(url: str) -> Engine:
    """An engine for a URL, with qualcode's SQLite settings; no migration."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def reading(engine: Engine) -> Engine:
    """The same engine for reads: no write lock is taken (a long import never blocks them)."""
    return engine.execution_options(**{BEGIN_OPTION: "DEFERRED"})


def _check_file(path: Path, create: bool) -> bool:
    """Whether a new project file must be created at ``path``; refuses what is not a project."""
    if not path.exists():
        if not create:
            raise ProjectOpenError(
                f"{path}: no project database here. Check the path, or run "
                "`qualcode import FILES` / `qualcode demo` to create one."
            )
        if not path.parent.exists():
            raise ProjectOpenError(f"{path}: folder {path.parent} does not exist. Create it first.")
        return True
    if path.is_dir():
        raise ProjectOpenError(f"{path} is a folder, not a project database. Give a file path.")
    with path.open("rb") as fh:
        head = fh.read(16)
    if not head:
        raise ProjectOpenError(
            f"{path} is an empty file (0 bytes), not a project. If your project should be "
            "there, restore it from a backup (`qualcode restore BACKUP`); to start a new project, "
            "delete the empty file or give another name with --db."
        )
    if head != SQLITE_HEADER:
        raise ProjectOpenError(
            f"{path}: not a SQLite database (it starts with {head[:8]!r}). "
            "Pass the project's .db file with --db."
        )
    return False


def open_engine(db: str | os.PathLike[str] | None = None, *, create: bool = True) -> Engine:
    """Open (and if needed create and migrate) the project database."""
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None and _check_file(path, create):
        create_atomically(path, _build)
    engine = make_engine(url)
    migrate(engine)
    return engine


def _build(tmp: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp}")
    try:
        migrate(engine, backup=False)
        with engine.connect() as conn:  # into the file: it is linked into place without a WAL
            busy, _frames, _done = conn.connection.driver_connection.execute(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).fetchone()
            if busy:
                raise sqlite3.OperationalError("database is locked")
    finally:
        engine.dispose()


def close_engine(engine: Engine) -> None:
    """Checkpoint the WAL into the database file and close every pooled connection.

    Afterwards the ``.db`` file alone holds all committed work (unless another
    process still has the project open, in which case the last one out does it).
    """
    if engine.dialect.name == "sqlite":
        try:
            with engine.connect() as conn:
                raw = conn.connection.driver_connection
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception:
            pass
    engine.dispose()


def current_revision(engine: Engine | Connection) -> str | None:
    """The schema revision stored in the database, or None for an empty database."""
    if isinstance(engine, Connection):
        return _revision(engine)
    with reading(engine).connect() as conn:
        return _revision(conn)


def _revision(conn: Connection) -> str | None:
    insp = inspect(conn)
    if not insp.has_table("alembic_version"):
        if insp.get_table_names():
            raise ProjectOpenError(
                f"{conn.engine.url.database or conn.engine.url}: this database has tables but is "
                "not a qualcode project. Use a new file for the project."
            )
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine, *, backup: bool = True) -> None:
    """Bring the schema to this release's head in one transaction; cheap when already there.

    Before an existing SQLite project is upgraded, an automatic backup is taken.
    """
    rev = current_revision(engine)
    if rev == SCHEMA_HEAD:
        return
    if rev is None and _create_at_head(engine):
        return
    from alembic import command  # imported only when a migration has to run
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    known = {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}
    if rev is not None and rev not in known:
        raise ProjectOpenError(
            f"{engine.url.database or engine.url}: schema revision {rev!r} was made by a newer "
            "qualcode. Upgrade qualcode (pip install -U qualcode) to open it."
        )
    path = sqlite_path(str(engine.url))
    if rev is not None and backup and path is not None:
        # lazy: only an upgrade backs up; every command that opens a project imports this module
        from qualcode.store.backups import auto_backup

        auto_backup(path, f"before-upgrade-from-{rev}")
    with _schema_connection(engine) as conn, conn.begin():
        if _revision(conn) == SCHEMA_HEAD:
            return  # another process upgraded it while we waited for the lock
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        after_upgrade(conn)
        if engine.dialect.name == "sqlite":
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise ProjectOpenError(
                    f"{path}: upgrading the schema would break {len(broken)} references "
                    f"(first in table {broken[0][0]}); nothing was changed. Run `qualcode check`."
                )


def _create_at_head(engine: Engine) -> bool:
    """Make an empty database a project at the head schema straight from the models.

    Running every migration on an empty database gives the same schema (a test holds the
    chain to the models) but costs about 0.3 s, paid by every new project and import. One
    transaction: the tables, the triggers of :mod:`qualcode.store.progress` and the
    revision stamp, or nothing. False when another process got there first.
    """
    with _schema_connection(engine) as conn, conn.begin():
        if _revision(conn) is not None:
            return False
        Base.metadata.create_all(conn)
        install_triggers(conn)
        conn.exec_driver_sql(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
        )
        conn.execute(
            text("INSERT INTO alembic_version (version_num) VALUES (:head)"), {"head": SCHEMA_HEAD}
        )
    return True


@contextmanager
def _schema_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for DDL: on SQLite with foreign-key actions off while tables are rebuilt.

    (With them on, dropping a table that a batch migration is rebuilding would
    cascade-delete the rows that point at it.) The connection is discarded after.
    """
    with engine.connect() as conn:
        raw: Any = conn.connection.driver_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            yield conn
        finally:
            if raw is not None:
                conn.invalidate()
