"""``qualcode export ...``: the group that export commands (charts, patterns, REFI-QDA) join."""

from __future__ import annotations

from qualcode.cli.main import cli


@cli.group("export")
def export_group() -> None:
    """Export framework charts, pattern tables and REFI-QDA projects."""
