"""Charting from the command line: the matrix, summaries, workshop comments, chart exports."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from typing import Any

import click

from qualcode.cli.commands_export import (
    export_group,
    gate_kwargs,
    gate_options,
    note_override,
)
from qualcode.cli.main import CliState, cli, emit_json, pass_state

VALENCES = click.Choice(["facilitator", "barrier", "neutral", "none"], case_sensitive=False)


def matrix_filters(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options that choose a matrix's rows, columns and codings (shared by matrix and export)."""
    options = [
        click.option(
            "--by",
            type=click.Choice(["case", "participant"]),
            default="case",
            show_default=True,
            help="Rows: one per case, or one per participant (grouped under their case).",
        ),
        click.option(
            "--domain",
            "domains",
            multiple=True,
            metavar="NAME",
            help="Only these domains' codes (e.g. Context; 'Inductive' for the team's "
            "own codes). Repeatable.",
        ),
        click.option(
            "--code",
            "codes",
            multiple=True,
            metavar="PATH",
            help="Only these codes as columns (path or name). Repeatable.",
        ),
        click.option(
            "--no-rollup",
            is_flag=True,
            help="Count each code's own codings only (by default a construct column "
            "includes its child codes).",
        ),
        click.option(
            "--depth",
            type=int,
            metavar="N",
            help="Columns down to level N (0 = domains); deeper codes roll up into them.",
        ),
        click.option(
            "--valence",
            "valences",
            multiple=True,
            type=VALENCES,
            help="Only codings with this valence ('none': no valence). Repeatable.",
        ),
        click.option(
            "--coder",
            "coders",
            multiple=True,
            metavar="NAME",
            help="Only this coder's codings. Repeatable.",
        ),
        click.option(
            "--group",
            "groups",
            multiple=True,
            metavar="NAME",
            help="Only cases in this group (e.g. high, low, outlier). Repeatable.",
        ),
        click.option(
            "--case", "cases", multiple=True, metavar="NAME", help="Only this case. Repeatable."
        ),
        click.option(
            "--where",
            "where",
            multiple=True,
            metavar="EXPR",
            help="Only cases whose attributes match, in the group-rule language: e.g. "
            '"fidelity >= 10" or "locality == \'urban\' and engagement > 50". '
            "Repeatable (all must hold).",
        ),
        click.option(
            "--document",
            "documents",
            multiple=True,
            metavar="NAME",
            help="Only codings in this document. Repeatable.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _filters(kw: dict[str, Any]) -> dict[str, Any]:
    """The matrix options that name no code or document, as the spec builders take them."""
    return {
        "by": kw["by"],
        "domains": kw["domains"],
        "roll_up": not kw["no_rollup"],
        "max_depth": kw["depth"],
        "valences": kw["valences"],
        "coders": kw["coders"],
        "groups": kw["groups"],
        "cases": kw["cases"],
        "where": kw["where"],
    }


def _plain_spec(kw: dict[str, Any]) -> Any:
    """The spec of options that name no code or document (nothing to look up)."""
    # lazy: --help and the other commands do not need the listings
    from qualcode.services.listings import plain_spec

    return plain_spec(**_filters(kw))


def _spec(state: CliState, kw: dict[str, Any]) -> Any:
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.charting import make_spec

    return make_spec(state.project(), **_filters(kw), codes=kw["codes"], documents=kw["documents"])


@cli.command("matrix")
@matrix_filters
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table: counts on screen; json: every cell with its "
    "counts, coding ids and summary; csv: a count grid.",
)
@pass_state
def matrix_cmd(state: CliState, fmt: str, **kw: Any) -> None:
    """The framework matrix: codings per case (or participant) and code."""
    # lazy: --help and the other commands need neither the reading path nor the matrix
    from qualcode.cli.matrix_output import matrix_csv, matrix_json, matrix_table
    from qualcode.cli.reading import read_project
    from qualcode.services.listings import matrix_of

    if kw["codes"] or kw["documents"]:  # names to resolve: the codebook and document services
        # lazy: services load SQLAlchemy (~0.3 s); only --code and --document need them here
        from qualcode.services.charting import matrix

        m = matrix(state.project(), _spec(state, kw))
    else:
        m = read_project(state, lambda conn: matrix_of(conn, _plain_spec(kw)))
    if fmt == "json":
        emit_json(matrix_json(m))
    elif fmt == "csv":
        matrix_csv(m, sys.stdout)
    else:
        click.echo(matrix_table(m, width=shutil.get_terminal_size().columns))


@export_group.command("chart")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["docx", "xlsx", "csv", "html"]),
    help="Default: from OUT's ending.",
)
@matrix_filters
@click.option(
    "--quotes",
    "quotes",
    type=int,
    default=3,
    show_default=True,
    metavar="N",
    help="Illustrative quotes per cell (docx, xlsx, html); -1 for all.",
)
@click.option(
    "--max-columns",
    type=int,
    metavar="N",
    help="Split a domain into tables of at most N code columns (docx default 5).",
)
@click.option(
    "--repeat-child-quotes",
    is_flag=True,
    help="Also quote a child code's codings under its parent's column (by default "
    "they are quoted in the child's own column only).",
)
@gate_options
@pass_state
def export_chart_cmd(
    state: CliState,
    out: str,
    fmt: str | None,
    quotes: int,
    max_columns: int | None,
    repeat_child_quotes: bool,
    allow_identifiers: str | None,
    key_file: str | None,
    **kw: Any,
) -> None:
    """Export the framework chart to OUT (.docx, .xlsx, .csv or .html)."""
    # lazy, and first: the gate's scan process loads spaCy while this one loads the rest
    from qualcode.services.scan_ahead import start_scan_process

    start_scan_process()
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.charting import export_chart

    def progress(done: int, total: int, message: str) -> None:
        if sys.stderr.isatty():
            click.echo(f"\r{message} ({done}/{total})".ljust(60), err=True, nl=False)

    path = export_chart(
        state.project(),
        _spec(state, kw),
        out,
        fmt,
        quotes_per_cell=None if quotes < 0 else quotes,
        progress=progress,
        max_columns=max_columns,
        repeat_child_quotes=repeat_child_quotes,
        **gate_kwargs(allow_identifiers, key_file),
    )
    if sys.stderr.isatty():
        click.echo("", err=True)
    note_override(allow_identifiers)
    click.echo(f"Chart written to {path}")


@cli.group("summary")
def summary_group() -> None:
    """Write and read the analyst's cell summaries (charting)."""


ROW_OPTION = click.option(
    "--participant",
    "by_participant",
    is_flag=True,
    help="ROW is a participant id (e.g. S3PW1), not a case.",
)


@summary_group.command("set")
@click.argument("row")
@click.argument("code")
@click.argument("text", required=False)
@click.option(
    "--status",
    type=click.Choice(["draft", "reviewed"]),
    help="Default: a changed text becomes a draft; unchanged keeps its status.",
)
@ROW_OPTION
@pass_state
def summary_set(
    state: CliState, row: str, code: str, text: str | None, status: str | None, by_participant: bool
) -> None:
    """Write the summary of cell ROW × CODE.

    TEXT is the summary ('-' reads it from standard input; '' clears the cell).
    Without TEXT, --status alone marks the saved summary draft or reviewed.
    """
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.charting import set_summary_status, write_summary

    row_type = "participant" if by_participant else "case"
    if text is None:
        if status is None:
            raise click.UsageError("Give the summary TEXT ('-' for standard input), or --status.")
        info = set_summary_status(state.project(), row_type, row, code, status)
    else:
        if text == "-":
            text = sys.stdin.read()
        info = write_summary(state.project(), row_type, row, code, text, status=status)
    click.echo(f"Summary of {row} × {code}: {info.status} ({len(info.text)} characters).")


@summary_group.command("show")
@click.argument("row", required=False)
@click.argument("code", required=False)
@click.option("--status", type=click.Choice(["draft", "reviewed"]), help="Only this status.")
@click.option("--history", is_flag=True, help="With ROW and CODE: every saved version.")
@click.option("--json", "as_json", is_flag=True)
@ROW_OPTION
@pass_state
def summary_show(
    state: CliState,
    row: str | None,
    code: str | None,
    status: str | None,
    history: bool,
    as_json: bool,
    by_participant: bool,
) -> None:
    """Show summaries (all, a row's, or one cell's with --history)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services import charting

    p = state.project()
    row_type = "participant" if by_participant else None
    if history:
        if not (row and code):
            raise click.UsageError("--history needs ROW and CODE.")
        revs = charting.summary_history(p, row_type or "case", row, code)
        if as_json:
            emit_json(
                [
                    {
                        "id": r.id,
                        "text": r.text,
                        "status": r.status,
                        "author": r.author,
                        "saved_at": r.saved_at.isoformat(),
                    }
                    for r in revs
                ]
            )
            return
        for r in revs:
            click.secho(f"{r.saved_at:%Y-%m-%d %H:%M}  {r.status:<8} {r.author or '-'}", bold=True)
            click.echo(f"  {r.text or '(cleared)'}\n")
        if not revs:
            click.echo("No summary saved for that cell yet.")
        return
    items = charting.list_summaries(p, row_type=row_type, row=row, code=code, status=status)
    if as_json:
        emit_json([i.to_json() for i in items])
        return
    for i in items:
        where = i.row if i.row_type == "case" else f"{i.row} ({i.case})"
        click.secho(
            f"{where} × {'/'.join(i.code_path)}  [{i.status}, {i.author or '-'}, "
            f"{i.updated_at:%Y-%m-%d}]",
            bold=True,
        )
        click.echo(f"  {i.text}\n")
    click.echo(f"{len(items)} summaries.", err=True)


@summary_group.command("comment")
@click.argument("row")
@click.argument("code")
@click.argument("text")
@click.option("--author", help="Who said it (default: the coder).")
@ROW_OPTION
@pass_state
def summary_comment(
    state: CliState, row: str, code: str, text: str, author: str | None, by_participant: bool
) -> None:
    """Record a workshop comment on cell ROW × CODE (kept apart from the summary)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.charting import add_workshop_comment

    c = add_workshop_comment(
        state.project(), "participant" if by_participant else "case", row, code, text, author=author
    )
    click.echo(f"Workshop comment {c.id} by {c.author} recorded on {row} × {code}.")
