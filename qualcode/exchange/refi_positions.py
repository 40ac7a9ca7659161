"""Text positions: the standard's code points, and what NVivo and ATLAS.ti really write.

REFI-QDA counts Unicode code points from 0 in the plain-text file, end exclusive.
Producers differ: NVivo counts UTF-16 units (an emoji is 2) with CRLF as 2 and
the BOM skipped; ATLAS.ti counts a line break as 1. A convention is three
choices (unit, how a CRLF counts, whether a BOM counts); ``choose_convention``
picks the one the producer used from its ``origin`` and from which reading puts
selections on word boundaries (and on the text preview some producers write in
a selection's ``name``).

We store text with ``\\n`` line breaks (as the transcript reader does), so every
reading ends as a Python ``str`` index into that text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import product


@dataclass(frozen=True)
class PositionConvention:
    unit: str = "codepoint"  # "codepoint" | "utf16"
    newline: str = "as-written"  # "as-written" (CRLF is 2) | "one" (any line break is 1)
    bom: str = "skip"  # "skip" | "count"

    @property
    def label(self) -> str:
        unit = "code points" if self.unit == "codepoint" else "UTF-16 units"
        nl = "CRLF as 2" if self.newline == "as-written" else "line break as 1"
        bom = "" if self.bom == "skip" else ", BOM counted"
        return f"{unit}, {nl}{bom}"


STANDARD = PositionConvention()
NVIVO = PositionConvention(unit="utf16")
ATLAS_TI = PositionConvention(newline="one")
CANDIDATES = tuple(
    PositionConvention(u, n, b)
    for u, n, b in product(("codepoint", "utf16"), ("as-written", "one"), ("skip", "count"))
)


def convention_for_origin(origin: str | None) -> tuple[PositionConvention | None, str]:
    """The convention a known producer uses (by its ``origin`` attribute), with its name."""
    o = (origin or "").lower()
    if "nvivo" in o:
        return NVIVO, "NVivo"
    if "atlas.ti" in o or "atlasti" in o:
        return ATLAS_TI, "ATLAS.ti"
    if "qualcoder" in o:
        return STANDARD, "QualCoder"
    if "qualcode" in o:
        return STANDARD, "qualcode"
    return None, ""


_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")


def _astral(text: str) -> list[int]:
    """UTF-16 start offsets of the characters outside the BMP (they take two units)."""
    return [m.start() + k for k, m in enumerate(_ASTRAL_RE.finditer(text))]


class PlainText:
    """A source's text as read from the file, and the text we store from it."""

    def __init__(self, raw: str, had_bom: bool = False) -> None:
        self.raw = raw  # BOM removed, line breaks as written
        self.had_bom = had_bom
        self.text = raw.replace("\r\n", "\n").replace("\r", "\n")
        self._crlf = [m.start() for m in re.finditer("\r\n", raw)]
        self._astral: dict[bool, list[int]] = {}

    @classmethod
    def from_bytes(cls, data: bytes) -> tuple[PlainText, str | None]:
        """Decode a source file (UTF-8, or UTF-16 with a BOM); returns a warning if it guessed."""
        warning = None
        if data.startswith(b"\xef\xbb\xbf"):
            return cls(data[3:].decode("utf-8", errors="replace"), True), None
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return cls(data.decode("utf-16"), True), None
        head = data[:4096]
        if len(head) >= 4 and head.count(0) * 3 > len(head):  # UTF-16 without its BOM
            odd_nuls = head[1::2].count(0) > head[0::2].count(0)
            try:
                return cls(data.decode("utf-16-le" if odd_nuls else "utf-16-be"), False), (
                    "UTF-16 without a byte-order mark; read as UTF-16"
                )
            except UnicodeDecodeError:
                pass  # not UTF-16 after all: the control-character check reports the NULs
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                raw = data.decode("cp1252")
            except UnicodeDecodeError:
                raw = data.decode("latin-1")
            warning = "not UTF-8 as the standard requires; read as Windows-1252"
        return cls(raw, False), warning

    @property
    def has_crlf(self) -> bool:
        return bool(self._crlf)

    @property
    def has_astral(self) -> bool:
        return _ASTRAL_RE.search(self.raw) is not None

    @property
    def varies(self) -> bool:
        """Whether conventions can disagree on this text at all."""
        return self.has_crlf or self.had_bom or self.has_astral

    def to_index(self, pos: int, conv: PositionConvention) -> int | None:
        """A producer's position as an index into ``self.text``; None if outside the text."""
        if conv.bom == "count" and self.had_bom:
            pos -= 1
        if pos < 0:
            return None
        as_written = conv.newline == "as-written"
        base = self.raw if as_written else self.text
        if conv.unit == "utf16":
            key = as_written
            if key not in self._astral:
                self._astral[key] = _astral(base)
            pos -= bisect_left(self._astral[key], pos)  # each earlier astral char took 2 units
        if pos > len(base):
            return None
        if as_written and self._crlf:
            pos -= bisect_left(self._crlf, pos)
        return pos


def on_word_boundary(text: str, i: int) -> bool:
    """True unless ``i`` falls between two letters/digits of one word."""
    return i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum())


@dataclass(frozen=True)
class Selection:
    start: int
    end: int
    name: str = ""


def _preview(name: str) -> str:
    name = name.strip()
    for tail in ("…", "..."):
        name = name.removesuffix(tail)
    return " ".join(name.split())


def score(
    sources: list[tuple[PlainText, list[Selection]]], conv: PositionConvention
) -> tuple[int, int, int]:
    """(points, boundary hits, selections outside the text) for one reading."""
    points = hits = outside = 0
    for plain, sels in sources:
        text = plain.text
        for sel in sels:
            a, b = plain.to_index(sel.start, conv), plain.to_index(sel.end, conv)
            if a is None or b is None or b <= a:
                outside += 1
                points -= 4
                continue
            h = on_word_boundary(text, a) + on_word_boundary(text, b)
            hits += h
            points += h
            preview = _preview(sel.name)
            if len(preview) >= 5 and " ".join(text[a:b].split()).startswith(preview):
                points += 4
    return points, hits, outside


SAMPLE_LIMIT = 4000  # selections scored per reading; the evidence is clear long before that


def _sample(sels: list[Selection], limit: int) -> list[Selection]:
    """At most ``limit`` selections, spread evenly through the list (deterministic)."""
    if len(sels) <= limit:
        return sels
    step = len(sels) / limit
    return [sels[int(i * step)] for i in range(limit)]


@dataclass(frozen=True)
class ConventionChoice:
    convention: PositionConvention
    reason: str
    boundary_hits: int
    boundary_total: int

    def describe(self) -> str:
        tail = (
            f"; {self.boundary_hits} of {self.boundary_total} selection ends fall on word boundaries"
            if self.boundary_total
            else ""
        )
        return f"{self.convention.label} ({self.reason}{tail})"


def choose_convention(
    sources: list[tuple[PlainText, list[Selection]]], origin: str | None
) -> ConventionChoice:
    """Pick the reading that lands selections on words; prefer the producer's known habit."""
    hint, producer = convention_for_origin(origin)
    total = 2 * sum(len(s) for _, s in sources)
    relevant = [(p, s) for p, s in sources if s and p.varies]
    default = hint or STANDARD
    if not relevant:
        hits = score(sources, default)[1]
        why = f"{producer}'s convention" if hint else "the standard's convention"
        return ConventionChoice(default, f"{why}; every reading agrees on these texts", hits, total)
    per_source = max(20, SAMPLE_LIMIT // len(relevant))
    relevant = [(p, _sample(s, per_source)) for p, s in relevant]
    # only the choices these texts can tell apart (no CRLF: the newline choice is moot, ...)
    dims = (
        any(p.has_astral for p, _ in relevant),
        any(p.has_crlf for p, _ in relevant),
        any(p.had_bom for p, _ in relevant),
    )
    candidates = [
        c
        for c in CANDIDATES
        if (dims[0] or c.unit == default.unit)
        and (dims[1] or c.newline == default.newline)
        and (dims[2] or c.bom == default.bom)
    ]
    scores = {c: score(relevant, c) for c in candidates}
    best = max(candidates, key=lambda c: (scores[c][0], c == default, -CANDIDATES.index(c)))
    if hint is not None and scores[hint][0] >= scores[best][0] - max(2, scores[best][0] // 50):
        chosen, why = hint, f"origin says {producer}; confirmed by word boundaries"
    else:
        chosen = best
        why = "detected from word boundaries" + (
            f" (origin says {producer}, whose usual counting fits worse)" if hint else ""
        )
    return ConventionChoice(chosen, why, score(sources, chosen)[1], total)
