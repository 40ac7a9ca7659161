"""A double-coded project with planted disagreements, and a slow, obvious reference.

The reference builds the coders x units 0/1 decisions one unit at a time in plain Python,
so the fast array code is checked against something that is easy to read.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from qualcode.services.codebook import create_code
from qualcode.services.project import Project
from qualcode.store.models import Coder, Coding, Segment
from tests.conftest import add_document

SENTENCE = "This is sentence number {n} about the ward and the team. "


def sentences(n: int) -> tuple[str, list[tuple[int, int]]]:
    """A text of n sentences and their (start, end) ranges."""
    text, spans = "", []
    for i in range(n):
        s = SENTENCE.format(n=i + 1)
        spans.append((len(text), len(text) + len(s) - 1))
        text += s
    return text, spans


def add_segments(
    project: Project, doc_id: int, spans: list[tuple[int, int]], kind: str = "sentence"
) -> None:
    with project.transaction("test segments") as s:
        for seq, (a, b) in enumerate(spans, 1):
            s.add(Segment(document_id=doc_id, kind=kind, seq=seq, start=a, end=b))


def code_as(project: Project, coder: str, doc_id: int, code_id: int, start: int, end: int) -> None:
    """Store a coding for a named coder directly (several coders in one project).

    A coder cannot hold the same coding twice (the store forbids it), so a planted
    coding that repeats one already made is skipped.
    """
    with project.transaction("test coding") as s:
        coder_id = project.coder_id(s, coder)
        key = dict(document_id=doc_id, code_id=code_id, coder_id=coder_id, start=start, end=end)
        if s.scalar(select(Coding.id).filter_by(**key)) is None:
            s.add(Coding(**key))


def double_coded(
    project: Project, coders: tuple[str, ...] = ("ann", "ben"), seed: int = 3
) -> dict[str, object]:
    """Three documents of sentences, four codes, codings with planted disagreements.

    Code 'Agreed' is coded identically; 'Mixed' agrees on some sentences; 'Only ann' is
    used by the first coder alone; 'Unused' by nobody. Some codings span two sentences,
    some overlap another of the same coder's, some start mid-sentence.
    """
    rnd = random.Random(seed)
    codes = {
        name: create_code(project, name).id for name in ("Agreed", "Mixed", "Only ann", "Unused")
    }
    docs = {}
    for d in range(3):
        text, spans = sentences(12 + d * 3)
        doc_id = add_document(project, f"D{d + 1}", text)
        add_segments(project, doc_id, spans)
        docs[doc_id] = (text, spans)
    for doc_id, (_text, spans) in docs.items():
        for i in range(0, len(spans), 3):
            a, b = spans[i]
            for who in coders:
                code_as(project, who, doc_id, codes["Agreed"], a + 2, b - 2)
        for i in range(len(spans)):
            a, b = spans[i]
            first = rnd.random() < 0.45
            for n, who in enumerate(coders):
                # Later coders mostly follow the first: disagreement is planted, not random.
                if first != (n > 0 and rnd.random() < 0.2):
                    end = spans[min(i + rnd.choice((0, 0, 1)), len(spans) - 1)][1]
                    code_as(project, who, doc_id, codes["Mixed"], a + rnd.randint(0, 5), end)
            if rnd.random() < 0.2:
                code_as(project, coders[0], doc_id, codes["Only ann"], a, a + 4)
        a, b = spans[1]
        code_as(project, coders[0], doc_id, codes["Mixed"], a, b)  # overlaps own coding
        code_as(project, coders[0], doc_id, codes["Mixed"], a + 3, b)
    return {"codes": codes, "docs": docs}


def reference_decisions(
    project: Project, coders: tuple[str, ...], unit: str
) -> dict[int, list[list[int]]]:
    """code id -> coders x units 0/1, unit by unit."""
    with project.read() as s:
        ids = {n: s.scalar(select(Coder.id).where(Coder.name == n)) for n in coders}
        codings = s.execute(
            select(Coding.coder_id, Coding.code_id, Coding.document_id, Coding.start, Coding.end)
        ).all()
        segs = s.execute(
            select(Segment.document_id, Segment.start, Segment.end)
            .where(Segment.kind == unit)
            .order_by(Segment.document_id, Segment.start)
        ).all()
        from qualcode.store.models import Code, Document

        code_ids = s.scalars(select(Code.id)).all()
        texts = dict(s.execute(select(Document.id, Document.text)).all())
    if unit == "char":
        units = [(d, i, i + 1) for d in sorted(texts) for i in range(len(texts[d]))]
    else:
        units = list(segs)
    out: dict[int, list[list[int]]] = {}
    for code in code_ids:
        rows = []
        for name in coders:
            mine = [(d, a, b) for c, k, d, a, b in codings if c == ids[name] and k == code]
            rows.append(
                [
                    int(any(d == ud and a < ue and us < b for d, a, b in mine))
                    for ud, us, ue in units
                ]
            )
        out[code] = rows
    return out
