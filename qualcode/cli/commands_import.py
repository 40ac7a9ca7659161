"""``qualcode import PATH...``: transcripts, cases and codings CSVs, REFI-QDA projects."""

from __future__ import annotations

import sys
from dataclasses import replace as replace_options
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import click

from qualcode.cli.main import CliState, cli, emit_json, pass_state
from qualcode.errors import QualcodeError
from qualcode.ingest.participants import ParticipantPattern

if TYPE_CHECKING:
    from qualcode.services.segment_child import SegmentChild

MANY_FILES = 50
EXIT_OMISSIONS = 4  # a REFI-QDA file was imported, but something in it could not be


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--participant-pattern",
    metavar="REGEX",
    help="Participant id pattern, with named groups for the case template "
    r"(default 'S(?P<site>\d+)(?P<role>PWC|PW)(?P<n>\d*)'). Remembered.",
)
@click.option(
    "--case-template",
    metavar="TEMPLATE",
    help="Case name from the id's groups (default 'Site {site}'; '' for none). Remembered.",
)
@click.option(
    "--speakers",
    "--speaker-labels",
    "speaker_labels",
    metavar="LABEL=ROLE,...|FILE.csv",
    multiple=True,
    help="Speaker map: ROLE is interviewer, participant or other, e.g. "
    "'Speaker 1=interviewer,Speaker 2=participant', or a CSV with columns "
    "speaker,role. Remembered by the project.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Store nothing: show each file's layout, speakers and roles, participant, "
    "first turns and any line that could not be placed. Exit 1 if a file needs "
    "attention.",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Re-import documents already stored (changed or not) if they have no codings.",
)
@click.option("--as-new", metavar="NAME", help="Store the (single) transcript under this name.")
@click.option(
    "--framework",
    default="auto",
    show_default=True,
    metavar="KEY|auto|none",
    help="Framework to apply first; 'auto' applies the default one when codings "
    "CSVs are imported into a project without codes.",
)
@click.option(
    "--spacy-model",
    metavar="NAME",
    help="An installed trained spaCy pipeline for sentences (default: the rule-based "
    "sentencizer). Remembered.",
)
@click.option(
    "--merge",
    is_flag=True,
    help="Merge a colleague's .qdpx: add their codings, under their coder name, to "
    "the documents with the same text; nothing here is changed.",
)
@click.option(
    "--merge-as",
    metavar="NAME",
    help="With --merge: the coder name for codings the file does not attribute.",
)
@click.option(
    "--create-codes",
    is_flag=True,
    help="Codings CSVs may name codes not in the codebook: create them as inductive "
    "codes (without this, an unknown code is an error with its line).",
)
@click.option(
    "--sources-dir",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="REFI-QDA: folder that relative:// sources are read from (default: the "
    ".qdpx's own folder; never above it).",
)
@click.option(
    "--allow-absolute",
    is_flag=True,
    help="REFI-QDA: also read sources stored at absolute:// paths (each is listed).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="REFI-QDA: refuse a whole file if anything in it cannot be imported.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_state
def import_cmd(
    state: CliState,
    paths: tuple[str, ...],
    participant_pattern: str | None,
    case_template: str | None,
    speaker_labels: tuple[str, ...],
    replace: bool,
    as_new: str | None,
    framework: str,
    spacy_model: str | None,
    check: bool,
    merge: bool,
    merge_as: str | None,
    create_codes: bool,
    sources_dir: str | None,
    allow_absolute: bool,
    strict: bool,
    as_json: bool,
) -> None:
    """Import transcripts (.txt, .docx), folders of them, cases and codings CSVs, .qdpx/.qdc.

    Also WebVTT/SRT captions (Zoom, Teams), Otter, Rev and Teams layouts and Word
    tables. Speaker turns, the participant id (from the file name or the turn labels)
    and the case are found automatically; --check shows them without storing.
    Importing the same text again does nothing; a changed file is reported, not
    stored twice.

    A REFI-QDA file imports everything that can be imported; what cannot (a source
    whose text is not in the file, codings on it, pictures, audio, video...) is
    listed in the report.

    \b
    Exit status: 0 everything imported; 1 a file failed (nothing of it stored);
    4 imported with omissions (a REFI-QDA file was imported without the parts
    the report lists; --strict refuses such a file instead, with status 1).
    """
    if merge:
        # cycle: importing commands_merge on its own loads main, which registers this module
        from qualcode.cli.commands_merge import merge_files

        merge_files(state, paths, merge_as, as_json)
        return

    if check:
        # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
        from qualcode.services.speakers import read_speaker_map

        extra = read_speaker_map(speaker_labels) if speaker_labels else None
        _check(state, paths, participant_pattern, case_template, extra, as_json)
        return
    # lazy, and light: the child segmenting a large job loads spaCy while this process
    # loads the rest (the import closes it; so does this command if it stops before)
    from qualcode.services.segment_child import start_segmenter

    segmenter = start_segmenter(spacy_model, paths, one_shot=True)
    try:
        _import(
            state,
            paths,
            speaker_labels,
            segmenter,
            create_codes,
            as_json,
            participant_pattern=participant_pattern,
            case_template=case_template,
            spacy_model=spacy_model,
            replace=replace,
            as_new=as_new,
            framework=framework,
            sources_dir=sources_dir,
            allow_absolute=allow_absolute or None,
            strict=strict or None,
        )
    finally:
        if segmenter is not None:
            segmenter.close()


def _import(
    state: CliState,
    paths: tuple[str, ...],
    speaker_labels: tuple[str, ...],
    segmenter: SegmentChild | None,
    create_codes: bool,
    as_json: bool,
    **settings: Any,
) -> None:
    """The import itself, with the command's settings (beside the project's remembered ones)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.importing import (
        ImportStopped,
        import_paths,
        options_from_settings,
        remember_options,
    )
    from qualcode.services.speakers import read_speaker_map

    extra = read_speaker_map(speaker_labels) if speaker_labels else None
    project = state.project(create=True)
    options = options_from_settings(project, speaker_labels=extra, **settings)
    ParticipantPattern(options.participant_pattern, options.case_template)  # fail before work
    given = {
        "participant_pattern": settings["participant_pattern"],
        "case_template": settings["case_template"],
        "speaker_labels": extra,
        "spacy_model": settings["spacy_model"],
    }
    remember_options(project, options, [k for k, v in given.items() if v is not None])
    try:
        with _Progress() as progress:
            report = import_paths(
                project,
                paths,
                progress=progress,
                options=replace_options(options, create_codes=create_codes),
                segmenter=segmenter,
            )
    except ImportStopped as stopped:
        for line in stopped.report.summary_lines():
            click.echo(line)
        click.echo(
            f"Not imported ({len(stopped.not_imported)}): "
            + ", ".join(stopped.not_imported[:10])
            + (" …" if len(stopped.not_imported) > 10 else "")
        )
        raise
    if report.added or report.replaced or report.notes:
        # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
        from qualcode.services.safekeeping import automatic_backup

        _made, problem = automatic_backup(project, "after-import")
        if problem:
            click.secho(f"warning: {problem}", fg="yellow", err=True)
    if as_json:
        emit_json(report.to_json())
    else:
        for warning in report.warning_lines("`--json` lists every warning"):
            click.secho(f"warning: {warning}", fg="yellow", err=True)
        for failure in report.failed:
            click.secho(f"error: {failure}", fg="red", err=True)
        for line in report.summary_lines():
            click.echo(line)
    if report.failed:
        sys.exit(1)
    if report.omitted:
        sys.exit(EXIT_OMISSIONS)


def _check(
    state: CliState,
    paths: tuple[str, ...],
    participant_pattern: str | None,
    case_template: str | None,
    extra: dict[str, str] | None,
    as_json: bool,
) -> None:
    """``import --check``: the project's remembered settings (if there is a project) apply."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.import_check import check_paths
    from qualcode.services.importing import ImportOptions, options_from_settings

    try:
        project = state.project()
    except QualcodeError:  # no project yet: the defaults apply
        project = None
    options = (
        options_from_settings(
            project,
            participant_pattern=participant_pattern,
            case_template=case_template,
            speaker_labels=extra,
        )
        if project is not None
        else ImportOptions(
            **{
                k: v
                for k, v in (
                    ("participant_pattern", participant_pattern),
                    ("case_template", case_template),
                    ("speaker_labels", extra),
                )
                if v is not None
            }
        )
    )
    checks = check_paths(
        paths,
        participant_pattern=options.participant_pattern,
        case_template=options.case_template,
        speaker_map=options.speaker_labels,
    )
    if as_json:
        emit_json([c.to_json() for c in checks])
    else:
        for c in checks:
            print_check(c)
        ok = sum(c.ok for c in checks)
        click.echo(
            f"{len(checks)} file{'s' * (len(checks) != 1)} checked: {ok} ready, {len(checks) - ok} need attention. "
            "Nothing was stored."
        )
    if not all(c.ok for c in checks):
        sys.exit(1)


def print_check(c: Any) -> None:
    """One file's check as text."""
    mark = "ok" if c.ok else ("ERROR" if c.error else "needs attention")
    click.secho(f"{c.file}: {mark}", bold=True, fg=None if c.ok else "yellow")
    if c.error:
        click.echo(f"  {c.error}")
    else:
        named = f"{c.layout} - {c.layout_name}" if c.layout_name else c.layout
        click.echo(f"  layout: {named} ({c.turns} turns)")
        click.echo(f"  participant: {c.participant or '-'}  case: {c.case or '-'}")
        for s in c.speakers:
            click.echo(f"  speaker {s.speaker!r}: {s.turns} turns -> {s.role or 'NO ROLE'}")
        for t in c.first_turns:
            when = f"{t.timecode} " if t.timecode else ""
            click.echo(f"    [{t.seq}] {when}{t.speaker or '-'} ({t.role or '?'}): {t.text}")
        for u in c.unplaced:
            click.echo(f"  not placed, {u.where}: {u.text!r} ({u.reason})")
        for w in c.warnings:
            click.echo(f"  warning: {w}")
    for f in c.fix:
        click.echo(f"  fix: {f}")


@cli.command("reparse")
@click.argument("document")
@click.option(
    "--speakers",
    "speaker_labels",
    metavar="LABEL=ROLE,...|FILE.csv",
    multiple=True,
    help="Speaker map to add (remembered by the project), as for `import`.",
)
@click.option("--json", "as_json", is_flag=True)
@pass_state
def reparse_cmd(
    state: CliState, document: str, speaker_labels: tuple[str, ...], as_json: bool
) -> None:
    """Re-read who speaks in DOCUMENT with the speaker map; text and codings stay as they are."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.importing import options_from_settings, remember_options
    from qualcode.services.speakers import read_speaker_map, reparse_document

    project = state.project()
    extra = read_speaker_map(speaker_labels) if speaker_labels else {}
    result = reparse_document(project, document, extra)
    if extra:
        remember_options(
            project, options_from_settings(project, speaker_labels=extra), ["speaker_labels"]
        )
    if as_json:
        emit_json(result.to_json())
    else:
        for line in result.lines():
            click.echo(line)


@cli.command("speakers")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Also write the map as a CSV (speaker,role) to edit and pass back with --speakers FILE.",
)
@click.option("--json", "as_json", is_flag=True)
@pass_state
def speakers_cmd(state: CliState, csv_path: str | None, as_json: bool) -> None:
    """The project's speaker map: the labels given a role with --speakers."""

    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.importing import options_from_settings
    from qualcode.services.speakers import write_speaker_map_csv

    mapping = options_from_settings(state.project()).speaker_labels
    if csv_path:
        write_speaker_map_csv(mapping, Path(csv_path))
    if as_json:
        emit_json(mapping)
        return
    for label, role in mapping.items():
        click.echo(f"{label} = {role}")
    click.echo(f"{len(mapping)} speakers in the map (besides the default labels).", err=True)


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
                self.bar = click.progressbar(
                    length=total,
                    label="Importing",
                    file=sys.stderr,
                    show_pos=True,
                    item_show_func=lambda x: x,
                )
                self.bar.__enter__()
            self.bar.update(done - self.bar.pos, label)
        elif total >= MANY_FILES and (tenth := done * 10 // total) > self.last_tenth:
            self.last_tenth = tenth
            click.echo(f"imported {done}/{total} files", err=True)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
