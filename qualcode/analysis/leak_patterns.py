"""Contact details and numbers that identify a person, found by pattern.

Each pattern gives candidate spans; a validator rejects look-alikes (a phone
number needs 10 or 11 digits once the country code is dropped, an NHS number is
ten digits that are not a phone number, a date needs a real day and month).
Everything found here is a *certain* finding, except a full date with no word
about birth near it, which is only *possible* (interview dates are common).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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


# Every pattern above needs a digit, an "@", or a web address's "www"/"http"/".com"-like
# part: a line with none of them cannot hold a pattern finding (most lines of talk).
PATTERN_HINT = re.compile(r"\d|@|(?i:www|https?:|\.(?:com|org|net|io|uk))")
URL_HINT = re.compile(r"(?i:www|https?:|\.(?:com|org|net|io|uk))")
DIGIT = re.compile(r"\d")


def could_hold_pattern(text: str) -> bool:
    """False only when no pattern could match ``text`` (a cheap pre-filter)."""
    return PATTERN_HINT.search(text) is not None


def pattern_hits(text: str) -> Iterator[PatternHit]:
    """Every contact detail or number in ``text``; earlier kinds win where spans overlap."""
    taken: list[tuple[int, int]] = []
    # What each pattern cannot match without: skipping it changes nothing, saves the scan.
    has_at = "@" in text
    present = {
        EMAIL: has_at,
        HANDLE: has_at,
        URL: URL_HINT.search(text) is not None,
    }
    has_digit = DIGIT.search(text) is not None
    for kind, pattern, check in PATTERNS:
        if not present.get(pattern, has_digit):
            continue
        for m in pattern.finditer(text):
            if check is not None and not check(m):
                continue
            start = m.start()
            end = _strip_trailing(text, start, m.end()) if kind == "web address" else m.end()
            if any(s < end and start < e for s, e in taken):
                continue
            found, confidence = kind, "certain"
            if pattern is DATE and not BIRTH_WORDS.search(text[max(0, start - 60) : start]):
                found, confidence = "date", "possible"
            taken.append((start, end))
            yield PatternHit(start, end, found, confidence)
