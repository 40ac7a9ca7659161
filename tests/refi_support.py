"""Shared helpers for the REFI-QDA tests: a rich project, a snapshot to compare, file builders."""

from __future__ import annotations

import functools
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from qualcode.services import cases, codebook, coding, memos
from qualcode.services.charting import add_workshop_comment, write_summary
from qualcode.services.codebook import code_paths
from qualcode.services.frameworks import apply_framework
from qualcode.services.patterns import set_group, set_group_rules
from qualcode.services.project import Project
from qualcode.store.models import (
    Case,
    CellSummary,
    Code,
    Coder,
    Coding,
    Document,
    Framework,
    GroupRule,
    Memo,
    Participant,
    ParticipantAttribute,
    WorkshopComment,
)
from tests.conftest import SHARED, add_document

REFI = SHARED / "refi-qda"
PROJECT_XSD = REFI / "Project-mrt2019.xsd"
CODEBOOK_XSD = REFI / "Codebook-mrt2019.xsd"
SAMPLES = REFI / "samples"

# Emoji (2 UTF-16 units each, one with a ZWJ sequence) before the coded phrases, so
# code points and UTF-16 positions disagree; no CR anywhere.
S3_TEXT = (
    "[Interview with S3PW1, site 3, 2023]\n\n"
    "Interviewer: How were the wards? 😊\n\n"
    "S3PW1: The ward staff were welcoming 👍🏽. They saw the value of lived experience.\n\n"
    "Interviewer: And the community teams? 🤦🏼\u200d♀️\n\n"
    "S3PW1: Nobody got back to me. Nobody got back to me at all. Életünk része."
)
S4_TEXT = (
    "Interviewer: Tell me about the wards.\n\n"
    "S4PW1: Some staff looked at me like I was a visitor. We never got into team meetings.\n\n"
    "S4PW1: The bus takes two hours from the village."
)


def schema(path: Path) -> Any:
    """The REFI-QDA XML schema, read in place from ../shared (built once per run)."""
    pytest.importorskip("xmlschema")
    if not path.exists():
        pytest.skip(
            f"{path} not present (../shared exists only in CI and the development checkout)"
        )
    return _load_schema(str(path))


@functools.cache
def _load_schema(path: str) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(path)


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(
            f"{path} not present (../shared exists only in CI and the development checkout)"
        )
    return path


def rich_project(path: Path) -> Project:
    """A project using everything the exchange has to carry."""
    p = Project.open(path, coder="alice")
    apply_framework(p, "modified-parihs")
    codebook.create_code(
        p,
        "Geography",
        colour="#123abc",
        definition="Distance and travel.",
        inclusion="Travel times, rural distance.",
        exclusion="Not: \n  digital access.",
    )
    codebook.create_code(p, "Rural travel", parent="Geography")
    codebook.create_code(p, "Timing", codable=False, definition="Folder for timing codes")
    codebook.create_code(p, "Offer too late", parent="Timing", shortcut="z")
    cases.set_case(
        p, "Site 3", {"fidelity": "12", "engagement": "76%", "locality": "urban", "ratio": "0.5"}
    )
    cases.set_case(
        p, "Site 4", {"fidelity": "4", "engagement": "30", "locality": "rural", "ratio": "1.25"}
    )
    add_document(p, "S3PW1", S3_TEXT, participant="S3PW1", case="Site 3")
    add_document(p, "S4PW1", S4_TEXT, participant="S4PW1", case="Site 4")
    add_document(p, "Field notes", "Visited site 4 in March. 🚌 Long way.", case="Site 4")
    with p.transaction("test participant details") as s:
        part = s.scalar(select(Participant).where(Participant.label == "S3PW1"))
        part.role, part.number = "PW", 1
        s.add(
            ParticipantAttribute(
                participant_id=part.id, name="years", value_type="number", number_value=3.0
            )
        )
        s.add(
            ParticipantAttribute(
                participant_id=part.id, name="employer", value_type="text", text_value="NHS trust"
            )
        )
    a = coding.add_coding_by_phrase(
        p,
        "S3PW1",
        "The ward staff were welcoming 👍🏽.",
        "Culture",
        valence="facilitator",
        memo="valued\nby staff",
    )
    coding.add_coding_by_phrase(
        p,
        "S3PW1",
        "Nobody got back to me at all.",
        "Context/Monitoring and feedback",
        valence="barrier",
        coder="bob",
    )
    coding.add_coding_by_phrase(
        p,
        "S3PW1",
        "Nobody got back to me at all.",
        "Context/Monitoring and feedback",
        valence="neutral",
    )
    coding.add_coding_by_phrase(p, "S3PW1", "Életünk része.", "Geography")
    coding.add_coding_by_phrase(
        p,
        "S4PW1",
        "The bus takes two hours from the village.",
        "Rural travel",
        valence="barrier",
        memo="  leading spaces kept",
    )
    coding.add_coding_by_phrase(p, "Field notes", "🚌 Long way.", "Offer too late", coder="bob")
    memos.write_memo(p, "project", None, "Overall impressions.", title="Journal")
    memos.write_memo(p, "code", "Geography", "Emerged in site 4.")
    memos.write_memo(p, "document", "S4PW1", "Interview was short.")
    memos.write_memo(p, "case", "Site 3", "High fidelity site.")
    memos.write_memo(p, "coding", str(a.id), "Quote for the paper.", title="Quote")
    with p.transaction("test participant memo") as s:
        part = s.scalar(select(Participant).where(Participant.label == "S4PW1"))
        s.add(
            Memo(
                target_type="participant",
                target_id=part.id,
                title="",
                text="Peer worker since 2020.",
            )
        )
    set_group_rules(p, ["high: fidelity >= 10", "low: fidelity < 10"])
    set_group(p, "Site 4", "outlier")
    write_summary(p, "case", "Site 3", "Culture", "Welcoming ward staff.", status="reviewed")
    write_summary(p, "participant", "S4PW1", "Rural travel", "Two-hour bus journeys.")
    add_workshop_comment(
        p, "case", "Site 3", "Culture", "Peer workers agreed.", author="Workshop 1"
    )
    return p


def snapshot(project: Project) -> dict[str, Any]:
    """Everything the exchange should carry, by names rather than ids."""
    with project.read() as s:
        paths = {cid: "/".join(p) for cid, p in code_paths(s).items()}
        fw = dict(s.execute(select(Framework.id, Framework.key)).all())
        coders = dict(s.execute(select(Coder.id, Coder.name)).all())
        case_names = dict(s.execute(select(Case.id, Case.name)).all())
        parts = {p.id: p for p in s.scalars(select(Participant))}
        docs = {d.id: d for d in s.scalars(select(Document))}

        def doc_case(d: Document) -> str | None:
            cid = parts[d.participant_id].case_id if d.participant_id else None
            return case_names.get(cid or d.case_id)

        codings = {
            c.id: (docs[c.document_id].name, c.start, c.end, paths[c.code_id], coders[c.coder_id])
            for c in s.scalars(select(Coding))
        }

        def target(kind: str, tid: int | None) -> object:
            return {
                "project": lambda: None,
                "code": lambda: paths.get(tid),
                "document": lambda: docs[tid].name if tid in docs else None,
                "case": lambda: case_names.get(tid),
                "participant": lambda: parts[tid].label if tid in parts else None,
                "coding": lambda: codings.get(tid),
            }[kind]()

        def row(kind: str, rid: int) -> str:
            return case_names[rid] if kind == "case" else parts[rid].label

        return {
            "coders": sorted(coders.values()),
            "codes": {
                paths[c.id]: (
                    c.codable,
                    c.colour,
                    c.definition,
                    c.inclusion,
                    c.exclusion,
                    c.origin,
                    fw.get(c.framework_id),
                    c.shortcut,
                )
                for c in s.scalars(select(Code))
            },
            "documents": {
                d.name: (
                    d.text,
                    d.source_file,
                    d.file_format,
                    parts[d.participant_id].label if d.participant_id else None,
                    doc_case(d),
                )
                for d in docs.values()
            },
            "cases": {
                c.name: (
                    {a.name: a.value for a in c.attributes},
                    c.description,
                    c.group_name,
                    c.group_source,
                    c.group_reason,
                )
                for c in s.scalars(select(Case))
            },
            "participants": {
                p.label: (
                    p.role,
                    p.number,
                    case_names.get(p.case_id),
                    {a.name: (a.value_type, a.number_value, a.text_value) for a in p.attributes},
                )
                for p in parts.values()
            },
            "codings": sorted(
                codings[c.id] + (c.valence, c.memo) for c in s.scalars(select(Coding))
            ),
            "memos": sorted(
                (
                    m.target_type,
                    repr(target(m.target_type, m.target_id)),
                    m.title,
                    m.text,
                    coders.get(m.coder_id),
                )
                for m in s.scalars(select(Memo))
            ),
            "summaries": sorted(
                (c.row_type, row(c.row_type, c.row_id), paths[c.code_id], c.text, c.status)
                for c in s.scalars(select(CellSummary))
            ),
            "workshop": sorted(
                (w.row_type, row(w.row_type, w.row_id), paths[w.code_id], w.author, w.text)
                for w in s.scalars(select(WorkshopComment))
            ),
            "group_rules": sorted(
                (g.group_name, g.expression, g.sort_order) for g in s.scalars(select(GroupRule))
            ),
        }


def table_counts(project: Project) -> dict[str, int]:
    """Rows in every table (to show that a failed import stored nothing)."""
    from sqlalchemy import func

    from qualcode.store.models import Base

    with project.read() as s:
        return {
            t.name: s.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
            if t.name != "audit_log"
        }


def make_qdpx(
    path: Path,
    qde: str | bytes,
    sources: dict[str, bytes | str] | None = None,
    qde_name: str = "project.qde",
    folder: str = "sources",
) -> Path:
    """A .qdpx with the given project XML and ``folder/<name>`` source files."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(qde_name, qde.encode("utf-8") if isinstance(qde, str) else qde)
        for name, data in (sources or {}).items():
            zf.writestr(f"{folder}/{name}", data.encode("utf-8") if isinstance(data, str) else data)
    return path


def simple_qde(
    text_path: str,
    selections: list[tuple[int, int]],
    origin: str = "",
    code_guid: str = "5215cc69-b628-4e02-afb9-9beeaee55808",
    source_guid: str = "11e0d4d7-4de8-4501-a82f-653d3e5d1c15",
) -> str:
    """A minimal project: one code, one text source, one coding per selection."""
    sels = "\n".join(
        f'<PlainTextSelection guid="00000000-0000-4000-8000-{i:012d}" startPosition="{a}" '
        f'endPosition="{b}"><Coding guid="00000000-0000-4000-9000-{i:012d}">'
        f'<CodeRef targetGUID="{code_guid}"/></Coding></PlainTextSelection>'
        for i, (a, b) in enumerate(selections)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
        f'name="Test" origin="{origin}"><CodeBook><Codes><Code guid="{code_guid}" name="Topic" '
        f'isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="{source_guid}" '
        f'name="Interview" plainTextPath="internal://{text_path}">{sels}</TextSource></Sources>'
        "</Project>"
    )
