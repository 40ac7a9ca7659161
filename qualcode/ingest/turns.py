"""Speaker turns: who is speaking where, as character ranges over the stored text.

A turn starts at a speaker line. One line grammar covers the layouts people get
from transcription tools: ``Label: text`` (optionally after a timestamp, or
upper-case), ``Label - text`` (dash or en dash), ``Label:`` or a known label
alone on its line, ``Name (00:01:03):`` (Rev, ``Speaker 1 (00:01):``) and
``Name  0:03`` with the speech on the next lines (Otter, Teams); ``line_forms``
adds ``>> NAME`` caption headers, ``[Name] 10:02:15`` (Zoom), timecode lines
(Google Meet) and f4's ``#00:01:02-3#`` stamps. Lines without a label continue
the current turn. Text before the first turn (a title, a date, a bracketed note)
is a preamble, not speech. ``turn_build`` makes the turns from the speaker lines.

Labels are interviewer, participant (a participant id such as ``S3PW1`` is one),
other, or unknown: an unknown speaker (``Speaker 1``, a name) gets turns of its
own with no role and a notice saying how to settle it; its words are never
credited to the speaker before it. Two layouts in one file are refused with the
line of each. A turn's range covers what was said, not the label or timestamp.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from qualcode.ingest.line_forms import (
    STAMP,
    bracket_line,
    caption_line,
    caption_name_like,
    end_stamp,
    leading_caption_name,
    named_time_line,
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
from qualcode.ingest.turn_build import (  # noqa: F401 - LAYOUTS, the notices: re-exported
    LAYOUTS,
    build_turns,
    check_one_layout,
    clock_time_notices,
    layout_of,
    no_turns,
    preamble_speech,
    unknown_speaker_notices,
)
from qualcode.ingest.turn_types import (  # noqa: F401 - re-exported: callers import them here
    CAPTION_FORMS,
    MARK_FORMS,
    LayoutError,
    ParsedTurns,
    SpeakerLine,
    Turn,
    TurnNotice,
    Unplaced,
    make_turn,
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
_HEADER_LINES = 8  # a header block is short
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")  # a header line this long is probably speech: reported


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
    if "#" in text:  # f4 stamps end paragraphs: each ends a turn there
        lines = sorted(lines + list(_end_stamps(text)), key=lambda ln: ln.offset)
    head = _header_block_end(text)
    if head and any(ln.offset >= head and ln.known for ln in lines):
        lines = [ln for ln in lines if ln.offset >= head]  # "Interviewer: J. Bloggs" in it
    if sum(ln.form in CAPTION_FORMS[:2] for ln in lines) >= 2:  # ">> NAME": the rest is speech
        lines = [ln for ln in lines if ln.form in CAPTION_FORMS + MARK_FORMS or ln.known]
        _refuse_ambiguous_captions(lines)
    else:  # a stray ">>" (a quoted e-mail) in another layout is speech
        lines = [ln for ln in lines if ln.form not in CAPTION_FORMS or ln.role is not None]
    counts: dict[tuple[str, str], int] = {}
    for ln in lines:
        if not ln.known and ln.form not in MARK_FORMS:
            counts[(ln.label, ln.form)] = counts.get((ln.label, ln.form), 0) + 1
    known_forms = {ln.form for ln in lines if ln.known}
    starts: list[SpeakerLine] = []
    for ln in lines:
        if ln.form in MARK_FORMS:
            if starts or ln.form != "end":
                starts.append(ln)
            continue
        if not ln.known and not _unknown_is_speaker(
            ln, counts[(ln.label, ln.form)] >= 2, bool(starts), known_forms
        ):
            if ln.anon_body < 0:
                continue
            ln = SpeakerLine(
                ln.offset, ln.anon_body, "", "caption-anon", None, None, True, None, ln.line
            )
        starts.append(ln)
    if not any(ln.form not in MARK_FORMS for ln in starts):
        return no_turns(text, counts)
    check_one_layout(starts)
    turns, unplaced = build_turns(text, starts)
    notices = unknown_speaker_notices(turns)
    first = next(ln for ln in starts if ln.form not in MARK_FORMS)
    unplaced = preamble_speech(text, first.offset) + unplaced
    layout = layout_of(starts)
    notices = clock_time_notices(layout, turns, first.offset) + notices
    return ParsedTurns(turns, notices, layout, unplaced)


def _end_stamps(text: str) -> Iterator[SpeakerLine]:
    """An f4/MAXQDA stamp (``#00:00:12-4#``) ending a line: the paragraph ended then."""
    pos = 0
    for number, line in enumerate(text.split("\n"), 1):
        if line.endswith("#") or line.rstrip().endswith("#"):
            stamp = end_stamp(line)
            if stamp is not None:
                at, ms = stamp
                yield SpeakerLine(
                    pos + at, pos + len(line), "", "stamp", None, None, True, ms, number
                )
        pos += len(line) + 1


def _refuse_ambiguous_captions(lines: list[SpeakerLine]) -> None:
    """``>> INTERVIEWER Thanks for joining`` names a speaker, or starts an unnamed one's
    words with a word in capitals: which, the file does not say. Refused at its line."""
    for ln in lines:
        if ln.form == "caption-ambiguous":
            raise LayoutError(
                f"'>> {ln.label} ...' has no ':' or time after {ln.label!r}, so it cannot be "
                f"told whether {ln.label} is speaking or an unnamed speaker's words start "
                f"with it. Write '>> {ln.label}: ...' if {ln.label} is speaking (or put the "
                "words on the next line), and import again.",
                ln.offset,
            )


def _unknown_is_speaker(
    ln: SpeakerLine, repeated: bool, after_first: bool, known_forms: set[str]
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
    if ln.form == "named-time":
        return repeated
    return repeated or after_first


def _speaker_lines(
    text: str, role_of: dict[str, str], pattern: ParticipantPattern
) -> Iterator[SpeakerLine]:
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
                if "[" in line[:60] and (nt := named_time_line(line)) is not None:
                    label, ts, body = nt
                    role, pid, speakerish = seen.get(label) or kind_of(label)
                    if speakerish:
                        yield SpeakerLine(
                            pos,
                            pos + body,
                            label,
                            "named-time",
                            role,
                            pid,
                            role is not None,
                            parse_stamp(ts),
                            number,
                        )
                elif 0 < len(line) <= 80 and end(line):
                    yield SpeakerLine(pos, pos, "", "end", None, None, True, None, number)
                pos += len(line) + 1
                continue
            label, ts1, ts2, ts4, colon, dash, ts3, alone = m.group(
                "label", "ts1", "ts2", "ts4", "colon", "dash", "ts3", "alone"
            )
        if alone is not None and len(line) <= 80 and end(line):
            yield SpeakerLine(pos, pos, "", "end", None, None, True, None, number)
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
            yield SpeakerLine(
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


def _special_line(
    line: str,
    pos: int,
    number: int,
    kind_of: Callable[[str], tuple[str | None, ParticipantId | None, bool]],
) -> SpeakerLine | None:
    """A timecode line, a ``>>`` caption line or a ``[Name] 10:02:15`` line; None if the
    line is none of these (the line grammar reads it then)."""
    head = line.lstrip()[:1]
    if not head:
        return None
    if head.isdigit() or head in "[(#":
        if len(line) <= 40 and (ms := time_mark(line)) is not None:
            return SpeakerLine(pos, pos + len(line), "", "mark", None, None, True, ms, number)
        if head == "[" and (b := bracket_line(line)) is not None:
            label, ts, body = b
            role, pid, speakerish = kind_of(label)
            if not speakerish and not label[:1].isupper():  # "[Jo Bloggs (she/her)] 10:02:15"
                return None
            at = pos + (body if line[body:].strip() else len(line))
            return SpeakerLine(
                pos, at, label, "bracket", role, pid, role is not None, parse_stamp(ts), number
            )
        return None
    if head != ">" or (cap := caption_line(line)) is None:
        return None
    role, pid, _ = kind_of(cap.label) if cap.label else (None, None, False)
    if cap.label is None or (cap.alone and role is None and not caption_name_like(cap.label)):
        name = leading_caption_name(line[cap.speech :])
        if name is not None and kind_of(name)[0] is not None:  # ">> INTERVIEWER Thanks..."
            return SpeakerLine(pos, pos, name, "caption-ambiguous", None, None, False, None, number)
    if cap.label is None:
        return SpeakerLine(pos, pos + cap.body, "", "caption-anon", None, None, True, None, number)
    return SpeakerLine(
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
