"""Checking the project's transcripts for identifying details before export."""

from __future__ import annotations

from sqlalchemy import select

from qualcode.analysis.leaks import Finding, find_leaks
from qualcode.services.project import Project
from qualcode.store.models import Document

ALLOW_SETTING = "leaks.allow"


def allowed_words(project: Project) -> list[str]:
    """Words the team has checked and marked as not identifying."""
    raw = project.setting(ALLOW_SETTING) or ""
    return sorted({w.strip() for w in raw.split(",") if w.strip()}, key=str.lower)


def allow_words(project: Project, words: list[str]) -> list[str]:
    """Add words to the project's allow-list (kept in the project, shared by the team)."""
    merged = sorted(set(allowed_words(project)) | {w.strip() for w in words if w.strip()},
                    key=str.lower)
    project.set_setting(ALLOW_SETTING, ",".join(merged))
    return merged


def check_leaks(project: Project, *, extra_allow: list[str] | None = None) -> list[Finding]:
    """Every likely identifying detail in every document, most certain first."""
    with project.read() as s:
        docs = [(name, text) for name, text in s.execute(select(Document.name, Document.text)
                                                         .order_by(Document.name))]
    return find_leaks(docs, allow=allowed_words(project) + list(extra_allow or []))
