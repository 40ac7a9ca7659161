"""Noticing that someone else changed the project, so open screens can refresh.

SQLite: ``PRAGMA data_version`` on one connection of our own changes whenever another
connection commits, and costs no I/O to ask. PostgreSQL (or any other server): the
newest audit entry; every user operation writes one in its own transaction.
"""

from __future__ import annotations

import sqlite3
import threading

from sqlalchemy import func, select

from qualcode.services.project import Project
from qualcode.store.models import AuditEntry


class ChangeWatcher:
    """``changed()`` is True once after each change committed since the last call."""

    def __init__(self, project: Project) -> None:
        self.project = project
        url = project.engine.url
        self._sqlite_path = url.database if url.get_backend_name() == "sqlite" else None
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._last: int | None = None
        self.changed()  # the state as it is now is the baseline

    def _version(self) -> int:
        if self._sqlite_path and self._sqlite_path != ":memory:":
            if self._conn is None:
                # Its own connection: data_version counts commits made by other connections.
                self._conn = sqlite3.connect(self._sqlite_path, check_same_thread=False)
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        with self.project.read() as s:
            return int(s.scalar(select(func.max(AuditEntry.id))) or 0)

    def version(self) -> int:
        """A number that changes whenever a change is committed (safe from any thread)."""
        with self._lock:
            return self._version()

    def changed(self) -> bool:
        """Whether anything was committed since the last call (safe from any thread)."""
        with self._lock:
            now = self._version()
            before, self._last = self._last, now
            return before is not None and now != before

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class ProjectVersion:
    """The project's change number (see :meth:`ChangeWatcher.version`) and whether it
    moved (:meth:`changed`), read from worker threads through one watcher opened on
    first use (opening it reads the project)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._watcher: ChangeWatcher | None = None
        self._lock = threading.Lock()

    def _opened(self) -> ChangeWatcher:
        with self._lock:
            if self._watcher is None:
                self._watcher = ChangeWatcher(self.project)
            return self._watcher

    def __call__(self) -> int:
        return self._opened().version()

    def changed(self) -> bool:
        """See :meth:`ChangeWatcher.changed`."""
        return self._opened().changed()

    def close(self) -> None:
        with self._lock:
            if self._watcher is not None:
                self._watcher.close()
                self._watcher = None
