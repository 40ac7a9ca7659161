"""The cases table as a researcher edits it: attributes per case, participants per case, CSV.

The CSV written here reads back with :func:`qualcode.services.cases.import_cases_csv`:
first column ``case``, one column per attribute, and a last ``participants``
column listing the participant ids that belong to the case (space separated).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from qualcode.errors import InvalidInputError, NotFoundError
from qualcode.services.cases import list_cases, resolve_case
from qualcode.services.project import Project
from qualcode.store.models import Case, Document, Participant

PARTICIPANTS_COLUMN = "participants"


@dataclass(frozen=True)
class ParticipantInfo:
    label: str
    case: str | None
    role: str | None
    documents: int


def list_participants(project: Project) -> list[ParticipantInfo]:
    """Every participant with its case and how many documents it has."""
    with project.read() as s:
        docs = dict(
            s.execute(
                select(Document.participant_id, func.count()).group_by(Document.participant_id)
            ).all()
        )
        rows = s.execute(
            select(Participant.id, Participant.label, Case.name, Participant.role)
            .outerjoin(Case, Case.id == Participant.case_id)
            .order_by(Participant.label)
        ).all()
        return [
            ParticipantInfo(label, case, role, docs.get(pid, 0)) for pid, label, case, role in rows
        ]


def _participant(s: object, label: str) -> Participant:
    row = s.scalar(
        select(Participant).where(  # type: ignore[attr-defined]
            func.lower(Participant.label) == label.strip().lower()
        )
    )
    if row is None:
        known = (
            ", ".join(s.scalars(select(Participant.label).order_by(Participant.label)))
            or "none yet"
        )  # type: ignore[attr-defined]
        raise NotFoundError(f"No participant {label!r} (participants: {known}).")
    return row  # type: ignore[no-any-return]


def set_participant_case(project: Project, label: str, case: str | None) -> None:
    """Move a participant (and its documents) to a case; ``None`` or empty: no case."""
    with project.transaction("set participant case", participant=label, case=case) as s:
        row = _participant(s, label)
        row.case_id = resolve_case(s, case).id if case and case.strip() else None


def remove_case_attribute(project: Project, case: str, name: str) -> None:
    """Delete one attribute of one case (the cell becomes empty)."""
    with project.transaction("remove case attribute", case=case, attribute=name) as s:
        row = resolve_case(s, case)
        attr = next((a for a in row.attributes if a.name.lower() == name.strip().lower()), None)
        if attr is None:
            raise NotFoundError(f"{row.name} has no attribute {name!r}.")
        s.delete(attr)


def export_cases_csv(project: Project, out: str | Path) -> Path:
    """Write the cases table (attributes and participants) as UTF-8 CSV, owner-only."""
    out = Path(out).expanduser()
    if out.suffix.lower() != ".csv":
        raise InvalidInputError(f"{out}: give a .csv file name.")
    if not out.parent.is_dir():
        raise InvalidInputError(f"{out}: folder {out.parent} does not exist. Create it first.")
    cases = list_cases(project)
    attrs: list[str] = []
    for c in cases:
        attrs += [a for a in c.attributes if a not in attrs]
    side = out.with_name(out.name + ".part")
    fd = os.open(side, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["case", *attrs, PARTICIPANTS_COLUMN])
        for c in cases:
            writer.writerow(
                [c.name, *[_cell(c.attributes.get(a)) for a in attrs], " ".join(c.participants)]
            )
    os.replace(side, out)
    return out


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def set_case_participants(project: Project, case: str, labels: list[str]) -> None:
    """Exactly these participants belong to the case (others leave it), in one transaction."""
    with project.transaction("set case participants", case=case, participants=labels) as s:
        row = resolve_case(s, case)
        wanted = {_participant(s, label).id for label in labels}
        for p in s.scalars(select(Participant).where(Participant.case_id == row.id)):
            if p.id not in wanted:
                p.case_id = None
        for pid in wanted:
            s.get(Participant, pid).case_id = row.id  # type: ignore[union-attr]
