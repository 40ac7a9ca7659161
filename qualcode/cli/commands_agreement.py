"""``qualcode agreement``: how far coders agree, per code and pooled."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from qualcode.cli.commands_export import gate_kwargs, gate_options
from qualcode.cli.main import CliState, cli, emit_json, pass_state

EXPORTS = (".docx", ".xlsx", ".csv")


def split_list(values: tuple[str, ...]) -> list[str]:
    """Options given as ``A,B`` and/or repeated, as one list."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@cli.command("agreement")
@click.option(
    "--coders",
    "coders",
    multiple=True,
    required=True,
    metavar="A,B[,C...]",
    help="The coders to compare (comma-separated or repeated).",
)
@click.option(
    "--unit",
    type=click.Choice(["sentence", "turn", "char"]),
    default="sentence",
    show_default=True,
    help="What one decision is about.",
)
@click.option(
    "--codes",
    "codes",
    multiple=True,
    metavar="CODE[,CODE...]",
    help="Only these codes (name or path; default every codable code).",
)
@click.option(
    "--documents",
    "documents",
    multiple=True,
    metavar="DOC[,DOC...]",
    help="Only these documents (default every document).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--export",
    "export",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the table to a .docx, .xlsx or .csv file.",
)
@gate_options
@pass_state
def agreement(
    state: CliState,
    coders: tuple[str, ...],
    unit: str,
    codes: tuple[str, ...],
    documents: tuple[str, ...],
    fmt: str,
    export: Path | None,
    allow_identifiers: str | None,
    key_file: str | None,
) -> None:
    """Intercoder agreement: percent, Cohen's kappa (two coders), Krippendorff's alpha.

    A sentence or turn counts as coded with a code by a coder when one of that coder's
    codings of the code overlaps it by at least one character; with --unit char every
    character is a unit. Pooled figures take every unit x code decision together.
    """
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.agreement import compute_agreement

    if export is not None and export.suffix.lower() not in EXPORTS:
        raise click.BadParameter(
            f"{export.name}: give a file ending in {', '.join(EXPORTS)}.", param_hint="--export"
        )
    result = compute_agreement(
        state.project(),
        split_list(coders),
        unit,
        codes=split_list(codes) or None,
        documents=split_list(documents) or None,
    ).to_json()
    if fmt == "json":
        emit_json(result)
    elif fmt == "csv":
        # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
        from qualcode.export.agreement_csv import write_rows

        write_rows(result, sys.stdout)
    else:
        click.echo(render_table(result))
    if export is not None:
        # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
        from qualcode.services.agreement import export_agreement

        export_agreement(
            state.project(), result, export, **gate_kwargs(allow_identifiers, key_file)
        )
        click.echo(f"Saved {export}", err=fmt != "table")


def render_table(result: dict[str, Any]) -> str:
    """The table for a terminal: codes by path, figures, a note where one is missing."""
    # lazy: only this command needs the exporter; --help must not load it
    from qualcode.export.agreement_table import figure, heading, note

    rows = [
        (
            c["path"],
            str(c["units"]),
            figure(c["percent"], 1),
            figure(c["kappa"]),
            figure(c["alpha"]),
            note(c),
        )
        for c in result["codes"]
    ]
    o = result["overall"]
    rows.append(
        (
            "All codes (pooled)",
            str(o.get("decisions", "")),
            figure(o["percent"], 1),
            figure(o["kappa"]),
            figure(o["alpha"]),
            note(o),
        )
    )
    head = ("Code", "Units", "Percent", "Kappa", "Alpha", "Note")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]

    def line(r: tuple[str, ...]) -> str:
        cells = [r[0].ljust(widths[0])] + [r[i].rjust(widths[i]) for i in range(1, 5)]
        return "  ".join(cells) + (f"  {r[5]}" if r[5] else "")

    out = [heading(result), "", line(head), line(tuple("-" * w for w in widths) + ("",))]
    out += [line(r) for r in rows[:-1]] + [
        line(tuple("-" * w for w in widths) + ("",)),
        line(rows[-1]),
        "",
    ]
    out += [f"note: {n}" for n in result.get("notes", [])]
    out.append(result["definition"])
    return "\n".join(out).rstrip()
