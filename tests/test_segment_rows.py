"""A document's segment rows are stored as given, whatever their number (SQLite writes
them ``BLOCK`` rows per statement, the rest in one shorter statement)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.services.project import Project
from qualcode.services.transcript_rows import insert_segments
from qualcode.store.bulk import BLOCK, OLD_SQLITE_MAX_VALUES, insert_blocks
from tests.conftest import add_document


def _rows(n: int) -> list[tuple[object, ...]]:
    return [
        ("turn" if i % 7 == 0 else "sentence", i + 1, i * 10, i * 10 + 9, f"Sp{i % 3}",
         None if i % 5 == 0 else i % 2, None if i % 4 == 0 else "participant",
         None if i % 3 else i * 1000)
        for i in range(n)
    ]  # fmt: skip


@pytest.mark.parametrize("count", [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 17])
def test_every_row_is_stored_in_order(tmp_path: Path, count: int) -> None:
    project = Project.open(tmp_path / "p.db", coder="tester", create=True)
    doc = add_document(project, "D1", "x" * 10_000)
    other = add_document(project, "D2", "y" * 10)
    rows = _rows(count)
    with project.engine.begin() as conn:
        insert_segments(conn, doc, rows)
        insert_segments(conn, other, _rows(2))
    with project.engine.connect() as conn:
        stored = conn.exec_driver_sql(
            'SELECT kind, seq, start, "end", speaker, is_participant, role, timecode_ms '
            "FROM segments WHERE document_id = ? ORDER BY id",
            (doc,),
        ).all()
    assert [tuple(r) for r in stored] == rows


def test_a_wide_table_gets_fewer_rows_to_a_statement() -> None:
    """An old SQLite takes at most 999 values a statement: 50 rows of 30 columns would not do."""
    sent: list[tuple[str, int]] = []
    one = f"INSERT INTO t ({', '.join(f'c{i}' for i in range(30))}) VALUES ({', '.join('?' * 30)})"
    rows = [tuple(range(i, i + 30)) for i in range(70)]
    insert_blocks(lambda sql, params: sent.extend((sql, len(p)) for p in params), one, rows)
    per = OLD_SQLITE_MAX_VALUES // 30  # 33 rows
    assert [n for _, n in sent] == [per * 30, per * 30, (70 - 2 * per) * 30]
    assert all(sql.count("?") == n for sql, n in sent)
