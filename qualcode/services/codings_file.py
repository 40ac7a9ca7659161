"""Applying a codings CSV: one row per coding, located by an exact phrase of the document.

Columns: ``document,code,valence,phrase`` then optionally ``coder``, ``memo``,
``occurrence`` (which occurrence of a phrase that appears more than once).
Documents are found by name or participant id, codes by path
(``Context/Culture``) or unique name. A code that is not in the codebook is an
error with its line (a typo must not become a new code), unless the caller asks
for ``create_codes``: then it is created as an inductive code and reported.
The whole file is one transaction: if any row cannot be applied, every problem
is reported with its line and nothing is stored. Rows already applied (same
span, code and coder) are skipped, so a file can be applied again safely.

A phrase is matched exactly first; failing that, with curly and straight quotes,
dashes, "…"/"..." and runs of whitespace treated alike (a phrase typed into a
spreadsheet rarely keeps the transcript's typography).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInputError, NotFoundError, QualcodeError
from qualcode.services.codebook import INDUCTIVE_PALETTE, PATH_SEP, code_paths, resolve_code
from qualcode.services.coding import check_valence
from qualcode.services.csv_input import read_csv_rows
from qualcode.services.documents import resolve_document
from qualcode.services.project import Project
from qualcode.store.bulk import insert_rows
from qualcode.store.models import Code, Coding, Document, utcnow

REQUIRED = ("document", "code", "phrase")
OPTIONAL = ("valence", "coder", "memo", "occurrence")
MAX_ERRORS_SHOWN = 25
# the order of the values in _Applier.pending: its duplicate key first
_COLUMNS = (
    "document_id",
    "start",
    "end",
    "code_id",
    "coder_id",
    "valence",
    "memo",
    "created_at",
    "updated_at",
)
_IN_CHUNK = 500  # names per IN (...) query: well under every backend's limit
_LOOSE = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2012": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
}


@dataclass
class CodingsFileReport:
    file: str
    applied: int = 0
    already_present: int = 0
    loose_matches: int = 0
    codes_created: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        line = f"{self.file}: {self.applied} codings applied"
        if self.already_present:
            line += f", {self.already_present} already present"
        if self.loose_matches:
            n = self.loose_matches
            line += (
                f"; {n} phrase{'s' * (n != 1)} matched only after treating quotes, dashes "
                "and spaces alike"
            )
        lines = [line + "."]
        if self.codes_created:
            lines.append(f"{self.file}: new inductive codes: {', '.join(self.codes_created)}.")
        if self.ignored_columns:
            lines.append(f"{self.file}: columns ignored: {', '.join(self.ignored_columns)}.")
        return lines


def is_codings_table(header: list[str]) -> bool:
    cols = [h.strip().lower().lstrip("\ufeff") for h in header]
    return bool(cols) and cols[0] == "document" and set(REQUIRED) <= set(cols)


def apply_codings_csv(
    project: Project, path: str | Path, *, create_codes: bool = False
) -> CodingsFileReport:
    """Apply every row of a codings CSV in one transaction (see the module notes)."""
    path = Path(path)
    rows = _read_rows(path)
    header = [h.strip().lower().lstrip("\ufeff") for h in rows[0]]
    report = CodingsFileReport(
        path.name, ignored_columns=[h for h in header if h and h not in REQUIRED + OPTIONAL]
    )
    errors: list[str] = []
    with project.transaction("apply codings file", file=str(path)) as s:
        refs = (row[0].strip() for row in rows[1:] if row)  # the document column is first
        applier = _Applier(project, s, report, create_codes, refs)
        for lineno, row in enumerate(rows[1:], start=2):
            if not "".join(row).strip():  # a blank line (every cell empty or spaces)
                continue
            if len(row) != len(header):
                errors.append(
                    f"{path.name}:{lineno}: {len(row)} cells but the header has "
                    f"{len(header)}; quote cells that contain commas."
                )
                continue
            try:
                applier.apply(dict(zip(header, row, strict=True)))
            except QualcodeError as e:
                errors.append(f"{path.name}:{lineno}: {e}")
        if errors:
            shown = errors[:MAX_ERRORS_SHOWN]
            more = len(errors) - len(shown)
            raise InvalidInputError(
                f"{path}: {len(errors)} row{'s' * (len(errors) != 1)} could not be applied, so "
                "nothing from this file was stored. Fix them and import the file again:\n  "
                + "\n  ".join(shown)
                + (f"\n  ... and {more} more" if more else "")
            )
        applier.flush()
    return report


def _read_rows(path: Path) -> list[list[str]]:
    rows = read_csv_rows(path)
    if not rows or not is_codings_table(rows[0]):
        raise InvalidInputError(
            f"{path}:1: the header must start with document,code and "
            "include phrase (document,code,valence,phrase,coder,memo)."
        )
    return rows


@dataclass(frozen=True)
class _Doc:
    """What a row needs of its document: no ORM object per document."""

    id: int
    name: str
    text: str


class _Applier:
    """Row-by-row work inside the file's transaction, with per-file caches.

    Documents named exactly as stored are fetched in one query per file, and the
    codings already stored for them in another; anything else (a participant label, a
    different case) goes through ``resolve_document`` once per distinct cell.
    """

    def __init__(
        self,
        project: Project,
        s: Session,
        report: CodingsFileReport,
        create_codes: bool = False,
        refs: Iterable[str] = (),
    ) -> None:
        self.project, self.s, self.report = project, s, report
        self.create_codes = create_codes
        self.docs: dict[str, _Doc] = {}
        self.codes: dict[str, Code] = {}
        self.coders: dict[str, int] = {}
        self.loose: dict[int, tuple[str, list[int]]] = {}
        self.valences: dict[str, str | None] = {}
        self.existing: set[tuple[int, int, int, int, int]] = set()
        self.pending: list[tuple] = []  # in _COLUMNS order
        self.now = utcnow()
        self._preload(sorted(set(refs)))

    def _preload(self, refs: list[str]) -> None:
        ids: list[int] = []
        conn = self.s.connection()  # Core rows: no ORM loading for what is only read here
        for lo in range(0, len(refs), _IN_CHUNK):
            q = select(Document.id, Document.name, Document.text).where(
                Document.name.in_(refs[lo : lo + _IN_CHUNK])
            )
            for doc_id, name, text in conn.execute(q):
                self.docs[name] = _Doc(doc_id, name, text)
                ids.append(doc_id)
        for lo in range(0, len(ids), _IN_CHUNK):
            self._load_existing(ids[lo : lo + _IN_CHUNK])

    def _load_existing(self, doc_ids: list[int]) -> None:
        q = select(
            Coding.document_id, Coding.start, Coding.end, Coding.code_id, Coding.coder_id
        ).where(Coding.document_id.in_(doc_ids))
        self.existing.update(map(tuple, self.s.connection().execute(q)))

    def apply(self, row: dict[str, str]) -> None:
        doc = self._document(row["document"].strip())
        code = self._code(row["code"].strip())
        valence = self._valence(row.get("valence", ""))
        occurrence = row.get("occurrence", "").strip()
        if occurrence and not occurrence.isdigit():
            raise InvalidInputError(f"occurrence {occurrence!r} must be a number (1, 2, ...).")
        start, end = self._locate(doc, row["phrase"], int(occurrence) if occurrence else None)
        coder = (row.get("coder") or "").strip() or self.project.coder_name
        if coder not in self.coders:
            self.coders[coder] = self.project.coder_id(self.s, coder)
        key = (doc.id, start, end, code.id, self.coders[coder])
        if key in self.existing:
            self.report.already_present += 1
            return
        self.existing.add(key)
        memo = (row.get("memo") or "").strip()
        self.pending.append((*key, valence, memo, self.now, self.now))
        self.report.applied += 1

    def _valence(self, cell: str) -> str | None:
        """``check_valence`` once per distinct cell (a bad one raises on every row it is in)."""
        if cell not in self.valences:
            self.valences[cell] = check_valence(cell.strip() or None)
        return self.valences[cell]

    def flush(self) -> None:
        """Insert every new coding at once (no ORM work, see ``insert_rows``)."""
        # In index order: SQLite then appends to each index's pages rather than
        # touching pages all over them (a CSV often goes document by document anyway).
        self.pending.sort(key=itemgetter(0, 1))
        insert_rows(self.s.connection(), Coding.__table__, _COLUMNS, self.pending)

    def _document(self, ref: str) -> _Doc:
        if not ref:
            raise InvalidInputError("the document cell is empty.")
        doc = self.docs.get(ref)
        if doc is None:
            found = resolve_document(self.s, ref)
            doc = next((d for d in self.docs.values() if d.id == found.id), None)
            if doc is None:
                doc = _Doc(found.id, found.name, found.text)
                self._load_existing([doc.id])
            self.docs[ref] = doc
        return doc

    def _code(self, ref: str) -> Code:
        if not ref.strip(PATH_SEP + " "):
            raise InvalidInputError("the code cell is empty.")
        if ref not in self.codes:
            try:
                code = resolve_code(self.s, ref)
            except NotFoundError:
                if not self.create_codes:
                    raise NotFoundError(self._unknown(ref)) from None
                code = self._create(ref)
            if not code.codable:
                raise InvalidInputError(
                    f"{code.name!r} is a heading, not a codable code; use one of its children."
                )
            self.codes[ref] = code
        return self.codes[ref]

    def _unknown(self, ref: str) -> str:
        """The message for a code that is not in the codebook, with the closest paths."""
        paths = [PATH_SEP.join(p) for p in code_paths(self.s).values()]
        leaf = {p.rsplit(PATH_SEP, 1)[-1].lower(): p for p in paths}
        close = difflib.get_close_matches(ref.lower(), [p.lower() for p in paths], 2, 0.75)
        close += [leaf[m] for m in difflib.get_close_matches(ref.lower(), list(leaf), 2, 0.75)]
        by_lower = {p.lower(): p for p in paths}
        hints = list(dict.fromkeys(by_lower.get(c, c) for c in close))
        hint = f" (did you mean {' or '.join(repr(h) for h in hints)}?)" if hints else ""
        return (
            f"unknown code {ref!r}{hint}; fix the cell, add the code first "
            "(qualcode code add), or import with --create-codes to make new inductive codes."
        )

    def _create(self, ref: str) -> Code:
        """Create the missing part of a code path as inductive codes."""
        parent: Code | None = None
        done: list[str] = []
        for part in (p.strip() for p in ref.strip(PATH_SEP).split(PATH_SEP)):
            if not part:
                raise InvalidInputError(f"code path {ref!r} has an empty part.")
            done.append(part)
            q = select(Code).where(
                func.lower(Code.name) == part.lower(),
                Code.parent_id.is_(None) if parent is None else Code.parent_id == parent.id,
            )
            found = self.s.scalar(q)
            if found is None:
                n = (
                    self.s.scalar(
                        select(func.count()).select_from(Code).where(Code.origin == "inductive")
                    )
                    or 0
                )
                found = Code(
                    name=part,
                    parent_id=parent.id if parent else None,
                    origin="inductive",
                    colour=INDUCTIVE_PALETTE[n % len(INDUCTIVE_PALETTE)],
                    sort_order=n,
                )
                self.s.add(found)
                self.s.flush()
                self.report.codes_created.append(PATH_SEP.join(done))
            parent = found
        assert parent is not None
        return parent

    def _locate(self, doc: _Doc, phrase: str, occurrence: int | None) -> tuple[int, int]:
        phrase = phrase.strip()
        if not phrase:
            raise InvalidInputError("the phrase cell is empty.")
        hits = _hits(doc.text, phrase)
        length, index = len(phrase), None
        if not hits:
            if doc.id not in self.loose:
                self.loose[doc.id] = _normalise(doc.text)
            norm_text, index = self.loose[doc.id]
            norm_phrase = _normalise(phrase)[0].strip()
            hits, length = _hits(norm_text, norm_phrase), len(norm_phrase)
        if not hits:
            raise NotFoundError(
                f"phrase {phrase[:70]!r} does not occur in {doc.name}. Copy it "
                "exactly from the transcript."
            )
        if occurrence is None and len(hits) > 1:
            raise InvalidInputError(
                f"phrase {phrase[:70]!r} occurs {len(hits)} times in "
                f"{doc.name}; give a longer phrase or add an 'occurrence' "
                "column (1, 2, ...)."
            )
        occurrence = occurrence or 1
        if not 1 <= occurrence <= len(hits):
            raise InvalidInputError(
                f"occurrence {occurrence}: the phrase occurs {len(hits)} "
                f"time{'s' * (len(hits) != 1)} in {doc.name}."
            )
        start = hits[occurrence - 1]
        if index is None:
            return start, start + length
        self.report.loose_matches += 1
        return index[start], index[start + length - 1] + 1


def _hits(text: str, phrase: str) -> list[int]:
    hits, i = [], text.find(phrase)
    while i != -1:
        hits.append(i)
        i = text.find(phrase, i + 1)
    return hits


def _normalise(text: str) -> tuple[str, list[int]]:
    """Text with quotes, dashes, ellipses and whitespace made uniform, and each char's origin."""
    out: list[str] = []
    index: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not space:
                out.append(" ")
                index.append(i)
            space = True
            continue
        space = False
        rep = _LOOSE.get(ch, ch)
        out.append(rep)
        index.extend([i] * len(rep))
    return "".join(out), index
