"""Caption files (WebVTT from Zoom and Teams, SRT) read into speaker turns with timecodes.

A cue's speaker comes from ``<v Name>`` (Teams), a cue identifier ``1 "Name" (id)``
(Webex) or a ``Name:`` at the start of its text (Zoom); a cue without one continues the
speaker before it. Consecutive cues
by the same speaker form one turn. The stored text is rewritten as one paragraph
per turn, ``[00:01:02.500] Name: what was said``, so no cue number, arrow or timing
line is left in what was said; each cue's start time is kept beside its text.
Broken timing lines and overlapping cues are refused with their line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from qualcode.ingest.participants import ParticipantPattern
from qualcode.ingest.timecodes import format_timecode, parse_timecode
from qualcode.ingest.turns import (
    LayoutError,
    ParsedTurns,
    SpeakerLabels,
    TurnNotice,
    Unplaced,
    classify_label,
    make_turn,
    unknown_speaker_notices,
)

_CUE_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{1,2}[.,]\d{1,3}"
_TIMING_RE = re.compile(rf"[ \t]*({_CUE_TIME})[ \t]+-->[ \t]+({_CUE_TIME})(?:[ \t]+.*)?[ \t]*")
_VOICE_RE = re.compile(r"<v(?:\.[\w.-]+)?[ \t]+([^>]+)>")
_TAG_RE = re.compile(r"</?[^>\s][^>]*>")
_CUE_LABEL_RE = re.compile(r"(?P<label>[^\s:<][^:\n]{0,39}?)[ \t]*:[ \t]+")
_LABEL_LIKE_RE = re.compile(r"[A-Z0-9][\w'.-]*(?: [A-Z0-9][\w'.-]*){0,3}")
_SKIP_BLOCKS = ("NOTE", "STYLE", "REGION")
# Webex names the speaker in the cue identifier: 12 "Dana Reyes" (3125481240)
_WEBEX_ID_RE = re.compile(r'\d+[ \t]+"(?P<name>[^"\n]{1,60})"(?:[ \t]+\(\d+\))?')


@dataclass
class _Cue:
    line: int  # the timing line, 1-based
    start: int
    end: int
    speaker: str | None
    text: str
    voiced: bool
    offset: int = 0  # where the timing line starts (.docx messages count paragraphs)
    by_id: bool = False  # the speaker came from a Webex cue identifier


def looks_like_cues(text: str) -> str | None:
    """ "vtt" or "srt" when a text is a caption file whatever its name, "timed" for timing
    lines with the speaker on the next line (older Teams .docx transcripts); else None."""
    head = text.lstrip("\ufeff \n")[:200]
    if head.startswith("WEBVTT"):
        return "vtt"
    lines = head.split("\n", 2)
    if len(lines) >= 2 and lines[0].strip().isdigit() and _TIMING_RE.fullmatch(lines[1]):
        return "srt"
    if (
        "-->" in text[:4000]
        and sum(1 for line in text[:4000].split("\n") if _TIMING_RE.fullmatch(line)) >= 2
    ):
        return "timed"
    return None


def parse_cues(
    text: str,
    kind: str,
    labels: SpeakerLabels | None = None,
    pattern: ParticipantPattern | None = None,
) -> ParsedTurns:
    """Turns of a WebVTT (``kind`` "vtt") or SRT ("srt") file; see the module notes."""
    cues, unplaced = _read_timed(text) if kind == "timed" else _read_cues(text, kind)
    if not cues:
        raise LayoutError(
            "no cues with a timing line (00:00:01.000 --> 00:00:04.000) found; "
            "is this a caption file?",
            0,
            1,
        )
    role_of = (labels or SpeakerLabels()).role_of()
    pattern = pattern or ParticipantPattern()
    named = _name_speakers(
        cues, lambda label: classify_label(label, role_of, pattern)[0] is not None
    )
    out: list[str] = []
    turns, times, turn_lines = [], [], []
    pos = 0
    i = 0
    while i < len(cues):
        j = i
        while j + 1 < len(cues) and cues[j + 1].speaker == cues[i].speaker:
            j += 1
        group = cues[i : j + 1]
        speaker = group[0].speaker
        when = format_timecode(group[0].start, exact=True)
        head = f"[{when}] {speaker}: " if speaker else f"[{when}] "
        start = pos + len(head)
        parts, at = [], start
        for cue in group:
            times.append((at, cue.start))
            parts.append(cue.text)
            at += len(cue.text) + 1
        body = " ".join(parts)
        out.append(head + body)
        role, pid = classify_label(speaker, role_of, pattern) if speaker else (None, None)
        turns.append(make_turn(start, start + len(body), speaker, role, pid, group[0].start))
        turn_lines.append(group[0].line)
        pos += len(head) + len(body) + 2
        i = j + 1
    notices = named
    line_of = {t.start: ln for t, ln in zip(turns, turn_lines, strict=True)}
    for n in unknown_speaker_notices(turns):
        notices.append(TurnNotice(n.offset, n.message, line_of.get(n.offset)))
    if all(t.speaker is None for t in turns):
        notices.append(
            TurnNotice(
                0,
                "no speaker names in the cues (no '<v Name>' or 'Name:'); "
                "the captions are stored as one speaker with no role.",
                1,
            )
        )
    layout = (
        "srt"
        if kind == "srt"
        else "teams-docx"
        if kind == "timed"
        else "webvtt-webex"
        if any(c.by_id for c in cues)
        else "webvtt-teams"
        if any(c.voiced for c in cues)
        else "webvtt-zoom"
    )
    return ParsedTurns(turns, notices, layout, unplaced, "\n\n".join(out) + "\n", times)


def _read_cues(text: str, kind: str) -> tuple[list[_Cue], list[Unplaced]]:
    lines = text.split("\n")
    if kind == "vtt" and not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise LayoutError("a WebVTT file must start with the line WEBVTT.", 0, 1)
    cues: list[_Cue] = []
    unplaced: list[Unplaced] = []
    i, n = 0, len(lines)
    first_block = kind == "vtt"
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        block_start = i
        while i < n and lines[i].strip():
            i += 1
        block = lines[block_start:i]
        if first_block:  # the WEBVTT header and its metadata lines
            first_block = False
            continue
        if kind == "vtt" and block[0].split(" ", 1)[0].split("\t", 1)[0] in _SKIP_BLOCKS:
            continue
        timing = next((k for k, ln in enumerate(block[:2]) if "-->" in ln), None)
        if timing is None:
            if kind == "srt" and block[0].strip().isdigit():
                raise LayoutError(
                    f"cue {block[0].strip()} has no timing line (expected "
                    "00:00:01,000 --> 00:00:04,000 on the next line).",
                    0,
                    block_start + 2,
                )
            for k, ln in enumerate(block):
                unplaced.append(
                    Unplaced(
                        0,
                        ln.strip(),
                        "text outside any cue (no timing line above it); not imported",
                        block_start + k + 1,
                    )
                )
            continue
        line_no = block_start + timing + 1
        m = _TIMING_RE.fullmatch(block[timing])
        start = parse_timecode(m.group(1)) if m else None
        end = parse_timecode(m.group(2)) if m else None
        if start is None or end is None:
            raise LayoutError(
                f"broken timing line {block[timing].strip()!r}; write it as "
                "00:00:01.000 --> 00:00:04.000.",
                0,
                line_no,
            )
        _check_order(cues, start, end, m, line_no)
        raw = " ".join(ln.strip() for ln in block[timing + 1 :] if ln.strip())
        voice = _VOICE_RE.search(raw)
        speaker = voice.group(1).strip() if voice else None
        clean = " ".join(html.unescape(_TAG_RE.sub("", raw)).split())
        ident = _WEBEX_ID_RE.fullmatch(block[0].strip()) if timing == 1 else None
        if ident is not None and speaker is None:
            speaker = " ".join(ident.group("name").split())
            if clean.startswith(speaker + ":"):  # the name again before the words
                clean = clean[len(speaker) + 1 :].lstrip()
        if clean:
            cues.append(
                _Cue(
                    line_no,
                    start,
                    end,
                    speaker,
                    clean,
                    voice is not None,
                    by_id=ident is not None and voice is None,
                )
            )
    return cues, unplaced


def _read_timed(text: str) -> tuple[list[_Cue], list[Unplaced]]:
    """Timing line, the speaker's name on the next line, then the speech (blank lines
    between them allowed: a .docx puts each on its own paragraph). Lines before the first
    timing line are a preamble."""
    cues: list[_Cue] = []
    pos, current = 0, None
    pending: list[str] = []

    def close() -> None:
        if current is None:
            return
        line_no, offset, start, end = current
        said = [ln.strip() for ln in pending if ln.strip()]
        speaker = said.pop(0) if len(said) >= 2 and len(said[0]) <= 60 else None
        clean = " ".join(html.unescape(_TAG_RE.sub("", " ".join(said))).split())
        if clean:
            cues.append(_Cue(line_no, start, end, speaker, clean, False, offset))

    for n, line in enumerate(text.split("\n"), 1):
        if "-->" in line:
            m = _TIMING_RE.fullmatch(line)
            start = parse_timecode(m.group(1)) if m else None
            end = parse_timecode(m.group(2)) if m else None
            if start is None or end is None:
                raise LayoutError(
                    f"broken timing line {line.strip()!r}; write it as "
                    "0:00:01.000 --> 0:00:04.000.",
                    pos,
                )
            close()
            _check_order(cues, start, end, m, n, pos)
            current, pending = (n, pos, start, end), []
        elif current is not None:
            pending.append(line)
        pos += len(line) + 1
    close()
    return cues, []


def _check_order(
    cues: list[_Cue], start: int, end: int, m: re.Match[str], line: int | None, offset: int = 0
) -> None:
    """A cue that ends before it starts, or starts before the one above it ends, is refused."""
    if end < start:
        raise LayoutError(
            f"the cue ends ({m.group(2)}) before it starts ({m.group(1)}).",
            offset,
            line if offset == 0 else None,
        )
    if cues and start < cues[-1].end:
        raise LayoutError(
            f"this cue starts at {m.group(1)}, before the cue at line "
            f"{cues[-1].line} ends ({format_timecode(cues[-1].end)}): "
            "overlapping cues. Fix the timing or export the transcript "
            "again without overlaps.",
            offset,
            line if offset == 0 else None,
        )


def _name_speakers(cues: list[_Cue], known: Callable[[str], bool]) -> list[TurnNotice]:
    """Zoom's ``Name: text``: a known label, or one used in two cues or more, is a
    speaker; later cues without a name continue the speaker before them. A name-like
    label used once is left as text, with a notice naming its line."""
    found: dict[str, int] = {}
    for cue in cues:
        if cue.speaker is None and (m := _CUE_LABEL_RE.match(cue.text)) is not None:
            label = m.group("label").strip()
            if _LABEL_LIKE_RE.fullmatch(label):
                found[label] = found.get(label, 0) + 1
    notices: list[TurnNotice] = []
    current: str | None = None
    for cue in cues:
        if cue.speaker is None and (m := _CUE_LABEL_RE.match(cue.text)) is not None:
            label = m.group("label").strip()
            if found.get(label, 0) >= 2 or known(label):
                cue.speaker, cue.text = label, cue.text[m.end() :]
            elif label in found:
                notices.append(
                    TurnNotice(
                        0,
                        f"this cue starts with '{label}:', used only "
                        "once, so it is kept as words of the speaker before "
                        f"it. If {label!r} is a speaker, add --speakers "
                        f"'{label}=participant' (or =interviewer, =other).",
                        cue.line,
                    )
                )
        if cue.speaker is None:
            cue.speaker = current
        current = cue.speaker
    return notices
