"""Finding likely identifying details left in pseudonymised transcripts.

Transcripts arrive pseudonymised, but a real name, an email address or a phone
number is sometimes missed. Before anything is exported the team wants a list
of places to check by eye. Two kinds of finding:

- ``certain`` patterns: email addresses, UK phone numbers, NHS numbers,
  UK postcodes, a title followed by a name ("Dr Patel").
- ``possible`` names: a capitalised word in mid-sentence that never appears in
  lower case anywhere in the corpus, is not a common capitalised word, and is
  not inside a [placeholder] or a speaker label.

Pure functions over text; no database and no NLP model, so it runs anywhere.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CERTAIN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email address", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("phone number", re.compile(r"(?<!\d)(?:\+44\s?|0)(?:\d\s?){9,10}(?!\d)")),
    ("NHS number", re.compile(r"(?<!\d)\d{3}[ -]\d{3}[ -]\d{4}(?!\d)")),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b")),
    ("title and name", re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Doctor|Nurse|Sister)\.?\s+"
                                  r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?\b")),
)

# Capitalised words that are ordinary in interview transcripts.
COMMON_CAPITALISED = frozenset("""
I I'm I've I'd I'll Im Ive Id Ill OK Okay Mr Mrs Ms Dr
Monday Tuesday Wednesday Thursday Friday Saturday Sunday
January February March April May June July August September October November December
Christmas Easter England English Britain British UK NHS Trust Trusts GP GPs A&E CPN CMHT
Covid COVID Zoom Teams WhatsApp Facebook Google Internet Recovery College Mind God
""".split())

WORD = re.compile(r"(?<![\w'’-])[A-Z][a-z]+(?:[-'’][A-Za-z]+)?(?![\w-])")
LOWER_WORD = re.compile(r"\b[a-z][a-z'-]+\b")
BRACKETED = re.compile(r"\[[^\]\n]*\]")
LABEL = re.compile(r"(?m)^[^\S\n]*[\w .'-]{1,30}:")
SENTENCE_END = set('\n.!?…:;"“‘(—–-')


@dataclass(frozen=True)
class Finding:
    """One place worth checking: where, what, and how sure."""

    document: str
    line: int
    column: int
    start: int
    end: int
    text: str
    kind: str
    confidence: str  # "certain" | "possible"
    context: str


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    left = text[max(0, start - width):start].split("\n")[-1]
    right = text[end:end + width].split("\n")[0]
    return f"{left}[{text[start:end]}]{right}".strip()


def _starts_sentence(masked: str, pos: int) -> bool:
    """True when only spaces stand between ``pos`` and a sentence end or line start."""
    i = pos - 1
    while i >= 0 and masked[i] in " \t":
        i -= 1
    return i < 0 or masked[i] in SENTENCE_END


def _masked(text: str) -> str:
    """The text with placeholders and speaker labels blanked (offsets kept)."""
    out = BRACKETED.sub(lambda m: " " * len(m.group()), text)
    return LABEL.sub(lambda m: " " * len(m.group()), out)


def find_leaks(documents: Sequence[tuple[str, str]], *, allow: Iterable[str] = ()) -> list[Finding]:
    """Scan ``(name, text)`` pairs; words in ``allow`` (any case) are never reported."""
    allowed = {a.lower() for a in allow} | {w.lower() for w in COMMON_CAPITALISED}
    lower_seen: Counter[str] = Counter()
    for _, text in documents:
        lower_seen.update(LOWER_WORD.findall(text))
    findings: list[Finding] = []
    for name, text in documents:
        masked = _masked(text)
        taken: list[tuple[int, int]] = []
        for kind, pattern in CERTAIN_PATTERNS:
            for m in pattern.finditer(masked):
                if m.group().split()[-1].lower() in allowed and kind == "title and name":
                    continue
                taken.append((m.start(), m.end()))
                line, col = _line_col(text, m.start())
                findings.append(Finding(name, line, col, m.start(), m.end(), m.group(), kind,
                                        "certain", _context(text, m.start(), m.end())))
        for m in WORD.finditer(masked):
            word = re.sub(r"['’]s$", "", m.group())
            if (word.lower() in allowed or word.lower() in lower_seen
                    or any(s <= m.start() < e for s, e in taken)
                    or _starts_sentence(masked, m.start())):
                continue
            line, col = _line_col(text, m.start())
            findings.append(Finding(name, line, col, m.start(), m.end(), word, "possible name",
                                    "possible", _context(text, m.start(), m.end())))
    findings.sort(key=lambda f: (f.confidence != "certain", f.document, f.start))
    return findings
