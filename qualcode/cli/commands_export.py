"""``qualcode export ...``: the group that export commands (charts, patterns, REFI-QDA) join.

Every export passes the identifier check first; :func:`gate_options` adds the
options that go with it to each export command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from qualcode.cli.main import cli


@cli.group("export")
def export_group() -> None:
    """Export framework charts, pattern tables and REFI-QDA projects."""


def gate_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--allow-identifiers REASON and --key FILE, for every command that writes an export."""
    fn = click.option(
        "--key",
        "key_file",
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="Pseudonymisation key (CSV: real name,pseudonym) to check against "
        "(default: the one remembered by `check-names --remember-key`).",
    )(fn)
    return click.option(
        "--allow-identifiers",
        metavar="REASON",
        help="Export even though certain identifying details remain; the "
        "reason is recorded in the audit log.",
    )(fn)


def gate_kwargs(allow_identifiers: str | None, key_file: str | None) -> dict[str, Any]:
    """The keyword arguments an export service takes for the identifier check."""
    key = None
    if key_file:
        # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
        from qualcode.services.leaks import read_key

        key = read_key(key_file)
        for warning in key.warnings:
            click.secho(f"warning: {warning}", fg="yellow", err=True)
    return {"allow_identifiers": allow_identifiers, "key": key}


def note_override(allow_identifiers: str | None) -> None:
    """Remind the user that an override was recorded."""
    if allow_identifiers:
        click.secho(
            f"warning: identifier check overridden ({allow_identifiers.strip()}); "
            "recorded in the audit log.",
            fg="yellow",
            err=True,
        )
