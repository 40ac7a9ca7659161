"""Finding likely identifying details left in pseudonymised transcripts.

Transcripts arrive pseudonymised, but a real name, an email address or a phone
number is sometimes missed. Before anything is exported the team wants a list
of places to check by eye, and exports are refused while *certain* findings
remain. Two kinds of finding:

- ``certain``: contact details and numbers (see ``leak_patterns``), a title and
  a name ("Dr O'Brien"), a real name from the team's pseudonymisation key, and
  a common given name or surname wherever it stands (at a sentence start, as a
  speaker label, in brackets). Names that are also words ("Will") count where
  the context says name: a capital mid-sentence, a label, or a verb after it.
- ``possible``: any other capitalised word in mid-sentence (or as a label, or
  in brackets) that is not a common capitalised word and occurs fewer than
  twice in lower case in the corpus; a known name written in lower case;
  a person found by a trained NER pipeline when one is given; a plain date.

spaCy's tokenizer, PhraseMatcher and Matcher do the name work (a blank English
pipeline: no model download). A document is read line by line, so a huge
document never becomes one huge spaCy Doc.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import Any

from qualcode.analysis.leak_names import (
    AMBIGUOUS_GIVEN_NAMES,
    COMMON_CAPITALISED,
    GIVEN_NAMES,
    INSTITUTION_WORDS,
    PLACEHOLDERS,
    ROLE_LABELS,
    SUBJECT_WORDS,
    SURNAMES,
)
from qualcode.analysis.leak_patterns import could_hold_pattern, pattern_hits

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
# Words after a name at a sentence start that say it is a person ("Will said...").
NAME_VERBS = frozenset(
    [
        "said",
        "says",
        "told",
        "asked",
        "was",
        "is",
        "has",
        "had",
        "came",
        "went",
        "rang",
        "called",
        "helped",
        "would",
        "could",
        "wanted",
        "thought",
        "and",
        "who",
        "from",
        "'s",
        "’s",
        "texted",
        "phoned",
        "emailed",
        "explained",
        "suggested",
        "used",
        "gave",
        "got",
    ]
)
TITLE_WORD = re.compile(
    r"\b(?:"
    + "|".join(t.capitalize() for t in TITLES)
    + "|"
    + "|".join(t.upper() for t in TITLES)
    + r")\b"
)
LABEL = re.compile(r"^[^\S\n]*([A-Za-z][\w .'’-]{0,29}):")
LOWER_WORD = re.compile(r"\b[a-z][a-z'’-]+\b")
CAPITALISED = re.compile(r"[A-Z][A-Za-z'’]*[a-z][A-Za-z'’]*")
ACRONYMS = re.compile(r"[A-Z]{2,}s")  # GPs, OTs, HCAs
SENTENCE_END = set('.!?…:;"“”‘—–-]')  # "]": after a note such as [laughs]
CONFIDENCE_RANK = {"possible": 0, "certain": 1}
# Bump whenever a rule or word list changes what is found: remembered results of an
# older scanner are then never trusted.
SCANNER_VERSION = 1
NER_MODELS = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm")


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


@dataclass
class _Hit:
    start: int
    end: int
    kind: str
    confidence: str


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    left = text[max(0, start - width) : start].split("\n")[-1]
    right = text[end : end + width].split("\n")[0]
    return f"{left}[{text[start:end]}]{right}".strip()


def finding_context(text: str, start: int, end: int) -> str:
    """The context a finding at ``text[start:end]`` shows (its line, 40 characters each side)."""
    return _context(text, start, end)


def _norm(word: str) -> str:
    return word.lower().replace("’", "'")


@lru_cache(maxsize=1)
def _blank() -> Any:
    import spacy  # lazy: ~1 s to import, needed only when names are checked

    return spacy.blank("en")


class NameIndex:
    """The word lists a check runs with: known names, the key's names, the allow-list."""

    def __init__(self, key_names: Iterable[str] = (), allow: Iterable[str] = ()) -> None:
        from spacy.matcher import Matcher, PhraseMatcher  # lazy, as _blank

        nlp = _blank()
        self.allowed = {_norm(a) for a in allow if a.strip()}
        # A full name matches in any case; a first name or surname alone only as the key
        # writes it (capitalised), and never one that is also a word ("Will", "Wood" is
        # checked by context or not at all), so the key does not stop exports on "will".
        self.key = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.key_parts = PhraseMatcher(nlp.vocab, attr="ORTH")
        full, parts = [], []
        for name in key_names:
            name = " ".join(name.split())
            if not name or _norm(name) in COMMON_CAPITALISED | PLACEHOLDERS:
                continue
            words = name.split(" ")
            if len(words) == 1:
                (parts if name[:1].isupper() else full).append(nlp.make_doc(name))
                continue
            full.append(nlp.make_doc(name))
            parts += [
                nlp.make_doc(w)
                for w in words
                if len(w) > 1
                and w[:1].isupper()
                and _norm(w) not in AMBIGUOUS_GIVEN_NAMES
                and _norm(w) not in COMMON_CAPITALISED
            ]
        if full:
            self.key.add("KEY", full)
        if parts:
            self.key_parts.add("KEY", parts)
        self.has_key = bool(full or parts)
        self.titles = Matcher(nlp.vocab)
        title = {"ORTH": {"IN": [t.capitalize() for t in TITLES] + [t.upper() for t in TITLES]}}
        dot = {"ORTH": ".", "OP": "?"}
        self.titles.add("TITLE", [[title, dot, {"TEXT": {"REGEX": r"^[A-Z][A-Za-z'’-]*[a-z]"}}]])


def _label_end(line: str) -> int:
    """Where a speaker label ends on this line (0: no label)."""
    m = LABEL.match(line)
    return m.end(1) if m else 0


def _at_sentence_start(line: str, pos: int, label_end: int) -> bool:
    i = pos - 1
    while i >= 0 and line[i] in " \t":
        i -= 1
    if i < 0 or (label_end and i == label_end):
        return True
    return line[i] in SENTENCE_END


NAME_WORDS = GIVEN_NAMES | SURNAMES | AMBIGUOUS_GIVEN_NAMES
KNOWN_NAMES = GIVEN_NAMES | SURNAMES
WORDISH = re.compile(r"[A-Za-z][A-Za-z'’]*")


def worth_tokenizing(line: str, index: NameIndex, capitalised_seen: set[str]) -> bool:
    """False only when no name rule could fire on this line, so spaCy can skip it.

    Most lines hold only sentence-initial and common capitalised words; deciding
    that with a regex first makes the check several times faster. Conservative:
    anything the token rules might report keeps the line.
    """
    if index.has_key or TITLE_WORD.search(line):
        return True
    label_end = _label_end(line)
    # A word starting in lower case can only be reported as a known name the corpus also
    # capitalises; one set intersection over the line's words (found in C) rules that out.
    lows = set(WORDISH.findall(line.lower().replace("’", "'")))
    lows |= {w[:-2] for w in lows if w.endswith("'s")}
    check_lower = not (lows & KNOWN_NAMES).isdisjoint(capitalised_seen)
    for m in WORDISH.finditer(line):
        word = m.group()
        if not check_lower and word[0].islower():
            continue
        norm = _norm(word)
        low = norm[:-2] if norm.endswith("'s") else norm
        if low in index.allowed and norm in index.allowed:
            continue
        if not CAPITALISED.fullmatch(word):
            if (low in GIVEN_NAMES or low in SURNAMES) and low in capitalised_seen:
                return True
            continue
        if low in NAME_WORDS:
            return True
        if m.start() < label_end:
            if low in ROLE_LABELS and norm == low and not line[: m.start()].strip():
                continue  # "Interviewer:" opening a line: never a finding, label or heading
            return True
        if low in COMMON_CAPITALISED or low in INSTITUTION_WORDS or ACRONYMS.fullmatch(word):
            continue
        i = m.start() - 1
        while i >= 0 and line[i] in " \t":
            i -= 1
        if i >= 0 and line[i] not in SENTENCE_END:
            return True  # a capitalised word in mid-sentence
    return False


def _line_hits(
    line: str,
    index: NameIndex,
    lower_seen: Counter[str],
    capitalised_seen: set[str],
    labels: Counter[str] | None = None,
) -> list[_Hit]:
    """Name findings in one line (offsets within the line)."""
    if not worth_tokenizing(line, index, capitalised_seen):
        return []
    doc = _blank().make_doc(line)
    hits: list[_Hit] = []
    if index.has_key:
        for _, s, e in index.key(doc):
            hits.append(
                _Hit(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), "name from the key", "certain")
            )
        for _, s, e in index.key_parts(doc):
            if _norm(doc[s:e].text) not in index.allowed:
                hits.append(
                    _Hit(
                        doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), "name from the key", "certain"
                    )
                )
    for _, s, e in index.titles(doc) if TITLE_WORD.search(line) else ():
        if _norm(doc[e - 1].text) not in index.allowed:
            hits.append(
                _Hit(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), "title and name", "certain")
            )
    label_end = _label_end(line)
    if label_end and labels is not None and labels[line[:label_end].strip()] < 2:
        label_end = -label_end  # said once: a heading ("Reciprocity: ..."), not a speaker
    for i, tok in enumerate(doc):
        word = _norm(tok.text)
        if word in index.allowed:
            continue
        if not CAPITALISED.fullmatch(tok.text):
            if (
                (word in GIVEN_NAMES or word in SURNAMES)
                and tok.text.islower()
                and word in capitalised_seen
                and word not in AMBIGUOUS_GIVEN_NAMES
            ):
                hits.append(_Hit(tok.idx, tok.idx + len(tok), "name in lower case", "possible"))
            continue
        kind = _name_kind(doc, i, line, label_end, word, lower_seen)
        if kind is not None:
            hits.append(_Hit(tok.idx, tok.idx + len(tok), *kind))
    return hits


def _name_kind(
    doc: Any, i: int, line: str, label_end: int, word: str, lower_seen: Counter[str]
) -> tuple[str, str] | None:
    """(kind, confidence) for a capitalised token, or None when it is not a name."""
    tok = doc[i]
    nxt = doc[i + 1] if i + 1 < len(doc) else None
    in_label = tok.idx < label_end
    label_end = abs(label_end)
    bracketed = i > 0 and doc[i - 1].text in "([{"
    at_start = not in_label and not bracketed and _at_sentence_start(line, tok.idx, label_end)
    if in_label and word in ROLE_LABELS:
        return None
    if bracketed and word in PLACEHOLDERS:
        return None
    known = word in GIVEN_NAMES or word in SURNAMES
    if word in AMBIGUOUS_GIVEN_NAMES:
        after = _norm(nxt.text) if nxt is not None else ""
        named_by_context = (
            in_label
            or not at_start
            or after in NAME_VERBS
            or after in (")", "]")
            or after in SURNAMES
            or (word == "will" and after.isalpha() and after not in SUBJECT_WORDS)
        )
        return ("name", "certain") if named_by_context else None
    if known:
        return "name", "certain"
    if word in COMMON_CAPITALISED or word in INSTITUTION_WORDS or ACRONYMS.fullmatch(tok.text):
        return None
    if nxt is not None and nxt.like_num:
        return None  # "Site 3", "Room 12"
    if nxt is not None and CAPITALISED.fullmatch(nxt.text) and _norm(nxt.text) in INSTITUTION_WORDS:
        return None  # an organisation or a place, as "Education Centre"
    if in_label:
        return "possible name (speaker label)", "possible"
    if at_start:
        return None
    if lower_seen[word] >= 2:
        return None
    return "possible name", "possible"


def _ner_hits(ner: Any, line: str) -> list[_Hit]:
    """People found by a trained pipeline's NER (possible findings)."""
    return [
        _Hit(e.start_char, e.end_char, "person (NER)", "possible")
        for e in ner(line).ents
        if e.label_ in ("PERSON", "PER")
    ]


def merge_hits(hits: list[_Hit]) -> list[_Hit]:
    """One finding per place: overlapping or space-joined hits merge, the surer kind wins."""
    merged: list[_Hit] = []
    for h in sorted(hits, key=lambda h: (h.start, -h.end)):
        last = merged[-1] if merged else None
        if last is not None and h.start <= last.end + 1 and _joinable(last, h):
            better = h if CONFIDENCE_RANK[h.confidence] > CONFIDENCE_RANK[last.confidence] else last
            merged[-1] = _Hit(last.start, max(last.end, h.end), better.kind, better.confidence)
        else:
            merged.append(_Hit(h.start, h.end, h.kind, h.confidence))
    return merged


def _joinable(a: _Hit, b: _Hit) -> bool:
    if b.start < a.end:
        return True  # overlapping
    names = ("name", "title", "person", "possible name")
    return any(a.kind.startswith(n) for n in names) and any(b.kind.startswith(n) for n in names)


def find_leaks(
    documents: Sequence[tuple[str, str]],
    *,
    allow: Iterable[str] = (),
    key_names: Iterable[str] = (),
    ner: Any = None,
) -> list[Finding]:
    """Scan ``(name, text)`` pairs; most certain first, then by document and place.

    ``allow``: words the team checked (any case), never reported unless they are in
    the key. ``key_names``: real names from the pseudonymisation key (always certain).
    ``ner``: a spaCy pipeline with an NER component, or None.
    """
    index = NameIndex(key_names, allow)
    lower_seen: Counter[str] = Counter()
    capitalised_seen: set[str] = set()
    for _, text in documents:
        # _norm on each word is lower() and ’ -> '; both patterns treat ’ and ' alike,
        # so normalising the whole text once finds the same words, several times faster.
        plain = text.replace("’", "'")
        lower_seen.update(LOWER_WORD.findall(plain))
        capitalised_seen.update(w.lower() for w in set(CAPITALISED.findall(plain)))
    findings: list[Finding] = []
    for name, text in documents:
        hits: list[_Hit] = []
        offset = 0
        lines = text.split("\n")
        labels = Counter(line[: _label_end(line)].strip() for line in lines if _label_end(line))
        for number, line in enumerate(lines, start=1):
            found = (
                [_Hit(h.start, h.end, h.kind, h.confidence) for h in pattern_hits(line)]
                if could_hold_pattern(line)
                else []
            )
            taken = [(h.start, h.end) for h in found]
            names = _line_hits(line, index, lower_seen, capitalised_seen, labels)
            if ner is not None and line.strip():
                names += _ner_hits(ner, line)
            found += [h for h in names if not any(s < h.end and h.start < e for s, e in taken)]
            for h in merge_hits(found):
                hits.append(h)
                findings.append(
                    Finding(
                        name,
                        number,
                        h.start + 1,
                        offset + h.start,
                        offset + h.end,
                        line[h.start : h.end],
                        h.kind,
                        h.confidence,
                        _context(line, h.start, h.end),
                    )
                )
            offset += len(line) + 1
    findings.sort(key=lambda f: (f.confidence != "certain", f.document, f.start))
    return findings


def installed_ner() -> Any:
    """A trained spaCy pipeline with NER if one is installed (largest English first), else None.

    ``$QUALCODE_NER_MODEL`` names one to use, or ``none`` to check without NER.
    """

    import spacy  # lazy, as _blank

    wanted = os.environ.get("QUALCODE_NER_MODEL", "").strip()
    if wanted.lower() == "none":
        return None
    names = (
        [wanted] if wanted else [m for m in NER_MODELS if m in spacy.util.get_installed_models()]
    )
    for model in names:
        try:
            nlp = spacy.load(
                model,
                disable=["parser", "lemmatizer", "tagger", "senter", "attribute_ruler", "textcat"],
            )
        except (OSError, ValueError):
            continue
        if "ner" in nlp.pipe_names:
            return nlp
    return None


def ner_pipeline_id() -> str:
    """Which NER pipeline :func:`installed_ner` would try, with its version, without loading it.

    Cheap (package metadata only), so a remembered scan can be checked before spaCy loads.
    """
    wanted = os.environ.get("QUALCODE_NER_MODEL", "").strip()
    if wanted.lower() == "none":
        return "none"
    found = []
    for model in [wanted] if wanted else NER_MODELS:
        try:
            found.append(f"{model} {metadata.version(model)}")
        except metadata.PackageNotFoundError:
            found.append(f"{model} absent")
    return "; ".join(found)
