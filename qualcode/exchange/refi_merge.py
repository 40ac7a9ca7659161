"""Merging a colleague's REFI-QDA project into this one: their codings, under their name.

Works on what the REFI-QDA reader already parsed (codes, sources with their text,
selections and codings) inside the caller's transaction. It adds and never changes:

- documents are matched by their text (the SHA-256 of the stored text), never by file
  name; a source whose text is almost one of ours (a character or a few differ) is an
  error naming the first difference, since coding positions would then be wrong;
- codes are matched by GUID, then by path of names, then by a unique name; codes that
  match nothing are added (with their GUID) under their matched parent;
- each coding is stored under the coder the file names for it (a new coder if needed),
  unless the same coder already has that code on that range, which counts as matched.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInputError
from qualcode.exchange import refi_extensions as ext
from qualcode.exchange.refi_guids import GuidMaker, guid_key, normalise_guid
from qualcode.exchange.refi_positions import PlainText, PositionConvention
from qualcode.exchange.refi_read import RefiCode, RefiProjectData, RefiTextSource
from qualcode.store.models import VALENCES, Code, Coder, Coding, Document

NEAR = 40  # a source differing from one of ours only within this many characters is a near miss


@dataclass
class MergeReport:
    """What a merge did: matched, new, and what could not be placed (and why)."""

    file: str
    producer: str = ""
    convention: str = ""
    documents: list[tuple[str, str]] = field(default_factory=list)  # (theirs, ours)
    unplaced_documents: list[tuple[str, str]] = field(default_factory=list)  # (theirs, why)
    codes_matched: Counter[str] = field(default_factory=Counter)  # by guid / path / name
    codes_new: list[str] = field(default_factory=list)
    coders: Counter[str] = field(default_factory=Counter)  # new codings per coder
    codings_new: int = 0
    codings_matched: int = 0
    unplaced_codings: Counter[str] = field(default_factory=Counter)  # reason -> count

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "producer": self.producer,
            "positions": self.convention,
            "documents_matched": [{"theirs": t, "ours": o} for t, o in self.documents],
            "documents_unplaced": [{"theirs": t, "reason": r} for t, r in self.unplaced_documents],
            "codes_matched": dict(self.codes_matched),
            "codes_new": self.codes_new,
            "codings_new": self.codings_new,
            "codings_matched": self.codings_matched,
            "codings_by_coder": dict(self.coders),
            "codings_unplaced": dict(self.unplaced_codings),
        }

    def summary_lines(self) -> list[str]:
        lines = [f"Merged {self.file}" + (f" (from {self.producer})" if self.producer else "")]
        lines.append(
            f"  documents matched by text: {len(self.documents)}"
            + "".join(f"\n    {t} -> {o}" for t, o in self.documents if t != o)
        )
        how = ", ".join(f"{n} by {k}" for k, n in self.codes_matched.items()) or "none"
        lines.append(f"  codes matched: {sum(self.codes_matched.values())} ({how})")
        lines.append(
            f"  codes new: {len(self.codes_new)}"
            + (
                f" ({', '.join(self.codes_new[:8])}{' ...' if len(self.codes_new) > 8 else ''})"
                if self.codes_new
                else ""
            )
        )
        who = ", ".join(f"{n} by {c}" for c, n in self.coders.items())
        lines.append(f"  codings new: {self.codings_new}" + (f" ({who})" if who else ""))
        lines.append(f"  codings already here (matched): {self.codings_matched}")
        for theirs, why in self.unplaced_documents:
            lines.append(f"  not placed: document {theirs!r}: {why}")
        for why, n in self.unplaced_codings.items():
            lines.append(f"  not placed: {n} coding(s): {why}")
        return lines


def text_key(text: str) -> str:
    """How a document's text is recognised (the same digest the importer stores)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def first_difference(a: str, b: str) -> tuple[int, int, int, str, str]:
    """(offset, line, column, theirs, ours) of the first character where two texts differ."""
    n = min(len(a), len(b))
    i = next((k for k in range(n) if a[k] != b[k]), n)
    line = a.count("\n", 0, i) + 1
    col = i - (a.rfind("\n", 0, i) + 1) + 1
    return i, line, col, a[i : i + 12], b[i : i + 12]


def _near_miss(s: Session, name: str, text: str) -> str | None:
    """A message if the text is one of ours with a few characters changed."""
    stem = name.rsplit(".", 1)[0].lower()
    length = len(text)
    rows = s.execute(select(Document.id, Document.name, func.length(Document.text))).all()
    for doc_id, ours_name, ours_len in rows:
        if abs((ours_len or 0) - length) > NEAR and ours_name.lower() != stem:
            continue
        ours = s.scalar(select(Document.text).where(Document.id == doc_id)) or ""
        head = next(
            (k for k in range(min(len(ours), length)) if ours[k] != text[k]), min(len(ours), length)
        )
        tail = 0
        while tail < min(len(ours), length) - head and ours[-1 - tail] == text[-1 - tail]:
            tail += 1
        if max(len(ours), length) - head - tail <= NEAR:
            _i, line, col, theirs_at, ours_at = first_difference(text, ours)
            return (
                f"its text differs from our document {ours_name!r} at line {line}, "
                f"column {col} (theirs {theirs_at!r}, ours {ours_at!r}). Codings cannot be "
                "placed on a changed text: merge from a file made from the same transcript."
            )
    return None


class Merger:
    """One merge inside one transaction (the caller commits or rolls back)."""

    def __init__(
        self,
        s: Session,
        data: RefiProjectData,
        report: MergeReport,
        project_uuid: str,
        fallback_coder: str | None,
    ) -> None:
        self.s, self.data, self.report = s, data, report
        self.guids = GuidMaker(project_uuid)
        self.fallback_coder = fallback_coder
        self.users = {guid_key(u.guid): u.name for u in data.users}
        self.code_by_guid: dict[str, int] = {}
        self.coder_ids: dict[str, int] = dict(s.execute(select(Coder.name, Coder.id)).all())

    # -- documents -----------------------------------------------------------------------
    def place_documents(
        self, sources: list[tuple[RefiTextSource, PlainText]]
    ) -> list[tuple[RefiTextSource, PlainText, int]]:
        """Match each source to one of our documents by its text; near misses are errors."""
        ours = {}
        for doc_id, name, digest in self.s.execute(
            select(Document.id, Document.name, Document.sha256)
        ):
            ours.setdefault(digest, (doc_id, name))
        placed, errors = [], []
        for src, plain in sources:
            hit = ours.get(text_key(plain.text))
            if hit is not None:
                placed.append((src, plain, hit[0]))
                self.report.documents.append((src.name, hit[1]))
                continue
            near = _near_miss(self.s, src.name, plain.text)
            if near:
                errors.append(f"{self.report.file}: source {src.name!r}: {near}")
            else:
                n = len(src.whole_codings) + sum(len(x.codings) for x in src.selections)
                self.report.unplaced_documents.append(
                    (src.name, "no document here has the same text")
                )
                if n:
                    self.report.unplaced_codings["on a document not in this project"] += n
        if errors:
            raise InvalidInputError("\n".join(errors + ["Nothing was merged."]))
        if not placed:
            names = ", ".join(repr(src.name) for src, _ in sources[:5]) or "none"
            raise InvalidInputError(
                f"{self.report.file}: none of its documents ({names}) has the same text as a "
                "document in this project, so no coding can be placed. Import the transcripts "
                "first, or merge a file made from this project's transcripts. Nothing was merged."
            )
        return placed

    # -- codes -----------------------------------------------------------------------------
    def match_codes(self) -> None:
        """Theirs to ours by GUID, then path, then unique name; the rest are added."""
        rows = self.s.execute(select(Code.id, Code.parent_id, Code.name, Code.guid)).all()
        parent = {r.id: r.parent_id for r in rows}
        name_of = {r.id: r.name for r in rows}

        def path(cid: int) -> tuple[str, ...]:
            out: list[str] = []
            while cid is not None:
                out.insert(0, name_of[cid].lower())
                cid = parent[cid]  # type: ignore[assignment]
            return tuple(out)

        by_guid = {self.guids.of(r.guid, "code", r.id): r.id for r in rows}
        by_path = {path(r.id): r.id for r in rows}
        names = Counter(r.name.lower() for r in rows)
        by_name = {r.name.lower(): r.id for r in rows if names[r.name.lower()] == 1}

        def walk(codes: list[RefiCode], parent_id: int | None, trail: tuple[str, ...]) -> None:
            for rc in codes:
                here = trail + (rc.name.lower(),)
                key = normalise_guid(rc.guid)
                found, how = None, ""
                if key and key in by_guid:
                    found, how = by_guid[key], "GUID"
                elif here in by_path:
                    found, how = by_path[here], "path"
                elif rc.name.lower() in by_name:
                    found, how = by_name[rc.name.lower()], "name"
                if found is None:
                    code = Code(
                        name=rc.name,
                        parent_id=parent_id,
                        origin="inductive",
                        codable=rc.codable,
                        colour=rc.colour,
                        definition=rc.description or "",
                        guid=key,
                    )
                    self.s.add(code)
                    self.s.flush()
                    found = code.id
                    self.report.codes_new.append(
                        "/".join(
                            n
                            for n in (
                                *[name_of.get(p, "") for p in _ancestors(parent, parent_id)],
                                rc.name,
                            )
                            if n
                        )
                    )
                    parent[found], name_of[found] = parent_id, rc.name
                else:
                    self.report.codes_matched[how] += 1
                self.code_by_guid[guid_key(rc.guid)] = found
                walk(rc.children, found, here)

        walk(self.data.codes, None, ())

    # -- codings -----------------------------------------------------------------------------
    def coder_for(self, user: str | None) -> int | None:
        name = self.users.get(guid_key(user)) if user else None
        name = name or (user if user and normalise_guid(user) is None else None)
        name = name or self.fallback_coder
        if not name:
            return None
        if name not in self.coder_ids:
            coder = Coder(name=name, guid=normalise_guid(user))
            self.s.add(coder)
            self.s.flush()
            self.coder_ids[name] = coder.id
        return self.coder_ids[name]

    def add_codings(
        self, placed: list[tuple[RefiTextSource, PlainText, int]], conv: PositionConvention
    ) -> None:
        rows: list[dict[str, Any]] = []
        for src, plain, doc_id in placed:
            seen = {
                (r.start, r.end, r.code_id, r.coder_id)
                for r in self.s.execute(
                    select(Coding.start, Coding.end, Coding.code_id, Coding.coder_id).where(
                        Coding.document_id == doc_id
                    )
                )
            }
            n = len(plain.text)
            spans = [
                (sel.start, sel.end, sel.codings, sel.user, sel.description)
                for sel in src.selections
            ]
            for start, end, codings, user, description in spans:
                a, b = plain.to_index(start, conv), plain.to_index(end, conv)
                if a is None or b is None or not 0 <= a < b <= n:
                    self.report.unplaced_codings["outside its document's text"] += len(codings)
                    continue
                memo, meta = ext.parse(description)
                valence = ext.first(meta, "valence")
                valence = valence if valence in VALENCES else None
                for rc in codings:
                    self._one(rows, seen, doc_id, a, b, rc.code, rc.user or user, valence, memo)
            for rc in src.whole_codings:
                if n:
                    self._one(rows, seen, doc_id, 0, n, rc.code, rc.user or src.user, None, "")
        if rows:
            self.s.execute(insert(Coding), rows)
        names = {v: k for k, v in self.coder_ids.items()}  # coders made on the way included
        for row in rows:
            self.report.coders[names[row["coder_id"]]] += 1
        self.report.codings_new = len(rows)

    def _one(
        self,
        rows: list[dict[str, Any]],
        seen: set[tuple[int, int, int, int]],
        doc_id: int,
        a: int,
        b: int,
        code_ref: str,
        user: str | None,
        valence: str | None,
        memo: str,
    ) -> None:
        code_id = self.code_by_guid.get(guid_key(code_ref))
        if code_id is None:
            self.report.unplaced_codings["refers to a code not in the file's codebook"] += 1
            return
        coder_id = self.coder_for(user)
        if coder_id is None:
            raise InvalidInputError(
                f"{self.report.file}: a coding does not say who made it. Give the colleague's "
                "name with --merge-as NAME. Nothing was merged."
            )
        key = (a, b, code_id, coder_id)
        if key in seen:
            self.report.codings_matched += 1
            return
        seen.add(key)
        rows.append(
            {
                "document_id": doc_id,
                "code_id": code_id,
                "coder_id": coder_id,
                "start": a,
                "end": b,
                "valence": valence,
                "memo": memo,
            }
        )


def _ancestors(parent: dict[int, int | None], cid: int | None) -> list[int]:
    out: list[int] = []
    while cid is not None:
        out.insert(0, cid)
        cid = parent.get(cid)
    return out
