"""What a transcript becomes in the database: its segment rows, and inserts made directly.

Built apart from the import's run (``transcript_store``) so that each stays small:
the rows of one file from its turns and sentences, and the statements that write a
file's document, segment and audit rows straight to SQLite's driver.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, insert

from qualcode.ingest.participants import ParticipantId
from qualcode.ingest.readers import IngestWarning
from qualcode.ingest.turns import Turn
from qualcode.store.bulk import insert_blocks
from qualcode.store.models import Segment, utcnow
from qualcode.store.progress import Progress, new_document

if TYPE_CHECKING:
    from qualcode.services.transcript_store import _Parsed


@dataclass
class Prepared:
    """A transcript ready to store: the document row, its segments, who it is from."""

    path: Path
    values: dict[str, Any]
    rows: list[tuple[Any, ...]]  # (kind, seq, start, end, speaker, is_participant, role, ms)
    participant: ParticipantId | None
    replace_id: int | None
    warnings: list[IngestWarning] = field(default_factory=list)
    progress: Progress | None = None  # its figures once stored as a new document


def prepare(parsed: _Parsed, sentences: list[tuple[int, int, int]]) -> Prepared:
    turns = parsed.turns
    flags = [None if t.is_participant is None else int(t.is_participant) for t in turns]
    rows = [
        ("turn", i, t.start, t.end, t.speaker, flag, t.role, t.timecode)
        for i, (t, flag) in enumerate(zip(turns, flags, strict=True), 1)
    ]
    times = sentence_times(parsed.times, turns, sentences)
    rows += [
        ("sentence", i, a, b, turns[ti].speaker, flags[ti], turns[ti].role, ms)
        for i, ((a, b, ti), ms) in enumerate(zip(sentences, times, strict=True), 1)
    ]
    return Prepared(
        parsed.path,
        parsed.values,
        rows,
        parsed.participant,
        parsed.replace_id,
        parsed.warnings,
        new_document(parsed.text, parsed.ranges),
    )


def sentence_times(
    times: list[tuple[int, int]], turns: Sequence[Turn], sentences: list[tuple[int, int, int]]
) -> list[int | None]:
    """Each sentence's timecode: the cue it starts in (caption files), else its turn's."""
    if not times:
        return [turns[ti].timecode for _, _, ti in sentences]

    offsets = [o for o, _ in times]
    out: list[int | None] = []
    for a, _, ti in sentences:
        k = bisect_right(offsets, a) - 1
        out.append(times[k][1] if k >= 0 and offsets[k] >= turns[ti].start else turns[ti].timecode)
    return out


SEGMENT_COLUMNS = (
    "document_id",
    "kind",
    "seq",
    "start",
    "end",
    "speaker",
    "is_participant",
    "role",
    "timecode_ms",
)
_SEGMENTS_INSERT = (
    f"INSERT INTO segments ({', '.join(chr(34) + c + chr(34) for c in SEGMENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(SEGMENT_COLUMNS))})"
)


def insert_row(conn: Any, table: Table, values: dict[str, Any], stamp: str) -> int:
    """Insert one row stamped with the time now (its ``stamp`` column); returns its id.

    On SQLite the statement goes to the driver directly, the time written by the
    column's own type as SQLAlchemy would write it: the ORM's statement handling
    cost more than the row itself, twice per file.
    """
    if conn.dialect.name != "sqlite":
        return conn.execute(insert(table), values).inserted_primary_key[0]  # type: ignore[no-any-return]
    dialect = conn.dialect
    write = dialect.type_descriptor(table.c[stamp].type).bind_processor(dialect)
    now = utcnow()
    names = [*values, stamp]
    columns = ", ".join('"' + n + '"' for n in names)
    sql = f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join('?' * len(names))})"
    params = (*values.values(), write(now) if write is not None else now)
    cursor = conn.connection.driver_connection.execute(sql, params)
    return cursor.lastrowid  # type: ignore[no-any-return]


def insert_segments(conn: Any, document_id: int, rows: list[tuple[Any, ...]]) -> None:
    """All turns and sentences of a document; on SQLite, ``BLOCK`` rows to a statement.

    On SQLite the row tuples go to the driver as they are: SQLAlchemy's per-row
    parameter processing would otherwise cost more than the insert itself, and one
    statement per row took a quarter longer for an import's 142,000 segment rows.
    """
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        driver = conn.connection.driver_connection
        insert_blocks(driver.executemany, _SEGMENTS_INSERT, [(document_id, *r) for r in rows])
        return
    conn.execute(
        insert(Segment.__table__),
        [dict(zip(SEGMENT_COLUMNS, (document_id, *r), strict=True)) for r in rows],
    )
