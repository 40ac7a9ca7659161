"""``qualcode import PATH...``: transcripts, cases and codings CSVs, REFI-QDA projects."""

from __future__ import annotations

import sys
from typing import Any, Self

import click

from qualcode.cli.main import CliState, cli, emit_json, pass_state

MANY_FILES = 50
EXIT_OMISSIONS = 4  # a REFI-QDA file was imported, but something in it could not be


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--participant-pattern", metavar="REGEX",
              help="Participant id pattern, with named groups for the case template "
                   r"(default 'S(?P<site>\d+)(?P<role>PWC|PW)(?P<n>\d*)'). Remembered.")
@click.option("--case-template", metavar="TEMPLATE",
              help="Case name from the id's groups (default 'Site {site}'; '' for none). "
                   "Remembered.")
@click.option("--speaker-labels", metavar="LABEL=ROLE,...", multiple=True,
              help="More speaker labels; ROLE is interviewer, participant or other, e.g. "
                   "'Researcher=interviewer,Carer=other'. Remembered.")
@click.option("--replace", is_flag=True,
              help="Re-import documents already stored (changed or not) if they have no codings.")
@click.option("--as-new", metavar="NAME", help="Store the (single) transcript under this name.")
@click.option("--framework", default="auto", show_default=True, metavar="KEY|auto|none",
              help="Framework to apply first; 'auto' applies the default one when codings "
                   "CSVs are imported into a project without codes.")
@click.option("--spacy-model", metavar="NAME",
              help="An installed trained spaCy pipeline for sentences (default: the rule-based "
                   "sentencizer). Remembered.")
@click.option("--sources-dir", metavar="DIR", type=click.Path(file_okay=False),
              help="REFI-QDA: folder that relative:// sources are read from (default: the "
                   ".qdpx's own folder; never above it).")
@click.option("--allow-absolute", is_flag=True,
              help="REFI-QDA: also read sources stored at absolute:// paths (each is listed).")
@click.option("--strict", is_flag=True,
              help="REFI-QDA: refuse a whole file if anything in it cannot be imported.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_state
def import_cmd(state: CliState, paths: tuple[str, ...], participant_pattern: str | None,
               case_template: str | None, speaker_labels: tuple[str, ...], replace: bool,
               as_new: str | None, framework: str, spacy_model: str | None,
               sources_dir: str | None, allow_absolute: bool, strict: bool,
               as_json: bool) -> None:
    """Import transcripts (.txt, .docx), folders of them, cases and codings CSVs, .qdpx/.qdc.

    Speaker turns, the participant id (from the file name or the turn labels) and
    the case are found automatically. Importing the same text again does nothing;
    a changed file is reported, not stored twice.

    A REFI-QDA file imports everything that can be imported; what cannot (a source
    whose text is not in the file, codings on it, pictures, audio, video...) is
    listed in the report.

    \b
    Exit status: 0 everything imported; 1 a file failed (nothing of it stored);
    4 imported with omissions (a REFI-QDA file was imported without the parts
    the report lists; --strict refuses such a file instead, with status 1).
    """
    from qualcode.ingest.participants import ParticipantPattern
    from qualcode.ingest.turns import parse_speaker_labels
    from qualcode.services.importing import (
        import_paths,
        options_from_settings,
        remember_options,
    )

    project = state.project(create=True)
    extra = parse_speaker_labels(speaker_labels) if speaker_labels else None
    options = options_from_settings(
        project, participant_pattern=participant_pattern, case_template=case_template,
        speaker_labels=extra, spacy_model=spacy_model, replace=replace, as_new=as_new,
        framework=framework, sources_dir=sources_dir, allow_absolute=allow_absolute or None,
        strict=strict or None)
    ParticipantPattern(options.participant_pattern, options.case_template)  # fail before work
    given = {"participant_pattern": participant_pattern, "case_template": case_template,
             "speaker_labels": extra, "spacy_model": spacy_model}
    remember_options(project, options, [k for k, v in given.items() if v is not None])
    with _Progress() as progress:
        report = import_paths(project, paths, progress=progress, options=options)
    if as_json:
        emit_json(report.to_json())
    else:
        for warning in report.warnings:
            click.secho(f"warning: {warning}", fg="yellow", err=True)
        for failure in report.failed:
            click.secho(f"error: {failure}", fg="red", err=True)
        for line in report.summary_lines():
            click.echo(line)
    if report.failed:
        sys.exit(1)
    if report.omitted:
        sys.exit(EXIT_OMISSIONS)


class _Progress:
    """A progress bar on stderr when it is a terminal; a line per tenth for many files."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.bar: Any = None
        self.last_tenth = 0

    def __enter__(self) -> Self:
        return self

    def __call__(self, done: int, total: int, label: str) -> None:
        if self.tty:
            if self.bar is None:
                self.bar = click.progressbar(length=total, label="Importing", file=sys.stderr,
                                             show_pos=True, item_show_func=lambda x: x)
                self.bar.__enter__()
            self.bar.update(done - self.bar.pos, label)
        elif total >= MANY_FILES and (tenth := done * 10 // total) > self.last_tenth:
            self.last_tenth = tenth
            click.echo(f"imported {done}/{total} files", err=True)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
