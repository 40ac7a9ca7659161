"""Stored values as the layers above read them, without SQLAlchemy.

The models (:mod:`qualcode.store.models`) and the plain-SQL read path
(:mod:`qualcode.store.sql`) both use these, so a value reads the same either way.
"""

from __future__ import annotations

VALENCES = ("facilitator", "barrier", "neutral")


def attribute_value(
    value_type: str, number: float | None, text: str | None
) -> float | int | str | None:
    """A typed attribute's value: whole numbers as int, other numbers as float, else text."""
    if value_type == "number":
        return int(number) if number is not None and float(number).is_integer() else number
    return text
