"""Speaker turns: who is speaking where, as character ranges over the stored text.

A turn starts at a line ``Label: text`` (optionally after a timestamp) whose label
is a known interviewer or participant label, or a participant id such as
``S3PW1``. Lines without a label, including paragraphs after a blank line,
continue the current turn. Text before the first turn (a bracketed note, a
metadata table) is a preamble, not a turn. A line that
looks like a label nobody configured (``Researcher:``) is reported with its line
and kept as text of the current turn.

A turn's range covers what was said, not the label: coding a turn codes speech.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from qualcode.errors import InvalidInputError
from qualcode.ingest.participants import ParticipantId, ParticipantPattern

DEFAULT_INTERVIEWER_LABELS = ("Interviewer", "Int", "I", "Q", "Facilitator")
DEFAULT_PARTICIPANT_LABELS = ("R", "P", "Participant", "Respondent")
ROLES = ("interviewer", "participant", "other")

# Optional timestamp ("[00:01:23]", "12:04"), then the label, then ":" and a space.
# A speaker label at the start of a line (tried on each line: scanning the whole text
# with a MULTILINE "^" tests every character position and took over twice as long).
_LABEL_LINE_RE = re.compile(
    r"[ \t]*(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?[\])]?[ \t]+)?"
    r"(?P<label>[^\s:][^:\n]{0,39}?)[ \t]*:(?=\s|$)[ \t]*")
_LABEL_LIKE_RE = re.compile(r"[A-Z][\w'.-]*(?: [A-Z0-9][\w'.-]*){0,2}")


@dataclass(frozen=True)
class Turn:
    """One speaker turn: ``text[start:end]`` is what was said (label excluded)."""

    start: int
    end: int
    speaker: str | None
    is_participant: bool | None
    participant: ParticipantId | None = None


@dataclass(frozen=True)
class TurnNotice:
    """A warning found while parsing, at a character offset of the text."""

    offset: int
    message: str


@dataclass
class ParsedTurns:
    turns: list[Turn]
    notices: list[TurnNotice] = field(default_factory=list)

    @property
    def participant_ids(self) -> list[ParticipantId]:
        return [t.participant for t in self.turns if t.participant is not None]


@dataclass(frozen=True)
class SpeakerLabels:
    """Which labels mark the interviewer, the participant, or another speaker."""

    interviewer: tuple[str, ...] = DEFAULT_INTERVIEWER_LABELS
    participant: tuple[str, ...] = DEFAULT_PARTICIPANT_LABELS
    other: tuple[str, ...] = ()

    def with_extra(self, extra: dict[str, str]) -> SpeakerLabels:
        """Add ``{label: role}`` pairs (role: interviewer / participant / other)."""
        roles = {"interviewer": list(self.interviewer), "participant": list(self.participant),
                 "other": list(self.other)}
        for label, role in extra.items():
            for labels in roles.values():
                if label in labels:
                    labels.remove(label)
            roles[role].append(label)
        return SpeakerLabels(tuple(roles["interviewer"]), tuple(roles["participant"]),
                             tuple(roles["other"]))

    def role_of(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for role in ROLES:
            for label in getattr(self, role):
                out.setdefault(label.casefold(), role)
        return out


def parse_speaker_labels(spec: str | Iterable[str]) -> dict[str, str]:
    """``"Researcher=interviewer, Jane=participant"`` -> ``{label: role}``; clear errors."""
    items = [spec] if isinstance(spec, str) else list(spec)
    out: dict[str, str] = {}
    for item in items:
        for part in item.split(","):
            part = part.strip()
            if not part:
                continue
            label, sep, role = part.rpartition("=")
            label, role = label.strip(), role.strip().lower()
            if not sep or not label or role not in ROLES:
                raise InvalidInputError(
                    f"Speaker label {part!r}: write LABEL=ROLE with ROLE one of "
                    f"{', '.join(ROLES)}, e.g. --speaker-labels 'Researcher=interviewer,"
                    "Carer=other'.")
            if ":" in label:
                raise InvalidInputError(f"Speaker label {label!r}: give the label without the "
                                        "colon (Researcher, not Researcher:).")
            out[label] = role
    return out


def parse_turns(text: str, labels: SpeakerLabels | None = None,
                pattern: ParticipantPattern | None = None) -> ParsedTurns:
    """Find the speaker turns of a transcript (see the module notes).

    One regular-expression scan finds every line that starts with a label; a turn
    runs from its label to the next known label, trimmed of surrounding blank space.
    """
    role_of = (labels or SpeakerLabels()).role_of()
    pattern = pattern or ParticipantPattern()
    kinds: dict[str, tuple[str | None, ParticipantId | None]] = {}  # label -> (role, id)
    starts: list[tuple[int, int, str, str, ParticipantId | None]] = []
    unknown: dict[str, list[int]] = {}
    preamble_labels: dict[str, int] = {}
    for line_start, m in _label_lines(text):
        label = m.group("label").strip()
        if label not in kinds:
            role, pid = role_of.get(label.casefold()), None
            if role is None and (pid := pattern.match_label(label)) is not None:
                role = "participant"
            kinds[label] = (role, pid)
        role, pid = kinds[label]
        if role is not None:
            starts.append((line_start, line_start + m.end(), label, role, pid))
        elif len(label) <= 30 and _LABEL_LIKE_RE.fullmatch(label):
            if starts:
                unknown.setdefault(label, []).append(line_start)
            else:
                preamble_labels[label] = preamble_labels.get(label, 0) + 1
    turns: list[Turn] = []
    ends = [line_start for line_start, *_ in starts[1:]] + [len(text)] * bool(starts)
    for (_, body, label, role, pid), end in zip(starts, ends, strict=True):
        chunk = text[body:end]
        stripped = chunk.strip()
        if stripped:
            start = body + len(chunk) - len(chunk.lstrip())
            turns.append(Turn(start, start + len(stripped), label, role == "participant", pid))
    notices = [TurnNotice(offs[0], f"unknown speaker {label!r}"
                          + (f" ({len(offs)} lines)" if len(offs) > 1 else "")
                          + "; the text is kept in the previous turn. If it is a speaker, add "
                          f"--speaker-labels '{label}=participant' (or =interviewer, =other) "
                          "and import again with --replace.")
               for label, offs in unknown.items()]
    if not turns:
        return _no_turns(text, preamble_labels)
    return ParsedTurns(turns, notices)


def _label_lines(text: str) -> Iterator[tuple[int, re.Match[str]]]:
    """(offset of the line, match) for every line that starts with a speaker label."""
    match = _LABEL_LINE_RE.match
    pos = 0
    for line in text.split("\n"):
        if line:
            m = match(line)
            if m is not None:
                yield pos, m
        pos += len(line) + 1


def _no_turns(text: str, seen: dict[str, int]) -> ParsedTurns:
    """A text without known labels is one block, with a warning saying what was seen."""
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    hint = ""
    if seen:
        top = sorted(seen.items(), key=lambda kv: -kv[1])[:3]
        hint = (" Lines start with " + ", ".join(f"'{k}:' ({n}x)" for k, n in top)
                + f"; if these are speakers, add --speaker-labels '{top[0][0]}=participant' "
                "(or =interviewer) and import again with --replace.")
    message = ("no speaker turns found (no line starts with a known label such as "
               "'Interviewer:' or a participant id); the text is stored as one block." + hint)
    turns = [Turn(start, end, None, None)] if start < end else []
    return ParsedTurns(turns, [TurnNotice(0, message)])
