"""Read-only commands (``case list``, ``code list``, ``matrix``) without SQLAlchemy when they can.

:func:`read_project` runs a reader (a function of a DB-API connection, from
:mod:`qualcode.services.listings`) on the read-only SQLite connection of
:mod:`qualcode.store.readonly` when the project allows it, else on the project opened
the normal way. Both run the same queries, so the output is the same; only start-up
differs (SQLAlchemy and the ORM are about two thirds of such a command's time).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from qualcode.cli.main import CliState, startup_finished
from qualcode.store.readonly import open_read_only

T = TypeVar("T")


def read_project(state: CliState, reader: Callable[[Any], T]) -> T:
    """``reader(connection)``, read-only without SQLAlchemy if possible, else the normal way.

    Any SQLite error on the read-only connection sends the reader down the normal
    path, which then reports it exactly as it always has.
    """
    conn = open_read_only(state.db)
    if conn is not None:
        startup_finished()
        try:
            return reader(conn)
        except sqlite3.Error:
            pass
        finally:
            conn.close()
    with state.project().read_rows() as raw:
        return reader(raw)
