"""Supporting quotes for cross-case patterns: the coded passages behind each pattern, per case."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.analysis.patterns import PatternResult, PatternRow
from qualcode.analysis.presence import coder_ids
from qualcode.store.models import Case, Code, Coding, Document, Participant

QuoteMap = dict[tuple[int, str | None], dict[str, list["Quote"]]]


@dataclass(frozen=True)
class Quote:
    """A coded passage supporting a pattern in one case, cited by participant id."""

    case: str
    participant: str | None
    document: str
    document_id: int
    start: int
    end: int
    text: str

    @property
    def speaker(self) -> str:
        return self.participant or self.document


def _subtree(parents: dict[int, int | None], roots: set[int]) -> set[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for cid, pid in parents.items():
        children[pid].append(cid)
    ids: set[int] = set()
    stack = list(roots)
    while stack:
        cid = stack.pop()
        if cid not in ids:
            ids.add(cid)
            stack.extend(children.get(cid, []))
    return ids


def collect_quotes(
    s: Session,
    result: PatternResult,
    rows: list[PatternRow] | None = None,
    *,
    per_case: int | None = 3,
    cases: str = "present",
) -> QuoteMap:
    """Quotes per pattern (code id, valence) and case, in case order; one query for all rows.

    ``cases="present"`` takes quotes only from cases where the pattern is present;
    ``"all"`` from every case with codings. ``per_case=None`` keeps every quote.
    With roll-up, a parent's quotes include its children's codings.
    """
    rows = result.rows if rows is None else rows
    if not rows:
        return {}
    by_valence, roll_up = result.presence.by_valence, result.presence.roll_up
    wanted = {r.code_id for r in rows}
    parents: dict[int, int | None] = dict(s.execute(select(Code.id, Code.parent_id)).all())  # type: ignore[arg-type]
    ids = _subtree(parents, wanted) if roll_up else wanted
    q = (
        select(
            Coding.code_id,
            Coding.valence,
            Coding.document_id,
            Coding.start,
            Coding.end,
            func.substr(Document.text, Coding.start + 1, Coding.end - Coding.start),
            Document.name,
            Participant.label,
            Case.name,
        )
        .join(Document, Document.id == Coding.document_id)
        .outerjoin(Participant, Participant.id == Document.participant_id)
        .join(Case, Case.id == func.coalesce(Participant.case_id, Document.case_id))
        .where(Coding.code_id.in_(sorted(ids)))
        .order_by(Participant.label, Document.name, Coding.start, Coding.id)
    )
    if result.presence.coders:  # the quotes come from the same coders' codings
        q = q.where(Coding.coder_id.in_(coder_ids(s, result.presence.coders)))
    keys = {r.key: r for r in rows}
    out: QuoteMap = {k: {} for k in keys}
    for code_id, valence, doc_id, start, end, text, doc, label, case in s.execute(q):
        walk: int | None = code_id
        while walk is not None:
            row = keys.get((walk, valence if by_valence else None))
            if row is not None and (cases != "present" or case in row.present_in):
                bucket = out[row.key].setdefault(case, [])
                if per_case is None or len(bucket) < per_case:
                    bucket.append(
                        Quote(case, label, doc, doc_id, start, end, " ".join(text.split()))
                    )
            walk = parents.get(walk) if roll_up else None
    for key, row in keys.items():
        order = {name: i for i, name in enumerate(row.counts)}
        out[key] = dict(sorted(out[key].items(), key=lambda kv: order.get(kv[0], len(order))))
    return out
