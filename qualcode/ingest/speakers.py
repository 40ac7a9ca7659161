"""Speaker labels and their roles: the defaults, the speaker map, and what a label is.

``Interviewer``, ``Researcher``, ``Moderator``, ``Facilitator`` and numbered
interviewers are interviewers; a participant id (``S3PW1``) is the participant;
anything else has no role until the speaker map says (never guessed).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass

from qualcode.errors import InvalidInputError
from qualcode.ingest.participants import ParticipantId, ParticipantPattern

DEFAULT_INTERVIEWER_LABELS = (
    "Interviewer",
    "Int",
    "I",
    "Q",
    "Facilitator",
    "Researcher",
    "Moderator",
)
DEFAULT_PARTICIPANT_LABELS = ("R", "P", "Participant", "Respondent")
ROLES = ("interviewer", "participant", "other")
# "Interviewer 2", "Researcher1": numbered interviewers are interviewers too.
_NUMBERED_INTERVIEWER_RE = re.compile(
    r"(?:interviewer|researcher|moderator|facilitator|int)[ _-]?\d{1,2}", re.IGNORECASE
)


@dataclass(frozen=True)
class SpeakerLabels:
    """Which labels mark the interviewer, the participant, or another speaker."""

    interviewer: tuple[str, ...] = DEFAULT_INTERVIEWER_LABELS
    participant: tuple[str, ...] = DEFAULT_PARTICIPANT_LABELS
    other: tuple[str, ...] = ()

    def with_extra(self, extra: dict[str, str]) -> SpeakerLabels:
        """Add ``{label: role}`` pairs (role: interviewer / participant / other)."""
        roles = {
            "interviewer": list(self.interviewer),
            "participant": list(self.participant),
            "other": list(self.other),
        }
        for label, role in extra.items():
            for labels in roles.values():
                for known in [k for k in labels if k.casefold() == label.casefold()]:
                    labels.remove(known)
            roles[role].append(label)
        return SpeakerLabels(
            tuple(roles["interviewer"]), tuple(roles["participant"]), tuple(roles["other"])
        )

    def role_of(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for role in ROLES:
            for label in getattr(self, role):
                out.setdefault(label.casefold(), role)
        return out


def parse_speaker_labels(spec: str | Iterable[str]) -> dict[str, str]:
    """``"Speaker 1=interviewer, Jane=participant"`` -> ``{label: role}``; clear errors."""
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
                    f"{', '.join(ROLES)}, e.g. --speakers 'Speaker 1=interviewer,"
                    "Speaker 2=participant'."
                )
            if ":" in label:
                raise InvalidInputError(
                    f"Speaker label {label!r}: give the label without the "
                    "colon (Researcher, not Researcher:)."
                )
            add_speaker_role(out, label, role, f"--speakers {part!r}")
    return out


def add_speaker_role(mapping: dict[str, str], label: str, role: str, where: str) -> None:
    """Add one label -> role; the same speaker given two roles is refused, naming ``where``."""
    for known, given in mapping.items():
        if known.casefold() == label.casefold() and given != role:
            raise InvalidInputError(
                f"{where}: speaker {label!r} is given two roles ({given} and {role}); keep one."
            )
    mapping[label] = role


def shell_arg(value: str, quote: str = "'") -> str:
    """``value`` quoted so a shell passes it back unchanged: in ``quote`` when nothing in it
    needs escaping there, else as ``shlex.quote`` writes it (``O'Brien`` keeps its apostrophe)."""
    unsafe = "'" if quote == "'" else '"$`\\!'
    if not any(c in value for c in unsafe):
        return f"{quote}{value}{quote}"
    return shlex.quote(value)


def classify_label(
    label: str, role_of: dict[str, str], pattern: ParticipantPattern
) -> tuple[str | None, ParticipantId | None]:
    """(role, participant id) of a speaker label; role None when nobody said."""
    role = role_of.get(label.casefold())
    if role is not None:
        return role, (pattern.match_label(label) if role == "participant" else None)
    if _NUMBERED_INTERVIEWER_RE.fullmatch(label):
        return "interviewer", None
    pid = pattern.match_label(label)
    if pid is not None:
        return "participant", pid
    return None, None
