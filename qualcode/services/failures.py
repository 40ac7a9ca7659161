"""Plain words for failures that are not the user's input: storage, drivers, limits.

The command line and the workbench show these instead of a traceback or raw SQL:
one sentence saying what happened and what to do, and that nothing of the
action was stored (every action is one transaction, rolled back on failure).
"""

from __future__ import annotations

import errno
import sqlite3

DRIVERS = {
    "psycopg2": "psycopg2-binary",
    "psycopg": "psycopg[binary]",
    "pg8000": "pg8000",
    "asyncpg": "asyncpg",
    "pymysql": "pymysql",
    "MySQLdb": "mysqlclient",
    "oracledb": "oracledb",
    "cx_Oracle": "cx_Oracle",
    "pyodbc": "pyodbc",
}
NOT_STORED = "Nothing of this action was stored."


def _db_message(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    if orig is not None:
        return str(orig)
    if isinstance(exc, sqlite3.Error):
        return str(exc)
    if type(exc).__module__.split(".")[0] in DRIVERS:  # plain SQL reads the driver directly
        return str(exc)
    return None


def explain(exc: BaseException, where: str = "the project") -> str | None:
    """A one-line explanation with advice, or None when the failure is not a foreseen one."""
    # lazy: the CLI's error path imports this module; a failure before the project opens need not load SQLAlchemy
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, RecursionError):
        return (
            "The input is nested too deeply to process (more levels than qualcode follows). "
            f"Simplify it (fewer nested parentheses or levels). {NOT_STORED}"
        )
    if isinstance(exc, MemoryError):
        return f"Ran out of memory. Import or export fewer or smaller files at once. {NOT_STORED}"
    if isinstance(exc, sa_exc.NoSuchModuleError):
        scheme = str(exc).rsplit(":", 1)[-1].strip()
        return (
            f"{where}: unknown database kind {scheme!r} in the --db URL. Give a SQLite file "
            "path, or a URL such as postgresql://user@host/dbname."
        )
    if isinstance(exc, sa_exc.ArgumentError) and "URL" in str(exc):
        return (
            f"{where}: this --db value is not a database URL. Give a SQLite file path, or a "
            "URL such as postgresql://user@host/dbname."
        )
    if isinstance(exc, ModuleNotFoundError) and exc.name and exc.name.split(".")[0] in DRIVERS:
        package = DRIVERS[exc.name.split(".")[0]]
        return (
            f"{where}: the database driver {exc.name!r} is not installed. Install it "
            f"(pip install {package}) or use a SQLite file."
        )
    message = _db_message(exc)
    if message is not None:
        return _storage(message.lower(), where)
    if isinstance(exc, OSError):
        return _os(exc, where)
    return None


def _storage(msg: str, where: str) -> str | None:
    if "locked" in msg or "database is busy" in msg:
        return (
            f"{where} is busy: another qualcode process kept it locked too long. "
            f"{NOT_STORED} Run the command again when that process has finished."
        )
    if "disk is full" in msg or "no space" in msg:
        return (
            f"The disk holding {where} is full. {NOT_STORED} Free some space (`df -h` shows "
            "how much is left) and run the command again."
        )
    if "readonly database" in msg or "read-only" in msg:
        return (
            f"{where} cannot be written: the file or its folder is read-only. {NOT_STORED} "
            "Ask for write permission on both (the project needs to create -wal and -shm "
            "files beside it), or work on a copy."
        )
    if "unable to open database file" in msg:
        return (
            f"{where} cannot be opened: the folder may not exist, or you may lack permission "
            "to create files in it (the project needs -wal and -shm files beside it). "
            "Check the path and the folder's permissions."
        )
    if "malformed" in msg or "not a database" in msg or "encrypted" in msg:
        return (
            f"{where} is damaged (truncated or corrupted). Run `qualcode check` to see what "
            "is wrong, and `qualcode restore BACKUP` to put back a backup (the damaged file "
            "is kept aside)."
        )
    if "disk i/o error" in msg:
        return (
            f"Writing {where} failed at the disk (full, removed or failing). {NOT_STORED} "
            "Check the disk, then run `qualcode check`."
        )
    if (
        "could not connect" in msg
        or "connection refused" in msg
        or "connection to server" in msg
        or "timeout expired" in msg
        or "could not translate host name" in msg
    ):
        return (
            f"Cannot reach the database server for {where}: it may be down or the address "
            "may be wrong. Check the --db URL and that the server is running, then try again."
        )
    if "password authentication failed" in msg or "role" in msg and "does not exist" in msg:
        return (
            f"The database server refused the login for {where}. Check the user name and "
            "password in the --db URL (or ~/.pgpass)."
        )
    return None


def _os(exc: OSError, where: str) -> str | None:
    name = exc.filename or where
    if exc.errno == errno.ENOSPC:
        return f"The disk is full while writing {name}. Free some space and run the command again."
    if exc.errno == errno.EDQUOT:
        return f"Your disk quota is used up while writing {name}. Free some space and try again."
    if exc.errno == errno.EROFS:
        return f"{name} is on a read-only file system. Write to another folder."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"No permission to use {name}. Check its permissions (and its folder's)."
    return None
