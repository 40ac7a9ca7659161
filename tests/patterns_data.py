"""Projects with known cross-case patterns, built straight through the models (fast, exact).

``build_project`` takes cases (with a group and attributes), codes by path, and
codings as ``(participant, code path, valence, how many)``; a participant's case
is the case named by the part of its label before ``P`` (``H1P2`` -> case ``H1``).
Every document line is a sentence such as ``Sentence 3 of H1P2 about Geography.``,
so quotes can be checked by their text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.services.cases import get_or_create_case, set_attribute
from qualcode.services.project import Project
from qualcode.store.models import Case, Code, Coding, Document, Participant

Coded = tuple[str, str, str | None, int]  # participant, code path, valence, number of codings


@dataclass
class Spec:
    cases: dict[str, dict[str, object]]  # name -> {"group": ..., other attributes}
    codes: list[str]
    codings: list[Coded] = field(default_factory=list)
    manual_groups: bool = True  # store "group" as a hand-set group (else only as an attribute)


def case_of(participant: str) -> str:
    return participant.rsplit("P", 1)[0]


def build_project(path: Path, spec: Spec, coder: str = "tester") -> Project:
    project = Project.open(path, coder=coder)
    project.set_setting("project.name", "Patterns test")
    with project.transaction("build test project") as s:
        coder_id = project.coder_id(s)
        for name, attrs in spec.cases.items():
            case, _ = get_or_create_case(s, name)
            for key, value in attrs.items():
                if value is None:
                    continue
                set_attribute(s, case, key, value)  # type: ignore[arg-type]
                if key == "group" and spec.manual_groups:
                    case.group_name, case.group_source = value, "manual"  # type: ignore[assignment]
                    case.group_reason = "set in the test"
        code_ids: dict[str, int] = {}
        for i, code_path in enumerate(spec.codes):
            parent = None
            parts = code_path.split("/")
            for depth in range(1, len(parts) + 1):
                key = "/".join(parts[:depth])
                if key not in code_ids:
                    code = Code(
                        name=parts[depth - 1], parent_id=parent, origin="inductive", sort_order=i
                    )
                    s.add(code)
                    s.flush()
                    code_ids[key] = code.id
                parent = code_ids[key]
        docs: dict[str, tuple[int, list[tuple[int, int]]]] = {}
        participants = sorted({p for p, *_ in spec.codings})
        for label in participants:
            case_row = s.query(Case).filter(Case.name == case_of(label)).one_or_none()
            lines, spans, pos = [], [], 0
            for n, (p, code_path, _, count) in enumerate(spec.codings):
                if p != label:
                    continue
                for k in range(count):
                    line = f"Sentence {n}.{k} of {label} about {code_path.split('/')[-1]}."
                    spans.append((pos, pos + len(line)))
                    lines.append(line)
                    pos += len(line) + 1
            text = "\n".join(lines) + "\n"
            part = Participant(label=label, case_id=case_row.id if case_row else None)
            s.add(part)
            s.flush()
            doc = Document(
                name=label,
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                word_count=len(text.split()),
                participant_id=part.id,
            )
            s.add(doc)
            s.flush()
            docs[label] = (doc.id, spans)
        used = {label: 0 for label in docs}
        for label, code_path, valence, count in spec.codings:
            doc_id, spans = docs[label]
            for _ in range(count):
                start, end = spans[used[label]]
                used[label] += 1
                s.add(
                    Coding(
                        document_id=doc_id,
                        code_id=code_ids[code_path],
                        coder_id=coder_id,
                        start=start,
                        end=end,
                        valence=valence,
                    )
                )
    return project


# The study's shape: two high, two low, one outlier, one ungrouped case.
STUDY_CASES: dict[str, dict[str, object]] = {
    "H1": {"group": "high", "fidelity": 13, "engagement": 74, "locality": "urban"},
    "H2": {"group": "high", "fidelity": 12, "engagement": 69, "locality": "urban"},
    "L1": {"group": "low", "fidelity": 6, "engagement": 38, "locality": "rural"},
    "L2": {"group": "low", "fidelity": 7, "engagement": 42, "locality": "town"},
    "O1": {"group": "outlier", "fidelity": 11, "engagement": 51, "locality": "urban"},
    "U1": {"group": None, "fidelity": 9, "engagement": 55, "locality": "town"},
}

STUDY_CODES = [
    "Role",
    "Ward staff",
    "Leadership",
    "Leadership/Access",
    "Geography",
    "Team dynamics",
    "Culture",
    "Near high",
    "Near low",
    "Near shared",
    "Ungrouped only",
    "Never used",
    "Parent/Child",
]


def study_spec() -> Spec:
    """Known answers (per valence): see tests/test_patterns.py."""
    c: list[Coded] = []
    for p in ("H1P1", "H2P1", "L1P1", "L2P1", "O1P1"):
        c.append((p, "Role", "facilitator", 1))  # shared
    for p in ("H1P1", "H2P1"):
        c.append((p, "Ward staff", "facilitator", 2))  # high
        c.append((p, "Leadership", "facilitator", 1))  # high
    for p in ("L1P1", "L2P1", "O1P1"):
        c.append((p, "Ward staff", "barrier", 1))  # low; outlier shares low
    for p in ("L1P1", "L2P1"):
        c.append((p, "Leadership/Access", "barrier", 1))  # low
        c.append((p, "Geography", "barrier", 1))  # low
    c.append(("O1P1", "Team dynamics", "barrier", 2))  # outlier only
    for p in ("H1P1", "O1P1"):
        c.append((p, "Culture", "facilitator", 1))  # all high but one: none
    for p in ("H1P1", "H2P1", "L1P1"):
        c.append((p, "Near high", "facilitator", 1))  # all high and one low: none
    for p in ("L1P1", "L2P1", "H1P1"):
        c.append((p, "Near low", "barrier", 1))  # all low and one high: none
    for p in ("H1P1", "H2P1", "L1P1", "O1P1"):
        c.append((p, "Near shared", "neutral", 1))  # everywhere but one: none
    c.append(("U1P1", "Ungrouped only", "barrier", 3))  # only an ungrouped case: none
    for p in ("H1P1", "H2P1"):
        c.append((p, "Parent/Child", "facilitator", 1))  # high; with roll-up, Parent too
    c.append(("H1P2", "Role", "facilitator", 1))  # a second participant in H1
    return Spec(dict(STUDY_CASES), list(STUDY_CODES), c)
