"""Shared fixtures: every test gets a fresh project database in its own folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.services.project import Project

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip: that folder exists only in CI and development checkouts."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (../shared exists only in CI and the development checkout)")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A new, empty project in a real SQLite file."""
    return Project.open(tmp_path / "project.db", coder="tester")


def add_document(project: Project, name: str, text: str, participant: str | None = None,
                 case: str | None = None) -> int:
    """Store a document directly (for service tests that are not about importing)."""
    import hashlib

    from qualcode.services.cases import get_or_create_case
    from qualcode.store.models import Document, Participant

    with project.transaction("test document") as s:
        case_row = get_or_create_case(s, case)[0] if case else None
        part = None
        if participant:
            part = Participant(label=participant, case_id=case_row.id if case_row else None)
            s.add(part)
            s.flush()
        doc = Document(name=name, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
                       word_count=len(text.split()), participant_id=part.id if part else None,
                       case_id=case_row.id if case_row else None)
        s.add(doc)
        s.flush()
        return doc.id
