"""Opening a document for coding: its text, turns, sentences and codings in one read.

The coding reader needs the document and every coding on it (by any coder).
"""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.services.coding import CodingRow, list_codings
from qualcode.services.documents import DocumentText, open_document
from qualcode.services.project import Project


@dataclass(frozen=True)
class DocumentForCoding:
    document: DocumentText
    codings: list[CodingRow]


def codings_in_document(project: Project, document_id: int) -> list[CodingRow]:
    """Every coding of one document (all coders), ordered by position."""
    return list_codings(project, document=document_id)


def open_for_coding(project: Project, ref: str | int) -> DocumentForCoding:
    """The document and its codings (a few queries, whatever the number of codings)."""
    doc = open_document(project, ref)
    return DocumentForCoding(doc, codings_in_document(project, doc.id))
