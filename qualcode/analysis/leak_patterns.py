"""Contact details and numbers that identify a person, found by pattern.

Each pattern gives candidate spans; a validator rejects look-alikes (a phone
number needs 10 or 11 digits once the country code is dropped, an NHS number is
ten digits that are not a phone number, a date needs a real day and month).
Everything found here is a *certain* finding, except a full date with no word
about birth near it, which is only *possible* (interview dates are common).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTHS = [
    *MONTH_NAMES,
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
]
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
BIRTH_WORDS = re.compile(r"(?i)\b(?:born|birth|birthday|d\.?o\.?b\.?|dob)\b")


@dataclass(frozen=True)
class PatternHit:
    start: int
    end: int
    kind: str
    confidence: str


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _phone_ok(m: re.Match[str]) -> bool:
    d = _digits(m.group())
    if m.group().lstrip().startswith("+"):
        if not d.startswith("44"):
            return False
        d = d[2:]
        d = d.removeprefix("0")
        return len(d) in (9, 10)
    return d.startswith("0") and len(d) in (10, 11)


def _nhs_ok(m: re.Match[str]) -> bool:
    d = _digits(m.group())
    return len(d) == 10 and not d.startswith("0")


def _date_ok(m: re.Match[str]) -> bool:
    text = m.group().lower()
    nums = [int(n) for n in re.findall(r"\d+", text)]
    if re.search(_MONTH, text):
        return bool(nums) and 1 <= nums[0] <= 31
    if len(nums) != 3:
        return False
    day, month = nums[0], nums[1]
    return 1 <= day <= 31 and 1 <= month <= 12


def _strip_trailing(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in ".,;:!?)]}'\"’”":
        end -= 1
    return end


PHONE = re.compile(
    r"(?<![\w+])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|\(0\d{2,4}\)[\s-]?|0)\d(?:[\s-]?\d){6,10}(?!\d)"
)
NHS = re.compile(r"(?<![\d\w])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d\w])")
POSTCODE = re.compile(r"(?i)(?<![\w-])[a-z]{1,2}\d[a-z\d]?[ ]?\d[abd-hjlnp-uw-z]{2}(?![\w-])")
NI_NUMBER = re.compile(
    r"(?i)(?<!\w)(?![dfiquv])[a-z](?![dfiqou])[a-z][ ]?\d{2}[ ]?\d{2}[ ]?\d{2}"
    r"[ ]?[a-d](?!\w)"
)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s<>\"]+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|co\.uk|org\.uk|ac\.uk|"
    r"nhs\.uk|gov\.uk|uk)(?:/[^\s<>\"]*)?(?!\w)"
)
HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_]{2,30}(?![\w@])")
DATE = re.compile(
    rf"(?i)(?<![\w/.-])(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)?\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:{_MONTH})\.?,?\s+(?:19|20)\d{{2}}"
    rf"|(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}})(?![\w/])"
)
BORN_YEAR = re.compile(r"(?i)\bborn\s+(?:in\s+)?(?:19|20)\d{2}\b")

Check = Callable[[re.Match[str]], bool]
PATTERNS: tuple[tuple[str, re.Pattern[str], Check | None], ...] = (
    ("email address", EMAIL, None),
    ("web address", URL, None),
    ("social media handle", HANDLE, None),
    ("phone number", PHONE, _phone_ok),
    ("NHS number", NHS, _nhs_ok),
    ("National Insurance number", NI_NUMBER, None),
    ("postcode", POSTCODE, None),
    ("date of birth", DATE, _date_ok),
    ("date of birth", BORN_YEAR, None),
)


URL_HINT = re.compile(r"(?i:www|https?:|\.(?:com|org|net|io|uk))")
# A month-first date and a birth year both need a year: without one in a line, every
# number pattern's match begins at (or just before) a digit, which is what makes the
# anchored search below exact.
YEAR = re.compile(r"(?:19|20)\d\d")


# Characters that Python's case-insensitive matching equates with an ASCII letter although
# lower() does not map them to it ("ı" ~ "i", "ſ" ~ "s"), or maps them to two characters
# ("İ"). Without them, a search of the lowered text finds what a case-insensitive one does.
CASE_SPECIAL = re.compile("[\u0130\u0131\u017f]")


def case_special(text: str) -> bool:
    """True when ``text`` holds a character of ``CASE_SPECIAL`` (never for ASCII text)."""
    return not text.isascii() and CASE_SPECIAL.search(text) is not None


URL_HINT_LOWER = re.compile(r"www|https?:|\.(?:com|org|net|io|uk)")
# Runs of digits (a number pattern's first digit always starts one) and the other hints.
HINTS = re.compile(r"\d+|[+(@]")
ASCII_HINTS = re.compile(r"[0-9]+|[+(@]")


def _url_hints(text: str) -> Iterator[int]:
    """Where ``URL_HINT`` matches in ``text`` (searched in the lowered text when that is exact)."""
    if not case_special(text):
        low = text.lower()
        if not any(h in low for h in ("www", "http", ".com", ".org", ".net", ".io", ".uk")):
            return iter(())
        return (m.start() for m in URL_HINT_LOWER.finditer(low))
    return (m.start() for m in URL_HINT.finditer(text))


def document_pattern_hits(text: str, starts: Sequence[int]) -> dict[int, list[PatternHit]]:
    """Every contact detail or number of each line of ``text`` that has any, by line index;
    earlier kinds win where spans overlap.

    ``starts`` holds where each line begins (line ``i`` is ``text[starts[i]:starts[i + 1] - 1]``).
    The hints (digits, "@", "+", "(", web-address
    parts, years) are found in the whole text at once; the number patterns are tried only
    where a match can begin, each within its line, and the rest only on lines with their
    hint. Offsets are within the line.
    """
    n = len(starts)

    def line_of(pos: int) -> int:
        return bisect_right(starts, pos) - 1

    def end_of(i: int) -> int:
        return starts[i + 1] - 1 if i + 1 < n else len(text)

    # Where a digit run begins after a word character (a letter: a postcode's or National
    # Insurance number's digits) and where after anything else (a phone or NHS number, a date).
    after_word: list[int] = []
    digits: list[int] = []
    plus_paren: list[int] = []
    at_lines_set: set[int] = set()
    year_lines: set[int] = set()
    for m in (ASCII_HINTS if text.isascii() else HINTS).finditer(text):
        c = m.group()
        d = m.start()
        if c == "@":
            at_lines_set.add(line_of(d))
        elif c in "+(":
            plus_paren.append(d)
        else:
            before = text[d - 1] if d else " "
            (after_word if before.isalnum() or before == "_" else digits).append(d)
            if len(c) >= 4 and YEAR.search(c):
                year_lines.add(line_of(d))
    at_lines = sorted(at_lines_set)
    url_lines = sorted({line_of(p) for p in _url_hints(text)})
    if not digits and not after_word and not at_lines and not url_lines:
        return {}
    letter_runs = [d for d in after_word if text[d - 1].isalpha()]
    spaced_runs = [d for d in digits if d >= 3 and text[d - 1] == " "]
    found: dict[int, list[list[re.Match[str]]]] = {}

    def add(i: int, k: int, m: re.Match[str]) -> None:
        per = found.get(i)
        if per is None:
            per = found[i] = [[] for _ in PATTERNS]
        per[k].append(m)

    def scan(k: int, pattern: re.Pattern[str], lines: Iterable[int]) -> None:
        for i in lines:
            for m in pattern.finditer(text, starts[i], end_of(i)):
                add(i, k, m)

    def anchored(k: int, pattern: re.Pattern[str], begins: Iterable[int], skip: set[int]) -> None:
        # pattern.finditer over each line, trying only ``begins`` (sorted) as starts: exact
        # when every match begins at one of them, as the leftmost match at or after a
        # position is then the first of them that matches. Lookbehinds see the text before
        # the line (a newline, which none of them tests for), nothing past its end is seen.
        i, pos, hi = -1, 0, -1
        for b in begins:
            if b >= hi:
                i = line_of(b)
                pos, hi = starts[i], end_of(i)
            if b < pos or b >= hi or i in skip:
                continue
            m = pattern.match(text, b, hi)
            if m is not None:
                add(i, k, m)
                pos = m.end()

    for k, (_, pattern, _) in enumerate(PATTERNS):
        if pattern is EMAIL or pattern is HANDLE:
            scan(k, pattern, at_lines)
        elif pattern is URL:
            scan(k, pattern, url_lines)
        elif not digits and not after_word:
            continue  # every other pattern holds a digit
        elif pattern is DATE or pattern is BORN_YEAR:
            # A month-first date and a birth year need a year: without one in the line,
            # only the numeric form can match, and it begins a digit run after no word
            # character (its lookbehind).
            scan(k, pattern, sorted(year_lines))
            if pattern is DATE:
                anchored(k, pattern, digits, year_lines)
        elif pattern is PHONE:  # "+44", "(0", or a run "0..." after no word character
            zeros = [d for d in digits if text[d] == "0"]
            anchored(k, pattern, sorted(zeros + plus_paren), set())
        elif pattern is NHS:  # a digit run after no word character
            anchored(k, pattern, digits, set())
        elif pattern is NI_NUMBER:  # two letters, an optional space, then a digit run
            begins = {d - 2 for d in letter_runs} | {d - 3 for d in spaced_runs}
            anchored(k, pattern, sorted(begins), set())
        elif pattern is POSTCODE:  # one or two letters, then a digit run
            anchored(k, pattern, sorted({d - j for d in letter_runs for j in (1, 2)}), set())
        else:
            scan(k, pattern, range(n))
    out: dict[int, list[PatternHit]] = {}
    for i in sorted(found):
        lo = starts[i]
        hits = [
            PatternHit(h.start - lo, h.end - lo, h.kind, h.confidence)
            for h in _resolve(text, lo, found[i])
        ]
        if hits:
            out[i] = hits
    return out


def _resolve(text: str, lo: int, matches: list[list[re.Match[str]]]) -> Iterator[PatternHit]:
    """Pattern findings of one line from each pattern's matches; earlier kinds win overlaps."""
    taken: list[tuple[int, int]] = []
    for (kind, pattern, check), found in zip(PATTERNS, matches, strict=True):
        for m in found:
            if check is not None and not check(m):
                continue
            start = m.start()
            end = _strip_trailing(text, start, m.end()) if kind == "web address" else m.end()
            if any(s < end and start < e for s, e in taken):
                continue
            kind_found, confidence = kind, "certain"
            if pattern is DATE and not BIRTH_WORDS.search(text[max(lo, start - 60) : start]):
                kind_found, confidence = "date", "possible"
            taken.append((start, end))
            yield PatternHit(start, end, kind_found, confidence)
