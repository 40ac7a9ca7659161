"""The people who code in this project, for pickers and filters."""

from __future__ import annotations

from sqlalchemy import func, select

from qualcode.services.project import Project
from qualcode.store.models import Coder, Coding


def coders_by_use(project: Project) -> list[tuple[str, int]]:
    """Every coder with how many codings they made, busiest first (one query)."""
    with project.read() as s:
        rows = s.execute(
            select(Coder.name, func.count(Coding.id))
            .outerjoin(Coding, Coding.coder_id == Coder.id)
            .group_by(Coder.id, Coder.name)
        ).all()
    return sorted(((n, int(k)) for n, k in rows), key=lambda r: (-r[1], r[0]))
