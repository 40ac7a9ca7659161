"""Alembic migrations for the project schema (one per release that changes it)."""

from __future__ import annotations

# The newest revision in versions/; a test checks it matches Alembic's head.
SCHEMA_HEAD = "0007"
