"""Storage layer: SQLAlchemy models, engine and session setup, migrations.

Imports nothing from Textual or spaCy.
"""

from __future__ import annotations

from qualcode.store.engine import DEFAULT_DB, open_engine, resolve_url
from qualcode.store.models import Base

__all__ = ["Base", "DEFAULT_DB", "open_engine", "resolve_url"]
