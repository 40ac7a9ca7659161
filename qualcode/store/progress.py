"""How much of each document is coded: one definition, stored per document, kept current.

Counting a document's coded share means merging its codings' ranges and clipping them to
its turns: quick for one document, but 0.5-1 s for 2,000 of them, which is what a list of
documents would pay on every opening. So each document's figures are stored in
``document_progress``. Database triggers note every document whose codings, turns or text
a write changes (in ``document_progress_stale``), whatever wrote them: the ORM, bulk Core
inserts, a cascade from deleting a code. Every write transaction then recounts the noted
documents before it commits (:func:`refresh_stale`), and readers count afresh any document
still noted, so a stored figure is never shown stale.

On PostgreSQL the noted row also orders concurrent writers: a second transaction that
touches the same document waits for the first to commit before it counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, text

from qualcode.store.sql import execute, fetch, id_list

_CHUNK = 500  # ids per IN list: well below every database's limit on bound values


class Progress(NamedTuple):
    """One document's figures: text length, what was said, what of it is coded, codings."""

    chars: int
    spoken_chars: int
    coded_chars: int
    codings: int


def merged_length(ranges: Iterable[tuple[int, int]]) -> int:
    """Total characters covered by possibly overlapping ranges."""
    total, cur_s, cur_e = 0, -1, -1
    for s, e in sorted(ranges):
        if s > cur_e:
            total += max(0, cur_e - cur_s)
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    return total + max(0, cur_e - cur_s)


def coded_share(
    text_length: int, turns: Iterable[tuple[int, int]], codings: Iterable[tuple[int, int]]
) -> tuple[int, int]:
    """``(coded, spoken)`` characters: the one definition of how much of a document is coded.

    What was said is the turns' text (speaker labels and timecodes left out), or the
    whole text when it has no turns; coded is the part of it that any coding covers
    (overlaps counted once). The home screen, the reader and ``qualcode documents``
    all show :func:`percent_of` these two numbers, so they always agree.
    """
    spoken = sorted(turns) or [(0, text_length)]
    merged: list[list[int]] = []
    for st, en in sorted(codings):
        if merged and st <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], en)
        elif en > st:
            merged.append([st, en])
    coded, i = 0, 0
    for ts, te in spoken:
        while i < len(merged) and merged[i][1] <= ts:
            i += 1
        j = i
        while j < len(merged) and merged[j][0] < te:
            coded += max(0, min(te, merged[j][1]) - max(ts, merged[j][0]))
            j += 1
    return coded, merged_length(spoken)


def percent_of(part: int, whole: int) -> int:
    """A whole percentage, halves rounded up (0 when there is nothing to count)."""
    return (200 * part + whole) // (2 * whole) if whole > 0 else 0


def _chunks(ids: Sequence[int] | None) -> Iterator[Sequence[int] | None]:
    if ids is None:
        yield None
        return
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


# Plain SQL on the driver's own connection (inside the caller's transaction): a coding
# recounts its document on every commit, and SQLAlchemy's statement handling cost more
# than the counting. Ids are written as integers (:func:`id_list`), so no parameters.
_DOCS = "SELECT id, length(text) FROM documents"
_CODINGS = 'SELECT document_id, start, "end" FROM codings'
_TURNS = "SELECT document_id, start, \"end\" FROM segments WHERE kind = 'turn'"


def _raw(conn: Connection) -> Any:
    return conn.connection.driver_connection


def measure(conn: Connection, ids: Sequence[int] | None = None) -> dict[int, Progress]:
    """Count the figures of the given documents (all when ``ids`` is None) from their rows."""
    raw = _raw(conn)
    out: dict[int, Progress] = {}
    for chunk in _chunks(ids):
        some = "" if chunk is None else f"document_id IN ({id_list(chunk)})"
        spans: dict[int, list[tuple[int, int]]] = {}
        for did, st, en in fetch(raw, _CODINGS + (f" WHERE {some}" if some else "")):
            spans.setdefault(did, []).append((st, en))
        spoken: dict[int, list[tuple[int, int]]] = {}
        for did, st, en in fetch(raw, _TURNS + (f" AND {some}" if some else "")):
            spoken.setdefault(did, []).append((st, en))
        docs = _DOCS + ("" if chunk is None else f" WHERE id IN ({id_list(chunk)})")
        for did, chars in fetch(raw, docs):
            mine = spans.get(did, [])
            coded, said = coded_share(chars or 0, spoken.get(did, []), mine)
            out[did] = Progress(chars or 0, said, coded, len(mine))
    return out


def _store(conn: Connection, figures: dict[int, Progress]) -> None:
    items = list(figures.items())
    raw = _raw(conn)
    for i in range(0, len(items), _CHUNK):
        values = ", ".join(f"({id_list((did, *p))})" for did, p in items[i : i + _CHUNK])
        execute(
            raw,
            "INSERT INTO document_progress "
            f"(document_id, chars, spoken_chars, coded_chars, codings) VALUES {values}",
        )


def refresh_stale(conn: Connection, known: dict[int, Progress] | None = None) -> None:
    """Recount the documents this transaction (or an interrupted writer) noted as changed.

    Called by every write just before it commits, in the same transaction; a query on
    an empty table when nothing was noted. ``known``: figures the caller has counted
    itself from the rows it just wrote (an import's new document: its text and turns,
    no codings), so they are not read back; any other noted document is counted here.
    """
    raw = _raw(conn)
    ids = [row[0] for row in fetch(raw, "SELECT document_id FROM document_progress_stale")]
    for chunk in _chunks(ids) if ids else ():
        assert chunk is not None
        some = id_list(chunk)
        execute(raw, f"DELETE FROM document_progress WHERE document_id IN ({some})")
        given = {i: known[i] for i in chunk if known and i in known}
        rest = [i for i in chunk if i not in given]
        _store(conn, {**given, **measure(conn, rest)} if rest else given)
        execute(raw, f"DELETE FROM document_progress_stale WHERE document_id IN ({some})")


def new_document(text: str, turns: Iterable[tuple[int, int]]) -> Progress | None:
    """The figures of a document just stored with these turns and no codings, as
    :func:`measure` would count them (None when only the database can: a NUL in the
    text, where SQLite's ``length`` stops)."""
    if "\0" in text:
        return None
    coded, spoken = coded_share(len(text), turns, ())
    return Progress(len(text), spoken, coded, 0)


def refresh_all(conn: Connection) -> None:
    """Recount every document (after a schema upgrade, which may rebuild tables)."""
    raw = _raw(conn)
    execute(raw, "DELETE FROM document_progress")
    _store(conn, measure(conn))
    execute(raw, "DELETE FROM document_progress_stale")


# -- triggers ---------------------------------------------------------------------------
# (table, event, row, condition): what marks a document stale. Updates of a coding's
# valence or memo, or of a turn's speaker, leave the figures as they are.
_MARKS: tuple[tuple[str, str, str, str], ...] = (
    ("codings", "INSERT", "NEW.document_id", ""),
    ("codings", "DELETE", "OLD.document_id", ""),
    ("codings", 'UPDATE OF document_id, start, "end"', "OLD.document_id", ""),
    ("codings", 'UPDATE OF document_id, start, "end"', "NEW.document_id", ""),
    ("segments", "INSERT", "NEW.document_id", "NEW.kind = 'turn'"),
    ("segments", "DELETE", "OLD.document_id", "OLD.kind = 'turn'"),
    (
        "segments",
        'UPDATE OF document_id, kind, start, "end"',
        "OLD.document_id",
        "OLD.kind = 'turn' OR NEW.kind = 'turn'",
    ),
    (
        "segments",
        'UPDATE OF document_id, kind, start, "end"',
        "NEW.document_id",
        "OLD.kind = 'turn' OR NEW.kind = 'turn'",
    ),
    ("documents", "INSERT", "NEW.id", ""),
    ("documents", "UPDATE OF text", "NEW.id", ""),
)


def _trigger_name(table: str, event: str, row: str) -> str:
    return f"progress_{table}_{event.split()[0].lower()}_{row.split('.')[0].lower()}"


def trigger_names() -> list[str]:
    """The names of the triggers :func:`install_triggers` makes (a test checks they exist)."""
    return [_trigger_name(t, e, r) for t, e, r, _ in _MARKS]


def _sqlite_ddl() -> Iterator[str]:
    for table, event, row, when in _MARKS:
        yield (
            f"CREATE TRIGGER IF NOT EXISTS {_trigger_name(table, event, row)} "
            f"AFTER {event} ON {table} FOR EACH ROW "
            + (f"WHEN {when} " if when else "")
            + "BEGIN INSERT OR IGNORE INTO document_progress_stale (document_id) "
            f"VALUES ({row}); END"
        )


def _postgresql_ddl() -> Iterator[str]:
    for table, event, row, when in _MARKS:
        fn = f"{_trigger_name(table, event, row)}_fn"
        yield (
            f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN INSERT INTO document_progress_stale (document_id) "
            f"VALUES ({row}) ON CONFLICT DO NOTHING; RETURN NULL; END $$"
        )
        yield (
            f"CREATE OR REPLACE TRIGGER {_trigger_name(table, event, row)} "
            f"AFTER {event} ON {table} FOR EACH ROW "
            + (f"WHEN ({when}) " if when else "")
            + f"EXECUTE FUNCTION {fn}()"
        )


def install_triggers(conn: Connection) -> None:
    """Make the triggers that note changed documents (no-op for those that exist)."""
    ddl = _postgresql_ddl() if conn.dialect.name == "postgresql" else _sqlite_ddl()
    for statement in ddl:
        conn.execute(text(statement))


def drop_triggers(conn: Connection) -> None:
    """Remove the triggers (the migration's downgrade)."""
    pg = conn.dialect.name == "postgresql"
    for table, event, row, _ in _MARKS:
        name = _trigger_name(table, event, row)
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if pg else "")))
        if pg:
            conn.execute(text(f"DROP FUNCTION IF EXISTS {name}_fn()"))


def existing_triggers(conn: Connection) -> set[str]:
    """Names of the progress triggers the database holds."""
    if conn.dialect.name == "postgresql":
        q = "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'progress_%'"
    else:
        q = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'progress_%'"
    return set(conn.execute(text(q)).scalars())


def after_upgrade(conn: Connection) -> None:
    """After a schema upgrade, the stored figures are current and their triggers in place.

    A migration that rebuilds a table (SQLite batch mode) drops that table's triggers,
    and may change codings after it did: then put them back and recount every document.
    """
    if existing_triggers(conn) != set(trigger_names()):
        install_triggers(conn)
        refresh_all(conn)
    else:
        refresh_stale(conn)
