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
pipeline: no model download). Findings are made line by line, so a huge document
never becomes one huge spaCy Doc, but the search for where to look runs over each
whole document at once (``leak_lines``, ``leak_patterns.document_pattern_hits``):
only lines where a rule could fire are tokenized or matched.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import Any

from qualcode.analysis.leak_lines import (
    ACRONYMS,
    CAPITALISED,
    KNOWN_NAMES,
    LABEL,
    SENTENCE_END,
    TITLE_WORD,
    TITLES,
    CapitalWords,
    candidate_lines,
    key_lines,
    line_starts,
    lower_case_counts,
    lower_name_lines,
)
from qualcode.analysis.leak_lines import norm as _norm
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
from qualcode.analysis.leak_patterns import PatternHit, document_pattern_hits

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
CONFIDENCE_RANK = {"possible": 0, "certain": 1}
# Bump whenever a rule or word list changes what is found: remembered results of an
# older scanner are then never trusted.
SCANNER_VERSION = 1  # the whole-document search finds what the line-by-line one did
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
    rare: str = ""  # a possible name that stands only if this word is rare in lower case


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    left = text[max(0, start - width) : start].split("\n")[-1]
    right = text[end : end + width].split("\n")[0]
    return f"{left}[{text[start:end]}]{right}".strip()


def finding_context(text: str, start: int, end: int) -> str:
    """The context a finding at ``text[start:end]`` shows (its line, 40 characters each side)."""
    return _context(text, start, end)


@lru_cache(maxsize=1)
def _blank() -> Any:
    import spacy  # lazy: ~1 s to import, needed only when names are checked

    return spacy.blank("en")


class NameIndex:
    """The word lists a check runs with: known names, the key's names, the allow-list."""

    def __init__(self, key_names: Iterable[str] = (), allow: Iterable[str] = ()) -> None:
        from spacy.matcher import Matcher, PhraseMatcher  # lazy, as _blank

        nlp = _blank()
        self.allowed = allowed_words(allow)
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
        # The first word of each key name: a line without one cannot match the key.
        self.first_words = [d[0].text for d in full + parts if len(d)]
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


class _TokenClasses:
    """Which tokens the name rules look at, decided once per distinct token text."""

    SKIP, LOWER, NAME = 0, 1, 2

    def __init__(self, allowed: set[str], capitalised_seen: set[str]) -> None:
        self.allowed = allowed
        self.capitalised_seen = capitalised_seen
        self.known: dict[int, int] = {}

    def of(self, doc: Any) -> list[tuple[int, int]]:
        """(index, class) of each token in ``doc`` that is not skipped."""
        out = []
        known = self.known
        for i, orth in enumerate(doc.to_array("ORTH").tolist()):
            cls = known.get(orth)
            if cls is None:
                cls = known[orth] = self._classify(doc.vocab.strings[orth])
            if cls:
                out.append((i, cls))
        return out

    def _classify(self, text: str) -> int:
        word = _norm(text)
        if word in self.allowed:
            return self.SKIP
        if CAPITALISED.fullmatch(text):
            return self.NAME
        if (
            (word in GIVEN_NAMES or word in SURNAMES)
            and text.islower()
            and word in self.capitalised_seen
            and word not in AMBIGUOUS_GIVEN_NAMES
        ):
            return self.LOWER
        return self.SKIP


def _line_hits(
    line: str,
    index: NameIndex,
    classes: _TokenClasses,
    labels: Counter[str] | None = None,
) -> list[_Hit]:
    """Name findings in one line (offsets within the line)."""
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
    for i, cls in classes.of(doc):
        tok = doc[i]
        if cls == classes.LOWER:
            hits.append(_Hit(tok.idx, tok.idx + len(tok), "name in lower case", "possible"))
            continue
        word = _norm(tok.text)
        kind = _name_kind(doc, i, line, label_end, word)
        if kind is not None:
            found, confidence, rare = kind
            hits.append(_Hit(tok.idx, tok.idx + len(tok), found, confidence, word if rare else ""))
    return hits


def _name_kind(
    doc: Any, i: int, line: str, label_end: int, word: str
) -> tuple[str, str, bool] | None:
    """(kind, confidence, rare) for a capitalised token, or None when it is not a name.

    ``rare``: the finding stands only if the word occurs fewer than twice in lower case
    in the corpus (counted once the whole corpus is read).
    """
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
        return ("name", "certain", False) if named_by_context else None
    if known:
        return "name", "certain", False
    if word in COMMON_CAPITALISED or word in INSTITUTION_WORDS or ACRONYMS.fullmatch(tok.text):
        return None
    if nxt is not None and nxt.like_num:
        return None  # "Site 3", "Room 12"
    if nxt is not None and CAPITALISED.fullmatch(nxt.text) and _norm(nxt.text) in INSTITUTION_WORDS:
        return None  # an organisation or a place, as "Education Centre"
    if in_label:
        return "possible name (speaker label)", "possible", False
    if at_start:
        return None
    return "possible name", "possible", True


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


@dataclass
class FirstPass:
    """What a scan finds without spaCy: per document (in order) its pattern findings and
    the lines a name rule could fire on (the key's lines aside), and the corpus's
    capitalised words. Passes over consecutive parts of a corpus add up with ``+``."""

    found: list[tuple[dict[int, list[PatternHit]], set[int]]]
    seen: set[str]

    def __add__(self, other: FirstPass) -> FirstPass:
        return FirstPass(self.found + other.found, self.seen | other.seen)


def allowed_words(allow: Iterable[str]) -> set[str]:
    """The allow-list as the rules compare words (normalised, blanks dropped)."""
    return {_norm(a) for a in allow if a.strip()}


def first_pass(documents: Sequence[tuple[str, str]], allow: Iterable[str] = ()) -> FirstPass:
    """The part of :func:`find_leaks` that needs no spaCy, so another process (one that has
    not loaded spaCy) can take a share of a large scan."""
    words = CapitalWords(allowed_words(allow))
    found = []
    for _, text in documents:
        lines = text.split("\n")
        starts = line_starts(lines)
        found.append(
            (document_pattern_hits(text, starts), candidate_lines(text, lines, starts, words))
        )
    return FirstPass(found, words.seen)


def find_leaks(
    documents: Sequence[tuple[str, str]],
    *,
    allow: Iterable[str] = (),
    key_names: Iterable[str] = (),
    ner: Any = None,
    first: FirstPass | None = None,
) -> list[Finding]:
    """Scan ``(name, text)`` pairs; most certain first, then by document and place.

    ``allow``: words the team checked (any case), never reported unless they are in
    the key. ``key_names``: real names from the pseudonymisation key (always certain).
    ``ner``: a spaCy pipeline with an NER component, or None. ``first``: the
    :func:`first_pass` of the first documents with the same ``allow``, done already
    (elsewhere); the rest is done here.
    """
    allow = list(allow)
    index = NameIndex(key_names, allow)
    # First every document's candidate lines and pattern findings (this also collects
    # the corpus's capitalised words), then the lower-case names and the tokens.
    done = first.found if first is not None else []
    rest = first_pass(documents[len(done) :], allow)
    first = rest if first is None else first + rest
    found_first = first.found  # per document: its pattern findings and candidate lines
    capitalised_seen = first.seen
    lower_names = KNOWN_NAMES & capitalised_seen
    classes = _TokenClasses(index.allowed, capitalised_seen)
    kept: list[tuple[str, int, int, str, list[_Hit]]] = []
    for (name, text), (patterns, named) in zip(documents, found_first, strict=True):
        lines = text.split("\n")  # split again rather than hold every document's lines
        starts = line_starts(lines)
        named = named | lower_name_lines(text, starts, lines, index.allowed, lower_names)
        if index.first_words:  # the key's lines: the key matchers need spaCy's first tokens
            named |= key_lines(text, starts, index.first_words)
        todo = set(patterns) | named
        if ner is not None:
            todo |= {i for i, line in enumerate(lines) if line.strip()}
        labels: Counter[str] | None = None
        for i in sorted(todo):
            line = lines[i]
            found = [_Hit(h.start, h.end, h.kind, h.confidence) for h in patterns.get(i, ())]
            taken = [(h.start, h.end) for h in found]
            names: list[_Hit] = []
            if i in named:
                if labels is None:
                    labels = Counter(m.group(1).strip() for m in map(LABEL.match, lines) if m)
                names = _line_hits(line, index, classes, labels)
            if ner is not None and line.strip():
                names += _ner_hits(ner, line)
            found += [h for h in names if not any(s < h.end and h.start < e for s, e in taken)]
            if found:
                kept.append((name, i, starts[i], line, found))
    rare = {h.rare for *_, found in kept for h in found if h.rare}
    counts = lower_case_counts((text for _, text in documents), rare) if rare else {}
    findings: list[Finding] = []
    for name, i, offset, line, found in kept:
        found = [h for h in found if not h.rare or counts[h.rare] < 2]
        for h in merge_hits(found):
            findings.append(
                Finding(
                    name,
                    i + 1,
                    h.start + 1,
                    offset + h.start,
                    offset + h.end,
                    line[h.start : h.end],
                    h.kind,
                    h.confidence,
                    _context(line, h.start, h.end),
                )
            )
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
