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
from qualcode.ingest.line_forms import (
    STAMP,
    bracket_line,
    caption_line,
    caption_name_like,
    end_stamp,
    parse_stamp,
    time_mark,
)
from qualcode.ingest.participants import ParticipantId, ParticipantPattern
from qualcode.ingest.speakers import (  # noqa: F401 - re-exported: callers import them here
    DEFAULT_INTERVIEWER_LABELS,
    DEFAULT_PARTICIPANT_LABELS,
    ROLES,
    SpeakerLabels,
    add_speaker_role,
    classify_label,
    parse_speaker_labels,
    shell_arg,
)

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
    rf"[ \t]*(?:[\[(#]?(?P<ts1>{STAMP})[\])#]?[ \t]+(?:[-–—][ \t]+)?)?"
    r"(?P<label>[^\s:\[(\-–—#][^:\n]{0,39}?)"
    rf"(?:(?:[ \t]+|[ \t]*[\[(])(?P<ts2>{STAMP})[\])]?)?"
    rf"(?:(?P<colon>[ \t]*:(?=\s|$)(?:[ \t]*[\[(](?P<ts4>{STAMP})[\])])?)"
    r"|(?P<dash>[ \t]+[-–—](?=[ \t]|$))"
    rf"|[ \t]+(?P<ts3>{STAMP})[ \t]*$|(?P<alone>[ \t]*$))[ \t]*"
)
# A line that ends the interview: what follows is no one's speech.
_END_RE = re.compile(
    r"[ \t]*(?:[\[(]?end of (?:the )?(?:transcript|transcription|interview|"
    r"recording)[\])]?\.?|[^\n]{1,60} stopped transcription|meeting ended after [^\n]{1,30})"
    r"[ \t]*",
    re.IGNORECASE,
)
# The common "Label: text" line, tried first: its label runs straight to the colon (no
# dash inside, so "Name - text: more" is left to the full grammar above).
_COLON_RE = re.compile(
    rf"[ \t]*(?:[\[(#]?(?P<ts1>{STAMP})[\])#]?[ \t]+(?:[-–—][ \t]+)?)?"
    r"(?P<label>[^\s:\[(\-–—#][^:\n\-–—]{0,39})"
    rf"(?:(?:[ \t]+|[ \t]*[\[(])(?P<ts2>{STAMP})[\])]?)?[ \t]*:(?=\s|$)"
    rf"(?:[ \t]*[\[(](?P<ts4>{STAMP})[\])])?[ \t]*"
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
    "labels-timed": "timestamped labels ([00:01:02] Label: text; Trint, Descript, Sonix)",
    "labels-alone": "labels on their own line",
    "labels-marks": "labels, with timecode lines between them (Google Meet)",
    "f4": "labels, a #00:01:02-3# stamp ending each paragraph (f4transkript, MAXQDA)",
    "rev": "speaker (time): on its own line (Rev, Temi, 'Speaker 1 (00:01):')",
    "otter": "speaker and time on one line, speech below (Otter, Teams, Word Transcribe, "
    "Happy Scribe)",
    "dash": "dash labels (Label - text)",
    "cart": "'>> NAME' speaker changes (CART, broadcast and court captions)",
    "zoom-txt": "'[Name] 10:02:15' lines (Zoom saved transcript)",
    "none": "no speaker labels found",
}
# Speaker-line forms that cannot share a file; a label alone on its line fits any of them.
_FAMILY = {
    "colon": "Label: text",
    "rev": "Label: text",
    "alone": None,
    "dash": "Label - text",
    "time": "Name  0:03",
    "caption": ">> NAME",
    "caption-alone": ">> NAME",
    "bracket": "[Name] 10:02:15",
}
# A caption file's speaker lines start with ">>"; other lines in it are speech.
_CAPTION_FORMS = ("caption", "caption-alone", "caption-anon")


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
    lines: int = 1  # how many lines with words it covers (a whole block: all of them)


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
    line: int = 0  # 1-based line number
    anon_body: int = -1  # ">>" lines: where the speech starts if the label is not a name


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
    if sum(ln.form in _CAPTION_FORMS[:2] for ln in lines) >= 2:  # ">> NAME": the rest is speech
        lines = [ln for ln in lines if ln.form in _CAPTION_FORMS + _MARKS or ln.known]
    else:  # a stray ">>" (a quoted e-mail) in another layout is speech
        lines = [ln for ln in lines if ln.form not in _CAPTION_FORMS or ln.role is not None]
    counts: dict[tuple[str, str], int] = {}
    for ln in lines:
        if not ln.known and ln.form not in _MARKS:
            counts[(ln.label, ln.form)] = counts.get((ln.label, ln.form), 0) + 1
    known_forms = {ln.form for ln in lines if ln.known}
    starts: list[_Line] = []
    for ln in lines:
        if ln.form in _MARKS:
            if starts or ln.form == "mark":
                starts.append(ln)
            continue
        if not ln.known and not _unknown_is_speaker(
            ln, counts[(ln.label, ln.form)] >= 2, bool(starts), known_forms
        ):
            if ln.anon_body < 0:
                continue
            ln = _Line(ln.offset, ln.anon_body, "", "caption-anon", None, None, True, None, ln.line)
        starts.append(ln)
    if not any(ln.form not in _MARKS for ln in starts):
        return _no_turns(text, counts)
    _check_one_layout(starts)
    turns, unplaced, stamped = _build_turns(text, starts)
    notices = unknown_speaker_notices(turns)
    first = next(ln for ln in starts if ln.form not in _MARKS)
    unplaced = _preamble_speech(text, first.offset) + unplaced
    layout = _layout_of(starts, stamped)
    if layout == "zoom-txt" and turns and (turns[0].timecode or 0) >= _CLOCK_TIME_MS:
        notices.insert(0, TurnNotice(turns[0].start, _CLOCK_TIME))
    return ParsedTurns(turns, notices, layout, unplaced)


def _build_turns(text: str, starts: list[_Line]) -> tuple[list[Turn], list[Unplaced], int]:
    """The turns between speaker lines; (turns, speakers not named, turns ending in a stamp).

    A timecode line gives its time to the turn after it; speech right after one (no label)
    continues the speaker before it, as a turn of its own. A turn ending in an f4 stamp
    (``#00:01:02-3#``) ends there, and the next turn starts at that time.
    """
    turns: list[Turn] = []
    unplaced: list[Unplaced] = []
    ends = [ln.offset for ln in starts[1:]] + [len(text)]
    pending: int | None = None  # the time the next turn starts at, from a mark or a stamp
    stamped = 0
    speaker: _Line | None = None
    for ln, end in zip(starts, ends, strict=True):
        if ln.form == "end":
            speaker = None
            continue
        if ln.form == "mark":
            pending = ln.timecode
            if speaker is None:
                continue
            ln = _Line(
                ln.offset,
                ln.body,
                speaker.label,
                speaker.form,
                speaker.role,
                speaker.pid,
                True,
                ln.timecode,
                ln.line,
            )
        chunk = text[ln.body : end]
        stripped = chunk.strip()
        start = ln.body + len(chunk) - len(chunk.lstrip())
        stamp = end_stamp(stripped)
        if stamp is not None:
            stripped = stripped[: stamp[0]].rstrip()
        if stripped:
            when = ln.timecode if ln.timecode is not None else pending
            speaker, pending = ln, None
            turns.append(
                make_turn(start, start + len(stripped), ln.label or None, ln.role, ln.pid, when)
            )
            if ln.form == "caption-anon":
                unplaced.append(Unplaced(start, stripped.split("\n", 1)[0][:80], _ANON))
        if stamp is not None:
            pending, stamped = stamp[1], stamped + 1
    return turns, unplaced, stamped


_MARKS = ("end", "mark")
# Zoom's saved transcript stamps each line with the time of day, not the recording's time.
_CLOCK_TIME_MS = 3_600_000
_CLOCK_TIME = (
    "the times on the '[Name] 10:02:15' lines look like times of day (the first is an hour "
    "or more), not times from the start of the recording; they are kept as written. Use the "
    "recording's captions (.vtt) instead if the times must match the recording."
)
_ANON = (
    "'>>' starts a new speaker but names none (a name is in capitals, or ends with ':'); "
    "kept as a turn with no speaker. Write '>> NAME:' on that line and import again"
)


def _unknown_is_speaker(
    ln: _Line, repeated: bool, after_first: bool, known_forms: set[str]
) -> bool:
    """Whether a line with a label nobody configured starts a turn (of a speaker with no
    role, reported) rather than being speech: it must look like the file's speaker lines.

    "Name: text" and "Name (0:01):" start a turn once a turn has started, or when the
    label comes back; "Name  0:03" likewise; "Name - text" only when the label comes back
    in a file whose known speakers use dashes ("Yes - I think" is speech); a name alone
    on its line only with a timestamp, and coming back. After ">>" a name in capitals
    with ":" or a time is a speaker; alone on its line, it must come back.
    """
    if ln.form == "dash":
        return repeated and "dash" in known_forms
    if ln.form == "alone":
        return ln.timecode is not None and repeated
    if ln.form == "caption":
        return caption_name_like(ln.label) or repeated
    if ln.form == "caption-alone":
        return caption_name_like(ln.label) and repeated
    return repeated or after_first


def _speaker_lines(
    text: str, role_of: dict[str, str], pattern: ParticipantPattern
) -> Iterator[_Line]:
    match, colon_match = _LINE_RE.match, _COLON_RE.match
    like = _LABEL_LIKE_RE.fullmatch
    end = _END_RE.fullmatch
    seen: dict[str, tuple[str | None, ParticipantId | None, bool]] = {}  # label -> kind

    def kind_of(label: str) -> tuple[str | None, ParticipantId | None, bool]:
        kind = seen.get(label)
        if kind is None:
            role, pid = classify_label(label, role_of, pattern)
            kind = seen[label] = (
                role,
                pid,
                role is not None
                or (like(label) is not None and label.casefold() not in HEADER_KEYS),
            )
        return kind

    pos = 0
    for number, line in enumerate(text.split("\n"), 1):
        special = (
            _special_line(line, pos, number, kind_of)
            if line and line[0] in _SPECIAL_HEADS
            else None
        )
        if special is not None:
            if special.form != "none":
                yield special
            pos += len(line) + 1
            continue
        if len(line) > _LONG_LINE and not _may_be_labelled(line[:_LONG_LINE]):
            pos += len(line) + 1  # a long line needs ":" or a dash near its start
            continue
        m = colon_match(line) if line else None
        if m is not None:
            label, ts1, ts2, ts4 = m.group("label", "ts1", "ts2", "ts4")
            colon, dash, ts3, alone = ":", None, None, None
        else:
            m = match(line) if line else None
            if m is None:
                if 0 < len(line) <= 80 and end(line):
                    yield _Line(pos, pos, "", "end", None, None, True, None, number)
                pos += len(line) + 1
                continue
            label, ts1, ts2, ts4, colon, dash, ts3, alone = m.group(
                "label", "ts1", "ts2", "ts4", "colon", "dash", "ts3", "alone"
            )
        if alone is not None and len(line) <= 80 and end(line):
            yield _Line(pos, pos, "", "end", None, None, True, None, number)
            pos += len(line) + 1
            continue
        label = label.strip()
        role, pid, speakerish = seen.get(label) or kind_of(label)
        ts = ts1 or ts2 or ts3 or ts4
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
                parse_stamp(ts) if ts else None,
                number,
            )
        pos += len(line) + 1


# First characters of lines _special_line may recognise (a timecode, "[Name]", ">>").
_SPECIAL_HEADS = frozenset("0123456789[(#> \t")


def _special_line(line: str, pos: int, number: int, kind_of) -> _Line | None:
    """A timecode line, a ``>>`` caption line or a ``[Name] 10:02:15`` line; None if the
    line is none of these; a line of form "none" when it is one that starts no turn."""
    head = line.lstrip()[:1]
    if not head:
        return None
    if head.isdigit() or head in "[(#":
        if len(line) <= 40 and (ms := time_mark(line)) is not None:
            return _Line(pos, pos + len(line), "", "mark", None, None, True, ms, number)
        if head == "[" and (b := bracket_line(line)) is not None:
            label, ts, body = b
            role, pid, speakerish = kind_of(label)
            if not speakerish:
                return None
            at = pos + (body if line[body:].strip() else len(line))
            return _Line(
                pos, at, label, "bracket", role, pid, role is not None, parse_stamp(ts), number
            )
        return None
    if head != ">" or (cap := caption_line(line)) is None:
        return None
    if cap.label is None:
        return _Line(pos, pos + cap.body, "", "caption-anon", None, None, True, None, number)
    role, pid, _ = kind_of(cap.label)
    return _Line(
        pos,
        pos + cap.body,
        cap.label,
        "caption-alone" if cap.alone else "caption",
        role,
        pid,
        role is not None,
        parse_stamp(cap.timecode) if cap.timecode else None,
        number,
        pos + cap.speech,
    )


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


def _layout_of(starts: list[_Line], stamped: int) -> str:
    """The layout's name (``LAYOUTS``), from the speaker lines' most common form."""
    forms: dict[str, int] = {}
    for ln in starts:
        if ln.form in _MARKS:
            continue
        forms[ln.form] = forms.get(ln.form, 0) + 1
    form = max(forms, key=lambda f: forms[f])
    speakers = sum(forms.values())
    if form == "colon":
        if stamped * 2 > speakers:
            return "f4"
        if any(ln.form == "mark" for ln in starts):
            return "labels-marks"
        timed = sum(1 for ln in starts if ln.timecode is not None and ln.form not in _MARKS)
        return "labels-timed" if timed * 2 > speakers else "labels"
    if form in _CAPTION_FORMS:
        return "cart"
    return {
        "rev": "rev",
        "time": "otter",
        "dash": "dash",
        "alone": "labels-alone",
        "bracket": "zoom-txt",
    }[form]


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
            f"Settle it with --speakers {shell_arg(label + '=participant')} (or =interviewer, "
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
            + ", ".join(f"'{_AS_WRITTEN[form].format(k)}' ({n}x)" for (k, form), n in top)
            + f"; if these are speakers, add --speakers {shell_arg(top[0][0][0] + '=participant')} "
            "(or =interviewer) and import again with --replace."
        )
    message = (
        "no speaker turns found (no line starts with a known label such as "
        "'Interviewer:' or a participant id); the text is stored as one block." + hint
    )
    if start >= end:
        return ParsedTurns([], [TurnNotice(0, message)], "none", [])
    first = text.count("\n", 0, start) + 1
    last = first + text.count("\n", start, end)
    said = sum(1 for line in text[start:end].split("\n") if line.strip())
    where = f"line {first}" if first == last else f"lines {first}-{last}"
    unplaced = Unplaced(
        start,
        text[start:end].split("\n", 1)[0][:80],
        f"no speaker turn found: {where}, the whole text, stored as one block with no speaker",
        lines=said,
    )
    return ParsedTurns([Turn(start, end, None, None)], [TurnNotice(0, message)], "none", [unplaced])


# How a speaker line of each form shows its label, for messages that quote it.
_AS_WRITTEN = {
    "colon": "{}:",
    "rev": "{} (time):",
    "dash": "{} -",
    "time": "{} 0:00",
    "alone": "{}",
    "caption": ">> {}",
    "caption-alone": ">> {}",
    "bracket": "[{}]",
}
