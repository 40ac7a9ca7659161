"""Inserting many rows into one table inside the caller's transaction, quickly.

A Core ``insert()`` with a list of dicts runs every column's bind processor on every row
(a timestamp is formatted once per row: half the time of a 65k-row insert on SQLite).
On SQLite the rows go to the driver's ``executemany`` as tuples instead, each distinct
value processed once by the column type's own processor, so what is stored is exactly
what the Core insert stores. Other databases, and rows that leave a column to its
Python-side default (which Core computes per row), get the Core insert.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert

_SQL: dict[tuple[str, str, tuple[str, ...]], tuple[str, tuple[str, ...]]] = {}


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (values in ``columns`` order) into ``table`` in one statement."""
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
    conn.exec_driver_sql(sql, list(zip(*ordered, strict=True)))


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
