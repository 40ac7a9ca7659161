"""Opening the workbench (the Textual app) from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from qualcode.cli.main import CliState, cli, pass_state, startup_finished


def open_workbench(state: Any) -> None:
    """Open the TUI on the project (imports Textual only now).

    In a folder with no project (and a terminal to show it in) the welcome screen
    comes first: start a project, open one, or open the demo.
    """
    start_mode = "home"
    missing = _missing_project_file(state.db)
    if missing is not None and sys.stdin.isatty() and sys.stdout.isatty():
        # lazy: Textual takes ~0.2 s to import; only the workbench needs it
        from qualcode.tui.welcome_app import run_welcome

        startup_finished()
        choice = run_welcome(missing, state.coder)
        if choice is None:
            return
        # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
        from qualcode.services.project import Project

        state._project = Project.open(choice.path, coder=state.coder, create=False)
        start_mode = choice.start_mode
    project = state.project()
    # lazy: Textual takes ~0.2 s to import; only the workbench needs it
    from qualcode.tui.app import run_workbench

    startup_finished()  # the workbench runs for hours: collect as usual from here
    try:
        run_workbench(project, start_mode=start_mode)
    finally:
        # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
        from qualcode.services.safekeeping import automatic_backup

        _made, problem = automatic_backup(project, "after-workbench")
        if problem:
            click.secho(f"warning: {problem}", fg="yellow", err=True)


def _missing_project_file(db: str | None) -> Path | None:
    """The SQLite file the project would be in, if it does not exist yet."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from sqlalchemy.engine import make_url

    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.store.engine import resolve_url

    url = make_url(resolve_url(db))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return path if not path.exists() and path.parent.is_dir() else None


@cli.command("open")
@pass_state
def open_cmd(state: CliState) -> None:
    """Open the workbench on the project."""
    open_workbench(state)
