"""Speaker-line forms beyond ``Label: text``: caption headers, bracketed names, time marks
and end-of-paragraph stamps, as transcription services and tools write them.

- ``>> NAME``, ``>> NAME [00:00:05]``, ``>> NAME: text`` (CART, broadcast and court-style
  captions); ``>>`` with no name marks a new speaker nobody identified.
- ``[Name] 10:02:15`` with the speech on the same line or below (Zoom's saved transcript).
- A timecode alone on its line (Google Meet every few minutes, paragraph stamps).
- ``#00:01:02-3#`` stamps (f4transkript, MAXQDA), at the end of a paragraph: when it ended.

Each recogniser looks at one line and says where the label is and where the speech starts;
``turns`` decides whether the line starts a turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualcode.ingest.timecodes import TIMECODE, parse_timecode

# A timecode as tools write it, with f4's tenths after a hyphen (00:01:02-3).
STAMP = rf"(?:{TIMECODE}|\d{{1,2}}:\d{{2}}:\d{{2}}-\d)"
_F4_TENTHS_RE = re.compile(r"(\d{1,2}:\d{2}:\d{2})-(\d)")
_CAPTION_MARK_RE = re.compile(r"[ \t]*>>>?[ \t]*")
_CAPTION_LABEL = r"(?P<label>[^\s:\[\]()][^:\[\]()\n]{0,39}?)"
_CAPTION_TIMED_RE = re.compile(
    rf"{_CAPTION_LABEL}[ \t]*[\[(](?P<ts>{STAMP})[\])](?:[ \t]*:(?=\s|$))?[ \t]*"
)
_CAPTION_COLON_RE = re.compile(rf"{_CAPTION_LABEL}[ \t]*:(?=\s|$)[ \t]*")
_CAPTION_ALONE_RE = re.compile(rf"{_CAPTION_LABEL}[ \t]*")
_BRACKET_RE = re.compile(
    rf"[ \t]*\[(?P<label>[^\s\[\]:][^\[\]:\n]{{0,39}})\][ \t]+(?P<ts>{STAMP})(?=[ \t]|$)[ \t]*"
)
# "Name [00:00:05] text", the fields often split by tabs (BBC transcript editor exports).
_NAMED_TIME_RE = re.compile(
    rf"[ \t]*(?P<label>[^\s:\[\]()#>][^:\[\]()\n\t]{{0,39}}?)[ \t]+\[(?P<ts>{STAMP})\][ \t]+(?=\S)"
)
_MARK_RE = re.compile(
    rf"[ \t]*(?:\[(?P<a>{STAMP})\]|\((?P<b>{STAMP})\)|#(?P<c>{STAMP})#|(?P<d>{STAMP}))[ \t]*"
)
_END_STAMP_RE = re.compile(rf"[ \t]*#(?P<ts>{STAMP})#[ \t]*$")
_SENTENCE_END = ".?!,;"


@dataclass(frozen=True, slots=True)
class CaptionLine:
    """A ``>>`` line: its label (None: no name), timecode text, and where speech starts."""

    label: str | None
    timecode: str | None
    body: int  # offset within the line
    alone: bool  # the label is alone on its line (no ":" or timecode after it)
    speech: int  # where the speech starts if the label is not a name (after ">>")


def parse_stamp(text: str) -> int | None:
    """Milliseconds of a timecode, f4's ``00:01:02-3`` (tenths) included."""
    return parse_timecode(_F4_TENTHS_RE.sub(r"\1.\2", text.strip().strip("#[]()")))


def caption_line(line: str) -> CaptionLine | None:
    """The parts of a ``>>`` line; None when the line does not start with ``>>``."""
    m = _CAPTION_MARK_RE.match(line)
    if m is None:
        return None
    at = m.end()
    rest = line.rstrip()
    if at >= len(rest):
        return CaptionLine(None, None, len(line), True, len(line))
    timed = _CAPTION_TIMED_RE.match(line, at)
    if timed is not None:
        return CaptionLine(timed.group("label").strip(), timed.group("ts"), timed.end(), False, at)
    colon = _CAPTION_COLON_RE.match(line, at)
    if colon is not None:
        return CaptionLine(colon.group("label").strip(), None, colon.end(), False, at)
    alone = _CAPTION_ALONE_RE.fullmatch(rest, at)
    if alone is not None:
        return CaptionLine(alone.group("label").strip(), None, len(line), True, at)
    return CaptionLine(None, None, at, False, at)


def caption_name_like(label: str) -> bool:
    """A caption speaker written the captioners' way: in capitals, a few words, no sentence
    punctuation at its end (``DR. OKAFOR``, ``SPEAKER 2``)."""
    return (
        label.upper() == label
        and sum(c.isalpha() for c in label) >= 2
        and len(label.split()) <= 4
        and label[-1] not in _SENTENCE_END
    )


def bracket_line(line: str) -> tuple[str, str, int] | None:
    """``[Name] 10:02:15`` (label, timecode text, where speech starts); None if not one."""
    m = _BRACKET_RE.match(line)
    if m is None:
        return None
    return m.group("label").strip(), m.group("ts"), m.end()


def named_time_line(line: str) -> tuple[str, str, int] | None:
    """``Name [00:00:05] text`` (label, timecode text, where speech starts); None if not."""
    m = _NAMED_TIME_RE.match(line)
    return None if m is None else (m.group("label").strip(), m.group("ts"), m.end())


def leading_caption_name(said: str) -> str | None:
    """The words in capitals that open a ``>>`` line with no ':' or time after a name
    (``>> INTERVIEWER Thanks for...``), longest first; None when it opens with none."""
    words = said.split()
    for k in range(min(4, len(words) - 1), 0, -1):
        name = " ".join(words[:k])
        if caption_name_like(name):
            return name
    return None


def time_mark(line: str) -> int | None:
    """Milliseconds when a line is a timecode alone (``00:05:00``, ``[00:05:00]``)."""
    m = _MARK_RE.fullmatch(line)
    if m is None:
        return None
    return parse_stamp(m.group("a") or m.group("b") or m.group("c") or m.group("d"))


def end_stamp(said: str) -> tuple[int, int] | None:
    """(where the stamp starts, milliseconds) when a turn's text ends with ``#00:01:02-3#``."""
    if not said.rstrip().endswith("#"):  # most lines: no stamp, and no regex search
        return None
    m = _END_STAMP_RE.search(said, max(0, len(said) - 40))
    if m is None:
        return None
    ms = parse_stamp(m.group("ts"))
    return None if ms is None else (m.start(), ms)
