"""``qualcode backup``, ``qualcode restore`` and ``qualcode check``: keeping the project safe."""

from __future__ import annotations

import sys

import click

from qualcode.cli.main import CliState, cli, emit_json, pass_state


@cli.command("backup")
@click.argument("dest", required=False, type=click.Path())
@click.option("--list", "list_only", is_flag=True, help="List the project's backups instead.")
@pass_state
def backup_cmd(state: CliState, dest: str | None, list_only: bool) -> None:
    """Copy the project, with its latest work, to DEST (a new file or a folder).

    Safe while others are coding. Without DEST the copy goes to the backups folder
    (next to the project, or $QUALCODE_BACKUP_DIR). A PostgreSQL project is backed
    up with pg_dump instead.
    """
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services import safekeeping

    if list_only:
        folder, keep, found = safekeeping.backups(state.db)
        click.echo(f"Backups in {folder} (the newest {keep} automatic ones are kept):")
        for b in found:
            kind = "automatic" if b.automatic else "by hand"
            click.echo(
                f"  {b.made_at:%Y-%m-%d %H:%M:%S}  {b.size / 1e6:7.1f} MB  {kind:9}  {b.path}"
            )
        if not found:
            click.echo("  (none yet)")
        return
    path = safekeeping.backup(state.db, dest)
    click.echo(f"Backed up to {path} (owner-only; restore with `qualcode restore {path}`).")


@cli.command("restore")
@click.argument("backup", type=click.Path())
@click.option("--yes", is_flag=True, help="Replace the project without asking.")
@pass_state
def restore_cmd(state: CliState, backup: str, yes: bool) -> None:
    """Put a backup back in place of the project; the replaced project is kept aside."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services import safekeeping

    target = safekeeping.project_file(state.db)
    if target.exists() and not yes:
        if not sys.stdin.isatty():
            raise click.UsageError(
                f"restoring replaces {target}; add --yes to confirm "
                "(the replaced project is kept aside)."
            )
        click.confirm(
            f"Replace {target} with {backup}? (the current project is kept aside)", abort=True
        )
    result = safekeeping.restore(state.db, backup)
    click.echo(f"Restored {result.project} from {result.restored_from}.")
    if result.replaced_kept_as:
        click.echo(f"The replaced project is kept as {result.replaced_kept_as}.")


@cli.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_state
def check_cmd(state: CliState, as_json: bool) -> None:
    """Check the project file for damage (SQLite integrity and reference checks).

    Exit status 1 if anything is wrong; the output says what to do.
    """
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services import safekeeping

    report = safekeeping.check(state.db)
    if as_json:
        emit_json(
            {
                "file": str(report.path),
                "ok": report.ok,
                "summary": report.headline,
                "details": report.details,
                "advice": report.advice,
                "schema": report.revision,
            }
        )
    else:
        for line in report.lines():
            click.echo(line)
    if not report.ok:
        sys.exit(1)
