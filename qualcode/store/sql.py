"""Plain SQL over a DB-API connection: what the listings, the codebook and the matrix read.

One set of queries serves both ways a project is read: a SQLAlchemy session (handed
over as its driver's own connection, :func:`driver_connection`) and the read-only
SQLite connection of :mod:`qualcode.store.readonly`, which never loads SQLAlchemy.
Queries take no bound parameters (sqlite3 writes ``?``, psycopg ``%s``): ids are
written as integers and the few texts as quoted SQL literals.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any


def fetch(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    """Every row of ``sql`` as tuples."""
    cur = conn.cursor()
    try:
        cur.execute(sql)
        return cur.fetchall()
    finally:
        cur.close()


def execute(conn: Any, sql: str) -> None:
    """Run one statement that returns no rows."""
    cur = conn.cursor()
    try:
        cur.execute(sql)
    finally:
        cur.close()


def driver_connection(session: Any) -> Any:
    """The DB-API connection under a SQLAlchemy session, inside the session's transaction.

    Pending changes are flushed first, as the ORM's own queries would (autoflush), so
    plain SQL sees what the operation has done so far.
    """
    session.flush()
    return session.connection().connection.driver_connection


def id_list(ids: Iterable[int]) -> str:
    """``1, 2, 3`` for ``IN (...)``: each id is made an integer, so nothing else gets in."""
    return ", ".join(str(int(i)) for i in ids)


def text_literal(text: str) -> str:
    """A quoted SQL string literal (standard SQL: quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def stored_time(value: Any) -> datetime | None:
    """A timestamp as SQLAlchemy reads it: SQLite stores ISO text, PostgreSQL a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)
