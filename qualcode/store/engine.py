"""Engine setup for a project database, and schema migration on open.

A project is one database: a SQLite file path (the embedded default, no server)
or any SQLAlchemy URL (e.g. PostgreSQL for a team). SQLite runs with foreign
keys on and in WAL mode, so a committed coding survives a crash or a kill.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

from qualcode.errors import ProjectOpenError
from qualcode.store.migrations import SCHEMA_HEAD

__all__ = ["DEFAULT_DB", "ProjectOpenError", "current_revision", "migrate", "open_engine",
           "resolve_url"]

DEFAULT_DB = "qualcode.db"
ENV_VAR = "QUALCODE_DB"


def resolve_url(db: str | os.PathLike[str] | None = None) -> str:
    """Turn ``--db`` / ``$QUALCODE_DB`` / the default into a SQLAlchemy URL."""
    value = str(db) if db else os.environ.get(ENV_VAR) or DEFAULT_DB
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def open_engine(db: str | os.PathLike[str] | None = None, *, create: bool = True) -> Engine:
    """Open (and if needed create and migrate) the project database."""
    url = resolve_url(db)
    parsed = make_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.exists():
            if not create:
                raise ProjectOpenError(
                    f"{path}: no project database here. Check the path, or run "
                    "`qualcode import FILES` / `qualcode demo` to create one."
                )
            if not path.parent.exists():
                raise ProjectOpenError(f"{path}: folder {path.parent} does not exist. Create it first.")
        elif path.is_dir():
            raise ProjectOpenError(f"{path} is a folder, not a project database. Give a file path.")
        else:
            with path.open("rb") as fh:
                head = fh.read(16)
            if head and head != b"SQLite format 3\x00":
                raise ProjectOpenError(
                    f"{path}: not a SQLite database (it starts with {head[:8]!r}). "
                    "Pass the project's .db file with --db."
                )
    engine = create_engine(url, future=True)
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return engine


def current_revision(engine: Engine) -> str | None:
    """The schema revision stored in the database, or None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            if inspect(conn).get_table_names():
                raise ProjectOpenError(
                    f"{engine.url.database or engine.url}: this database has tables but is not a "
                    "qualcode project. Use a new file for the project."
                )
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Bring the schema to this release's head; cheap when it is already there."""
    rev = current_revision(engine)
    if rev == SCHEMA_HEAD:
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
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
