"""The export gate's scan as one picklable job, so it can run in a second process.

An export's first gate scans every transcript (seconds on a large project) while
the file could already be written: the job below is what the second process runs
(:mod:`qualcode.child`), and what the export's own process runs if that one fails.
The export's process may do the spaCy-free first pass over the first documents
itself (while the second process is still loading spaCy) and send it with the job.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.analysis.leaks import Finding, FirstPass, NameIndex, find_leaks, installed_ner


@dataclass(frozen=True)
class GateScanJob:
    """Everything the scan reads: texts, allow-list (pseudonyms included), the key's names,
    and the first pass over the first documents if it is done already."""

    documents: list[tuple[str, str]]
    allow: list[str]
    key_names: list[str]
    first: FirstPass | None = None


def certain_findings(job: GateScanJob) -> list[Finding]:
    """The certain findings of a whole scan (what the gate acts on), NER included if installed."""
    findings = find_leaks(
        job.documents,
        allow=job.allow,
        key_names=job.key_names,
        ner=installed_ner() if job.documents else None,
        first=job.first,
    )
    return [f for f in findings if f.confidence == "certain"]


def serve(job: GateScanJob | None) -> list[Finding] | None:
    """What the second process runs: ``None`` loads spaCy ahead of the job (warm-up)."""
    if job is None:
        NameIndex()  # imports spaCy and builds the blank pipeline and matchers
        return None
    return certain_findings(job)
