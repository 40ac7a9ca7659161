"""A fixed import of the sample transcripts stores exactly the same segments as always.

The checksums were computed from the import before it was made faster; any change to
segment offsets, kinds, speakers, roles or timecodes (or to the documents' text and
names) changes them. If a change to segmentation is intended, say so and update them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select

from qualcode.services.importing import import_paths
from qualcode.services.project import Project
from qualcode.store.models import Document, Segment

SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts"
EXPECTED = {
    "transcripts": (
        "a7ab5bd5f1f0859120ef764795e2f4216d966f8a6908ce117eaaa18b5dd92b48",
        "c9c029fde4543526fb8da7292d9a3e625ce4ce84331a5f51cff9a17937b18643",
    ),
    "layouts": (
        "07218d7cb6e1a00f2cda0acd4430af9225c2f15b9c2c0187259f8c3a4d90d270",
        "b47a23a2b1ae0a8199cc7429e8f654d5752986cf99c4d336ee1b6fde63b3cc78",
    ),
}


def _checksums(project: Project) -> tuple[str, str]:
    """(documents, segments): digests of every stored row in a fixed order."""
    with project.read() as s:
        docs = s.execute(
            select(Document.id, Document.name, Document.sha256, Document.word_count).order_by(
                Document.name
            )
        ).all()
        names = {d.id: d.name for d in docs}
        segs = s.execute(
            select(
                Segment.document_id,
                Segment.kind,
                Segment.seq,
                Segment.start,
                Segment.end,
                Segment.speaker,
                Segment.is_participant,
                Segment.role,
                Segment.timecode_ms,
            )
        ).all()
    doc_digest = hashlib.sha256(
        "\n".join(f"{d.name}|{d.sha256}|{d.word_count}" for d in docs).encode()
    ).hexdigest()
    lines = sorted("|".join(map(str, (names[r[0]], *r[1:]))) for r in segs)
    seg_digest = hashlib.sha256(("\n".join(lines) + f"\n{len(lines)}").encode()).hexdigest()
    return doc_digest, seg_digest


def test_sample_transcripts_store_the_same_segments(project: Project) -> None:
    report = import_paths(project, sorted(SAMPLES.glob("S*.*")))
    assert report.ok, report.failed
    assert _checksums(project) == EXPECTED["transcripts"]


def test_layout_samples_store_the_same_segments_roles_and_timecodes(project: Project) -> None:
    report = import_paths(project, [SAMPLES / "layouts"])
    assert report.ok, report.failed
    assert _checksums(project) == EXPECTED["layouts"]
