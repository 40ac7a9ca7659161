"""Building ``project.qde`` from one read session over the project.

Order and content follow the QDA-XML project schema: Users, CodeBook,
Variables (case attributes and participant details), Cases (with their
sources), Sources (one ``PlainTextSelection`` + ``Coding`` per coding, memo and
valence in the selection's description), Notes (memos, chart summaries,
workshop comments), then the project's own description and note references.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.analysis.code_tree import codes_in_session
from qualcode.exchange import refi_extensions as ext
from qualcode.exchange.refi_guids import GuidMaker
from qualcode.exchange.refi_write import (
    PROJECT_NS,
    codebook_element,
    colour,
    date_time,
    el,
    preview,
    producer,
    variable_type,
    variable_value,
    xml_bytes,
)
from qualcode.store.models import (
    AuditEntry,
    Case,
    CellSummary,
    Coder,
    Coding,
    Document,
    Framework,
    GroupRule,
    Memo,
    Participant,
    Setting,
    WorkshopComment,
)
from qualcode.store.project import Project
from qualcode.store.setting_keys import GROUP_ATTRIBUTE_SETTING

Progress = Callable[[int, int], None]


class ProjectWriter:
    """One read session's walk over the project, building project.qde."""

    def __init__(self, project: Project, s: Session) -> None:
        self.project, self.s = project, s
        self.guids = GuidMaker(project.uuid)
        self.report_warnings: list[str] = []
        self.counts: dict[str, int] = {}
        self.coder_guid = {
            c.id: self.guids.of(c.guid, "coder", c.id)
            for c in s.scalars(select(Coder).order_by(Coder.id))
        }
        self.codes = codes_in_session(s)
        self.code_guid: dict[int, str] = {}
        self.memos = list(s.scalars(select(Memo).order_by(Memo.id)))
        self.memo_guid = {m.id: self.guids.of(m.guid, "memo", m.id) for m in self.memos}
        self.refs: dict[tuple[str, int | None], list[str]] = {}
        for m in self.memos:
            self.refs.setdefault((m.target_type, m.target_id), []).append(self.memo_guid[m.id])
        self.variables: dict[str, list[object]] = {}

    def var_guid(self, name: str) -> str:
        return self.guids.make("variable", name)

    def users(self, root: Element) -> None:
        coders = list(self.s.scalars(select(Coder).order_by(Coder.id)))
        if coders:
            users = el(root, "Users")
            for c in coders:
                el(users, "User", {"guid": self.coder_guid[c.id], "name": c.name})
        self.counts["coder"] = len(coders)

    def codebook(self, root: Element) -> None:
        if self.codes:
            book = el(root, "CodeBook")
            code_refs = {
                cid: refs for (t, cid), refs in self.refs.items() if t == "code" and cid is not None
            }
            self.code_guid = codebook_element(book, self.codes, self.guids, code_refs)
            bad = [c.path_str for c in self.codes if c.colour and not colour(c.colour)]
            if bad:
                self.report_warnings.append(
                    "colours that are not #rrggbb were left out: " + ", ".join(bad[:5])
                )
        self.counts["code"] = len(self.codes)

    def collect_variables(self, cases: list[Case], parts: dict[int, Participant]) -> None:
        for case in cases:
            for a in case.attributes:
                self.variables.setdefault(a.name, []).append(a.value)
        for p in parts.values():
            self.variables.setdefault("participant", []).append(p.label)
            if p.role:
                self.variables.setdefault("participant.role", []).append(p.role)
            if p.number is not None:
                self.variables.setdefault("participant.number", []).append(p.number)
            for a in p.attributes:
                value = a.number_value if a.value_type == "number" else a.text_value
                self.variables.setdefault(f"participant.{a.name}", []).append(
                    value if value is not None else ""
                )
        self.var_type = {name: variable_type(values) for name, values in self.variables.items()}
        for name, values in self.variables.items():
            if self.var_type[name] == "Text" and any(isinstance(v, (int, float)) for v in values):
                self.report_warnings.append(
                    f"attribute {name!r} mixes numbers and text; exported as "
                    "text (other tools need one type per variable)"
                )
        if self.variables:
            block = el(self.root, "Variables")
            for name in self.variables:
                el(
                    block,
                    "Variable",
                    {
                        "guid": self.var_guid(name),
                        "name": name,
                        "typeOfVariable": self.var_type[name],
                    },
                )

    def cases(self, cases: list[Case], docs_of_case: dict[int, list[str]]) -> None:
        if not cases:
            return
        block = el(self.root, "Cases")
        for case in cases:
            node = el(
                block,
                "Case",
                {"guid": self.guids.of(case.guid, "case", case.id), "name": case.name},
            )
            meta = [
                (k, v)
                for k, v in (
                    ("group", case.group_name),
                    ("group-source", case.group_source),
                    ("group-reason", case.group_reason),
                )
                if v
            ]
            desc = ext.compose(case.description or "", meta)
            if desc:
                el(node, "Description", text=desc)
            for a in case.attributes:
                variable_value(node, self.var_guid(a.name), self.var_type[a.name], a.value)
            for doc_guid in docs_of_case.get(case.id, []):
                el(node, "SourceRef", {"targetGUID": doc_guid})
        self.counts["case"] = len(cases)

    def build(self, write_source: Callable[[str, str], None], progress: Progress | None) -> bytes:
        s = self.s
        # who started the project and when, and when it last changed, from the audit trail:
        # other tools show these; the same project still exports to the same bytes
        first = s.execute(
            select(AuditEntry.coder, AuditEntry.at).order_by(AuditEntry.id).limit(1)
        ).first()
        last = s.scalar(select(func.max(AuditEntry.at)))
        owner = s.scalar(select(Coder.id).where(Coder.name == first.coder)) if first else None
        self.root = root = el(
            None,
            "Project",
            {
                "xmlns": PROJECT_NS,
                "name": self.project.name,
                "origin": producer(),
                "creatingUserGUID": self.coder_guid.get(owner) if owner is not None else None,
                "creationDateTime": date_time(first.at) if first else None,
                "modifiedDateTime": date_time(last),
            },
        )
        self.users(root)
        self.codebook(root)
        cases = list(s.scalars(select(Case).order_by(Case.name)))
        parts = {p.id: p for p in s.scalars(select(Participant).order_by(Participant.label))}
        self.collect_variables(cases, parts)
        docs = list(
            s.execute(
                select(
                    Document.id,
                    Document.name,
                    Document.guid,
                    Document.participant_id,
                    Document.case_id,
                    Document.source_file,
                    Document.file_format,
                    Document.imported_at,
                ).order_by(Document.name)
            )
        )
        doc_guid = {d.id: self.guids.of(d.guid, "document", d.id) for d in docs}
        docs_of_case: dict[int, list[str]] = {}
        for d in docs:
            case_id = parts[d.participant_id].case_id if d.participant_id in parts else None
            case_id = case_id or d.case_id
            if case_id is not None:
                docs_of_case.setdefault(case_id, []).append(doc_guid[d.id])
        self.cases(cases, docs_of_case)
        if docs:
            self.sources(docs, doc_guid, parts, write_source, progress)
        self.notes(cases, doc_guid)
        if self.guids.reissued:
            kinds = sorted({kind for kind, _ in self.guids.reissued})
            self.report_warnings.append(
                f"{len(self.guids.reissued)} items ({', '.join(kinds)}) shared a "
                "GUID with another item; they were given their own GUIDs"
            )
        self.project_description()
        for ref in self.refs.get(("project", None), []):
            el(root, "NoteRef", {"targetGUID": ref})
        return xml_bytes(root)

    def sources(
        self,
        docs: list,
        doc_guid: dict[int, str],
        parts: dict[int, Participant],
        write_source: Callable[[str, str], None],
        progress: Progress | None,
    ) -> None:
        block = el(self.root, "Sources")
        n_codings = 0
        for i, d in enumerate(docs):
            guid = doc_guid[d.id]
            text = self.s.scalar(select(Document.text).where(Document.id == d.id)) or ""
            write_source(f"{guid}.txt", text)
            node = el(
                block,
                "TextSource",
                {
                    "guid": guid,
                    "name": d.name,
                    "plainTextPath": f"internal://{guid}.txt",
                    "creationDateTime": date_time(d.imported_at),
                },
            )
            meta = []
            if (d.source_file or "") != d.name:
                meta.append(("source-file", d.source_file or ""))
            if d.file_format and d.file_format != "txt":
                meta.append(("format", d.file_format))
            if meta:
                el(node, "Description", text=ext.compose("", meta))
            for c in self.s.execute(
                select(
                    Coding.id,
                    Coding.guid,
                    Coding.coder_id,
                    Coding.code_id,
                    Coding.start,
                    Coding.end,
                    Coding.valence,
                    Coding.memo,
                    Coding.created_at,
                    Coding.updated_at,
                )
                .where(Coding.document_id == d.id)
                .order_by(Coding.start, Coding.end, Coding.id)
            ):
                self.selection(node, c, text)
                n_codings += 1
            for ref in self.refs.get(("document", d.id), []):
                el(node, "NoteRef", {"targetGUID": ref})
            part = parts.get(d.participant_id) if d.participant_id else None
            if part is not None:
                self.participant_values(node, part)
            if progress:
                progress(i + 1, len(docs))
        self.counts["document"] = len(docs)
        self.counts["coding"] = n_codings

    def participant_values(self, node: Element, p: Participant) -> None:
        items: list[tuple[str, object]] = [("participant", p.label)]
        if p.role:
            items.append(("participant.role", p.role))
        if p.number is not None:
            items.append(("participant.number", p.number))
        for a in p.attributes:
            value = a.number_value if a.value_type == "number" else a.text_value
            items.append((f"participant.{a.name}", value if value is not None else ""))
        for name, value in items:
            variable_value(node, self.var_guid(name), self.var_type[name], value)

    def selection(self, parent: Element, c: Any, text: str) -> None:
        cguid = self.guids.of(c.guid, "coding", c.id)
        user = self.coder_guid.get(c.coder_id)
        sel = el(
            parent,
            "PlainTextSelection",
            {
                "guid": self.guids.derived(cguid, "selection"),
                "name": preview(text[c.start : c.end]),
                "startPosition": c.start,
                "endPosition": c.end,
                "creatingUser": user,
                "creationDateTime": date_time(c.created_at),
                "modifiedDateTime": date_time(c.updated_at),
            },
        )
        desc = ext.compose(c.memo or "", [("valence", c.valence)] if c.valence else [])
        if desc:
            el(sel, "Description", text=desc)
        coding = el(
            sel,
            "Coding",
            {"guid": cguid, "creatingUser": user, "creationDateTime": date_time(c.created_at)},
        )
        el(coding, "CodeRef", {"targetGUID": self.code_guid[c.code_id]})
        for ref in self.refs.get(("coding", c.id), []):
            el(coding, "NoteRef", {"targetGUID": ref})

    def notes(self, cases: list[Case], doc_guid: dict[int, str]) -> None:
        case_guid = {c.id: self.guids.of(c.guid, "case", c.id) for c in cases}
        labels = dict(self.s.execute(select(Participant.id, Participant.label)).all())
        code_names = {c.id: c.path_str for c in self.codes}
        notes: list[tuple[dict[str, object | None], str, str]] = []
        for m in self.memos:
            meta: list[tuple[str, str]] = []
            if m.target_type == "case" and m.target_id in case_guid:
                meta.append(("memo-on", f"case {case_guid[m.target_id]}"))
            elif m.target_type == "participant" and m.target_id in labels:
                meta.append(("memo-on", f"participant {labels[m.target_id]}"))
            attrs = {
                "guid": self.memo_guid[m.id],
                "name": m.title or None,
                "creatingUser": self.coder_guid.get(m.coder_id) if m.coder_id else None,
                "creationDateTime": date_time(m.created_at),
                "modifiedDateTime": date_time(m.updated_at),
            }
            notes.append((attrs, ext.compose("", meta), m.text or ""))
        case_names = {c.id: c.name for c in cases}

        def cell(row_type: str, row_id: int, code_id: int) -> tuple[str, str, str] | None:
            """The cell as JSON (by GUIDs / participant label), a readable title, and its GUID."""
            if code_id not in self.code_guid:
                return None
            if row_type == "case" and row_id in case_guid:
                spec = {"row": "case", "case": case_guid[row_id], "code": self.code_guid[code_id]}
                title = case_names[row_id]
            elif row_type == "participant" and row_id in labels:
                spec = {
                    "row": "participant",
                    "participant": labels[row_id],
                    "code": self.code_guid[code_id],
                }
                title = labels[row_id]
            else:
                return None
            row_key = spec.get("case") or spec.get("participant")
            return (
                json.dumps(spec, ensure_ascii=False),
                f"{title} \u00d7 {code_names.get(code_id, '')}",
                self.guids.derived(self.code_guid[code_id], row_type, row_key),
            )

        n_summaries = n_comments = 0
        for cs in self.s.scalars(select(CellSummary).order_by(CellSummary.id)):
            where = cell(cs.row_type, cs.row_id, cs.code_id)
            if where is None:
                continue
            attrs = {
                "guid": self.guids.derived(where[2], "summary"),
                "name": f"Chart: {where[1]}",
                "creatingUser": self.coder_guid.get(cs.coder_id) if cs.coder_id else None,
                "modifiedDateTime": date_time(cs.updated_at),
            }
            notes.append(
                (
                    attrs,
                    ext.compose("", [("summary-of", where[0]), ("status", cs.status)]),
                    cs.text or "",
                )
            )
            n_summaries += 1
        for wc in self.s.scalars(select(WorkshopComment).order_by(WorkshopComment.id)):
            where = cell(wc.row_type, wc.row_id, wc.code_id)
            if where is None:
                continue
            attrs = {
                "guid": self.guids.derived(where[2], "workshop-comment", f"{wc.author}\n{wc.text}"),
                "name": f"Workshop: {where[1]}",
                "creationDateTime": date_time(wc.created_at),
            }
            meta = [("workshop-comment-on", where[0]), ("author", wc.author)]
            notes.append((attrs, ext.compose("", meta), wc.text or ""))
            n_comments += 1
        if notes:
            block = el(self.root, "Notes")
            for attrs, desc, text in notes:
                node = el(block, "Note", attrs)
                if desc:
                    el(node, "Description", text=desc)
                el(node, "PlainTextContent", text=text)
        self.counts["memo"] = len(self.memos)
        self.counts["chart summary"] = n_summaries
        self.counts["workshop comment"] = n_comments

    def project_description(self) -> None:
        meta: list[tuple[str, str]] = []
        for fw in self.s.scalars(select(Framework).order_by(Framework.key)):
            meta.append(
                (
                    "framework",
                    json.dumps(
                        {"key": fw.key, "name": fw.name, "version": fw.version}, ensure_ascii=False
                    ),
                )
            )
        for rule in self.s.scalars(select(GroupRule).order_by(GroupRule.sort_order, GroupRule.id)):
            meta.append(
                (
                    "group-rule",
                    json.dumps(
                        {
                            "group": rule.group_name,
                            "expression": rule.expression,
                            "order": rule.sort_order,
                        },
                        ensure_ascii=False,
                    ),
                )
            )

        group_attribute = self.s.get(Setting, GROUP_ATTRIBUTE_SETTING)
        if group_attribute is not None and group_attribute.value:
            meta.append(("group-attribute", group_attribute.value))
        if meta:
            el(self.root, "Description", text=ext.compose("", meta))
