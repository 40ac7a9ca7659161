"""Storing imported records in the project, inside the caller's one transaction.

Things already in the project are recognised rather than doubled: by GUID
first, then by name (a code by name under the same parent, a case or coder by
name, a document by name *and* identical text). Codings already present (same
document, range, code and coder) are not added twice, so importing a
colleague's updated export merges their new work.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.exchange import refi_extensions as ext
from qualcode.exchange.refi_guids import normalise_guid
from qualcode.exchange.refi_positions import PositionConvention
from qualcode.exchange.refi_read import RefiCode, RefiProjectData
from qualcode.exchange.refi_report import RefiImportReport
from qualcode.exchange.refi_store_notes import NoteStoring
from qualcode.exchange.refi_store_state import ImportState
from qualcode.exchange.refi_store_text import LoadedSource, TextStoring
from qualcode.store.cases import get_or_create_case, set_attribute
from qualcode.store.models import (
    Case,
    Code,
    Coder,
    Document,
    Framework,
    GroupRule,
    Setting,
)
from qualcode.store.setting_keys import GROUP_ATTRIBUTE_SETTING

__all__ = ["LoadedSource", "RefiStore", "clean_colour"]

_COLOUR_RE = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def clean_colour(value: str | None) -> str | None:
    if not value or not _COLOUR_RE.match(value.strip()):
        return None
    hexes = value.strip()[1:].lower()
    return "#" + ("".join(c * 2 for c in hexes) if len(hexes) == 3 else hexes)


class RefiStore:
    """Writes one file's records into an open session; fills ``report`` as it goes.

    Coders, project-level data, codes and cases are here; documents and codings
    in ``TextStoring``, notes in ``NoteStoring``. All three share one ``ImportState``.
    """

    def __init__(
        self, s: Session, data: RefiProjectData, report: RefiImportReport, default_coder: str
    ) -> None:
        self.data, self.report = data, report
        self.state = ImportState(s, data, report, default_coder)
        self.text = TextStoring(self.state)
        self.notes = NoteStoring(self.state)
        self._frameworks: dict[str, int] = {}

    @property
    def s(self) -> Session:
        return self.state.s

    @s.setter
    def s(self, session: Session) -> None:
        """A chunked import stores each chunk in a new session."""
        self.state.s = session

    # -- handed to the collaborators ---------------------------------------------------------
    def store_document(self, loaded: LoadedSource) -> Document:
        return self.text.store_document(loaded)

    def store_codings(self, loaded: LoadedSource, doc: Document, conv: PositionConvention) -> None:
        self.text.store_codings(loaded, doc, conv)

    def fix_codable(self) -> None:
        self.text.fix_codable()

    def store_notes(self, note_texts: dict[str, str]) -> None:
        self.notes.store_notes(note_texts)

    # -- coders ---------------------------------------------------------------------------
    def store_users(self) -> None:
        for u in self.data.users:
            guid = normalise_guid(u.guid)
            name = u.name or f"user {u.guid[:8]}"
            row = self.s.scalar(select(Coder).where(Coder.guid == guid)) if guid else None
            row = row or self.s.scalar(select(Coder).where(Coder.name == name))
            if row is None:
                row = Coder(name=name, guid=guid)
                self.s.add(row)
                self.s.flush()
                self.report.created["coder"] += 1
            else:
                self.report.matched["coder"] += 1
                row.guid = row.guid or guid
            self.state.coder_by_user[u.guid] = row.id

    # -- project-level qualcode data -------------------------------------------------------
    def framework_id(self, key: str) -> int:
        if key not in self._frameworks:
            fw = self.s.scalar(select(Framework).where(Framework.key == key))
            if fw is None:
                fw = Framework(key=key, name=key, source="REFI-QDA import")
                self.s.add(fw)
                self.s.flush()
            self._frameworks[key] = fw.id
        return self._frameworks[key]

    def store_project_meta(self) -> None:
        _, meta = ext.parse(self.data.description)
        for raw in ext.all_of(meta, "framework"):
            try:
                info = json.loads(raw)
                key = str(info["key"])
            except (ValueError, KeyError, TypeError):
                continue
            fid = self.framework_id(key)
            fw = self.s.get(Framework, fid)
            if fw is not None and fw.source == "REFI-QDA import":
                fw.name = str(info.get("name") or key)
                fw.version = str(info.get("version") or "")
                fw.description = str(info.get("description") or "")
        group_attribute = ext.first(meta, "group-attribute")
        if group_attribute and self.s.get(Setting, GROUP_ATTRIBUTE_SETTING) is None:
            self.s.add(Setting(key=GROUP_ATTRIBUTE_SETTING, value=group_attribute))
        for raw in ext.all_of(meta, "group-rule"):
            try:
                rule = json.loads(raw)
                group, expression = str(rule["group"]), str(rule["expression"])
            except (ValueError, KeyError, TypeError):
                continue
            if self.s.scalar(select(GroupRule).where(GroupRule.group_name == group)) is None:
                self.s.add(
                    GroupRule(
                        group_name=group,
                        expression=expression,
                        sort_order=int(rule.get("order") or 0),
                    )
                )

    # -- codes ----------------------------------------------------------------------------
    def store_codes(self) -> None:
        claimed: set[int] = set()
        renamed: list[str] = []
        taken_shortcuts = set(
            self.s.scalars(select(Code.shortcut).where(Code.shortcut.is_not(None)))
        )

        def put(rc: RefiCode, parent_id: int | None, order: int) -> None:
            name = " ".join(rc.name.replace("/", "\u2215").split()) or "(unnamed code)"
            if name != " ".join(rc.name.split()):
                renamed.append(rc.name)
            guid = normalise_guid(rc.guid)
            row = self.s.scalar(select(Code).where(Code.guid == guid)) if guid else None
            if row is not None and row.id in claimed:  # the same GUID twice in one file
                row = None
            if row is None:
                siblings = self.s.scalars(
                    select(Code).where(
                        Code.parent_id.is_(None)
                        if parent_id is None
                        else Code.parent_id == parent_id
                    )
                ).all()
                row = next(
                    (c for c in siblings if c.name.lower() == name.lower() and c.id not in claimed),
                    None,
                )
                if row is None:
                    used = {c.name.lower() for c in siblings}
                    base, n = name, 2
                    while name.lower() in used:
                        name, n = f"{base} ({n})", n + 1
            text, meta = ext.parse(rc.description)
            if row is None:
                row = Code(
                    name=name,
                    parent_id=parent_id,
                    codable=rc.codable,
                    colour=clean_colour(rc.colour),
                    definition=text,
                    inclusion=ext.first(meta, "inclusion") or "",
                    exclusion=ext.first(meta, "exclusion") or "",
                    origin="framework" if ext.first(meta, "origin") == "framework" else "inductive",
                    sort_order=order,
                    guid=guid,
                )
                key = ext.first(meta, "framework")
                if key:
                    row.framework_id = self.framework_id(key)
                shortcut = ext.first(meta, "shortcut")
                if shortcut and len(shortcut) == 1 and shortcut not in taken_shortcuts:
                    row.shortcut = shortcut
                    taken_shortcuts.add(shortcut)
                self.s.add(row)
                self.s.flush()
                self.report.created["code"] += 1
            else:
                self.report.matched["code"] += 1
                row.guid = row.guid or guid
                row.definition = row.definition or text
                row.colour = row.colour or clean_colour(rc.colour)
            claimed.add(row.id)
            self.state.code_by_guid[rc.guid] = row.id
            for i, child in enumerate(rc.children):
                put(child, row.id, i)

        for i, rc in enumerate(self.data.codes):
            put(rc, None, i)
        if renamed:
            self.report.warn(
                "code names with '/' (our path separator) now use '\u2215': "
                + ", ".join(repr(n) for n in renamed[:5])
            )

    # -- cases ----------------------------------------------------------------------------
    def store_cases(self) -> None:
        for rc in self.data.cases:
            guid = normalise_guid(rc.guid)
            name = rc.name or f"case {rc.guid[:8]}"
            case = self.s.scalar(select(Case).where(Case.guid == guid)) if guid else None
            if case is None:
                case, created = get_or_create_case(self.s, name)
            else:
                created = False
            text, meta = ext.parse(rc.description)
            (self.report.created if created else self.report.matched)["case"] += 1
            case.guid = case.guid or guid
            case.description = case.description or text
            if ext.first(meta, "group") and not case.group_name:
                case.group_name = ext.first(meta, "group")
                case.group_source = ext.first(meta, "group-source")
                case.group_reason = ext.first(meta, "group-reason")
            for v in rc.values:
                var = self.data.variables.get(v.variable)
                if var is None or not var.name:
                    self.report.warn(
                        f"case {case.name!r} has a value for an undeclared variable; skipped"
                    )
                    continue
                current = next(
                    (a.value for a in case.attributes if a.name.lower() == var.name.lower()), None
                )
                if current == v.value and isinstance(current, str) == isinstance(v.value, str):
                    self.report.matched["attribute value"] += 1
                    continue
                set_attribute(self.s, case, var.name, v.value)
                self.report.created["attribute value"] += 1
            self.state.case_by_guid[rc.guid] = case
            for src in rc.sources:
                if src in self.state.case_of_source and self.state.case_of_source[src] is not case:
                    self.report.warn(
                        f"a source belongs to several cases; kept in "
                        f"{self.state.case_of_source[src].name!r}, not {case.name!r}"
                    )
                    continue
                self.state.case_of_source[src] = case
        self.s.flush()
