"""The open project: one database, a session per operation, an audit entry per change.

Lives in the store layer so that every layer above (ingest, exchange, services) can be
handed a project without importing the service layer.

Every user operation runs in ``project.transaction(...)``: one transaction that
commits when the block ends (so work is saved at once) or rolls back entirely
on error (so nothing is half-written). On SQLite it takes the write lock when it
begins, waiting (and saying so) while another process writes; reads never wait.
Sessions are never shared between threads: each call makes its own.
"""

from __future__ import annotations

import getpass
import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from qualcode.store.engine import close_engine, open_engine, reading, set_busy_notifier
from qualcode.store.models import AuditEntry, Coder, Setting
from qualcode.store.progress import refresh_stale
from qualcode.store.sql import driver_connection

CODER_ENV = "QUALCODE_CODER"


def on_busy(notify: Callable[[str], None] | None) -> None:
    """Who hears "the project is busy; waiting…" while a write waits for another process."""
    set_busy_notifier(notify)


def default_coder_name() -> str:
    """``$QUALCODE_CODER``, else the login name."""
    name = os.environ.get(CODER_ENV)
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:
        return "coder"


_AUDIT_INSERT = insert(AuditEntry.__table__)
_CODER_ID = select(Coder.id).where(Coder.name == bindparam("name"))


class Project:
    """A handle on one project database; cheap to share, safe across threads."""

    def __init__(self, engine: Engine, coder: str | None = None) -> None:
        self.engine = engine
        self.coder_name = coder or default_coder_name()
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._reads = sessionmaker(reading(engine), expire_on_commit=False)

    @classmethod
    def open(
        cls,
        db: str | os.PathLike[str] | None = None,
        *,
        coder: str | None = None,
        create: bool = True,
    ) -> Project:
        """Open the project at a path or URL (``--db`` / ``$QUALCODE_DB`` / ./qualcode.db)."""
        project = cls(open_engine(db, create=create), coder=coder)
        project._ensure_identity()
        return project

    @property
    def location(self) -> str:
        url = self.engine.url
        return url.database if url.get_backend_name() == "sqlite" and url.database else str(url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (nothing is committed; never waits for a writer)."""
        with self._reads() as session:
            yield session

    @contextmanager
    def read_rows(self) -> Iterator[Any]:
        """A read as a DB-API connection, for the plain-SQL readers of :mod:`qualcode.store.sql`."""
        with self.read() as session:
            yield driver_connection(session)

    @contextmanager
    def transaction(self, operation: str | None = None, **detail: Any) -> Iterator[Session]:
        """One user operation: commit at the end, roll back on any error; audit it."""
        with self._sessions.begin() as session:
            yield session
            session.flush()  # the ORM's pending rows, so the triggers have noted them
            refresh_stale(session.connection())
            if operation:
                session.connection().execute(
                    _AUDIT_INSERT,
                    {  # a plain row on the session's connection: no ORM work for it
                        "coder": self.coder_name,
                        "operation": operation,
                        "detail": json.dumps(detail, default=str, ensure_ascii=False),
                    },
                )

    def coder_key(self, name: str | None = None) -> str:
        """The name a coder is stored under (the current one by default)."""
        return (name or self.coder_name).strip() or "coder"

    def coder_id(self, session: Session, name: str | None = None) -> int:
        """The id of a coder (the current one by default), created on first use.

        Insert-or-get: if another process creates the same coder at the same moment
        (possible on PostgreSQL; SQLite write transactions never overlap), the
        insert is rolled back to a savepoint and their row is used.
        """
        name = self.coder_key(name)
        session.flush()  # as an ORM query would: a coder added in this session is found
        for _ in range(3):
            found = session.connection().scalar(_CODER_ID, {"name": name})
            if found is not None:
                return found
            try:
                with session.begin_nested():
                    coder = Coder(name=name)
                    session.add(coder)
                return coder.id
            except IntegrityError:
                continue
        raise RuntimeError(f"coder {name!r} could be neither created nor found")

    def close(self) -> None:
        """Checkpoint the WAL into the project file and close connections (at exit)."""
        close_engine(self.engine)

    def setting(self, key: str, default: str | None = None) -> str | None:
        with self.read() as s:
            row = s.get(Setting, key)
            return row.value if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction("set setting", key=key, value=value) as s:
            s.merge(Setting(key=key, value=value))

    @property
    def name(self) -> str:
        return self.setting("project.name") or "Untitled project"

    @property
    def uuid(self) -> str:
        """A stable id for the project (namespace for exported GUIDs)."""
        return self.setting("project.uuid") or ""

    def _ensure_identity(self) -> None:
        with self._reads() as s:  # a read first: opening a project writes nothing
            known = s.scalar(
                select(func.count())
                .select_from(Setting.__table__)
                .where(Setting.__table__.c.key.in_(("project.uuid", "project.name")))
            )
        if known == 2:
            return
        with self._sessions.begin() as s:
            if s.get(Setting, "project.uuid") is None:
                s.add(Setting(key="project.uuid", value=str(uuid.uuid4())))
            if s.get(Setting, "project.name") is None:
                loc = self.location
                stem = os.path.splitext(os.path.basename(loc))[0] if loc else "project"
                s.add(Setting(key="project.name", value=stem or "project"))
