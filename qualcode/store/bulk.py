"""Inserting many rows into one table inside the caller's transaction, quickly.

A Core ``insert()`` with a list of dicts runs every column's bind processor on every row
(a timestamp is formatted once per row: half the time of a 65k-row insert on SQLite).
On SQLite the rows go to the driver as tuples instead, each distinct value processed
once by the column type's own processor, so what is stored is exactly what the Core
insert stores. Other databases, and rows that leave a column to its Python-side
default (which Core computes per row), get the Core insert.

On SQLite the rows are written ``BLOCK`` to a statement (:func:`insert_blocks`): a table
with a row trigger (the progress notes on codings and segments) runs the trigger's
program once per row either way, but setting it up again for every one-row statement
cost as much as the rest of the insert (64,000 codings: 1.6-1.8 s one row per
statement, 0.93-0.96 s in blocks of 50).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert

_SQL: dict[tuple[str, str, tuple[str, ...]], tuple[str, tuple[str, ...]]] = {}
BLOCK = 50  # rows per INSERT statement on SQLite (fewer for a table of many columns)
# Bound values a statement may hold on SQLite built before 3.32 (32,766 since).
OLD_SQLITE_MAX_VALUES = 999


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (values in ``columns`` order) into ``table``: one executemany, of
    ``BLOCK`` rows to a statement on SQLite."""
    if not rows:
        return
    columns = tuple(columns)
    sql, order = _statement(conn, table, columns) if conn.dialect.name == "sqlite" else ("", ())
    if set(order) != set(columns):  # not SQLite, or a column left to its Python-side default
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    by_column = list(zip(*rows, strict=True))  # transposed: one tuple per column
    ordered = [by_column[columns.index(name)] for name in order]
    for k, name in enumerate(order):
        process = _processor(conn, table, name)
        if process is not None:
            ordered[k] = _processed(process, ordered[k])
    insert_blocks(conn.exec_driver_sql, sql, list(zip(*ordered, strict=True)))


def insert_dicts(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """:func:`insert_rows` for rows given as dicts naming the same columns; rows that name
    different columns (a rare mix) are inserted one by one, each with its own defaults."""
    if not rows:
        return
    columns = tuple(rows[0])
    if any(row.keys() != rows[0].keys() for row in rows):
        for row in rows:  # a Core executemany needs the same columns in every row
            conn.execute(insert(table), row)
        return
    insert_rows(conn, table, columns, [tuple(row[c] for c in columns) for row in rows])


def insert_blocks(
    run_many: Callable[[str, list[tuple[Any, ...]]], Any],
    one_row_sql: str,
    rows: Sequence[Sequence[Any]],
) -> None:
    """Run ``INSERT ... VALUES (?, ...)`` (one row's statement, positional parameters) for
    every row, ``BLOCK`` rows to a statement; ``run_many(sql, parameter tuples)`` runs a
    statement once per tuple (a SQLite driver's ``executemany``, or a SQLAlchemy
    connection's ``exec_driver_sql``)."""
    if not rows:
        return
    block = max(1, min(BLOCK, OLD_SQLITE_MAX_VALUES // max(1, len(rows[0]))))
    whole = len(rows) - len(rows) % block
    if whole:
        run_many(
            _block_sql(one_row_sql, block),
            [tuple(chain.from_iterable(rows[i : i + block])) for i in range(0, whole, block)],
        )
    if whole < len(rows):
        rest = rows[whole:]
        run_many(_block_sql(one_row_sql, len(rest)), [tuple(chain.from_iterable(rest))])


@lru_cache(maxsize=64)
def _block_sql(one_row_sql: str, rows: int) -> str:
    """The one-row INSERT with its ``VALUES`` tuple repeated for ``rows`` rows."""
    head, values = one_row_sql.rsplit(" VALUES ", 1)
    if not (values.startswith("(") and values.endswith(")") and "?" in values):
        raise ValueError(f"not a one-row INSERT with positional parameters: {one_row_sql}")
    return f"{head} VALUES " + ", ".join([values] * rows)


def _processed(process: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """``values`` as the dialect sends them, each distinct value processed once."""
    seen: dict[tuple[type, Any], Any] = {}
    out = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        try:
            key = (type(v), v)  # 1 and True are equal but may be sent differently
            if key not in seen:
                seen[key] = process(v)
            out.append(seen[key])
        except TypeError:  # an unhashable value (a JSON document): process it on its own
            out.append(process(v))
    return out


def _statement(
    conn: Connection, table: Table, columns: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """The dialect's INSERT text and the order of its positional parameters (built once)."""
    key = (conn.dialect.name, table.name, columns)
    if key not in _SQL:
        stmt = insert(table).values({name: bindparam(name) for name in columns})
        compiled = stmt.compile(dialect=conn.dialect)
        _SQL[key] = (str(compiled), tuple(compiled.positiontup or ()))
    return _SQL[key]


def _processor(conn: Connection, table: Table, name: str) -> Callable[[Any], Any] | None:
    """What the dialect does to a Python value of this column before it is sent (or None)."""
    return table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
