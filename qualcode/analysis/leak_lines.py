"""Which lines of a document the name rules could fire on, found over the whole text at once.

The name rules need spaCy tokens, and tokenizing is the slow part of the check, so only
lines where a rule could report a name are tokenized. Deciding that one line at a time
meant a Python loop over every word of the corpus; here a few regular expressions run
over the whole document (in C) and only their matches are looked at in Python, with the
same word rules as before: a capitalised word that is a known name, a capitalised word in
mid-sentence that is not a common one, a speaker label that is not a role, a known name in
lower case that the corpus also capitalises. A title counts only where the title matcher
could match (a capital follows it), a key name only where its first word occurs.

A "possible name" also needs the word to be rare in lower case across the corpus; that
count is taken afterwards, for the few words that need it (:func:`lower_case_counts`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import accumulate

from qualcode.analysis.leak_names import (
    AMBIGUOUS_GIVEN_NAMES,
    COMMON_CAPITALISED,
    GIVEN_NAMES,
    INSTITUTION_WORDS,
    ROLE_LABELS,
    SURNAMES,
)
from qualcode.analysis.leak_patterns import case_special

TITLES = [
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "doctor",
    "nurse",
    "sister",
    "matron",
    "rev",
    "reverend",
    "sir",
    "dame",
    "lady",
    "lord",
    "councillor",
    "cllr",
]
_TITLE_ALTERNATIVES = (
    "|".join(t.capitalize() for t in TITLES) + "|" + "|".join(t.upper() for t in TITLES)
)
TITLE_WORD = re.compile(r"\b(?:" + _TITLE_ALTERNATIVES + r")\b")
# A title the matcher could complete: a capital follows (after an optional full stop).
# Led by the titles' first letters (no leading \b), so the search skips ahead in C.
TITLE_BEFORE_CAPITAL = re.compile(r"(?:" + _TITLE_ALTERNATIVES + r")\b(?=\s*\.?\s*[A-Z])")
LABEL = re.compile(r"^[^\S\n]*([A-Za-z][\w .'’-]{0,29}):")
LABELS = re.compile(LABEL.pattern, re.MULTILINE)
CAPITALISED = re.compile(r"[A-Z][A-Za-z'’]*[a-z][A-Za-z'’]*")
ACRONYMS = re.compile(r"[A-Z]{2,}s")  # GPs, OTs, HCAs
SENTENCE_END = set('.!?…:;"“”‘—–-]')  # "]": after a note such as [laughs]
WORDISH = re.compile(r"[A-Za-z][A-Za-z'’]*")
CAPITAL_RUN = re.compile(r"[A-Z][A-Za-z'’]*")
# A capital run not right after a sentence end and one space, nor at a line's start: where a
# word that counts only in mid-sentence can stand (found in C, so sentence starts are skipped).
NOT_OPENING = re.compile(r"[A-Z](?<![.!?…:;\"“”‘—–\-\]] [A-Z])(?<!\n[A-Z])[A-Za-z'’]*")
LOWER_WORD = re.compile(r"\b[a-z][a-z'’-]+\b")
NAME_WORDS = GIVEN_NAMES | SURNAMES | AMBIGUOUS_GIVEN_NAMES
KNOWN_NAMES = GIVEN_NAMES | SURNAMES
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_APOSTROPHES = frozenset("'’")
_RUN_CHARS = _LETTERS | _APOSTROPHES
_WORD_CHAR = re.compile(r"\w")

ALWAYS, MID_SENTENCE, NEVER = 2, 1, 0


def norm(word: str) -> str:
    """A word as the word lists hold it: lower case, straight apostrophe."""
    return word.lower().replace("’", "'")


def line_starts(lines: Sequence[str]) -> list[int]:
    """Where each line begins in the text they were split from (on "\\n")."""
    return list(accumulate(map((1).__add__, map(len, lines[:-1])), initial=0))


def _word_start(text: str, p: int) -> bool:
    """True when a word (as ``WORDISH`` reads the text) begins at ``p``, a letter."""
    i = p - 1
    while i >= 0 and text[i] in _APOSTROPHES:
        i -= 1
    return i < 0 or text[i] not in _LETTERS


def _mid_sentence(text: str, p: int) -> bool:
    """A character other than a sentence end precedes ``p`` on its line (spaces skipped)."""
    i = p - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i >= 0 and text[i] != "\n" and text[i] not in SENTENCE_END


def _skipped(word: str, allowed: frozenset[str] | set[str]) -> tuple[str, str, bool]:
    n = norm(word)
    low = n[:-2] if n.endswith("'s") else n
    return n, low, low in allowed and n in allowed


def capital_class(word: str, allowed: frozenset[str] | set[str]) -> int:
    """What a capitalised word outside a label needs to be reported: always, mid-sentence, never."""
    n, low, skip = _skipped(word, allowed)
    if skip or not CAPITALISED.fullmatch(word):
        return NEVER  # a word with no lower-case letter is checked as a lower-case name
    if low in NAME_WORDS:
        return ALWAYS
    if low in COMMON_CAPITALISED or low in INSTITUTION_WORDS or ACRONYMS.fullmatch(word):
        return NEVER
    return MID_SENTENCE


def label_fires(label: str, allowed: frozenset[str] | set[str]) -> bool:
    """True when a word of a speaker label could be reported (a role opening it never is)."""
    for m in WORDISH.finditer(label):
        word = m.group()
        n, low, skip = _skipped(word, allowed)
        if skip:
            continue
        if not CAPITALISED.fullmatch(word):
            continue
        if low in ROLE_LABELS and n == low and m.start() == 0:
            continue
        return True
    return False


@lru_cache(maxsize=64)
def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``words`` (lower case, straight apostrophes) as a whole word in any case."""
    alts = "|".join(re.escape(w).replace("'", "['’]") for w in sorted(words, key=len, reverse=True))
    return re.compile(r"(?<![A-Za-z])(?i:" + alts + r")(?![A-Za-z])")


def key_lines(text: str, starts: Sequence[int], first_words: Iterable[str]) -> set[int]:
    """Lines where a key name's first word occurs in any case (the key matchers need it)."""
    words = sorted({w for w in first_words if w}, key=len, reverse=True)
    if not words:
        return set()
    out = set()
    if not text.isascii():  # per-character case folding, as the matcher's lower case sees it
        anycase = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
        out.update(bisect_right(starts, m.start()) - 1 for m in anycase.finditer(text))
    # Case-insensitive matching is per character; lower() can change a text's length
    # ("İ"): searching the lowered text as well finds those too, by its own line breaks.
    lowered = text.lower()
    plain = re.compile("|".join(re.escape(w.lower()) for w in words))
    if len(lowered) == len(text):
        out.update(bisect_right(starts, m.start()) - 1 for m in plain.finditer(lowered))
    else:
        breaks = [m.start() for m in re.finditer("\n", lowered)]
        out.update(bisect_right(breaks, m.start()) for m in plain.finditer(lowered))
    return out


class CapitalWords:
    """What each distinct capitalised run of letters means to the rules (kept across documents).

    ``seen``: every such run met so far, in the word lists' form, when it holds a lower-case
    letter (what ``CAPITALISED`` finds): the corpus's capitalised words.
    """

    def __init__(self, allowed: frozenset[str] | set[str]) -> None:
        self.allowed = allowed
        self.seen: set[str] = set()
        self.known: dict[str, tuple[int, bool]] = {}

    def info(self, word: str) -> tuple[int, bool]:
        """(class, may hold a title) of a run of letters and apostrophes."""
        found = self.known.get(word)
        if found is None:
            if CAPITALISED.fullmatch(word):
                self.seen.add(norm(word))
            titled = any(_TITLE_AT.match(word, i) for i in _piece_starts(word))
            found = self.known[word] = (capital_class(word, self.allowed), titled)
        return found


_TITLE_AT = re.compile(r"(?:" + _TITLE_ALTERNATIVES + r")(?![A-Za-z])")


def _piece_starts(word: str) -> list[int]:
    """Where a word that ``\\b`` can see begins inside a run: its start, and after apostrophes."""
    return [0] + [i + 1 for i, c in enumerate(word) if c in _APOSTROPHES and i + 1 < len(word)]


def candidate_lines(
    text: str,
    lines: Sequence[str],
    starts: Sequence[int],
    words: CapitalWords,
    key_words: Sequence[str] = (),
) -> set[int]:
    """Indexes of the lines of ``text`` where a rule other than the lower-case one could fire.

    ``words`` carries the classes of capitalised words between documents and collects the
    corpus's capitalised words (see :func:`lower_name_lines` for the lower-case rule).
    ``key_words``: the first word of each name in the key.
    """

    def line(pos: int) -> int:
        return bisect_right(starts, pos) - 1

    out = key_lines(text, starts, key_words) if key_words else set()
    fires = [label for label in set(LABELS.findall(text)) if label_fires(label, words.allowed)]
    if fires:
        for i, text_line in enumerate(lines):
            m = LABEL.match(text_line)
            if m is not None and m.group(1) in fires:
                out.add(i)
    info = words.info
    # Words that count wherever they stand (names) or may head a title: found by name.
    anywhere = [w for w in set(CAPITAL_RUN.findall(text)) if _anywhere(info(w))]
    if anywhere:
        for m in _runs_of(tuple(sorted(anywhere))).finditer(text):
            p = m.start()
            if not _run_start(text, p):
                continue
            cls, titled = info(m.group())
            if titled:
                for o in _piece_starts(m.group()):
                    q = p + o
                    if (q == 0 or not _WORD_CHAR.match(text[q - 1])) and (
                        TITLE_BEFORE_CAPITAL.match(text, q)
                    ):
                        out.add(line(q))
            if cls == ALWAYS and _word_start(text, p):
                out.add(line(p))
    for m in NOT_OPENING.finditer(text):
        cls, _ = info(m.group())
        if cls != MID_SENTENCE:
            continue
        p = m.start()
        if _word_start(text, p) and _mid_sentence(text, p):
            out.add(line(p))
    return out


def _anywhere(info: tuple[int, bool]) -> bool:
    return info[0] == ALWAYS or info[1]


@lru_cache(maxsize=256)
def _runs_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """These words ending a run of letters and apostrophes (``_run_start`` checks the start)."""
    alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(r"(?:" + alts + r")(?![A-Za-z'’])")


def _run_start(text: str, p: int) -> bool:
    """True when ``CAPITAL_RUN``'s search of ``text`` has a match beginning at ``p``."""
    i = p - 1
    while i >= 0 and text[i] in _RUN_CHARS:
        if "A" <= text[i] <= "Z":
            return False
        i -= 1
    return True


def lower_name_lines(
    text: str,
    starts: Sequence[int],
    lines: Sequence[str],
    allowed: frozenset[str] | set[str],
    lower_names: set[str],
) -> set[int]:
    """Lines holding a known name in lower case (or all capitals) that the corpus capitalises,
    and lines whose speaker label holds one."""
    if not lower_names:
        return set()
    out = set()
    if not case_special(text):
        # lower() keeps every position here, and only ASCII words count.
        finder = _lower_alternation(tuple(sorted(lower_names)))
        hits = (m.start() for m in finder.finditer(text.lower()))
    else:
        hits = (m.start() for m in _alternation(tuple(sorted(lower_names))).finditer(text))
    for p in hits:
        if p and text[p - 1] in _LETTERS or not _word_start(text, p):
            continue
        wm = WORDISH.match(text, p)
        if wm is None:
            continue
        word = wm.group()
        _, low, skip = _skipped(word, allowed)
        if not skip and low in lower_names and not CAPITALISED.fullmatch(word):
            out.add(bisect_right(starts, p) - 1)
    return out


@lru_cache(maxsize=64)
def _lower_alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(re.escape(w).replace("'", "['’]") for w in sorted(words, key=len, reverse=True))
    return re.compile(r"(?:" + alts + r")(?![a-z])")


def lower_case_counts(texts: Iterable[str], words: set[str]) -> dict[str, int]:
    """How often each of ``words`` occurs in lower case in ``texts``, counted up to 2.

    Counts ``LOWER_WORD`` matches, as a count over the whole corpus would, but reads only
    lines holding one of the words, and stops once every word is seen twice.
    """
    counts = dict.fromkeys(words, 0)
    open_ = set(words)
    for text in texts:
        if not open_:
            break
        if len(open_) > 8:  # many words: one pass over the whole text is quicker
            for w in LOWER_WORD.findall(text.replace("’", "'")):
                if w in counts:
                    counts[w] += 1
            open_ = {w for w in open_ if counts[w] < 2}
            continue
        finder = _substring(tuple(sorted(open_)))
        lo_seen = -1
        for m in finder.finditer(text):
            if m.start() <= lo_seen:
                continue
            lo = text.rfind("\n", 0, m.start()) + 1
            hi = text.find("\n", m.start())
            hi = len(text) if hi < 0 else hi
            lo_seen = hi
            for w in LOWER_WORD.findall(text[lo:hi].replace("’", "'")):
                if w in counts:
                    counts[w] += 1
        open_ = {w for w in open_ if counts[w] < 2}
    return counts


@lru_cache(maxsize=64)
def _substring(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w).replace("'", "['’]") for w in words))
