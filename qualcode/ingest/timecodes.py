"""Timecodes as transcription tools write them, read into milliseconds and printed back.

``0:03`` (Otter, Teams), ``00:01:03`` (Rev), ``00:00:03.120`` (WebVTT) and
``00:00:03,120`` (SRT) all mean a time from the start of the recording. Two parts
are minutes and seconds; three are hours, minutes and seconds.
"""

from __future__ import annotations

import re

# A timecode inside a larger pattern (no anchors, no groups).
TIMECODE = r"(?:\d{1,2}:)?\d{1,3}:\d{2}(?:[.,]\d{1,3})?"
# Seconds may have one digit: older Teams transcripts write 0:0:6.330.
_TIMECODE_RE = re.compile(r"(?:(\d{1,2}):)?(\d{1,3}):(\d{1,2})(?:[.,](\d{1,3}))?")


def parse_timecode(text: str) -> int | None:
    """Milliseconds for a timecode such as ``1:02:03.5``; None if it is not one."""
    m = _TIMECODE_RE.fullmatch(text.strip().strip("[]()"))
    if m is None:
        return None
    hours, minutes, seconds, fraction = m.groups()
    if int(seconds) > 59 or (hours is not None and int(minutes) > 59):
        return None
    ms = int((fraction or "0").ljust(3, "0")[:3])
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + ms


def format_timecode(ms: int | None, *, exact: bool = False) -> str:
    """``hh:mm:ss`` (how quotes and ``show`` print a time); ``exact`` adds ``.mmm`` when
    there are milliseconds, so the time reads back unchanged."""
    if ms is None:
        return ""
    seconds = ms // 1000
    out = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"{out}.{ms % 1000:03d}" if exact and ms % 1000 else out
