"""Storing notes as memos, chart summaries and workshop comments (a collaborator of ``RefiStore``).

A note becomes a memo on whatever points at it (the project, a code, a source,
a selection or a coding), on the case or participant its ``[qualcode] memo-on``
line names, or on the project when nothing does. Notes our exporter wrote for
chart summaries and workshop comments become those again.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from qualcode.exchange import refi_extensions as ext
from qualcode.exchange.refi_guids import normalise_guid
from qualcode.exchange.refi_store_state import NoteTarget, StateUser
from qualcode.store.models import (
    CellSummary,
    CellSummaryRevision,
    Memo,
    Participant,
    WorkshopComment,
)


class NoteStoring(StateUser):
    """Memos from notes; chart summaries and workshop comments from our own notes."""

    # -- notes ------------------------------------------------------------------------------
    def collect_note_refs(self) -> None:
        state = self.state
        for ref in state.data.project_note_refs:
            state.point_note(ref, "project", None)
        for rc in state.data.all_codes():
            for ref in rc.note_refs:
                if rc.guid in state.code_by_guid:
                    state.point_note(ref, "code", state.code_by_guid[rc.guid])

    def _meta_target(self, meta: list[tuple[str, str]]) -> NoteTarget | None:
        on = ext.first(meta, "memo-on")
        if not on:
            return None
        kind, _, ref = on.partition(" ")
        if kind == "case":
            case = self.state.case_by_guid.get(normalise_guid(ref) or ref)
            return NoteTarget("case", case.id) if case is not None else None
        if kind == "participant":
            part = self.s.scalar(select(Participant).where(Participant.label == ref.strip()))
            return NoteTarget("participant", part.id) if part is not None else None
        return None

    def _cell(self, spec: str) -> tuple[str, int, int] | None:
        """(row_type, row_id, code_id) of a chart cell written by our exporter."""
        try:
            info = json.loads(spec)
            code_id = self.state.code_by_guid[normalise_guid(info["code"]) or info["code"]]
            if info["row"] == "case":
                return (
                    "case",
                    self.state.case_by_guid[normalise_guid(info["case"]) or info["case"]].id,
                    code_id,
                )
            part = self.s.scalar(
                select(Participant).where(Participant.label == info["participant"])
            )
            return ("participant", part.id, code_id) if part is not None else None
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def store_chart_note(
        self, text: str, meta: list[tuple[str, str]], coder_id: int | None, created: datetime | None
    ) -> bool:
        """A chart summary or workshop comment from our own export; False for an ordinary note."""
        summary, comment = ext.first(meta, "summary-of"), ext.first(meta, "workshop-comment-on")
        if not summary and not comment:
            return False
        where = self._cell(summary or comment or "")
        if where is None:
            self.report.warn(
                "chart summaries or workshop comments refer to a case, participant "
                "or code not in the file; skipped"
            )
            return True
        row_type, row_id, code_id = where
        if comment:
            author = ext.first(meta, "author") or self.state.default_coder_name
            q = select(WorkshopComment.id).where(
                WorkshopComment.row_type == row_type,
                WorkshopComment.row_id == row_id,
                WorkshopComment.code_id == code_id,
                WorkshopComment.author == author,
                WorkshopComment.text == text,
            )
            if self.s.scalar(q) is not None:
                self.report.matched["workshop comment"] += 1
                return True
            row = WorkshopComment(
                row_type=row_type, row_id=row_id, code_id=code_id, author=author, text=text
            )
            if created:
                row.created_at = created
            self.s.add(row)
            self.report.created["workshop comment"] += 1
            return True
        status = ext.first(meta, "status") or "draft"
        status = status if status in ("empty", "draft", "reviewed") else "draft"
        exists = self.s.scalar(
            select(CellSummary).where(
                CellSummary.row_type == row_type,
                CellSummary.row_id == row_id,
                CellSummary.code_id == code_id,
            )
        )
        if exists is not None:
            self.report.matched["chart summary"] += 1
            return True
        cs = CellSummary(
            row_type=row_type,
            row_id=row_id,
            code_id=code_id,
            text=text,
            status=status,
            coder_id=coder_id,
        )
        self.s.add(cs)
        self.s.flush()
        self.s.add(
            CellSummaryRevision(summary_id=cs.id, text=text, status=status, coder_id=coder_id)
        )
        self.report.created["chart summary"] += 1
        return True

    def store_notes(self, note_texts: dict[str, str]) -> None:
        self.collect_note_refs()
        for note in self.state.data.notes:
            desc, meta = ext.parse(note.description)
            text = note_texts.get(note.guid, "")
            author = self.state.coder_by_user.get(note.user or "")
            if self.store_chart_note(text, meta, author, note.created):
                continue
            if desc.strip():
                text = f"{desc}\n\n{text}" if text.strip() else desc
            targets = list(self.state.note_targets.get(note.guid, []))
            meta_target = self._meta_target(meta)
            if meta_target is not None:
                targets.insert(0, meta_target)
            targets = targets or [NoteTarget("project", None)]
            guid = normalise_guid(note.guid)
            if guid and self.s.scalar(select(Memo.id).where(Memo.guid == guid)):
                self.report.matched["memo"] += 1
                continue
            for i, (target_type, target_id) in enumerate(dict.fromkeys(targets)):
                same = select(Memo.id).where(
                    Memo.target_type == target_type,
                    Memo.title == note.name,
                    Memo.text == text,
                    Memo.target_id.is_(None) if target_id is None else Memo.target_id == target_id,
                )
                if self.s.scalar(same) is not None:
                    self.report.matched["memo"] += 1
                    continue
                memo = Memo(
                    target_type=target_type,
                    target_id=target_id,
                    title=note.name,
                    text=text,
                    coder_id=author,
                    guid=guid if i == 0 else None,
                )
                if note.created:
                    memo.created_at = memo.updated_at = note.created
                self.s.add(memo)
                self.report.created["memo"] += 1
        self.s.flush()
