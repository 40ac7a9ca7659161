"""Looking at transcripts before storing them: the layout, the speakers and their roles,
the participant and case, the first turns and every line that could not be placed.

``check_paths`` stores nothing. The command line prints its report
(``qualcode import --check``); the workbench's import dialog shows the same one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import QualcodeError
from qualcode.ingest.layouts import LAYOUT_NAMES, parse_source, where
from qualcode.ingest.participants import (
    DEFAULT_CASE_TEMPLATE,
    DEFAULT_PARTICIPANT_PATTERN,
    ParticipantPattern,
    identify_participant,
)
from qualcode.ingest.readers import SUPPORTED_SUFFIXES, read_transcript
from qualcode.ingest.timecodes import format_timecode
from qualcode.ingest.turns import SpeakerLabels, shell_arg
from qualcode.services.importing import options_from_settings

PREVIEW_CHARS = 100
NOT_TRANSCRIPTS = (".csv", ".qdpx", ".qdc", ".qde")  # cases, codings, projects: not checked


@dataclass(frozen=True)
class SpeakerCheck:
    speaker: str
    turns: int
    role: str | None  # None: nobody said (asked about in the suggested fix)
    questions: int = 0  # turns ending with "?" (a hint for the map, never applied)

    def to_json(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "turns": self.turns,
            "role": self.role,
            "questions": self.questions,
        }


@dataclass(frozen=True)
class TurnPreview:
    seq: int
    speaker: str | None
    role: str | None
    timecode: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "speaker": self.speaker,
            "role": self.role,
            "timecode": self.timecode or None,
            "text": self.text,
        }


@dataclass(frozen=True)
class UnplacedLine:
    where: str  # "line 12" or "paragraph 4"
    line: int | None
    text: str
    reason: str
    lines: int = 1  # lines with words it covers (a text with no turns: all of them)

    def to_json(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "line": self.line,
            "text": self.text,
            "reason": self.reason,
            "lines": self.lines,
        }


@dataclass
class FileCheck:
    """What importing one file would store, and what needs a decision first."""

    file: str
    layout: str | None = None
    layout_name: str = ""
    turns: int = 0
    speakers: list[SpeakerCheck] = field(default_factory=list)
    participant: str | None = None
    case: str | None = None
    first_turns: list[TurnPreview] = field(default_factory=list)
    unplaced: list[UnplacedLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    fix: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every turn attributed, every line placed, no error."""
        return (
            self.error is None
            and not self.unplaced
            and self.layout != "none"
            and bool(self.speakers)
            and all(s.role is not None for s in self.speakers)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "ok": self.ok,
            "layout": self.layout,
            "layout_name": self.layout_name,
            "turns": self.turns,
            "speakers": [s.to_json() for s in self.speakers],
            "participant": self.participant,
            "case": self.case,
            "first_turns": [t.to_json() for t in self.first_turns],
            "unplaced": [u.to_json() for u in self.unplaced],
            "warnings": self.warnings,
            "error": self.error,
            "fix": self.fix,
        }


def transcript_files(paths: Iterable[str | Path]) -> list[Path]:
    """The transcripts among files and folders: CSVs and REFI-QDA files are not checked;
    any other file is, so an unsupported one gets its error."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts)
            )
        elif path.suffix.lower() not in NOT_TRANSCRIPTS:
            out.append(path)
    return out


def check_paths(
    paths: Iterable[str | Path],
    *,
    participant_pattern: str | None = None,
    case_template: str | None = None,
    speaker_map: dict[str, str] | None = None,
    first: int = 5,
) -> list[FileCheck]:
    """Check each transcript as an import would read it (see the module notes)."""

    pattern = ParticipantPattern(
        participant_pattern or DEFAULT_PARTICIPANT_PATTERN,
        DEFAULT_CASE_TEMPLATE if case_template is None else case_template,
    )
    labels = SpeakerLabels().with_extra(speaker_map or {})
    return [check_file(path, labels, pattern, first) for path in transcript_files(paths)]


def check_for_project(
    project: Any,
    paths: Iterable[str | Path],
    speaker_map: dict[str, str] | None = None,
    first: int = 5,
) -> list[FileCheck]:
    """``check_paths`` with the project's remembered import settings (the workbench's
    import dialog calls this), ``speaker_map`` added on top of the remembered map."""
    options = options_from_settings(project, speaker_labels=speaker_map or None)
    return check_paths(
        paths,
        participant_pattern=options.participant_pattern,
        case_template=options.case_template,
        speaker_map=options.speaker_labels,
        first=first,
    )


def check_file(
    path: Path, labels: SpeakerLabels, pattern: ParticipantPattern, first: int = 5
) -> FileCheck:
    """One file's check; an unreadable or broken file gets its error and a fix."""

    report = FileCheck(path.name)
    try:
        src = read_transcript(path)
        parsed = parse_source(src, labels, pattern)
    except QualcodeError as e:
        report.error = str(e)
        report.fix.append("Fix the file at the place named, then check it again.")
        return report
    text = parsed.text if parsed.text is not None else src.text
    report.layout, report.layout_name = parsed.layout, LAYOUT_NAMES.get(parsed.layout, "")
    report.turns = len(parsed.turns)
    counts: dict[str, list[int]] = {}
    for t in parsed.turns:
        if t.speaker is not None:
            c = counts.setdefault(t.speaker, [0, 0])
            c[0] += 1
            c[1] += text[t.start : t.end].rstrip().endswith("?")
    roles = {t.speaker: t.role for t in parsed.turns if t.speaker is not None}
    report.speakers = [SpeakerCheck(s, n, roles[s], q) for s, (n, q) in counts.items()]
    pid, notes = identify_participant(path.stem, parsed.participant_ids, pattern)
    report.participant = pid.label if pid else None
    report.case = pattern.case_name(pid) if pid else None
    report.warnings = [str(w) for w in src.warnings]
    report.warnings += [str(where(src, n.offset, n.message, n.line)) for n in parsed.notices]
    report.warnings += notes
    for i, t in enumerate(parsed.turns[:first], 1):
        said = " ".join(text[t.start : t.end].split())
        report.first_turns.append(
            TurnPreview(
                i,
                t.speaker,
                t.role,
                format_timecode(t.timecode),
                said if len(said) <= PREVIEW_CHARS else said[: PREVIEW_CHARS - 3] + "...",
            )
        )
    for u in parsed.unplaced:
        w = where(src, u.offset, "", u.line)
        place = f"{w.unit} {w.line}" if w.line is not None else "the file"
        report.unplaced.append(UnplacedLine(place, w.line, u.text, u.reason, u.lines))
    report.fix = _fixes(report, path, pid is None)
    return report


def _fixes(report: FileCheck, path: Path, no_participant: bool) -> list[str]:
    fixes: list[str] = []
    unsettled = [s for s in report.speakers if s.role is None]
    if unsettled:
        asks = max(unsettled, key=lambda s: (s.questions / s.turns, s.turns))
        if any(s.role == "interviewer" for s in report.speakers) and asks.questions * 2 <= (
            asks.turns
        ):
            asks = None  # the interviewer is known and nobody else mostly asks questions
        spec = ",".join(
            f"{s.speaker}={'interviewer' if s is asks else 'participant'}" for s in unsettled
        )
        arg = shell_arg(spec, quote='"')
        why = (
            f"{asks.speaker!r} asks {asks.questions} of {asks.turns} turns as questions"
            if asks is not None
            else "the interviewer is already known"
        )
        fixes.append(
            f"Say who is who: qualcode import {shell_arg(path.name)} --speakers {arg} "
            f"(a suggestion: {why}; check before using it). Roles are "
            "interviewer, participant or other; a CSV (speaker,role) works too."
        )
    if not report.speakers and report.layout not in (None, "none"):
        fixes.append(
            "No speaker is named anywhere in the file, so no turn can be attributed: "
            "export the transcript again with speaker names (in captions, 'Name: "
            "text' or '<v Name>'), then check again."
        )
    if report.layout == "none":
        fixes.append(
            "No speaker lines were recognised: a turn starts where a line begins with its "
            "speaker and a colon ('Interviewer: ...', 'Q: ...', 'S3PW1: ...'); a label "
            "written another way ('Q.', 'NAME · 00:00:03') is not read as a speaker, and "
            "--speakers only gives roles to labels that are found. Label the turns so, or "
            "export the transcript again with speaker names, then check again."
        )
    if report.unplaced:
        count = sum(u.lines for u in report.unplaced)
        fixes.append(
            f"{count} line{'s' * (count != 1)} could "
            "not be placed in a turn: give each its speaker label, or move it out of "
            "the transcript, then check again."
        )
    if no_participant and report.layout != "none":
        fixes.append(
            f"No participant id: name the file after its participant (e.g. "
            f"S3PW1{path.suffix}) or use --participant-pattern."
        )
    return fixes
