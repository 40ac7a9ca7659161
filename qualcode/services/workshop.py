"""The workshop page's operations: guest comments, pattern-row comments, change polling, the gate.

What :mod:`qualcode.web` calls besides charting and patterns. Guests only read and
comment: a comment is checked for length here (whatever the client sent) and
stored as one transaction with an audit entry, like the workbench's comments.
The page refuses to start while the identifier check has certain findings,
unless the analyst gives a reason, which is kept in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from qualcode.analysis.leaks import Finding
from qualcode.errors import InvalidInputError, QualcodeError
from qualcode.services.charting import CommentInfo, add_workshop_comment
from qualcode.services.codebook import resolve_code
from qualcode.services.leaks import check_leaks
from qualcode.services.project import Project
from qualcode.store.models import (
    VALENCES,
    AuditEntry,
    CellSummaryRevision,
    WorkshopComment,
)

MAX_COMMENT_CHARS = 2000
MAX_AUTHOR_CHARS = 80
GUEST = "Workshop guest"
PATTERN_ROW = "pattern"


class IdentifierGateError(QualcodeError):
    """Certain identifying details were found and the analyst gave no reason to go on."""


def _guest_text(text: str, author: str | None) -> tuple[str, str]:
    text = (text or "").strip()
    who = " ".join((author or "").split()) or GUEST
    if not text:
        raise InvalidInputError("A comment needs some text.")
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInputError(
            f"A comment is at most {MAX_COMMENT_CHARS} characters "
            f"(this one has {len(text)}); split it in two."
        )
    if len(who) > MAX_AUTHOR_CHARS:
        raise InvalidInputError(f"A name is at most {MAX_AUTHOR_CHARS} characters.")
    return text, who


def add_guest_comment(
    project: Project, row_type: str, row_id: int, code_id: int, text: str, author: str | None = None
) -> CommentInfo:
    """A guest's comment on a matrix cell (length-checked; 'Workshop guest' when unnamed)."""
    text, who = _guest_text(text, author)
    return add_workshop_comment(project, row_type, row_id, code_id, text, author=who)


def _check_valence(valence: str | None) -> str | None:
    if valence in (None, "", "any"):
        return None
    if valence not in VALENCES:
        raise InvalidInputError(f"Valence {valence!r} is not one of {', '.join(VALENCES)}.")
    return valence


def add_pattern_comment(
    project: Project, code: str | int, valence: str | None, text: str, author: str | None = None
) -> CommentInfo:
    """A comment on a pattern row (a code, or a code with a valence, across the cases)."""
    text, who = _guest_text(text, author)
    valence = _check_valence(valence)
    with project.transaction(
        "workshop comment", row_type=PATTERN_ROW, code=str(code), valence=valence, author=who
    ) as s:
        code_id = resolve_code(s, code).id
        c = WorkshopComment(
            row_type=PATTERN_ROW, row_id=0, code_id=code_id, valence=valence, author=who, text=text
        )
        s.add(c)
        s.flush()
        return CommentInfo(c.id, c.author, c.text, c.created_at)


def pattern_comments(project: Project) -> dict[tuple[int, str | None], list[CommentInfo]]:
    """Every pattern-row comment, by (code id, valence), oldest first."""
    out: dict[tuple[int, str | None], list[CommentInfo]] = {}
    with project.read() as s:
        q = (
            select(
                WorkshopComment.code_id,
                WorkshopComment.valence,
                WorkshopComment.id,
                WorkshopComment.author,
                WorkshopComment.text,
                WorkshopComment.created_at,
            )
            .where(WorkshopComment.row_type == PATTERN_ROW)
            .order_by(WorkshopComment.id)
        )
        for code_id, valence, *rest in s.execute(q):
            out.setdefault((code_id, valence), []).append(CommentInfo(*rest))
    return out


def change_marker(project: Project) -> tuple[int, int, int]:
    """A cheap value that changes whenever anything is written to the project.

    Every user operation (coding, summary, comment, import) adds an audit entry, and
    summaries and comments add rows of their own; three index lookups, whatever the
    project's size, and the same on SQLite and PostgreSQL.
    """
    with project.read() as s:
        row = s.execute(
            select(
                select(func.max(AuditEntry.id)).scalar_subquery(),
                select(func.max(CellSummaryRevision.id)).scalar_subquery(),
                select(func.max(WorkshopComment.id)).scalar_subquery(),
            )
        ).one()
    return (row[0] or 0, row[1] or 0, row[2] or 0)


@dataclass(frozen=True)
class GateResult:
    """What the identifier check found before the page opened."""

    certain: list[Finding]
    possible: int
    overridden: bool


def identifier_gate(project: Project, allow_reason: str | None = None) -> GateResult:
    """Refuse to serve while certain identifying details remain, unless a reason is given.

    The reason and the number of findings go into the audit log, so the decision to
    show the transcripts' quotes anyway is on record.
    """
    findings = check_leaks(project)
    certain = [f for f in findings if f.confidence == "certain"]
    possible = len(findings) - len(certain)
    reason = (allow_reason or "").strip()
    if certain and not reason:
        listed = "\n".join(
            f"  {f.document}:{f.line}:{f.column}: {f.kind}: {f.text!r}" for f in certain[:10]
        )
        more = f"\n  ... and {len(certain) - 10} more" if len(certain) > 10 else ""
        raise IdentifierGateError(
            f"The transcripts still have {len(certain)} certain identifying detail(s); the "
            f"workshop page would show them to the room:\n{listed}{more}\nFix them (see "
            '`qualcode check-names`), or start anyway with --allow-identifiers "REASON" '
            "(the reason is kept in the audit log)."
        )
    if certain:
        with project.transaction(
            "workshop identifiers allowed", reason=reason, certain=len(certain), possible=possible
        ):
            pass
    return GateResult(certain, possible, bool(certain))
