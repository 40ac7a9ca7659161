"""``qualcode demo``: a ready-made project from the sample transcripts, opened in the workbench."""

from __future__ import annotations

import click
from click.core import ParameterSource

from qualcode.cli.main import CliState, cli, pass_state


@cli.command("demo")
@click.option(
    "--db",
    "db_path",
    metavar="PATH",
    help="Where to put the demo project (default ./qualcode-demo.db).",
)
@click.option("--fresh", is_flag=True, help="Rebuild the demo even if it exists.")
@click.option("--no-open", is_flag=True, help="Build (or find) the demo but do not open it.")
@pass_state
def demo(state: CliState, db_path: str | None, fresh: bool, no_open: bool) -> None:
    """Build a demo project from the sample transcripts and open it.

    The modified PARIHS framework, five sites with their attributes and groups,
    sixteen transcripts and first-pass codings. An existing demo is just opened.
    """
    # cycle: importing commands_tui on its own loads main, which registers this module
    from qualcode.cli.commands_tui import open_workbench

    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.demo import DEMO_DB, open_or_build_demo

    parent = click.get_current_context().parent
    given_globally = (
        parent is not None
        and state.db
        and parent.get_parameter_source("db") == ParameterSource.COMMANDLINE
    )
    db = db_path or (state.db if given_globally else None) or DEMO_DB
    if not fresh:
        click.echo(f"Opening the demo project {db} (building it if needed)...", err=True)
    project, summary = open_or_build_demo(db, fresh=fresh, coder=state.coder)
    for line in summary.lines():
        click.echo(line)
    if no_open:
        return
    demo_state = CliState(project.location, state.coder)
    demo_state._project = project
    open_workbench(demo_state)
