"""The speaker map (which label is the interviewer, the participant, another speaker)
and re-reading a stored document's roles with a new one.

A map is given as ``"Speaker 1=interviewer,Speaker 2=participant"`` or as a CSV
file (columns ``speaker,role``); it is remembered by the project, so the next
import and the next check use it too. Re-reading roles never changes a
document's text: every coding stays on the same words.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, update

from qualcode.errors import InvalidInputError
from qualcode.ingest.participants import ParticipantPattern
from qualcode.ingest.turns import (
    ROLES,
    SpeakerLabels,
    add_speaker_role,
    classify_label,
    parse_speaker_labels,
)
from qualcode.services.documents import resolve_document
from qualcode.services.importing import options_from_settings
from qualcode.services.project import Project
from qualcode.store.models import Segment

_HEADER = ("speaker", "role")


def read_speaker_map(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``LABEL=ROLE,...`` specs and CSV files (``speaker,role``) as one ``{label: role}``."""
    out: dict[str, str] = {}
    for value in values:
        path = Path(value)
        if value.lower().endswith(".csv"):
            for label, role in speaker_map_csv(path).items():
                add_speaker_role(out, label, role, str(path))
        else:
            for label, role in parse_speaker_labels(value).items():
                add_speaker_role(out, label, role, f"--speakers {value!r}")
    return out


def speaker_map_csv(path: Path) -> dict[str, str]:
    """Read a speaker map CSV; a bad row or a speaker given two roles names its line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError as e:
        raise InvalidInputError(f"{path}: no such speaker map file.") from e
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInputError(
            f"{path}: cannot read the speaker map ({e}); save it as a "
            "UTF-8 CSV with columns speaker,role."
        ) from e
    out: dict[str, str] = {}
    for n, row in enumerate(rows, 1):
        cells = [c.strip() for c in row]
        if not any(cells) or (n == 1 and tuple(c.lower() for c in cells[:2]) == _HEADER):
            continue
        if len(cells) < 2 or not cells[0] or cells[1].lower() not in ROLES:
            raise InvalidInputError(
                f"{path}:{n}: write each row as speaker,role with role one "
                f"of {', '.join(ROLES)} (got {','.join(row)!r})."
            )
        add_speaker_role(out, cells[0], cells[1].lower(), f"{path}:{n}")
    return out


def write_speaker_map_csv(mapping: dict[str, str], path: Path) -> None:
    """The map as a CSV a team can keep beside the project and edit."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(_HEADER)
        for label, role in mapping.items():
            w.writerow([label, role])


@dataclass
class ReparseResult:
    """What re-reading a document's roles changed, speaker by speaker."""

    document: str
    changed: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    turns_changed: int = 0
    unsettled: list[str] = field(default_factory=list)  # speakers still without a role

    def lines(self) -> list[str]:
        if not self.changed:
            out = [f"{self.document}: no speaker changes role; nothing stored."]
        else:
            out = [
                f"{self.document}: {self.turns_changed} turns re-attributed; the text and "
                "every coding are unchanged."
            ]
            out += [
                f"  {label}: {old or 'no role'} -> {new or 'no role'}"
                for label, (old, new) in self.changed.items()
            ]
        if self.unsettled:
            out.append(
                "  still without a role: "
                + ", ".join(self.unsettled)
                + " (add them with --speakers LABEL=ROLE)."
            )
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "document": self.document,
            "turns_changed": self.turns_changed,
            "changed": {k: {"from": a, "to": b} for k, (a, b) in self.changed.items()},
            "unsettled": self.unsettled,
        }


def reparse_document(
    project: Project, ref: str | int, speaker_map: dict[str, str]
) -> ReparseResult:
    """Re-read the roles of a stored document's turns and sentences with the project's
    speaker map plus ``speaker_map`` (one transaction; text and codings untouched)."""

    options = options_from_settings(project, speaker_labels=speaker_map or None)
    role_of = SpeakerLabels().with_extra(options.speaker_labels).role_of()
    pattern = ParticipantPattern(options.participant_pattern, options.case_template)
    with project.transaction("reparse document", speakers=json.dumps(speaker_map)) as s:
        doc = resolve_document(s, ref)
        result = ReparseResult(doc.name)
        rows = s.execute(
            select(Segment.speaker, Segment.role, Segment.kind).where(
                Segment.document_id == doc.id, Segment.speaker.is_not(None)
            )
        ).all()
        old: dict[str, str | None] = {}
        turns: dict[str, int] = {}
        for speaker, role, kind in rows:
            old.setdefault(speaker, role)
            if kind == "turn":
                turns[speaker] = turns.get(speaker, 0) + 1
        for speaker, was in old.items():
            new = classify_label(speaker, role_of, pattern)[0]
            if new is None:
                result.unsettled.append(speaker)
            if new == was:
                continue
            result.changed[speaker] = (was, new)
            result.turns_changed += turns.get(speaker, 0)
            s.execute(
                update(Segment)
                .where(Segment.document_id == doc.id, Segment.speaker == speaker)
                .values(role=new, is_participant=None if new is None else new == "participant")
            )
    return result
