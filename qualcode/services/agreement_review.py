"""Reviewing and settling where coders differ on a code: the agreement screen's operations.

A difference is one unit (sentence or turn) that some of the named coders coded with the
code and others did not. Settling it is one committed transaction, recorded in the audit
log and appended to the settling coder's memo on the code:

- keep one coder's version: the other coders' codings of the code that overlap the unit
  are removed and the kept coder's codings there are copied to them (whole codings, as
  they are);
- keep both: nothing changes but the memo, so the difference is on record as considered;
- a memo: free text, appended to the memo on the code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from qualcode.errors import InvalidInputError, NotFoundError
from qualcode.services.agreement import check_coders
from qualcode.services.project import Project
from qualcode.store.models import Code, Coding, Document, Memo, Segment


@dataclass(frozen=True)
class CoderSpan:
    """One coder's coding in a unit (its whole range, which may run past the unit)."""

    coding_id: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Difference:
    """A unit some coders coded with the code and others did not."""

    code_id: int
    document_id: int
    document: str
    kind: str
    seq: int
    start: int
    end: int
    text: str
    coders: tuple[str, ...]
    spans: tuple[tuple[CoderSpan, ...], ...]  # per coder, in the order of ``coders``

    @property
    def where(self) -> str:
        return f"{self.document} {self.kind} {self.seq}"


def differences(
    project: Project,
    coders: list[str],
    code_id: int,
    unit: str = "sentence",
    documents: list[int] | None = None,
) -> list[Difference]:
    """Every unit where the named coders differ on one code (three queries)."""
    if unit not in ("sentence", "turn"):
        raise InvalidInputError("Differences are listed by sentence or turn.")
    with project.read() as s:
        named = check_coders(s, coders)
        ids = [i for i, _ in named]
        c = Coding.__table__.c
        rows = s.execute(
            select(c.id, c.coder_id, c.document_id, c.start, c.end).where(
                c.code_id == code_id, c.coder_id.in_(ids)
            )
        ).all()
        if documents is not None:
            rows = [r for r in rows if r.document_id in set(documents)]
        doc_ids = sorted({r.document_id for r in rows})
        seg = Segment.__table__.c
        segs = s.execute(
            select(seg.document_id, seg.seq, seg.start, seg.end)
            .where(seg.kind == unit, seg.document_id.in_(doc_ids))
            .order_by(seg.document_id, seg.start)
        ).all()
        docs = dict(
            s.execute(select(Document.id, Document.name).where(Document.id.in_(doc_ids))).all()
        )
        texts = dict(
            s.execute(select(Document.id, Document.text).where(Document.id.in_(doc_ids))).all()
        )
    by_doc: dict[int, list[tuple[int, int, int]]] = {}
    for d, seq, a, b in segs:
        by_doc.setdefault(d, []).append((seq, a, b))
    found: dict[tuple[int, int], list[list[CoderSpan]]] = {}
    for r in rows:
        units = by_doc.get(r.document_id, [])
        starts = np.fromiter((u[1] for u in units), dtype=np.int64, count=len(units))
        ends = np.fromiter((u[2] for u in units), dtype=np.int64, count=len(units))
        lo = int(np.searchsorted(ends, r.start, side="right"))
        hi = int(np.searchsorted(starts, r.end, side="left"))
        text = texts[r.document_id][r.start : r.end]
        for k in range(lo, hi):
            per = found.setdefault((r.document_id, k), [[] for _ in ids])
            per[ids.index(r.coder_id)].append(CoderSpan(r.id, r.start, r.end, text))
    out = []
    for (d, k), per in sorted(found.items(), key=lambda kv: (docs[kv[0][0]], kv[0][1])):
        if all(per) or not any(per):
            continue
        seq, a, b = by_doc[d][k]
        out.append(
            Difference(
                code_id,
                d,
                docs[d],
                unit,
                seq,
                a,
                b,
                texts[d][a:b],
                tuple(n for _, n in named),
                tuple(tuple(sorted(p, key=lambda x: x.start)) for p in per),
            )
        )
    return out


def _note(s, project: Project, code_id: int, line: str) -> None:  # type: ignore[no-untyped-def]
    """Append a line to the current coder's memo on the code (inside the caller's transaction)."""
    coder_id = project.coder_id(s)
    memo = s.scalar(
        select(Memo).where(
            Memo.target_type == "code", Memo.target_id == code_id, Memo.coder_id == coder_id
        )
    )
    if memo is None:
        s.add(
            Memo(
                target_type="code",
                target_id=code_id,
                coder_id=coder_id,
                title="Agreement",
                text=line,
            )
        )
    else:
        memo.text = f"{memo.text}\n{line}" if memo.text else line


def settle_keep(project: Project, diff: Difference, keep: str) -> int:
    """Make every other coder's codings of the code in this unit copies of ``keep``'s.

    Returns how many codings were removed. Fails (changing nothing) if the unit's codings
    changed since the difference was listed.
    """
    if keep not in diff.coders:
        raise InvalidInputError(f"{keep!r} is not one of {', '.join(diff.coders)}.")
    kept = diff.spans[diff.coders.index(keep)]
    with project.transaction(
        "settle difference", code=diff.code_id, where=diff.where, keep=keep
    ) as s:
        if s.get(Code, diff.code_id) is None:
            raise NotFoundError("That code no longer exists.")
        named = dict(check_coders(s, list(diff.coders)))
        by_name = {n: i for i, n in named.items()}
        removed = 0
        for name, spans in zip(diff.coders, diff.spans):
            if name == keep:
                continue
            for span in spans:
                row = s.get(Coding, span.coding_id)
                if row is None:
                    raise NotFoundError(
                        f"{name}'s coding {span.coding_id} has gone since the "
                        "list was made; refresh and try again."
                    )
                s.delete(row)
                removed += 1
            for span in kept:
                original = s.get(Coding, span.coding_id)
                if original is None:
                    raise NotFoundError(
                        f"{keep}'s coding {span.coding_id} has gone since the "
                        "list was made; refresh and try again."
                    )
                s.add(
                    Coding(
                        document_id=diff.document_id,
                        code_id=diff.code_id,
                        coder_id=by_name[name],
                        start=original.start,
                        end=original.end,
                        valence=original.valence,
                    )
                )
        _note(
            s,
            project,
            diff.code_id,
            f"{diff.where}: kept {keep}'s coding ({' vs '.join(diff.coders)}).",
        )
    return removed


def settle_both(project: Project, diff: Difference) -> None:
    """Keep every coder's codings as they are; the decision goes on record in the memo."""
    with project.transaction(
        "settle difference", code=diff.code_id, where=diff.where, keep="both"
    ) as s:
        _note(
            s,
            project,
            diff.code_id,
            f"{diff.where}: kept both codings ({' and '.join(diff.coders)}).",
        )


def settle_memo(project: Project, diff: Difference, text: str) -> None:
    """A memo about this difference, appended to the memo on the code."""
    if not text.strip():
        raise InvalidInputError("The memo is empty.")
    with project.transaction("memo on difference", code=diff.code_id, where=diff.where) as s:
        _note(s, project, diff.code_id, f"{diff.where}: {text.strip()}")
