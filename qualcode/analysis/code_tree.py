"""The codebook as one ordered tree: the single place that decides codebook order.

Depth-first, framework codes before inductive ones, then by sort order and name.
The codebook list, the matrix columns and the pattern table all walk this order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.store.models import Code


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
