"""Speaker turns: who is speaking where, as character ranges over the stored text.

A turn starts at a speaker line. One line grammar covers the layouts people get
from transcription tools: ``Label: text`` (optionally after a timestamp, or
upper-case), ``Label - text`` (dash or en dash), ``Label:`` or a known label
alone on its line, ``Name (00:01:03):`` (Rev, ``Speaker 1 (00:01):``) and
``Name  0:03`` with the speech on the next lines (Otter, Teams). Lines without a
label continue the current turn. Text before the first turn (a title, a date, a
bracketed note) is a preamble, not speech.

Labels are interviewer, participant (a participant id such as ``S3PW1`` is one),
other, or unknown: an unknown speaker (``Speaker 1``, a name) gets turns of its
own with no role and a notice saying how to settle it; its words are never
credited to the speaker before it. Two layouts in one file are refused with the
line of each. A turn's range covers what was said, not the label or timestamp.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from qualcode.errors import InvalidInputError
from qualcode.ingest.participants import ParticipantId, ParticipantPattern
from qualcode.ingest.speakers import (  # noqa: F401 - re-exported: callers import them here
    DEFAULT_INTERVIEWER_LABELS,
    DEFAULT_PARTICIPANT_LABELS,
    ROLES,
    SpeakerLabels,
    add_speaker_role,
    classify_label,
    parse_speaker_labels,
)
from qualcode.ingest.timecodes import TIMECODE, parse_timecode

# Keys of a header block ("Date: 3 May", "Duration: 45:12"): never speakers.
HEADER_KEYS = frozenset(
    (
        "date",
        "time",
        "duration",
        "length",
        "title",
        "location",
        "place",
        "venue",
        "transcript",
        "transcribed by",
        "transcriber",
        "recorded",
        "recording",
        "recording date",
        "file",
        "file name",
        "filename",
        "interview",
        "interview date",
        "interview date and time",
        "site",
        "project",
        "study",
        "meeting",
        "meeting title",
        "notes",
        "note",
        "language",
        "source",
        "audio",
        "audio file",
        "participants",
        "speakers",
        "attendees",
        "mode",
        "format",
        "keywords",
        "summary",
    )
)

# Optional timestamp, a label, an optional "(timestamp)", then how the speech follows:
# ":" (speech on the line or the next lines), " - " / " – " (dash labels), a timestamp
# ending the line (Otter, Teams: speech on the next lines), or nothing (label alone).
# Tried on each line: scanning the whole text with a MULTILINE "^" tests every position.
_LINE_RE = re.compile(
    rf"[ \t]*(?:[\[(]?(?P<ts1>{TIMECODE})[\])]?[ \t]+)?"
    r"(?P<label>[^\s:\[(\-–—][^:\n]{0,39}?)"
    rf"(?:(?:[ \t]+|[ \t]*[\[(])(?P<ts2>{TIMECODE})[\])]?)?"
    r"(?:(?P<colon>[ \t]*:(?=\s|$))|(?P<dash>[ \t]+[-–—](?=[ \t]|$))"
    rf"|[ \t]+(?P<ts3>{TIMECODE})[ \t]*$|(?P<alone>[ \t]*$))[ \t]*"
)
# A line that ends the interview: what follows is no one's speech.
_END_RE = re.compile(
    r"[ \t]*(?:[\[(]?end of (?:the )?(?:transcript|transcription|interview|"
    r"recording)[\])]?\.?|[^\n]{1,60} stopped transcription)[ \t]*",
    re.IGNORECASE,
)
# The common "Label: text" line, tried first: its label runs straight to the colon (no
# dash inside, so "Name - text: more" is left to the full grammar above).
_COLON_RE = re.compile(
    rf"[ \t]*(?:[\[(]?(?P<ts1>{TIMECODE})[\])]?[ \t]+)?"
    r"(?P<label>[^\s:\[(\-–—][^:\n\-–—]{0,39})"
    rf"(?:(?:[ \t]+|[ \t]*[\[(])(?P<ts2>{TIMECODE})[\])]?)?[ \t]*:(?=\s|$)[ \t]*"
)
_LABEL_LIKE_RE = re.compile(r"[A-Z][\w'.-]*(?: [A-Z0-9][\w'.-]*){0,2}")
# Longer than this, a line is a speaker line only with ":" or a dash within it (the forms
# that end the line, "Name  0:03" and a label alone, are shorter).
_LONG_LINE = 100
_PREAMBLE_SPEECH_WORDS = 12
_HEADER_LINES = 8  # a header block is short
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")  # a header line this long is probably speech: reported

LAYOUTS = {
    "labels": "labels (Label: text)",
    "labels-timed": "timestamped labels ([00:01:02] Label: text)",
    "labels-alone": "labels on their own line",
    "rev": "speaker (time): on its own line (Rev, 'Speaker 1 (00:01):')",
    "otter": "speaker and time on one line, speech below (Otter, Teams)",
    "dash": "dash labels (Label - text)",
    "none": "no speaker labels found",
}
# Speaker-line forms that cannot share a file; a label alone on its line fits any of them.
_FAMILY = {
    "colon": "Label: text",
    "rev": "Label: text",
    "alone": None,
    "dash": "Label - text",
    "time": "Name  0:03",
}


@dataclass(frozen=True)
class Turn:
    """One speaker turn: ``text[start:end]`` is what was said (label excluded)."""

    start: int
    end: int
    speaker: str | None
    is_participant: bool | None
    participant: ParticipantId | None = None
    role: str | None = None  # interviewer / participant / other; None: not known
    timecode: int | None = None  # milliseconds from the start of the recording


@dataclass(frozen=True)
class TurnNotice:
    """A warning found while parsing, at a character offset of the text (or a source line)."""

    offset: int
    message: str
    line: int | None = None  # a line of the source file when the stored text is rewritten


@dataclass(frozen=True)
class Unplaced:
    """A line that could not be placed in a speaker turn (reported, never guessed)."""

    offset: int
    text: str
    reason: str
    line: int | None = None


@dataclass
class ParsedTurns:
    turns: list[Turn]
    notices: list[TurnNotice] = field(default_factory=list)
    layout: str = "labels"
    unplaced: list[Unplaced] = field(default_factory=list)
    text: str | None = None  # the text to store when the layout rewrites it (cue files)
    times: list[tuple[int, int]] = field(default_factory=list)  # (offset, ms) of each cue

    @property
    def participant_ids(self) -> list[ParticipantId]:
        return [t.participant for t in self.turns if t.participant is not None]


class LayoutError(InvalidInputError):
    """The file mixes layouts or is broken; ``offset`` (or ``line``) says where."""

    def __init__(self, message: str, offset: int = 0, line: int | None = None) -> None:
        super().__init__(message)
        self.offset, self.line, self.message = offset, line, message


def make_turn(
    start: int,
    end: int,
    speaker: str | None,
    role: str | None,
    pid: ParticipantId | None = None,
    timecode: int | None = None,
) -> Turn:
    return Turn(
        start, end, speaker, None if role is None else role == "participant", pid, role, timecode
    )


@dataclass(slots=True)
class _Line:
    offset: int  # where the line starts
    body: int  # where the speech may start
    label: str
    form: str  # colon / rev / alone / dash / time
    role: str | None
    pid: ParticipantId | None
    known: bool
    timecode: int | None


def parse_turns(
    text: str, labels: SpeakerLabels | None = None, pattern: ParticipantPattern | None = None
) -> ParsedTurns:
    """Find the speaker turns of a transcript (see the module notes).

    Each line is matched once against the line grammar; a turn runs from its
    label to the next speaker line, trimmed of surrounding blank space.
    """
    role_of = (labels or SpeakerLabels()).role_of()
    pattern = pattern or ParticipantPattern()
    lines = list(_speaker_lines(text, role_of, pattern))
    head = _header_block_end(text)
    if head and any(ln.offset >= head and ln.known for ln in lines):
        lines = [ln for ln in lines if ln.offset >= head]  # "Interviewer: J. Bloggs" in it
    counts: dict[tuple[str, str], int] = {}
    for ln in lines:
        if not ln.known and ln.form != "end":
            counts[(ln.label, ln.form)] = counts.get((ln.label, ln.form), 0) + 1
    known_forms = {ln.form for ln in lines if ln.known}
    starts: list[_Line] = []
    for ln in lines:
        if ln.form == "end":
            if starts:
                starts.append(ln)
            continue
        if not ln.known and not _unknown_is_speaker(
            ln, counts[(ln.label, ln.form)] >= 2, bool(starts), known_forms
        ):
            continue
        starts.append(ln)
    if not starts:
        return _no_turns(text, counts)
    _check_one_layout(starts)
    turns: list[Turn] = []
    ends = [ln.offset for ln in starts[1:]] + [len(text)]
    for ln, end in zip(starts, ends, strict=True):
        if ln.form == "end":
            continue
        chunk = text[ln.body : end]
        stripped = chunk.strip()
        if stripped:
            start = ln.body + len(chunk) - len(chunk.lstrip())
            turns.append(
                make_turn(start, start + len(stripped), ln.label, ln.role, ln.pid, ln.timecode)
            )
    notices = unknown_speaker_notices(turns)
    unplaced = _preamble_speech(text, starts[0].offset)
    return ParsedTurns(turns, notices, _layout_of(starts), unplaced)


def _unknown_is_speaker(
    ln: _Line, repeated: bool, after_first: bool, known_forms: set[str]
) -> bool:
    """Whether a line with a label nobody configured starts a turn (of a speaker with no
    role, reported) rather than being speech: it must look like the file's speaker lines.

    "Name: text" and "Name (0:01):" start a turn once a turn has started, or when the
    label comes back; "Name  0:03" likewise; "Name - text" only when the label comes back
    in a file whose known speakers use dashes ("Yes - I think" is speech); a name alone
    on its line only with a timestamp, and coming back.
    """
    if ln.form == "dash":
        return repeated and "dash" in known_forms
    if ln.form == "alone":
        return ln.timecode is not None and repeated
    return repeated or after_first


def _speaker_lines(
    text: str, role_of: dict[str, str], pattern: ParticipantPattern
) -> Iterator[_Line]:
    match, colon_match = _LINE_RE.match, _COLON_RE.match
    like = _LABEL_LIKE_RE.fullmatch
    end = _END_RE.fullmatch
    seen: dict[str, tuple[str | None, ParticipantId | None, bool]] = {}  # label -> kind
    pos = 0
    for line in text.split("\n"):
        if len(line) > _LONG_LINE and not _may_be_labelled(line[:_LONG_LINE]):
            pos += len(line) + 1  # a long line needs ":" or a dash near its start
            continue
        m = colon_match(line) if line else None
        if m is not None:
            label, ts1, ts2 = m.group("label", "ts1", "ts2")
            colon, dash, ts3, alone = ":", None, None, None
        else:
            m = match(line) if line else None
            if m is None:
                if 0 < len(line) <= 80 and end(line):
                    yield _Line(pos, pos, "", "end", None, None, True, None)
                pos += len(line) + 1
                continue
            label, ts1, ts2, colon, dash, ts3, alone = m.group(
                "label", "ts1", "ts2", "colon", "dash", "ts3", "alone"
            )
        if alone is not None and len(line) <= 80 and end(line):
            yield _Line(pos, pos, "", "end", None, None, True, None)
            pos += len(line) + 1
            continue
        label = label.strip()
        kind = seen.get(label)
        if kind is None:
            role, pid = classify_label(label, role_of, pattern)
            kind = seen[label] = (
                role,
                pid,
                role is not None
                or (like(label) is not None and label.casefold() not in HEADER_KEYS),
            )
        role, pid, speakerish = kind
        ts = ts1 or ts2 or ts3
        if speakerish and not (alone is not None and ts is None and role is None):
            if colon is not None:
                form = "rev" if ts2 else "colon"
            elif dash is not None:
                form = "dash"
            else:
                form = "time" if ts else "alone"
            yield _Line(
                pos,
                pos + m.end() if alone is None and ts3 is None else pos + len(line),
                label,
                form,
                role,
                pid,
                role is not None,
                parse_timecode(ts) if ts else None,
            )
        pos += len(line) + 1


def _header_block_end(text: str) -> int:
    """Where a leading header block ends (0 if none): the first paragraph, a few lines with
    a header key among them ("Date:", "Duration:"); its "Interviewer: NAME" is no turn."""
    start = len(text) - len(text.lstrip())
    start = text.rfind("\n", 0, start) + 1
    end = _BLANK_LINE_RE.search(text, start)
    if end is None:
        return 0
    block = text[start : end.start()].split("\n")
    if len(block) > _HEADER_LINES or not any(
        line.partition(":")[0].strip().casefold() in HEADER_KEYS for line in block if ":" in line
    ):
        return 0
    return end.start()


def _may_be_labelled(head: str) -> bool:
    """Whether a line's start could hold a label's ":" or dash (a cheap test before the regex)."""
    return ":" in head or "-" in head or "\u2013" in head or "\u2014" in head


def _check_one_layout(starts: list[_Line]) -> None:
    """Two layouts in one file (each on two lines or more) are refused, naming both."""
    first: dict[str, _Line] = {}
    count: dict[str, int] = {}
    for ln in starts:
        family = _FAMILY.get(ln.form)
        if family is None:
            continue
        first.setdefault(family, ln)
        count[family] = count.get(family, 0) + 1
    mixed = [f for f in first if count[f] >= 2]
    if len(mixed) > 1:
        a, b = sorted((first[f] for f in mixed), key=lambda ln: ln.offset)[:2]
        raise LayoutError(
            f"mixed layouts in one file: '{_FAMILY[a.form]}' ({count[_FAMILY[a.form]]} speaker "
            f"lines, first {a.label!r}) and '{_FAMILY[b.form]}' ({count[_FAMILY[b.form]]} "
            f"lines, first {b.label!r}) here. Write every speaker line the same way and "
            "import again.",
            b.offset,
        )


def _layout_of(starts: list[_Line]) -> str:
    forms: dict[str, int] = {}
    for ln in starts:
        if ln.form == "end":
            continue
        forms[ln.form] = forms.get(ln.form, 0) + 1
    form = max(forms, key=lambda f: forms[f])
    if form == "colon":
        timed = sum(1 for ln in starts if ln.timecode is not None)
        return "labels-timed" if timed * 2 > len(starts) else "labels"
    return {"rev": "rev", "time": "otter", "dash": "dash", "alone": "labels-alone"}[form]


def unknown_speaker_notices(turns: list[Turn]) -> list[TurnNotice]:
    """One notice per speaker with no role: where, how many turns, and how to settle it."""
    found: dict[str, list[Turn]] = {}
    for t in turns:
        if t.role is None and t.speaker is not None:
            found.setdefault(t.speaker, []).append(t)
    return [
        TurnNotice(
            ts[0].start,
            f"speaker {label!r} ({len(ts)} turn{'s' * (len(ts) != 1)}) "
            "has no role; the turns are kept as that speaker's, unattributed. "
            f"Settle it with --speakers '{label}=participant' (or =interviewer, "
            "=other), or `qualcode reparse DOC --speakers ...` once stored.",
        )
        for label, ts in found.items()
    ]


def _preamble_speech(text: str, end: int) -> list[Unplaced]:
    """Lines before the first turn long enough to be speech: reported, kept as a preamble."""
    out: list[Unplaced] = []
    pos = 0
    for line in text[:end].split("\n"):
        stripped = line.strip()
        if len(stripped.split()) >= _PREAMBLE_SPEECH_WORDS and not stripped.startswith("["):
            out.append(
                Unplaced(
                    pos,
                    stripped,
                    "before the first speaker line: kept as a preamble, not counted as speech",
                )
            )
        pos += len(line) + 1
    return out


def _no_turns(text: str, seen: dict[tuple[str, str], int]) -> ParsedTurns:
    """A text without speaker lines is one block, with a warning saying what was seen."""
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    hint = ""
    if seen:
        top = sorted(seen.items(), key=lambda kv: -kv[1])[:3]
        hint = (
            " Lines start with "
            + ", ".join(f"'{k}{' -' if form == 'dash' else ':'}' ({n}x)" for (k, form), n in top)
            + f"; if these are speakers, add --speakers '{top[0][0][0]}=participant' "
            "(or =interviewer) and import again with --replace."
        )
    message = (
        "no speaker turns found (no line starts with a known label such as "
        "'Interviewer:' or a participant id); the text is stored as one block." + hint
    )
    turns = [Turn(start, end, None, None)] if start < end else []
    unplaced = [Unplaced(0, text[start:end].split("\n", 1)[0][:80], "no speaker turn found")]
    return ParsedTurns(turns, [TurnNotice(0, message)], "none", unplaced if turns else [])
