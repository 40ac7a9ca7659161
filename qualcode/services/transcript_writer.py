"""Storing one prepared transcript in one transaction: its participant and case (found or
made), the document, its segments, its coded share and the audit entry.

Split from :mod:`qualcode.services.transcript_store`, which runs an import (reading,
parsing, segmenting, deciding what is new) and hands each prepared file here. Each
file is one transaction on the run's one Core connection when it has one; the
participants and cases met are remembered once committed, so later files of the
run find them without a query.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from qualcode.errors import InvalidInputError
from qualcode.ingest.participants import ParticipantId, ParticipantPattern
from qualcode.services.project import Project
from qualcode.services.transcript_rows import Prepared, insert_row, insert_segments
from qualcode.store.models import AuditEntry, Case, Document, Participant, Segment
from qualcode.store.progress import refresh_stale

if TYPE_CHECKING:
    from qualcode.services.importing import ImportReport


@dataclass
class _Attached:
    """Who a stored document was attached to (counted once the transaction commits)."""

    participant_id: int | None = None
    participant: str | None = None
    case_id: int | None = None
    case: str | None = None
    participant_created: bool = False
    case_created: bool = False


class _Q:
    """Statements built once: constructing them per file costs more than running them."""

    find_participant = select(
        Participant.id, Participant.case_id, Participant.role, Participant.number
    ).where(Participant.label == bindparam("label"))
    insert_participant = insert(Participant.__table__)
    find_case = select(Case.id, Case.name).where(func.lower(Case.name) == bindparam("name"))
    insert_case = insert(Case.__table__)


class TranscriptWriter:
    """Stores prepared transcripts and counts them in the run's report."""

    def __init__(self, project: Project, pattern: ParticipantPattern, report: ImportReport) -> None:
        self.project, self.pattern, self.report = project, pattern, report
        self.conn: Any = None
        """The run's connection for its writes (None: a pooled one per file)."""
        self._people: dict[str, tuple[int, int | None, str | None]] = {}  # committed this run
        self._cases: dict[str, tuple[int, str]] = {}

    def store(self, job: Prepared) -> None:
        """Store one prepared transcript in one transaction and count it in the report."""
        try:
            who = self._store(job)
        except IntegrityError as e:
            raise InvalidInputError(
                f"{job.path}: document {job.values['name']!r} was stored by "
                "someone else meanwhile; import again to compare."
            ) from e
        report = self.report
        if who.participant:
            report.participants.add(who.participant)
        if who.case:
            report.cases.add(who.case)
        report.participants_created += who.participant_created
        report.cases_created += who.case_created
        (report.replaced if job.replace_id is not None else report.added).append(job.values["name"])
        report.words += job.values["word_count"]
        report.warnings += job.warnings

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """One file's transaction, on the run's own connection when there is one (taking
        a pooled connection per file and handing it back cost as much as the inserts)."""
        if self.conn is None:
            with self.project.engine.begin() as conn:
                yield conn
        else:
            with self.conn.begin():
                yield self.conn

    def _store(self, job: Prepared) -> _Attached:
        with self._transaction() as conn:  # Core only: no Session per file
            pid = job.participant
            who = self._participant(conn, pid) if pid is not None else _Attached()
            values = {**job.values, "participant_id": who.participant_id, "case_id": who.case_id}
            if job.replace_id is not None:
                doc_id = job.replace_id
                conn.execute(delete(Segment.__table__).where(Segment.document_id == doc_id))
                conn.execute(
                    update(Document.__table__).where(Document.id == doc_id).values(**values)
                )
            else:
                doc_id = insert_row(conn, Document.__table__, values, "imported_at")
            insert_segments(conn, doc_id, job.rows)
            # a new document's figures are known: its text and turns, no codings yet
            figures = None if job.replace_id is not None else job.progress
            refresh_stale(conn, {doc_id: figures} if figures is not None else None)
            detail = {
                "file": job.path.name,
                "document": values["name"],
                "sha256": values["sha256"][:16],
                "replaced": job.replace_id is not None,
            }
            insert_row(
                conn,
                AuditEntry.__table__,
                {
                    "coder": self.project.coder_name,
                    "operation": "import document",
                    "detail": json.dumps(detail, ensure_ascii=False),
                },
                "at",
            )
        if who.participant is not None:  # remembered only once committed
            self._people[who.participant] = (who.participant_id, who.case_id, who.case)
        if who.case is not None and who.case_id is not None:
            self._cases[who.case.lower()] = (who.case_id, who.case)
        return who

    def _participant(self, conn: Any, pid: ParticipantId) -> _Attached:
        """The participant (created if new) and their case from the template."""
        known = self._people.get(pid.label)
        if known is not None:
            return _Attached(known[0], pid.label, known[1], known[2])
        who = _Attached(participant=pid.label)
        case_name = self.pattern.case_name(pid)
        if case_name:
            who.case_id, who.case, who.case_created = self._case(conn, case_name)
        row = conn.execute(_Q.find_participant, {"label": pid.label}).first()
        if row is None:
            who.participant_id = conn.execute(
                _Q.insert_participant,
                {
                    "label": pid.label,
                    "case_id": who.case_id,
                    "role": pid.role,
                    "number": pid.number,
                },
            ).inserted_primary_key[0]
            who.participant_created = True
            return who
        who.participant_id = row.id
        fill = {
            k: v
            for k, v in (("case_id", who.case_id), ("role", pid.role), ("number", pid.number))
            if getattr(row, k) is None and v is not None
        }
        if fill:
            conn.execute(
                update(Participant.__table__).where(Participant.id == row.id).values(**fill)
            )
        if row.case_id is not None and row.case_id != who.case_id:  # filed elsewhere by hand
            who.case_id = row.case_id
            who.case = conn.execute(select(Case.name).where(Case.id == row.case_id)).scalar()
        return who

    def _case(self, conn: Any, name: str) -> tuple[int, str, bool]:
        known = self._cases.get(name.lower())
        if known is not None:
            return known[0], known[1], False
        row = conn.execute(_Q.find_case, {"name": name.lower()}).first()
        if row is not None:
            return row.id, row.name, False
        case_id = conn.execute(_Q.insert_case, {"name": name}).inserted_primary_key[0]
        return case_id, name, True
