"""Text search across the project's documents (case-insensitive, exact phrase)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from qualcode.errors import InvalidInputError
from qualcode.services.project import Project
from qualcode.store.models import Case, Document, Participant

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class SearchHit:
    """One occurrence of the phrase, with a little context either side."""

    document_id: int
    document: str
    participant: str | None
    case: str | None
    start: int
    end: int
    before: str
    match: str
    after: str


def search_text(
    project: Project, query: str, *, limit: int = 500, context: int = 40
) -> list[SearchHit]:
    """Every occurrence of ``query`` in every document (up to ``limit``), in document order."""
    needle = query.strip().lower()
    if not needle:
        raise InvalidInputError("Type something to search for.")
    hits: list[SearchHit] = []
    with project.read() as s:
        q = (
            select(Document.id, Document.name, Participant.label, Case.name, Document.text)
            .outerjoin(Participant, Document.participant_id == Participant.id)
            .outerjoin(Case, Case.id == func.coalesce(Participant.case_id, Document.case_id))
            .order_by(Case.name, Participant.label, Document.name)
        )
        if needle.isascii():  # SQLite's lower() folds ASCII only
            q = q.where(func.instr(func.lower(Document.text), needle) > 0)
        for did, name, part, case, text in s.execute(q):
            hay = text.lower()
            i = hay.find(needle)
            while i != -1 and len(hits) < limit:
                j = i + len(needle)
                before = _SPACE.sub(" ", text[max(0, i - context) : i])
                after = _SPACE.sub(" ", text[j : j + context])
                hits.append(SearchHit(did, name, part, case, i, j, before, text[i:j], after))
                i = hay.find(needle, j)
    return hits
