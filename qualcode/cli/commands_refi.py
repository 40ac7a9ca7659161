"""``qualcode export qdpx|qdc``: exchanging projects with NVivo, ATLAS.ti, MAXQDA, QualCoder.

(Importing goes through ``qualcode import FILE.qdpx|FILE.qdc``.)
"""

from __future__ import annotations

import click

from qualcode.cli.commands_export import (
    export_group,
    gate_kwargs,
    gate_options,
    note_override,
)
from qualcode.cli.main import CliState, pass_state


@export_group.command("qdpx")
@click.argument("out", type=click.Path(dir_okay=False))
@gate_options
@pass_state
def export_qdpx_cmd(
    state: CliState, out: str, allow_identifiers: str | None, key_file: str | None
) -> None:
    """Write the whole project as a REFI-QDA project (OUT.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.refi import export_qdpx_checked

    report = export_qdpx_checked(state.project(), out, **gate_kwargs(allow_identifiers, key_file))
    for line in report.summary_lines():
        click.echo(line)
    note_override(allow_identifiers)


@export_group.command("qdc")
@click.argument("out", type=click.Path(dir_okay=False))
@gate_options
@pass_state
def export_qdc_cmd(
    state: CliState, out: str, allow_identifiers: str | None, key_file: str | None
) -> None:
    """Write the codebook (codes, folders, colours, definitions) as a REFI-QDA codebook (OUT.qdc)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.refi import export_qdc_checked

    report = export_qdc_checked(state.project(), out, **gate_kwargs(allow_identifiers, key_file))
    for line in report.summary_lines():
        click.echo(line)
    note_override(allow_identifiers)
