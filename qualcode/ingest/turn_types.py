"""What parsing a transcript yields: speaker turns, notices, lines not placed, and the
speaker lines the turns are built from.

Here, apart from the line grammar (``turns``) and the turn assembly (``turn_build``), so
both can use them; callers import them from ``turns``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qualcode.errors import InvalidInputError
from qualcode.ingest.participants import ParticipantId

# A caption file's speaker lines start with ">>"; other lines in it are speech.
CAPTION_FORMS = ("caption", "caption-alone", "caption-anon", "caption-ambiguous")
# Lines (or line ends) that start no speaker's turn: the end of the interview, a timecode
# alone on its line, an f4 stamp ending a paragraph.
MARK_FORMS = ("end", "mark", "stamp")


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
class SpeakerLine:
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
