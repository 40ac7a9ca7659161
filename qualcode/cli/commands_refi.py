"""``qualcode export qdpx|qdc``: exchanging projects with NVivo, ATLAS.ti, MAXQDA, QualCoder.

(Importing goes through ``qualcode import FILE.qdpx|FILE.qdc``.)
"""

from __future__ import annotations

import click

from qualcode.cli.commands_export import export_group
from qualcode.cli.main import CliState, pass_state


@export_group.command("qdpx")
@click.argument("out", type=click.Path(dir_okay=False))
@pass_state
def export_qdpx_cmd(state: CliState, out: str) -> None:
    """Write the whole project as a REFI-QDA project (OUT.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    from qualcode.exchange.refi_export import export_qdpx

    for line in export_qdpx(state.project(), out).summary_lines():
        click.echo(line)


@export_group.command("qdc")
@click.argument("out", type=click.Path(dir_okay=False))
@pass_state
def export_qdc_cmd(state: CliState, out: str) -> None:
    """Write the codebook (codes, folders, colours, definitions) as a REFI-QDA codebook (OUT.qdc)."""
    from qualcode.exchange.refi_export import export_qdc

    for line in export_qdc(state.project(), out).summary_lines():
        click.echo(line)
