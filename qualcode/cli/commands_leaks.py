"""``qualcode check-names``: look for identifying details left in the transcripts."""

from __future__ import annotations

import dataclasses

import click

from qualcode.cli.main import CliState, cli, emit_json, pass_state


@cli.command("check-names")
@click.option("--allow", "allow", multiple=True, metavar="WORD",
              help="A word checked and found not identifying (repeatable).")
@click.option("--save", is_flag=True, help="Keep the --allow words in the project for next time.")
@click.option("--certain-only", is_flag=True, help="Only emails, phone/NHS numbers, postcodes, titles.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def check_names(state: CliState, allow: tuple[str, ...], save: bool, certain_only: bool,
                as_json: bool) -> None:
    """List likely names and contact details left in the transcripts (exit 3 if any are certain).

    Run it before exporting anything. Possible names are capitalised words in
    mid-sentence that never occur in lower case; mark false alarms with --allow WORD --save.
    """
    from qualcode.services.leaks import allow_words, check_leaks

    project = state.project()
    if save and allow:
        allow_words(project, list(allow))
    findings = check_leaks(project, extra_allow=list(allow))
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
        click.echo(f"{certain} certain, {len(findings) - certain} possible. Check each place; "
                   "mark false alarms with --allow WORD --save.", err=True)
    if any(f.confidence == "certain" for f in findings):
        raise SystemExit(3)
