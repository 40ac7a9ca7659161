"""``qualcode import --merge FILE.qdpx``: the merge report on the terminal or as JSON."""

from __future__ import annotations

import click

from qualcode.cli.main import CliState, emit_json


def merge_files(
    state: CliState, paths: tuple[str, ...], merge_as: str | None, as_json: bool
) -> None:
    """Merge each file in turn (each one is all or nothing)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.merging import merge_qdpx

    bad = [p for p in paths if not p.lower().endswith((".qdpx", ".qde"))]
    if bad:
        raise click.UsageError(f"--merge takes REFI-QDA projects (.qdpx, .qde), not {bad[0]}.")
    project = state.project()
    reports = [merge_qdpx(project, p, coder=merge_as) for p in paths]
    if as_json:
        emit_json([r.to_json() for r in reports] if len(reports) > 1 else reports[0].to_json())
        return
    for r in reports:
        for line in r.summary_lines():
            click.echo(line)
