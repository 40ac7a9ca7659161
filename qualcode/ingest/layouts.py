"""Which layout a transcript is in, and its turns: the one entry point for parsing.

Caption files (WebVTT, SRT, by name or by content) go cue by cue, .docx
transcript tables row by row, and everything else through the speaker-line
grammar of ``turns``. A file that is broken or mixes layouts raises
InvalidInputError naming the file and its line (or paragraph).
"""

from __future__ import annotations

from qualcode.errors import InvalidInputError
from qualcode.ingest.cues import looks_like_cues, parse_cues
from qualcode.ingest.participants import ParticipantPattern
from qualcode.ingest.readers import IngestWarning, SourceText
from qualcode.ingest.tables import parse_table_layout
from qualcode.ingest.turns import LAYOUTS, LayoutError, ParsedTurns, SpeakerLabels, parse_turns

LAYOUT_NAMES = {
    **LAYOUTS,
    "webvtt-zoom": "WebVTT captions, 'Name: text' cues (Zoom)",
    "webvtt-teams": "WebVTT captions, '<v Name>' cues (Teams)",
    "webvtt-webex": "WebVTT captions, the speaker in each cue's identifier (Webex)",
    "srt": "SRT captions",
    "teams-docx": "timed cues, speaker on the next line (older Teams .docx)",
    "table": "Word table, one turn per row (Speaker | Text)",
    "table-timed": "Word table, one turn per row (Time | Speaker | Text)",
}


def parse_source(
    src: SourceText, labels: SpeakerLabels | None = None, pattern: ParticipantPattern | None = None
) -> ParsedTurns:
    """The turns of a transcript read from a file (see the module notes)."""
    try:
        kind = src.file_format if src.file_format in ("vtt", "srt") else None
        if kind is None and src.file_format in ("txt", "docx"):
            kind = looks_like_cues(src.text)
        if kind is not None:
            return parse_cues(src.text, kind, labels, pattern)
        if src.tables:
            parsed = parse_table_layout(src, labels, pattern)
            if parsed is not None:
                return parsed
        return parse_turns(src.text, labels, pattern)
    except LayoutError as e:
        raise InvalidInputError(
            str(where(src, e.offset, e.message, e.line)) + " Nothing was imported from it."
        ) from e


def where(src: SourceText, offset: int, message: str, line: int | None = None) -> IngestWarning:
    """A message at a source line when known, else at an offset of the text."""
    if line is not None:
        return IngestWarning(src.path.name, message, line)
    return src.warning_at(offset, message)
