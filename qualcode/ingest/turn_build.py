"""Speaker turns from the speaker lines found: the turns' ranges and times, the layout's
name, and what is reported (speakers with no role, lines not placed, two layouts in one file).
"""

from __future__ import annotations

from qualcode.ingest.speakers import shell_arg
from qualcode.ingest.turn_types import (
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

_PREAMBLE_SPEECH_WORDS = 12


def build_turns(text: str, starts: list[SpeakerLine]) -> tuple[list[Turn], list[Unplaced]]:
    """The turns between speaker lines, and the turns of speakers nobody named.

    A timecode line, or an f4 stamp ending a paragraph (``#00:01:02-3#``: when it ended),
    gives its time to the turn after it; speech right after one with no label continues
    the speaker before it, as a turn of its own.
    """
    turns: list[Turn] = []
    unplaced: list[Unplaced] = []
    ends = [ln.offset for ln in starts[1:]] + [len(text)]
    pending: int | None = None  # the time the next turn starts at, from a mark or a stamp
    speaker: SpeakerLine | None = None
    for ln, end in zip(starts, ends, strict=True):
        if ln.form == "end":
            speaker = None
            continue
        if ln.form in ("mark", "stamp"):
            pending = ln.timecode
            if speaker is None:
                continue
            ln = SpeakerLine(
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
        if stripped:
            when = ln.timecode if ln.timecode is not None else pending
            speaker, pending = ln, None
            turns.append(
                make_turn(start, start + len(stripped), ln.label or None, ln.role, ln.pid, when)
            )
            if ln.form == "caption-anon":
                unplaced.append(Unplaced(start, stripped.split("\n", 1)[0][:80], _ANON))
    return turns, unplaced


# Zoom's saved transcript stamps each line with the time of day, not the recording's time.
_CLOCK_TIME_MS = 3_600_000
_CLOCK_TIME = (
    "the times on the '[Name] 10:02:15' lines look like times of day (the first is an hour "
    "or more), not times from the start of the recording; they are kept as written. Use the "
    "recording's captions (.vtt) instead if the times must match the recording."
)


def clock_time_notices(layout: str, turns: list[Turn], offset: int) -> list[TurnNotice]:
    """A warning when a Zoom saved transcript's times are times of day (kept as written)."""
    if layout == "zoom-txt" and turns and (turns[0].timecode or 0) >= _CLOCK_TIME_MS:
        return [TurnNotice(offset, _CLOCK_TIME)]
    return []


_ANON = (
    "'>>' starts a new speaker but names none (a name is in capitals, or ends with ':'); "
    "kept as a turn with no speaker. Write '>> NAME:' on that line and import again"
)


# Speaker-line forms that cannot share a file; a label alone on its line fits any of them.
_FAMILY = {
    "colon": "Label: text",
    "rev": "Label: text",
    "named-time": "Label: text",
    "alone": None,
    "dash": "Label - text",
    "time": "Name  0:03",
    "caption": ">> NAME",
    "caption-alone": ">> NAME",
    "bracket": "[Name] 10:02:15",
}


def check_one_layout(starts: list[SpeakerLine]) -> None:
    """Two layouts in one file (each on two lines or more) are refused, naming both."""
    first: dict[str, SpeakerLine] = {}
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


def layout_of(starts: list[SpeakerLine]) -> str:
    """The layout's name (``LAYOUTS``), from the speaker lines' most common form."""
    forms: dict[str, int] = {}
    for ln in starts:
        if ln.form in MARK_FORMS:
            continue
        forms[ln.form] = forms.get(ln.form, 0) + 1
    form = max(forms, key=lambda f: forms[f])
    speakers = sum(forms.values())
    if form == "colon":
        if sum(ln.form == "stamp" for ln in starts) * 2 > speakers:
            return "f4"
        if any(ln.form == "mark" for ln in starts):
            return "labels-marks"
        timed = sum(1 for ln in starts if ln.timecode is not None and ln.form not in MARK_FORMS)
        return "labels-timed" if timed * 2 > speakers else "labels"
    if form in CAPTION_FORMS:
        return "cart"
    return {
        "rev": "rev",
        "time": "otter",
        "dash": "dash",
        "alone": "labels-alone",
        "bracket": "zoom-txt",
        "named-time": "labels-timed",
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


def preamble_speech(text: str, end: int) -> list[Unplaced]:
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


def no_turns(text: str, seen: dict[tuple[str, str], int]) -> ParsedTurns:
    """A text without speaker lines is one block, with a warning saying what was seen."""
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    hint = ""
    if seen:
        top = sorted(seen.items(), key=lambda kv: -kv[1])[:3]
        hint = (
            " Lines start with "
            + ", ".join(f"'{_AS_WRITTEN.get(form, '{}').format(k)}' ({n}x)" for (k, form), n in top)
            + f"; if these are speakers, add --speakers {shell_arg(top[0][0][0] + '=participant')} "
            "(or =interviewer) and import again with --replace."
        )
    message = (
        "no speaker turns found (no line starts with a known label such as "
        "'Interviewer:' or a participant id); the text is stored as one block." + hint
    )
    if start >= end:
        return ParsedTurns([], [TurnNotice(0, message)], "none", [])
    said = sum(1 for line in text[start:end].split("\n") if line.strip())
    unplaced = Unplaced(  # at the first line; .docx messages count paragraphs, not lines
        start,
        text[start:end].split("\n", 1)[0][:80],
        f"no speaker turn found: the whole text from here to its end ({said} line"
        f"{'s' * (said != 1)} with words) is stored as one block with no speaker",
        lines=said,
    )
    return ParsedTurns([Turn(start, end, None, None)], [TurnNotice(0, message)], "none", [unplaced])


# How a speaker line of each form shows its label, for messages that quote it.
_AS_WRITTEN = {
    "colon": "{}:",
    "rev": "{} (time):",
    "named-time": "{} [time]",
    "dash": "{} -",
    "time": "{} 0:00",
    "alone": "{}",
    "caption": ">> {}",
    "caption-alone": ">> {}",
    "bracket": "[{}]",
}
