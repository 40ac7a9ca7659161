"""A small, fixed charting project for the matrix, export and workbench tests.

Three sites (high, low, outlier) with typed attributes and groups, five
participants, the modified PARIHS framework plus two inductive codes, and codings
by two coders with valences. Turns are stored as segments so quotes can be located.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update

from qualcode.services.cases import get_or_create_case, set_case
from qualcode.services.codebook import create_code
from qualcode.services.coding import add_coding_by_phrase
from qualcode.services.frameworks import apply_framework
from qualcode.services.project import Project
from qualcode.store.models import (
    Case,
    CellSummary,
    CellSummaryRevision,
    Document,
    Participant,
    Segment,
    WorkshopComment,
)

FIXED_TIME = datetime(2024, 5, 14, 10, 30, tzinfo=UTC)

TRANSCRIPTS = {
    "S3PW1": (
        "Site 3",
        "PW",
        [
            "Interviewer: How did the ward staff see your role?",
            "S3PW1: The ward manager made sure I was in the handover every morning. "
            "Staff would come and find me when someone was being discharged.",
            "Interviewer: And supervision?",
            "S3PW1: Supervision every fortnight with the coordinator kept me steady. "
            "We looked at the numbers together each month.",
        ],
    ),
    "S3PW2": (
        "Site 3",
        "PW",
        [
            "Interviewer: What was the culture like?",
            "S3PW2: It felt like the team wanted peer support there, it was part of the plan.",
            "Interviewer: Anything difficult?",
            "S3PW2: Parking at the hospital was a nightmare, honestly.",
        ],
    ),
    "S4PW1": (
        "Site 4",
        "PW",
        [
            "Interviewer: Tell me about the wards.",
            "S4PW1: Some staff looked at me like I was a visitor. We never got into team meetings.",
            "Interviewer: And getting to people?",
            "S4PW1: Three hours of driving for a note through the door.",
        ],
    ),
    "S4PWC": (
        "Site 4",
        "PWC",
        [
            "Interviewer: How did you manage the team?",
            "S4PWC: I had no say over referrals, the trust held all of that.",
        ],
    ),
    "S2PW1": (
        "Site 2",
        "PW",
        [
            "Interviewer: What helped?",
            "S2PW1: The consultant backed us in every meeting and that opened doors.",
        ],
    ),
}

SITES = {
    "Site 2": ({"fidelity": "11", "engagement": "51", "locality": "urban"}, "outlier"),
    "Site 3": ({"fidelity": "13", "engagement": "74", "locality": "urban"}, "high"),
    "Site 4": ({"fidelity": "6", "engagement": "38", "locality": "rural"}, "low"),
}

CODINGS = [  # document, code, valence, phrase, coder
    (
        "S3PW1",
        "Context/Leadership",
        "facilitator",
        "The ward manager made sure I was in the handover every morning.",
        "analyst",
    ),
    (
        "S3PW1",
        "Access and authority",
        "facilitator",
        "Staff would come and find me when someone was being discharged.",
        "analyst",
    ),
    (
        "S3PW1",
        "Monitoring and feedback",
        "facilitator",
        "We looked at the numbers together each month.",
        "analyst",
    ),
    (
        "S3PW1",
        "Facilitation/Flexibility and consistency",
        "facilitator",
        "Supervision every fortnight with the coordinator kept me steady.",
        "second",
    ),
    (
        "S3PW2",
        "Context/Culture",
        "facilitator",
        "It felt like the team wanted peer support there, it was part of the plan.",
        "analyst",
    ),
    (
        "S3PW2",
        "Geography",
        "barrier",
        "Parking at the hospital was a nightmare, honestly.",
        "analyst",
    ),
    (
        "S4PW1",
        "Context/Culture",
        "barrier",
        "Some staff looked at me like I was a visitor.",
        "analyst",
    ),
    ("S4PW1", "Access and authority", "barrier", "We never got into team meetings.", "analyst"),
    (
        "S4PW1",
        "Geography",
        "barrier",
        "Three hours of driving for a note through the door.",
        "second",
    ),
    (
        "S4PWC",
        "Access and authority",
        "barrier",
        "I had no say over referrals, the trust held all of that.",
        "analyst",
    ),
    (
        "S2PW1",
        "Context/Leadership",
        "facilitator",
        "The consultant backed us in every meeting and that opened doors.",
        "analyst",
    ),
]


def _store_document(project: Project, label: str, case: str, role: str, turns: list[str]) -> None:
    text = "\n\n".join(turns)
    with project.transaction("test document") as s:
        case_row = get_or_create_case(s, case)[0]
        part = Participant(label=label, case_id=case_row.id, role=role)
        s.add(part)
        s.flush()
        doc = Document(
            name=label,
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            word_count=len(text.split()),
            participant_id=part.id,
            case_id=case_row.id,
        )
        s.add(doc)
        s.flush()
        pos = 0
        for seq, turn in enumerate(turns, 1):
            speaker = turn.split(":", 1)[0]
            s.add(
                Segment(
                    document_id=doc.id,
                    kind="turn",
                    seq=seq,
                    start=pos,
                    end=pos + len(turn),
                    speaker=speaker,
                    is_participant=speaker != "Interviewer",
                )
            )
            pos += len(turn) + 2


_TEMPLATE: list[Path] = []


def build_chart_project(path: Path) -> Project:
    """The fixed project, in a real SQLite file at ``path`` (built once, then copied)."""
    if not _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="qualcode-chart-")) / "chart.db"
        # removed when the test process ends, so runs leave nothing in the temp folder
        atexit.register(shutil.rmtree, template.parent, ignore_errors=True)
        _build(template).engine.dispose()
        _TEMPLATE.append(template)
    shutil.copyfile(_TEMPLATE[0], path)
    return Project.open(path, coder="analyst")


def _build(path: Path) -> Project:
    project = Project.open(path, coder="analyst")
    project.set_setting("project.name", "Peer support study")
    apply_framework(project, "modified-parihs")
    create_code(project, "Geography", definition="Distance, travel, rurality, parking.")
    create_code(project, "Resourcing")
    for name, (attrs, group) in SITES.items():
        set_case(project, name, attrs)
        with project.transaction("test group") as s:
            s.execute(
                update(Case)
                .where(Case.name == name)
                .values(group_name=group, group_source="manual")
            )
    for label, (case, role, turns) in TRANSCRIPTS.items():
        _store_document(project, label, case, role, turns)
    for doc, code, valence, phrase, coder in CODINGS:
        add_coding_by_phrase(project, doc, phrase, code, valence=valence, coder=coder)
    return project


def freeze_times(project: Project) -> None:
    """Give summaries, revisions and comments a fixed time (for snapshot tests)."""
    with project.transaction() as s:
        s.execute(update(CellSummary).values(updated_at=FIXED_TIME))
        s.execute(update(CellSummaryRevision).values(saved_at=FIXED_TIME))
        s.execute(update(WorkshopComment).values(created_at=FIXED_TIME))
