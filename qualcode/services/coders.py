"""The people who code in this project, for pickers and filters."""

from __future__ import annotations

import json

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


READER_CODERS_SETTING = "reader.coders"


def reader_coders(project: Project) -> tuple[str, ...]:
    """Whose codings the reader shows in this project; empty means everyone's."""
    value = project.setting(READER_CODERS_SETTING) or "[]"
    try:
        names = json.loads(value)
    except ValueError:
        return ()  # an unreadable value (edited by hand) falls back to everyone's codings
    return tuple(n for n in names if isinstance(n, str)) if isinstance(names, list) else ()


def set_reader_coders(project: Project, coders: tuple[str, ...]) -> tuple[str, ...]:
    """Remember whose codings the reader shows (one committed setting); returns them."""
    chosen = tuple(sorted(set(coders)))
    project.set_setting(READER_CODERS_SETTING, json.dumps(list(chosen)))
    return chosen
