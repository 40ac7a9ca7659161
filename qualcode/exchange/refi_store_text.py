"""Storing imported documents and their codings (a collaborator of ``RefiStore``).

A document already in the project (same GUID or name, and identical text) is
reused; a different text under a taken name is stored under a new name. Codings
already present (same range, code and coder) are not added twice. Codings go in
with one bulk insert per document.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select

from qualcode.exchange import refi_extensions as ext
from qualcode.exchange.refi_guids import normalise_guid
from qualcode.exchange.refi_positions import PlainText, PositionConvention
from qualcode.exchange.refi_read import RefiCoding, RefiSelection, RefiTextSource
from qualcode.exchange.refi_segments import Prepared
from qualcode.exchange.refi_store_state import StateUser
from qualcode.store.bulk import insert_dicts
from qualcode.store.cases import get_or_create_case
from qualcode.store.models import (
    VALENCES,
    Case,
    Code,
    Coding,
    Document,
    Memo,
    Participant,
    ParticipantAttribute,
    Segment,
    utcnow,
)

PARTICIPANT_VAR = "participant"
PARTICIPANT_PREFIX = "participant."


@dataclass
class LoadedSource:
    """A text source together with its text, ready to store."""

    source: RefiTextSource
    plain: PlainText
    prepared: Prepared | None = None  # turns, sentences, participant id (if segmentation ran)
    extracted: bool = (
        False  # text taken from the rich text or PDF: the file's positions do not apply
    )


class CodingKey(NamedTuple):
    """What makes a coding unique in a document: the same range, code and coder."""

    start: int
    end: int
    code_id: int
    coder_id: int


class _HowCoded(NamedTuple):
    """What a selection gives each of its codings (a whole-document coding has only the user)."""

    user: str | None
    memo: str = ""
    valence: str | None = None
    created: datetime | None = None
    note_refs: list[str] = []  # read, never appended to


class _PendingCoding(NamedTuple):
    key: CodingKey
    row: dict[str, object]  # the Coding table's columns
    note_refs: list[str]  # the coding's own notes and its selection's


@dataclass
class _CodingBatch:
    """One document's codings on their way in."""

    doc: Document
    seen: dict[CodingKey, int | None]  # id when stored before this import, None when queued
    pending: list[_PendingCoding] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)  # ranges that do not fit the text


class TextStoring(StateUser):
    """Documents, participants, segments and codings, recorded in the shared import state."""

    # -- documents ------------------------------------------------------------------------
    def _participant(self, src: RefiTextSource, case: Case | None) -> Participant | None:
        values = {}
        for v in src.values:
            var = self.state.data.variables.get(v.variable)
            if var is not None:
                values[var.name] = v.value
        label = str(values.get(PARTICIPANT_VAR) or "").strip()
        others = [
            k for k in values if k != PARTICIPANT_VAR and not k.startswith(PARTICIPANT_PREFIX)
        ]
        if others:
            self.report.skipped["document variable value"] += len(others)
        if not label:
            return None
        part = self.s.scalar(select(Participant).where(Participant.label == label))
        if part is None:
            part = Participant(label=label, case_id=case.id if case else None)
            role, number = values.get("participant.role"), values.get("participant.number")
            part.role = str(role) if role not in (None, "") else None
            part.number = int(number) if isinstance(number, (int, float)) else None
            self.s.add(part)
            self.s.flush()
            for key, value in values.items():
                if key.startswith(PARTICIPANT_PREFIX) and key not in (
                    "participant.role",
                    "participant.number",
                ):
                    attr = ParticipantAttribute(
                        participant_id=part.id, name=key[len(PARTICIPANT_PREFIX) :]
                    )
                    if isinstance(value, (int, float)):
                        attr.value_type, attr.number_value = "number", float(value)
                    else:
                        attr.value_type, attr.text_value = "text", str(value)
                    self.s.add(attr)
            self.report.created["participant"] += 1
        elif part.case_id is None and case is not None:
            part.case_id = case.id
        return part

    def store_document(self, loaded: LoadedSource) -> Document:
        src, text = loaded.source, loaded.plain.text
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        desc, meta = ext.parse(src.description)
        guid = normalise_guid(src.guid)
        name = " ".join(src.name.split()) or src.guid
        row = (
            self.s.scalar(select(Document).where(Document.guid == guid, Document.sha256 == sha))
            if guid
            else None
        )
        row = row or self.s.scalar(
            select(Document).where(Document.name == name, Document.sha256 == sha)
        )
        case = self.state.case_of_source.get(src.guid)
        created = row is None
        if row is not None:
            self.report.matched["document"] += 1
            row.guid = row.guid or guid
        else:
            base, n = name, 2
            while self.s.scalar(
                select(Document.id).where(func.lower(Document.name) == name.lower())
            ):
                name, n = f"{base} ({n})", n + 1
            if name != base:
                self.report.warn(
                    f"a different document called {base!r} is already in the project; "
                    f"this one is stored as {name!r}"
                )
            if guid and self.s.scalar(select(Document.id).where(Document.guid == guid)):
                guid = None
            source_file = ext.first(meta, "source-file")
            row = Document(
                name=name,
                source_file=src.name if source_file is None else source_file,
                file_format=ext.first(meta, "format") or ("pdf" if src.kind == "pdf" else "txt"),
                encoding="utf-8",
                sha256=sha,
                text=text,
                word_count=len(text.split()),
                guid=guid,
            )
            if src.created:
                row.imported_at = src.created
            self.s.add(row)
            self.s.flush()
            self.report.created["document"] += 1
            if desc.strip():
                self.s.add(
                    Memo(
                        target_type="document",
                        target_id=row.id,
                        title="Description",
                        text=desc,
                        coder_id=self.state.coder_by_user.get(src.user or ""),
                    )
                )
                self.report.created["memo"] += 1
        part = self._participant(src, case)
        if created:
            part, case = self._from_transcript(loaded.prepared, row, part, case)
        if part is not None and row.participant_id is None:
            row.participant_id = part.id
        if case is not None and row.case_id is None:
            row.case_id = case.id
        self.state.doc_by_source[src.guid] = row
        for ref in src.note_refs:
            self.state.point_note(ref, "document", row.id)
        return row

    def _from_transcript(
        self, prep: Prepared | None, doc: Document, part: Participant | None, case: Case | None
    ) -> tuple[Participant | None, Case | None]:
        """Segments for a new document; its participant id (and case) as transcript import finds them."""
        if prep is None:
            return part, case
        if prep.rows:
            rows = [{**r, "document_id": doc.id} for r in prep.rows]
            insert_dicts(self.s.connection(), Segment.__table__, rows)
        pid = prep.participant
        if part is None and pid is not None:
            if case is None and prep.case_name:
                case, made = get_or_create_case(self.s, prep.case_name)
                self.report.created["case"] += made
            part = self.s.scalar(select(Participant).where(Participant.label == pid.label))
            if part is None:
                part = Participant(
                    label=pid.label,
                    case_id=case.id if case else None,
                    role=pid.role,
                    number=pid.number,
                )
                self.s.add(part)
                self.s.flush()
                self.report.created["participant"] += 1
            elif case is None and part.case_id is not None:
                case = self.s.get(Case, part.case_id)
        return part, case

    # -- codings --------------------------------------------------------------------------
    def store_codings(self, loaded: LoadedSource, doc: Document, conv: PositionConvention) -> None:
        """A source's selections and whole-document codings, minus those already stored."""
        src, plain = loaded.source, loaded.plain
        n = len(plain.text)
        seen: dict[CodingKey, int | None] = {**self._stored_codings(doc.id)}
        batch = _CodingBatch(doc, seen)
        for sel in src.selections:
            a, b = plain.to_index(sel.start, conv), plain.to_index(sel.end, conv)
            if a is None or b is None or not 0 <= a < b <= n:
                batch.outside.append(f"{sel.start}-{sel.end}")
                self.report.skipped["coding outside its document's text"] += len(sel.codings)
                continue
            memo, meta = ext.parse(sel.description)
            if not sel.codings:
                self._uncoded_selection(sel, doc, a, b, memo)
                continue
            how = _HowCoded(sel.user, memo, self._valence(meta), sel.created, sel.note_refs)
            for rc in sel.codings:
                self._add_coding(batch, CodingKey(a, b, 0, 0), rc, how)
        if n:
            for rc in src.whole_codings:
                self._add_coding(batch, CodingKey(0, n, 0, 0), rc, _HowCoded(src.user))
        if batch.outside:
            self.report.warn(
                f"{doc.name}: {len(batch.outside)} selections fall outside the text or are "
                f"empty (e.g. {', '.join(batch.outside[:3])}); skipped"
            )
        if batch.pending:
            self._insert(batch)

    def _stored_codings(self, doc_id: int) -> dict[CodingKey, int]:
        """The document's codings by their unique key (range, code, coder)."""
        return {
            CodingKey(r.start, r.end, r.code_id, r.coder_id): r.id
            for r in self.s.execute(
                select(Coding.id, Coding.start, Coding.end, Coding.code_id, Coding.coder_id).where(
                    Coding.document_id == doc_id
                )
            )
        }

    def _valence(self, meta: list[tuple[str, str]]) -> str | None:
        valence = ext.first(meta, "valence")
        if valence is not None and valence not in VALENCES:
            self.report.warn(f"valence {valence!r} is not one of {', '.join(VALENCES)}; ignored")
            return None
        return valence

    def _uncoded_selection(
        self, sel: RefiSelection, doc: Document, a: int, b: int, memo: str
    ) -> None:
        """A selection with no code is not a coding; its comment or notes go on the document."""
        self.report.skipped["selection without a code"] += 1
        if not (memo.strip() or sel.note_refs):
            return
        self.s.add(
            Memo(
                target_type="document",
                target_id=doc.id,
                title=f"Comment on characters {a}-{b}",
                text=memo,
                coder_id=self.state.coder_by_user.get(sel.user or ""),
                guid=None,
            )
        )
        self.report.created["memo"] += 1
        for ref in sel.note_refs:
            self.state.point_note(ref, "document", doc.id)

    def _add_coding(
        self, batch: _CodingBatch, where: CodingKey, rc: RefiCoding, how: _HowCoded
    ) -> None:
        """Queue one coding on ``where``'s range, or match it to the same coding already there."""
        code_id = self.state.code_by_guid.get(rc.code)
        if code_id is None:
            self.report.warn(f"codings refer to a code not in the codebook ({rc.code}); skipped")
            self.report.skipped["coding with an unknown code"] += 1
            return
        key = where._replace(code_id=code_id, coder_id=self.state.coder_for(rc.user or how.user))
        if key in batch.seen:
            self.report.matched["coding"] += 1
            existing = batch.seen[key]
            if existing is not None:
                for ref in rc.note_refs + how.note_refs:
                    self.state.point_note(ref, "coding", existing)
            return
        batch.seen[key] = None
        when = rc.created or how.created or utcnow()
        row = {
            "document_id": batch.doc.id,
            "code_id": key.code_id,
            "coder_id": key.coder_id,
            "start": key.start,
            "end": key.end,
            "valence": how.valence,
            "memo": how.memo,
            "guid": normalise_guid(rc.guid),
            "created_at": when,
            "updated_at": when,
        }
        batch.pending.append(_PendingCoding(key, row, rc.note_refs + how.note_refs))
        self.report.created["coding"] += 1

    def _insert(self, batch: _CodingBatch) -> None:
        """Store the queued codings; notes that point at them learn their new ids."""
        # Rows, not ORM objects: the ORM's bulk path is far slower (see store.bulk)
        insert_dicts(self.s.connection(), Coding.__table__, [p.row for p in batch.pending])
        noted = [p for p in batch.pending if p.note_refs]
        if not noted:
            return
        ids = self._stored_codings(batch.doc.id)  # the new ids, by their unique key
        for p in noted:
            for ref in p.note_refs:
                self.state.point_note(ref, "coding", ids[p.key])

    def fix_codable(self) -> None:
        used = set(self.s.scalars(select(Coding.code_id).distinct()))
        for code in self.s.scalars(select(Code).where(Code.codable.is_(False), Code.id.in_(used))):
            code.codable = True
            self.report.warn(
                f"{code.name!r} is marked as a folder in the file but has codings; "
                "it is codable here"
            )
