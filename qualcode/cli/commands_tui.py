"""Opening the workbench (the Textual app) from the command line."""

from __future__ import annotations

from typing import Any

import click

from qualcode.cli.main import CliState, cli, pass_state, startup_finished


def open_workbench(state: Any) -> None:
    """Open the TUI on the project (imports Textual only now)."""
    project = state.project()
    from qualcode.tui.app import run_workbench

    startup_finished()  # the workbench runs for hours: collect as usual from here
    try:
        run_workbench(project)
    finally:
        from qualcode.services.safekeeping import automatic_backup

        _made, problem = automatic_backup(project, "after-workbench")
        if problem:
            click.secho(f"warning: {problem}", fg="yellow", err=True)


@cli.command("open")
@pass_state
def open_cmd(state: CliState) -> None:
    """Open the workbench on the project."""
    open_workbench(state)
