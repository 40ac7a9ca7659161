"""Intercoder agreement between named coders: the operation behind `qualcode agreement`.

Reads the units, the codes and the named coders' codings in a handful of set-based
queries, hands them to ``qualcode.analysis.agreement`` as arrays, and checks the input
first (unknown coder, fewer than two, no document coded by all of them), so a figure is
never computed over nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.analysis import agreement as calc
from qualcode.errors import InvalidInputError, NotFoundError
from qualcode.export.agreement_csv import write_agreement_csv
from qualcode.services.codebook import code_paths, resolve_code
from qualcode.services.documents import resolve_document
from qualcode.services.leaks import export_gate
from qualcode.services.project import Project
from qualcode.store.models import Code, Coder, Coding, Document, Segment


@dataclass(frozen=True)
class CodeAgreement:
    """One code's figures, and how many units each coder applied it to."""

    code_id: int
    name: str
    path: tuple[str, ...]
    figures: calc.Figures
    per_coder: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        out = {"code": self.name, "path": "/".join(self.path)}
        out.update(self.figures.to_json())
        return out


@dataclass
class AgreementResult:
    """Agreement for every code and pooled, with the definitions that produced it."""

    unit: str
    coders: list[str]
    codes: list[CodeAgreement]
    overall: calc.Figures
    documents: list[str]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        overall = self.overall.to_json()
        overall.pop("units", None)
        overall["decisions"] = self.overall.units
        return {
            "unit": self.unit,
            "coders": list(self.coders),
            "definition": calc.DEFINITION,
            "documents": len(self.documents),
            "codes": [c.to_json() for c in self.codes],
            "overall": overall,
            "notes": list(self.notes),
        }

    def ranked(self) -> list[CodeAgreement]:
        """Codes from least to most agreement (undefined figures last)."""

        def key(c: CodeAgreement) -> tuple[int, float]:
            f = c.figures
            value = f.kappa if f.kappa is not None else f.alpha
            if value is None:
                value = f.percent / 100.0 if f.percent is not None else None
            return (value is None, value if value is not None else 0.0)

        return sorted(self.codes, key=key)


@dataclass(frozen=True)
class Units:
    """The units of the compared documents, laid end to end in one coordinate space."""

    kind: str
    doc_ids: list[int]
    offsets: dict[int, int]  # document id -> where its characters start
    starts: np.ndarray
    ends: np.ndarray

    @property
    def count(self) -> int:
        return len(self.starts)


def check_coders(s: Session, names: list[str]) -> list[tuple[int, str]]:
    """Resolve coder names; at least two, all known, none twice."""
    names = [n.strip() for n in names if n.strip()]
    known = dict(s.execute(select(Coder.name, Coder.id)).all())
    listed = ", ".join(sorted(known)) or "none yet"
    if len(names) < 2:
        raise InvalidInputError(
            "Agreement needs at least two coders: name them with "
            f"--coders A,B. Coders in this project: {listed}."
        )
    if len(set(names)) != len(names):
        raise InvalidInputError(f"Coder named twice in --coders {','.join(names)}.")
    missing = [n for n in names if n not in known]
    if missing:
        raise NotFoundError(
            f"No coder {', '.join(repr(m) for m in missing)} in this project. Coders: {listed}."
        )
    return [(known[n], n) for n in names]


def _documents(s: Session, refs: list[str] | None) -> list[tuple[int, str, int]]:
    """(id, name, length) of the chosen documents, or of every document."""
    q = select(Document.id, Document.name, func.length(Document.text)).order_by(Document.id)
    if refs:
        ids = []
        for ref in refs:
            doc_id = resolve_document(s, ref).id
            if doc_id not in ids:
                ids.append(doc_id)
        q = q.where(Document.id.in_(ids))
    return [(i, n, length or 0) for i, n, length in s.execute(q)]


def _units(s: Session, kind: str, docs: list[tuple[int, str, int]]) -> Units:
    """Sentence/turn segments (one query) or characters, end to end across documents."""
    offsets, base = {}, 0
    for doc_id, _, length in docs:
        offsets[doc_id] = base
        base += length + 1
    doc_ids = [d for d, _, _ in docs]
    if kind == "char":
        # Each document is one run of character units; unit numbers are computed, not listed.
        starts = np.fromiter((offsets[d] for d in doc_ids), dtype=np.int64, count=len(docs))
        ends = starts + np.fromiter((n for _, _, n in docs), dtype=np.int64, count=len(docs))
        return Units(kind, doc_ids, offsets, starts, ends)
    seg = Segment.__table__.c
    arr = _int_rows(s, select(seg.document_id, seg.start, seg.end).where(seg.kind == kind), 3)
    arr = arr[np.isin(arr[:, 0], np.asarray(doc_ids, dtype=np.int64))]  # no IN list limit
    base_of = np.vectorize(offsets.__getitem__, otypes=[np.int64])
    add = base_of(arr[:, 0]) if len(arr) else np.zeros(0, np.int64)
    starts, ends = arr[:, 1] + add, arr[:, 2] + add
    order = np.argsort(starts, kind="stable")
    return Units(kind, doc_ids, offsets, starts[order], ends[order])


def _int_rows(s: Session, q: Any, width: int) -> np.ndarray:
    """A query of integer columns as an n x width array, without a Python object per cell."""
    flat = np.fromiter(chain.from_iterable(s.execute(q)), dtype=np.int64)
    return flat.reshape(-1, width)


def _codings(
    s: Session, coder_ids: list[int], doc_ids: list[int], code_ids: list[int] | None
) -> np.ndarray:
    """(coder, code, document, start, end) of the named coders' codings: one query."""
    c = Coding.__table__.c
    q = select(c.coder_id, c.code_id, c.document_id, c.start, c.end).where(
        c.coder_id.in_(coder_ids)
    )
    if code_ids is not None:
        q = q.where(c.code_id.in_(code_ids))
    arr = _int_rows(s, q, 5)
    return arr[np.isin(arr[:, 2], np.asarray(doc_ids, dtype=np.int64))]


def to_unit_ranges(units: Units, codings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each coding's first unit and end unit (exclusive)."""
    base = (
        np.vectorize(units.offsets.__getitem__, otypes=[np.int64])(codings[:, 2])
        if len(codings)
        else np.zeros(0, np.int64)
    )
    starts, ends = codings[:, 3] + base, codings[:, 4] + base
    if units.kind == "char":
        return starts, ends
    return calc.unit_ranges(units.starts, units.ends, starts, ends)


def compute_agreement(
    project: Project,
    coders: list[str],
    unit: str = "sentence",
    *,
    codes: list[str] | None = None,
    documents: list[str] | None = None,
) -> AgreementResult:
    """Agreement between the named coders, per code and pooled (see the module docstring)."""
    if unit not in calc.UNITS:
        raise InvalidInputError(f"Unit {unit!r} is not one of {', '.join(calc.UNITS)}.")
    with project.read() as s:
        named = check_coders(s, coders)
        coder_ids = [i for i, _ in named]
        paths = code_paths(s)
        if codes:
            chosen = []
            for ref in codes:
                code_id = resolve_code(s, ref).id
                if code_id not in chosen:
                    chosen.append(code_id)
        else:
            codable = set(s.scalars(select(Code.id).where(Code.codable)))
            chosen = [c for c in paths if c in codable]
        docs = _documents(s, documents)
        if not docs:
            raise InvalidInputError(
                "The project has no documents to compare. Import some "
                "first (`qualcode import FILES`)."
            )
        units = _units(s, unit, docs)
        rows = _codings(s, coder_ids, [d for d, _, _ in docs], chosen)
        coded = s.execute(
            select(Coding.coder_id, Coding.document_id)
            .where(Coding.coder_id.in_(coder_ids))
            .group_by(Coding.coder_id, Coding.document_id)
        ).all()
    wanted = {d for d, _, _ in docs}
    per_doc = [{d for c, d in coded if c == cid and d in wanted} for cid in coder_ids]
    return _result(unit, named, chosen, paths, docs, units, rows, per_doc)


def _result(
    unit: str,
    named: list[tuple[int, str]],
    chosen: list[int],
    paths: dict[int, tuple[str, ...]],
    docs: list[tuple[int, str, int]],
    units: Units,
    rows: np.ndarray,
    per_doc: list[set[int]],
) -> AgreementResult:
    names = {d: n for d, n, _ in docs}
    shared = set.intersection(*per_doc)
    if not shared:
        counts = ", ".join(f"{n} coded {len(d)}" for (_, n), d in zip(named, per_doc))
        raise InvalidInputError(
            f"No document compared was coded by all of {', '.join(n for _, n in named)} "
            f"({counts} of the {len(docs)} documents). Have each coder code the same "
            "documents, or name them with --documents."
        )
    notes = []
    partly = sorted(names[d] for d in set.union(*per_doc) - shared)
    if partly:
        notes.append(
            f"{len(partly)} document(s) coded by only some of the coders are "
            f"compared too (their units count as not coded by the others): "
            f"{', '.join(partly[:5])}{' ...' if len(partly) > 5 else ''}"
        )
    index = {c: i for i, c in enumerate(chosen)}
    lo, hi = to_unit_ranges(units, rows)
    code_idx = (
        np.vectorize(index.__getitem__, otypes=[np.int64])(rows[:, 1])
        if len(rows)
        else np.zeros(0, np.int64)
    )
    if units.kind != "char":
        lost = int(((hi - lo) == 0).sum())
        if lost:
            notes.append(
                f"{lost} coding(s) overlap no {unit} (documents without {unit} "
                "segments); they are not counted."
            )
    total = int(units.count if units.kind != "char" else (units.ends - units.starts).sum())
    if units.kind == "char":
        # Character units: unit numbers are the positions themselves, gaps included.
        total_span = int(units.ends[-1]) if len(units.ends) else 0
        per_coder = [
            (code_idx[rows[:, 0] == cid], lo[rows[:, 0] == cid], hi[rows[:, 0] == cid])
            for cid, _ in named
        ]
        decided = calc.decisions(total_span, len(chosen), per_coder)
        decided = [
            calc.Decisions(
                total, (d.by_count[0] - (total_span - total),) + d.by_count[1:], d.per_coder
            )
            for d in decided
        ]
    else:
        per_coder = [
            (code_idx[rows[:, 0] == cid], lo[rows[:, 0] == cid], hi[rows[:, 0] == cid])
            for cid, _ in named
        ]
        decided = calc.decisions(total, len(chosen), per_coder)
    results, used = [], []
    for code_id, d in zip(chosen, decided):
        was_used = any(d.per_coder)
        if was_used:
            used.append(d)
        results.append(
            CodeAgreement(
                code_id,
                paths[code_id][-1],
                paths[code_id],
                calc.figures(d, used=was_used),
                d.per_coder,
            )
        )
    overall = calc.figures(calc.pool(used), used=bool(used))
    if total == 0:
        notes.append(f"The documents compared have no {unit} units.")
    return AgreementResult(
        unit, [n for _, n in named], results, overall, [names[d] for d, _, _ in docs], notes
    )


def export_agreement(
    project: Project,
    result: dict[str, Any],
    out: str | Path,
    *,
    allow_identifiers: str | None = None,
    key: Any = None,
) -> Path:
    """Write the agreement table to .docx, .xlsx or .csv, after the identifier check."""

    out = Path(out)
    export_gate(project, "agreement table", out, allow_identifiers=allow_identifiers, key=key)
    suffix = out.suffix.lower()
    if suffix == ".docx":
        from qualcode.export.agreement_docx import write_agreement_docx  # python-docx is heavy

        write_agreement_docx(result, out)
    elif suffix == ".xlsx":
        from qualcode.export.agreement_xlsx import write_agreement_xlsx  # openpyxl is heavy

        write_agreement_xlsx(result, out)
    else:
        write_agreement_csv(result, out)
    return out
