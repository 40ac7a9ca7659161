"""The codebook as one ordered tree: the single place that decides codebook order.

Depth-first, framework codes before inductive ones, then by sort order and name.
The codebook list, the matrix columns and the pattern table all walk this order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.store.models import Code, Coding, Framework

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


def ordered_codes(s: Session) -> list[tuple[Any, tuple[str, ...]]]:
    """Every code row (all ``Code`` columns) with its path of names from the root."""
    rows = s.execute(select(*Code.__table__.columns)).all()
    kids: dict[int | None, list[Any]] = {}
    for row in rows:
        kids.setdefault(row.parent_id, []).append(row)
    for siblings in kids.values():
        siblings.sort(key=lambda c: (c.origin != "framework", c.sort_order, c.name.lower()))
    out: list[tuple[Any, tuple[str, ...]]] = []

    def walk(parent: int | None, path: tuple[str, ...]) -> None:
        for row in kids.get(parent, []):
            here = path + (row.name,)
            out.append((row, here))
            walk(row.id, here)

    walk(None, ())
    return out


def code_paths(session: Session) -> dict[int, tuple[str, ...]]:
    """Map code id -> names from the root (one query)."""
    return {c.id: path for c, path in ordered_codes(session)}


def codes_in_session(s: Session) -> list[CodeInfo]:
    """As ``list_codes`` inside an open session."""
    # Table columns, not ORM attributes: a listing then never configures every mapper
    # (about a tenth of `qualcode code list` as a command; bench/bench_scale.py).
    codings, frameworks = Coding.__table__.c, Framework.__table__.c
    counts = dict(s.execute(select(codings.code_id, func.count()).group_by(codings.code_id)).all())
    fw = dict(s.execute(select(frameworks.id, frameworks.key)).all())
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
        for c, path in ordered_codes(s)
    ]
