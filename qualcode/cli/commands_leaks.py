"""``qualcode check-names``: look for identifying details left in the transcripts."""

from __future__ import annotations

import dataclasses

import click

from qualcode.cli.main import CliState, cli, emit_json, pass_state


@cli.command("check-names")
@click.option(
    "--allow",
    "allow",
    multiple=True,
    metavar="WORD",
    help="A word checked and found not identifying (repeatable).",
)
@click.option("--save", is_flag=True, help="Keep the --allow words in the project for next time.")
@click.option(
    "--key",
    "key_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Pseudonymisation key, a CSV of 'real name,pseudonym' kept outside the "
    "project: a real name from it in a transcript is a certain finding.",
)
@click.option(
    "--remember-key",
    is_flag=True,
    help="Remember the --key file's path (never its content) in the project, so "
    "every check and export uses it.",
)
@click.option("--no-ner", is_flag=True, help="Do not use an installed spaCy NER pipeline.")
@click.option(
    "--certain-only",
    is_flag=True,
    help="Only certain findings (contact details, numbers, known names, the key).",
)
@click.option("--json", "as_json", is_flag=True)
@pass_state
def check_names(
    state: CliState,
    allow: tuple[str, ...],
    save: bool,
    key_file: str | None,
    remember_key: bool,
    no_ner: bool,
    certain_only: bool,
    as_json: bool,
) -> None:
    """List likely names and contact details left in the transcripts (exit 3 if any are certain).

    Exports run the same check and refuse while certain findings remain. Possible
    names are capitalised words in mid-sentence that are not common words; mark
    false alarms with --allow WORD --save.
    """
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.leaks import allow_words, check_leaks, project_key
    from qualcode.services.leaks import remember_key as keep

    project = state.project()
    if remember_key and not key_file:
        raise click.UsageError("--remember-key needs --key FILE.")
    key = keep(project, key_file) if remember_key else project_key(project, key_file)
    for warning in key.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    if save and allow:
        allow_words(project, list(allow))
    findings = check_leaks(project, extra_allow=list(allow), key=key, use_ner=not no_ner)
    if certain_only:
        findings = [f for f in findings if f.confidence == "certain"]
    if as_json:
        emit_json([dataclasses.asdict(f) for f in findings])
    else:
        for f in findings:
            colour = "red" if f.confidence == "certain" else "yellow"
            click.secho(f"{f.document}:{f.line}:{f.column}: {f.kind}: {f.text!r}", fg=colour)
            click.echo(f"    {f.context}")
        certain = sum(f.confidence == "certain" for f in findings)
        click.echo(
            f"{certain} certain, {len(findings) - certain} possible. Check each place; "
            "mark false alarms with --allow WORD --save.",
            err=True,
        )
    if any(f.confidence == "certain" for f in findings):
        raise SystemExit(3)
