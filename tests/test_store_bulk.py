"""Bulk inserts: rows stored by ``insert_rows`` are exactly what a Core insert stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from qualcode.services.coding import add_coding
from qualcode.services.project import Project
from qualcode.store.bulk import BLOCK, insert_dicts, insert_rows
from qualcode.store.models import Code, Coding, Document
from tests.conftest import add_document

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite", "postgresql"], indirect=True)

COLUMNS = ("document_id", "start", "end", "code_id", "coder_id", "valence", "memo")
STAMPS = ("created_at", "updated_at")
TEXT = "Interviewer: How was it?\n\nP1: We did role plays. The staff were kind to us.\n"


def _setup(project: Project) -> tuple[int, int, int]:
    doc_id = add_document(project, "P1", TEXT)
    with project.transaction() as s:
        s.add(Code(name="Culture"))
        s.add(Code(name="Training"))
    first = add_coding(project, "P1", 30, 45, "Culture")  # makes the coder
    with project.transaction() as s:
        s.execute(delete(Coding).where(Coding.id == first.id))
        codes = list(s.scalars(select(Code.id).order_by(Code.id)))
    return doc_id, codes[0], codes[1]


def _stored(project: Project, code_id: int) -> list[tuple]:
    """The rows as the database holds them (plain SQL: timestamps as stored, not converted)."""
    sql = (
        'SELECT document_id, start, "end", coder_id, valence, memo, created_at, updated_at '
        "FROM codings WHERE code_id = :code ORDER BY start"
    )
    with project.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), {"code": code_id})]


def test_rows_are_stored_as_a_core_insert_stores_them(project: Project) -> None:
    doc_id, culture, training = _setup(project)
    with project.transaction() as s:
        coder = project.coder_id(s)
    now = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    later = datetime(2026, 3, 4, 5, 6, 8, tzinfo=UTC)
    spans = [
        (30, 45, "barrier", "first", now),
        (46, 70, None, "", later),
        (13, 24, "neutral", "", now),
    ]
    with project.transaction() as s:
        s.connection().execute(
            insert(Coding.__table__),
            [
                dict(zip(COLUMNS + STAMPS, (doc_id, a, b, culture, coder, v, m, t, t), strict=True))
                for a, b, v, m, t in spans
            ],
        )
    with project.transaction() as s:
        insert_rows(
            s.connection(),
            Coding.__table__,
            COLUMNS + STAMPS,
            [(doc_id, a, b, training, coder, v, m, t, t) for a, b, v, m, t in spans],
        )
    core, bulk = _stored(project, culture), _stored(project, training)
    assert len(bulk) == 3
    assert bulk == core  # same values, timestamps in the same stored form
    with project.read() as s:  # and they read back through the ORM as datetimes
        got = s.scalars(select(Coding.created_at).where(Coding.code_id == training)).all()
        assert sorted(t.replace(tzinfo=None) for t in got) == [
            now.replace(tzinfo=None),
            now.replace(tzinfo=None),
            later.replace(tzinfo=None),
        ]


def test_a_bad_row_fails_the_whole_insert(project: Project) -> None:
    doc_id, culture, _ = _setup(project)
    with project.transaction() as s:
        coder = project.coder_id(s)
    now = datetime.now(UTC)
    good, reversed_ = (doc_id, 30, 45, culture, coder, None, "", now, now), (doc_id, 50, 40)
    bad = reversed_ + good[3:]  # ends before it starts
    with pytest.raises(IntegrityError), project.transaction() as s:
        insert_rows(s.connection(), Coding.__table__, COLUMNS + STAMPS, [good, bad])
    with pytest.raises(IntegrityError), project.transaction() as s:  # the same coding twice
        insert_rows(s.connection(), Coding.__table__, COLUMNS + STAMPS, [good, good])
    with project.read() as s:
        assert s.scalars(select(Coding.id)).all() == []
        assert s.scalar(select(Document.id)) == doc_id


def test_columns_left_out_get_their_defaults(project: Project) -> None:
    doc_id, culture, _ = _setup(project)
    with project.transaction() as s:
        coder = project.coder_id(s)
        rows = [(doc_id, 30, 45, culture, coder, None, "")]
        insert_rows(s.connection(), Coding.__table__, COLUMNS, rows)
    with project.read() as s:
        stored = s.scalars(select(Coding)).one()
        assert (stored.start, stored.end) == (30, 45)
        assert stored.created_at is not None and stored.updated_at is not None


def test_nothing_to_insert_is_a_no_op(project: Project) -> None:
    with project.transaction() as s:
        insert_rows(s.connection(), Coding.__table__, COLUMNS, [])
    with project.read() as s:
        assert s.scalars(select(Coding.id)).all() == []


@pytest.mark.parametrize("count", [1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 17])
def test_every_row_is_stored_whatever_the_number(project: Project, count: int) -> None:
    """SQLite gets ``BLOCK`` rows to a statement and the rest in one shorter statement."""
    doc_id, culture, _ = _setup(project)
    with project.transaction() as s:
        coder = project.coder_id(s)
    now = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    rows = [
        (doc_id, i, i + 1 + i % 3, culture, coder, ("barrier", None)[i % 2], f"m{i}", now, now)
        for i in range(count)
    ]
    with project.transaction() as s:
        insert_rows(s.connection(), Coding.__table__, COLUMNS + STAMPS, rows)
        noted = (
            s.connection().execute(text("SELECT document_id FROM document_progress_stale")).all()
        )
    stored = _stored(project, culture)
    assert [(r[1], r[4], r[5]) for r in stored] == [(r[1], r[5], r[6]) for r in rows]
    assert noted == [(doc_id,)]  # the row trigger noted the document for its recount
    with project.read() as s:
        assert s.scalar(select(func.count()).select_from(Coding)) == count


def test_a_bad_row_in_a_later_block_fails_them_all(project: Project) -> None:
    doc_id, culture, _ = _setup(project)
    with project.transaction() as s:
        coder = project.coder_id(s)
    now = datetime.now(UTC)
    rows = [(doc_id, i, i + 1, culture, coder, None, "", now, now) for i in range(2 * BLOCK)]
    rows.append(rows[BLOCK + 3])  # the same coding twice, in the last statement
    with pytest.raises(IntegrityError), project.transaction() as s:
        insert_rows(s.connection(), Coding.__table__, COLUMNS + STAMPS, rows)
    with project.read() as s:
        assert s.scalars(select(Coding.id)).all() == []


def test_dict_rows_naming_different_columns_each_get_their_own(project: Project) -> None:
    doc_id, culture, training = _setup(project)
    with project.transaction() as s:
        coder = project.coder_id(s)
    now = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    same = dict(zip(COLUMNS + STAMPS, (doc_id, 30, 45, culture, coder, None, "a", now, now)))
    other = dict(zip(COLUMNS, (doc_id, 46, 70, training, coder, "barrier", "b")))  # no stamps
    with project.transaction() as s:
        insert_dicts(s.connection(), Coding.__table__, [same, {**same, "start": 31}])
        insert_dicts(s.connection(), Coding.__table__, [{**same, "start": 12}, other])
    assert [r[1:3] for r in _stored(project, culture)] == [(12, 45), (30, 45), (31, 45)]
    (left_out,) = _stored(project, training)
    assert left_out[1:6] == (46, 70, coder, "barrier", "b")
    assert left_out[6] is not None and left_out[7] is not None  # their defaults
