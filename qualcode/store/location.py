"""Where the project is: ``--db`` / ``$QUALCODE_DB`` / ./qualcode.db, as a URL.

Kept free of SQLAlchemy so the read-only listing path can find the file without it.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = "qualcode.db"
ENV_VAR = "QUALCODE_DB"
SQLITE_HEADER = b"SQLite format 3\x00"


def project_value(db: str | os.PathLike[str] | None = None) -> str:
    """The project as given: ``--db``, else ``$QUALCODE_DB``, else the default file."""
    return str(db) if db else os.environ.get(ENV_VAR) or DEFAULT_DB


def resolve_url(db: str | os.PathLike[str] | None = None) -> str:
    """Turn ``--db`` / ``$QUALCODE_DB`` / the default into a SQLAlchemy URL."""
    value = project_value(db)
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"
