"""The codebook as one ordered tree: the single place that decides codebook order.

Depth-first, framework codes before inductive ones, then by sort order and name.
The codebook list, the matrix columns and the pattern table all walk this order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from qualcode.store.sql import driver_connection, fetch

if TYPE_CHECKING:  # a hint only: the plain-SQL readers here never load SQLAlchemy
    from sqlalchemy.orm import Session

PATH_SEP = "/"


@dataclass(frozen=True)
class CodeInfo:
    """A code as the UI and exports see it (a plain value, safe across threads)."""

    id: int
    name: str
    path: tuple[str, ...]
    parent_id: int | None
    origin: str
    codable: bool
    colour: str | None
    shortcut: str | None
    definition: str
    inclusion: str
    exclusion: str
    framework: str | None
    depth: int
    count: int
    guid: str | None = None

    @property
    def path_str(self) -> str:
        return PATH_SEP.join(self.path)


class CodeRow(NamedTuple):
    """A stored code, as the tree walks it (booleans as ``bool`` on every database)."""

    id: int
    parent_id: int | None
    framework_id: int | None
    origin: str
    name: str
    codable: bool
    definition: str
    inclusion: str
    exclusion: str
    colour: str | None
    shortcut: str | None
    sort_order: int
    guid: str | None


_CODE_COLUMNS = ", ".join(CodeRow._fields)


def ordered_code_rows(conn: Any) -> list[tuple[CodeRow, tuple[str, ...]]]:
    """Every code with its path of names from the root, over a DB-API connection."""
    rows = [
        CodeRow(*r[:5], bool(r[5]), *r[6:])
        for r in fetch(conn, f"SELECT {_CODE_COLUMNS} FROM codes")
    ]
    kids: dict[int | None, list[CodeRow]] = {}
    for row in rows:
        kids.setdefault(row.parent_id, []).append(row)
    for siblings in kids.values():
        siblings.sort(key=lambda c: (c.origin != "framework", c.sort_order, c.name.lower()))
    out: list[tuple[CodeRow, tuple[str, ...]]] = []

    def walk(parent: int | None, path: tuple[str, ...]) -> None:
        for row in kids.get(parent, []):
            here = path + (row.name,)
            out.append((row, here))
            walk(row.id, here)

    walk(None, ())
    return out


def ordered_codes(s: Session) -> list[tuple[CodeRow, tuple[str, ...]]]:
    """As :func:`ordered_code_rows`, inside an open SQLAlchemy session."""
    return ordered_code_rows(driver_connection(s))


def code_paths(session: Session) -> dict[int, tuple[str, ...]]:
    """Map code id -> names from the root (one query)."""
    return {c.id: path for c, path in ordered_codes(session)}


def code_infos(conn: Any) -> list[CodeInfo]:
    """All codes depth-first with their coding counts, over a DB-API connection."""
    counts = dict(fetch(conn, "SELECT code_id, count(*) FROM codings GROUP BY code_id"))
    fw = dict(fetch(conn, "SELECT id, key FROM frameworks"))
    return [
        CodeInfo(
            c.id,
            c.name,
            path,
            c.parent_id,
            c.origin,
            c.codable,
            c.colour,
            c.shortcut,
            c.definition,
            c.inclusion,
            c.exclusion,
            fw.get(c.framework_id),
            len(path) - 1,
            counts.get(c.id, 0),
            c.guid,
        )
        for c, path in ordered_code_rows(conn)
    ]


def codes_in_session(s: Session) -> list[CodeInfo]:
    """As ``list_codes`` inside an open session."""
    return code_infos(driver_connection(s))
