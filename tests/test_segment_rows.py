"""A document's segment rows are stored as given, whatever their number (SQLite writes
them ``SEGMENT_BLOCK`` rows per statement, the rest in one shorter statement)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.services.project import Project
from qualcode.services.transcript_rows import SEGMENT_BLOCK, insert_segments
from tests.conftest import add_document


def _rows(n: int) -> list[tuple[object, ...]]:
    return [
        ("turn" if i % 7 == 0 else "sentence", i + 1, i * 10, i * 10 + 9, f"Sp{i % 3}",
         None if i % 5 == 0 else i % 2, None if i % 4 == 0 else "participant",
         None if i % 3 else i * 1000)
        for i in range(n)
    ]  # fmt: skip


@pytest.mark.parametrize(
    "count", [0, 1, SEGMENT_BLOCK - 1, SEGMENT_BLOCK, SEGMENT_BLOCK + 1, 3 * SEGMENT_BLOCK + 17]
)
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
