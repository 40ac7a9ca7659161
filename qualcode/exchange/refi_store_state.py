"""What the REFI-QDA storing collaborators share: the open session and the lookup tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.exchange.refi_read import RefiProjectData
from qualcode.exchange.refi_report import RefiImportReport
from qualcode.store.models import Case, Coder, Document


class NoteTarget(NamedTuple):
    """What a note becomes a memo on: ``("coding", 12)``, ``("project", None)``..."""

    kind: str
    id: int | None


@dataclass
class ImportState:
    """One file's import in one session: what has been stored so far, by the file's GUIDs."""

    s: Session
    data: RefiProjectData
    report: RefiImportReport
    default_coder_name: str
    coder_by_user: dict[str, int] = field(default_factory=dict)
    code_by_guid: dict[str, int] = field(default_factory=dict)
    case_by_guid: dict[str, Case] = field(default_factory=dict)
    case_of_source: dict[str, Case] = field(default_factory=dict)
    doc_by_source: dict[str, Document] = field(default_factory=dict)
    note_targets: dict[str, list[NoteTarget]] = field(default_factory=dict)
    _default_coder: int | None = None

    def point_note(self, ref: str, kind: str, target_id: int | None) -> None:
        """Remember that note ``ref`` is attached to this target (notes are stored last)."""
        self.note_targets.setdefault(ref, []).append(NoteTarget(kind, target_id))

    def default_coder(self) -> int:
        if self._default_coder is None:
            name = self.default_coder_name
            row = self.s.scalar(select(Coder).where(Coder.name == name))
            if row is None:
                row = Coder(name=name)
                self.s.add(row)
                self.s.flush()
            self._default_coder = row.id
        return self._default_coder

    def coder_for(self, user: str | None) -> int:
        if user and user in self.coder_by_user:
            return self.coder_by_user[user]
        if user:
            self.report.warn(
                f"some codings name a user ({user}) the file does not list; they "
                f"are attributed to {self.default_coder_name!r}"
            )
        return self.default_coder()


class StateUser:
    """A part of the import that works in the shared :class:`ImportState`."""

    def __init__(self, state: ImportState) -> None:
        self.state = state

    @property
    def s(self) -> Session:
        """The state's session (a chunked import gives each chunk a new one)."""
        return self.state.s

    @property
    def report(self) -> RefiImportReport:
        return self.state.report
