"""Keys of the project settings that more than one layer reads or writes."""

from __future__ import annotations

GROUP_ATTRIBUTE_SETTING = "groups.attribute"
"""The case attribute whose value is each case's group (``qualcode group from ATTRIBUTE``)."""
