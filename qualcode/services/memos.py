"""Memos on the project, codes, documents, cases and codings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from qualcode.errors import InvalidInputError
from qualcode.services.cases import resolve_case
from qualcode.services.codebook import resolve_code
from qualcode.services.documents import resolve_document
from qualcode.services.project import Project
from qualcode.store.models import MEMO_TARGETS, Coder, Coding, Memo


@dataclass(frozen=True)
class MemoInfo:
    id: int
    target_type: str
    target_id: int | None
    title: str
    text: str
    author: str | None
    updated_at: datetime


def _target_id(s, target_type: str, target: str | None) -> int | None:  # type: ignore[no-untyped-def]
    if target_type not in MEMO_TARGETS:
        raise InvalidInputError(
            f"Memo target {target_type!r} is not one of {', '.join(MEMO_TARGETS)}."
        )
    if target_type == "project":
        return None
    if target is None:
        raise InvalidInputError(f"Say which {target_type} the memo is on.")
    if target_type == "code":
        return resolve_code(s, target).id
    if target_type == "document":
        return resolve_document(s, target).id
    if target_type == "case":
        return resolve_case(s, target).id
    if target_type == "coding":
        if not str(target).isdigit() or s.get(Coding, int(target)) is None:
            raise InvalidInputError(f"No coding with id {target}.")
        return int(target)
    raise InvalidInputError(f"Memos on {target_type} are set on the participant's document.")


def write_memo(
    project: Project,
    target_type: str,
    target: str | None,
    text: str,
    title: str = "",
    *,
    append: bool = False,
) -> MemoInfo:
    """Create or replace (or append to) the memo on a target; one memo per target and author."""
    with project.transaction("write memo", target_type=target_type, target=target) as s:
        tid = _target_id(s, target_type, target)
        coder_id = project.coder_id(s)
        memo = s.scalar(
            select(Memo).where(
                Memo.target_type == target_type,
                Memo.target_id.is_(tid) if tid is None else Memo.target_id == tid,
                Memo.coder_id == coder_id,
            )
        )
        if memo is None:
            memo = Memo(
                target_type=target_type, target_id=tid, coder_id=coder_id, title=title, text=text
            )
            s.add(memo)
        else:
            memo.text = (memo.text + "\n\n" + text) if append and memo.text else text
            memo.title = title or memo.title
        s.flush()
        return MemoInfo(
            memo.id, target_type, tid, memo.title, memo.text, project.coder_name, memo.updated_at
        )


def list_memos(project: Project, target_type: str | None = None) -> list[MemoInfo]:
    with project.read() as s:
        q = select(Memo, Coder.name).outerjoin(Coder, Memo.coder_id == Coder.id).order_by(Memo.id)
        if target_type:
            q = q.where(Memo.target_type == target_type)
        return [
            MemoInfo(m.id, m.target_type, m.target_id, m.title, m.text, author, m.updated_at)
            for m, author in s.execute(q)
        ]
