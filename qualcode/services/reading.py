"""Opening a document for coding: its text, turns, sentences and codings in one read.

The coding reader needs every coding of one document, but not each coding's
text from the database: cutting the quote out of a 300 KB document in SQL once
per coding costs seconds on a long transcript, while Python slices the text it
already holds in microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from qualcode.services.coding import CodingRow, _query, _rows
from qualcode.services.documents import DocumentText, open_document
from qualcode.services.project import Project
from qualcode.store.models import Coding


@dataclass(frozen=True)
class DocumentForCoding:
    document: DocumentText
    codings: list[CodingRow]


def codings_in_document(project: Project, document_id: int, text: str) -> list[CodingRow]:
    """Every coding of one document (all coders), its quote cut from ``text``."""
    with project.read() as s:
        rows = _rows(s, _query(with_text=False).where(Coding.document_id == document_id))
    return [replace(r, text=text[r.start:r.end]) for r in rows]


def open_for_coding(project: Project, ref: str | int) -> DocumentForCoding:
    """The document and its codings (two queries, whatever the number of codings)."""
    doc = open_document(project, ref)
    return DocumentForCoding(doc, codings_in_document(project, doc.id, doc.text))
