"""Undo and redo for coding actions, over a working session.

A :class:`History` wraps the coding services: each action is performed (and
committed) at once, and its inverse is kept on a stack. Undoing runs the
inverse as a new committed operation, so the database is always the truth and
a killed program loses nothing. Inverses:

- add a coding          <-> remove it (restored with the same id)
- remove a coding       <-> add it back with the same id, valence, memo and coder
- change valence / memo <-> set the previous values
- apply a code, then set its valence <-> one step (remove the coding; redo brings it
  back with the valence), so "code then mark facilitator" undoes at once
- in vivo / new code + coding <-> remove the coding and the code it created

Every method is safe to call from a worker thread (one lock per history).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qualcode.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    QualcodeError,
)
from qualcode.services import codebook, coding
from qualcode.services.codebook import CodeInfo
from qualcode.services.coding import CodingRow
from qualcode.services.project import Project
from qualcode.store.models import Code, Coding

IN_VIVO_MAX = 60


@dataclass(frozen=True)
class Step:
    """What an undo or redo did, and where, so a reader can show it."""

    label: str
    document_id: int
    start: int
    end: int
    coding_id: int | None


class _Op(Protocol):
    label: str

    def undo(self, project: Project) -> Step: ...

    def redo(self, project: Project) -> Step: ...


def _step(label: str, row: CodingRow, present: bool = True) -> Step:
    return Step(label, row.document_id, row.start, row.end, row.id if present else None)


def _restore(project: Project, row: CodingRow, code_id: int | None = None) -> CodingRow:
    try:
        return coding.add_coding(
            project,
            row.document_id,
            row.start,
            row.end,
            code_id or row.code_id,
            valence=row.valence,
            memo=row.memo,
            coder=row.coder,
            coding_id=row.id,
            across_turns=True,
        )
    except IntegrityError as e:  # another coder's new coding took the id meanwhile
        raise ConflictError(
            f"Cannot bring back coding {row.id} ({row.code!r} in "
            f"{row.document}): its id has been used by a newer coding. "
            "Code the passage again."
        ) from e


@dataclass
class _Add:
    row: CodingRow
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or f"code {self.row.code!r}"

    def undo(self, project: Project) -> Step:
        coding.remove_coding(project, self.row.id)
        return _step(self.label, self.row, present=False)

    def redo(self, project: Project) -> Step:
        return _step(self.label, _restore(project, self.row))


@dataclass
class _Remove:
    row: CodingRow
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or f"remove {self.row.code!r}"

    def undo(self, project: Project) -> Step:
        return _step(self.label, _restore(project, self.row))

    def redo(self, project: Project) -> Step:
        coding.remove_coding(project, self.row.id)
        return _step(self.label, self.row, present=False)


@dataclass
class _Update:
    coding_id: int
    before: dict[str, Any]
    after: dict[str, Any]
    label: str

    def undo(self, project: Project) -> Step:
        return _step(self.label, coding.update_coding(project, self.coding_id, **self.before))

    def redo(self, project: Project) -> Step:
        return _step(self.label, coding.update_coding(project, self.coding_id, **self.after))


@dataclass
class _NewCode:
    """A code created while coding, and the coding made with it."""

    code: CodeInfo
    row: CodingRow
    created: bool
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or f"new code {self.code.name!r}"

    def undo(self, project: Project) -> Step:
        coding.remove_coding(project, self.row.id)
        if self.created:
            try:
                codebook.delete_code(project, self.code.id)
            except ConflictError:
                pass  # used elsewhere since: keep the code, only the coding goes
        return _step(self.label, self.row, present=False)

    def redo(self, project: Project) -> Step:
        if self.created:
            _restore_code(project, self.code)
        return _step(self.label, _restore(project, self.row))


def _restore_code(project: Project, info: CodeInfo) -> None:
    """Put back an inductive code with its old id (so later redo steps still point at it)."""
    with project.transaction("restore code", code=info.name, id=info.id) as s:
        if s.get(Code, info.id) is not None:
            return
        clash = s.scalar(
            select(Code.id).where(
                Code.parent_id.is_(None)
                if info.parent_id is None
                else Code.parent_id == info.parent_id,
                Code.name == info.name,
            )
        )
        if clash is not None:
            raise ConflictError(f"Cannot redo: a code {info.name!r} exists again at that level.")
        s.add(
            Code(
                id=info.id,
                name=info.name,
                parent_id=info.parent_id,
                origin=info.origin,
                codable=info.codable,
                colour=info.colour,
                shortcut=info.shortcut,
                definition=info.definition,
                inclusion=info.inclusion,
                exclusion=info.exclusion,
                guid=info.guid,
            )
        )


def in_vivo_name(text: str) -> str:
    """A code name from selected words: one line, no slashes or outer quotes, at most 60 chars."""
    name = " ".join(text.replace("/", " ").split()).strip(" \"'“”‘’.,;:!?-–—()[]")
    if len(name) > IN_VIVO_MAX:
        cut = name[:IN_VIVO_MAX].rsplit(" ", 1)[0]
        name = (cut or name[:IN_VIVO_MAX]) + "…"
    if not name:
        raise InvalidInputError("Select some words first: an in vivo code is named by them.")
    return name


@dataclass
class History:
    """The session's undo and redo stacks over one project."""

    project: Project
    limit: int = 1000
    _undo: list[_Op] = field(default_factory=list)
    _redo: list[_Op] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # -- state ---------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def labels(self) -> tuple[list[str], list[str]]:
        """The undo and redo labels, most recent last."""
        with self._lock:
            return [op.label for op in self._undo], [op.label for op in self._redo]

    def _push(self, op: _Op) -> None:
        self._undo.append(op)
        del self._undo[: -self.limit]
        self._redo.clear()

    # -- actions ---------------------------------------------------------------
    def add_coding(
        self,
        document: str | int,
        start: int,
        end: int,
        code: str | int,
        *,
        valence: str | None = None,
        memo: str = "",
    ) -> CodingRow:
        with self._lock:
            row = coding.add_coding(
                self.project, document, start, end, code, valence=valence, memo=memo
            )
            self._push(_Add(row))
            return row

    def remove_coding(self, coding_id: int) -> CodingRow:
        with self._lock:
            row = coding.remove_coding(self.project, coding_id)
            self._push(_Remove(row))
            return row

    def _previous(self, coding_id: int) -> tuple[str | None, str]:
        """A coding's valence and memo before a change (one small read)."""
        with self.project.read() as s:
            c = s.get(Coding, coding_id)
            if c is None:
                raise NotFoundError(f"No coding with id {coding_id}.")
            return c.valence, c.memo or ""

    def set_valence(self, coding_id: int, valence: str | None) -> CodingRow:
        with self._lock:
            before, _ = self._previous(coding_id)
            row = coding.update_coding(self.project, coding_id, valence=valence)
            top = self._undo[-1] if self._undo else None
            if isinstance(top, _Add | _NewCode) and top.row.id == coding_id:
                top.row = row  # the valence belongs to the coding just made: one undo step
                self._redo.clear()
                return row
            self._push(
                _Update(
                    coding_id,
                    {"valence": before},
                    {"valence": row.valence},
                    f"valence {row.valence or 'cleared'} on {row.code!r}",
                )
            )
            return row

    def set_memo(self, coding_id: int, memo: str) -> CodingRow:
        with self._lock:
            _, before = self._previous(coding_id)
            row = coding.update_coding(self.project, coding_id, memo=memo)
            self._push(
                _Update(coding_id, {"memo": before}, {"memo": row.memo}, f"memo on {row.code!r}")
            )
            return row

    def code_with_new_code(
        self,
        document: str | int,
        start: int,
        end: int,
        name: str,
        *,
        parent: str | int | None = None,
        label: str = "",
    ) -> tuple[CodeInfo, CodingRow]:
        """Create an inductive code (or reuse one of that name at that level) and apply it."""
        with self._lock:
            created = True
            try:
                info = codebook.create_code(self.project, name, parent=parent)
            except ConflictError:
                created = False
                ref = name if parent in (None, "") else f"{_path_of(self.project, parent)}/{name}"
                info = next(
                    c
                    for c in codebook.list_codes(self.project)
                    if c.path_str.lower() == ref.strip("/").lower()
                )
            try:
                row = coding.add_coding(self.project, document, start, end, info.id)
            except QualcodeError:
                if created:
                    codebook.delete_code(self.project, info.id)
                raise
            self._push(_NewCode(info, row, created, label))
            return info, row

    def code_in_vivo(
        self,
        document: str | int,
        start: int,
        end: int,
        text: str,
        *,
        parent: str | int | None = None,
    ) -> tuple[CodeInfo, CodingRow]:
        """Name a new inductive code by the selected words and code them with it."""
        name = in_vivo_name(text)
        return self.code_with_new_code(
            document, start, end, name, parent=parent, label=f"in vivo {name!r}"
        )

    # -- undo / redo -----------------------------------------------------------
    def undo(self) -> Step | None:
        """Undo the latest action; None if there is nothing to undo."""
        with self._lock:
            if not self._undo:
                return None
            op = self._undo.pop()
            step = op.undo(self.project)  # on error the action is dropped, not half-undone
            self._redo.append(op)
            return step

    def redo(self) -> Step | None:
        with self._lock:
            if not self._redo:
                return None
            op = self._redo.pop()
            step = op.redo(self.project)
            self._undo.append(op)
            return step


def _path_of(project: Project, ref: str | int) -> str:
    return next(
        c.path_str
        for c in codebook.list_codes(project)
        if str(c.id) == str(ref) or c.path_str.lower() == str(ref).strip("/").lower()
    )
