"""Storage layer: SQLAlchemy models, engine and session setup, migrations.

Imports nothing from Textual or spaCy. The names below load on first use, so that
the light modules of this package (:mod:`qualcode.store.readonly`, the schema head in
:mod:`qualcode.store.migrations`) can be imported without SQLAlchemy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["Base", "DEFAULT_DB", "open_engine", "resolve_url"]

_HOMES = {
    "Base": "qualcode.store.models",
    "DEFAULT_DB": "qualcode.store.location",
    "open_engine": "qualcode.store.engine",
    "resolve_url": "qualcode.store.location",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
