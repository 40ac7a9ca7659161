"""Shared fixtures: every test gets a fresh project database in its own folder."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as sql_text
from sqlalchemy.engine import make_url

from qualcode.services.cases import get_or_create_case
from qualcode.services.project import Project
from qualcode.store.models import Document, Participant

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip: that folder exists only in CI and development checkouts."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"{path} not present (../shared exists only in CI and the development checkout)"
        )
    return path


PG_ENV = "QUALCODE_TEST_PG_URL"
# Test modules whose `project` / `db_url` fixtures run on SQLite and on PostgreSQL (when
# $QUALCODE_TEST_PG_URL names a server; see .ci/postgres.sh). Others run on SQLite only.
BOTH_BACKENDS = {
    "test_store",
    "test_services_core",
    "test_cli",
    "test_concurrency",
    "test_agreement",
    "test_agreement_cli",
    "test_merge",
    "test_live_changes",
    "test_document_progress",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    uses_db = {"project", "db_url"} & set(metafunc.fixturenames)
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if uses_db and module in BOTH_BACKENDS:
        metafunc.parametrize("db_backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` unless the module runs on both backends (then each in turn)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_url(db_backend: str, tmp_path: Path) -> Iterator[str]:
    """Where a test's project lives: a SQLite file, or a new PostgreSQL database."""
    if db_backend == "sqlite":
        yield str(tmp_path / "project.db")
        return
    server = os.environ.get(PG_ENV)
    if not server:
        pytest.skip(
            f"PostgreSQL run skipped: ${PG_ENV} is not set (start a server with "
            "`bash .ci/postgres.sh start` and export the URL it prints)"
        )
    yield from fresh_pg_database(server)


def fresh_pg_database(server: str) -> Iterator[str]:
    """A new empty database on the server for one test, dropped afterwards."""
    name = f"qc_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sql_text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sql_text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def project(db_url: str) -> Project:
    """A new, empty project in a real SQLite file (or a PostgreSQL database, see above)."""
    return Project.open(db_url, coder="tester")


def add_document(
    project: Project, name: str, text: str, participant: str | None = None, case: str | None = None
) -> int:
    """Store a document directly (for service tests that are not about importing)."""
    with project.transaction("test document") as s:
        case_row = get_or_create_case(s, case)[0] if case else None
        part = None
        if participant:
            part = Participant(label=participant, case_id=case_row.id if case_row else None)
            s.add(part)
            s.flush()
        doc = Document(
            name=name,
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            word_count=len(text.split()),
            participant_id=part.id if part else None,
            case_id=case_row.id if case_row else None,
        )
        s.add(doc)
        s.flush()
        return doc.id
