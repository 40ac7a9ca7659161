"""Sentence segmentation with spaCy, one Doc per speaker turn, in one process.

The default is ``spacy.blank("en")`` with the rule-based sentencizer (fast, no
model to install), its punctuation extended with "..." and "…", which interview
transcripts use a lot. An ellipsis ends a sentence only when the next word starts
with a capital: "so much as... that's just" stays one sentence. A blank line
(a new paragraph) always starts a sentence. A trained pipeline is used instead
when one is configured and installed (its parser or senter finds the sentences).
For the tokenizer + sentencizer alone, ``sentence_starts`` applies the
sentencizer's rule to the tokenizer's arrays: the same sentences, faster.

spaCy is imported on first use (it takes about a second) and the pipeline is
cached for the life of the process. ``n_process`` stays 1: for these cheap
pipelines spaCy's own worker processes are many times slower. A large import
segments in one second process instead (``segment_worker``), beside its parsing
and storing, not beside other segmenting.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

ELLIPSES = ("...", "…")
DEFAULT_PIPELINE = "blank:en"
# spaCy's 1M-character guard protects trained parsers' memory; a tokenizer and the
# sentencizer need little, so a long unlabelled text (one turn) is still segmented.
BLANK_MAX_LENGTH = 50_000_000
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\f]*\n\s*")
_cache: dict[str, tuple[Any, str | None]] = {}
_finders: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()  # per pipeline
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget cached pipelines (the next load starts with cold caches, as a new process)."""
    with _lock:
        _cache.clear()
        _finders.clear()


def load_pipeline(name: str | None = None) -> tuple[Any, str | None]:
    """The (cached) spaCy pipeline and a warning if a configured one could not be loaded."""
    key = name or DEFAULT_PIPELINE
    with _lock:
        if key not in _cache:
            _cache[key] = _build(key)
        return _cache[key]


def is_loaded(name: str | None = None) -> bool:
    """Whether this process holds the pipeline already (loading it costs about a second)."""
    with _lock:
        return (name or DEFAULT_PIPELINE) in _cache


def blank_pipeline() -> Any:
    """A new (uncached) ``spacy.blank("en")`` + sentencizer with the ellipses added."""
    # lazy: spaCy takes about 0.4 s to import; only segmenting text needs it
    import spacy
    from spacy.pipeline.sentencizer import Sentencizer

    nlp = spacy.blank("en")
    nlp.max_length = BLANK_MAX_LENGTH
    punct = list(Sentencizer.default_punct_chars) + [
        p for p in ELLIPSES if p not in Sentencizer.default_punct_chars
    ]
    nlp.add_pipe("sentencizer", config={"punct_chars": punct})
    return nlp


def _build(key: str) -> tuple[Any, str | None]:
    if key == DEFAULT_PIPELINE:
        return blank_pipeline(), None
    import spacy  # lazy: as in blank_pipeline, only segmenting text needs spaCy

    try:
        nlp = spacy.load(key)
    except (OSError, ImportError, ValueError) as e:
        return blank_pipeline(), (
            f"spaCy pipeline {key!r} is not installed or cannot be loaded "
            f"({str(e).splitlines()[0][:100]}); using the rule-based sentencizer."
        )
    names = nlp.component_names
    if "senter" in names:
        keep = ["senter"]
    elif "parser" in names:
        keep = [n for n in ("tok2vec", "transformer", "parser") if n in names]
    else:
        keep = []
    nlp.select_pipes(enable=keep)
    if not keep:
        nlp.add_pipe("sentencizer", config={"punct_chars": None})
    return nlp, None


def sentence_spans(
    text: str, turns: Sequence[tuple[int, int]], nlp: Any, batch_size: int = 256
) -> list[tuple[int, int, int]]:
    """Sentences of each turn as ``(start, end, turn_index)`` offsets into ``text``."""
    return sentence_spans_many([(text, turns)], nlp, batch_size)[0]


def sentence_spans_many(
    texts: Sequence[tuple[str, Sequence[tuple[int, int]]]], nlp: Any, batch_size: int = 256
) -> list[list[tuple[int, int, int]]]:
    """``sentence_spans`` for several texts through one stream of turns.

    One stream over many transcripts keeps spaCy's caches warm: segmenting a file,
    storing it, then segmenting the next made spaCy's share of an import about a
    fifth slower than the same work done in one run.
    """
    pieces = [[text[a:b] for a, b in turns] for text, turns in texts]  # sliced once
    starts = _starts(nlp, (p for ps in pieces for p in ps), batch_size)
    return [
        _turn_sentences(turns, ps, starts) for (_, turns), ps in zip(texts, pieces, strict=True)
    ]


def _starts(nlp: Any, pieces: Iterable[str], batch_size: int) -> Iterator[list[int]]:
    """Each piece's sentence starts: the sentencizer's rule over token arrays when the
    pipeline is the tokenizer + sentencizer alone (same starts, a fraction of the
    time), else the pipeline's own sentences (a trained parser or senter)."""
    # lazy: the array pass needs numpy and spaCy, which only segmenting text loads
    from qualcode.ingest.sentence_starts import SentenceStarts, plain_sentencizer

    sentencizer = plain_sentencizer(nlp)
    if sentencizer is None:
        return (
            [s.start_char for s in doc.sents] for doc in nlp.pipe(pieces, batch_size=batch_size)
        )
    with _lock:  # built once per pipeline: it prepares the special cases and keeps a cache
        finder = _finders.get(nlp)
        if finder is None or not finder.fits(nlp, sentencizer):
            finder = _finders[nlp] = SentenceStarts(nlp, sentencizer)
    return finder.starts(pieces)


def _turn_sentences(
    turns: Sequence[tuple[int, int]], pieces: list[str], starts: Iterator[list[int]]
) -> list[tuple[int, int, int]]:
    """Each turn's sentences as text offsets, trimmed of the whitespace around them.

    A sentence runs to the next one's start: only whitespace lies between a
    sentence's last token and the next sentence's first, and it is trimmed.
    """
    out: list[tuple[int, int, int]] = []
    append = out.append
    for index, ((a, _), piece) in enumerate(zip(turns, pieces, strict=True)):
        firsts = next(starts)
        if not firsts:
            continue
        if "\n" in piece or "..." in piece or "\u2026" in piece:
            firsts = _adjust(piece, firsts)
        ends = firsts[1:]
        ends.append(len(piece))
        for st, en in zip(firsts, ends, strict=True):
            # A sentence may start with a whitespace token (after a line break), and
            # after the adjustments above it runs up to the next one's start.
            while st < en and piece[st].isspace():
                st += 1
            while en > st and piece[en - 1].isspace():
                en -= 1
            if st < en:
                append((a + st, a + en, index))
    return out


def _adjust(piece: str, spacy_starts: Iterable[int]) -> list[int]:
    """Add paragraph breaks as sentence starts; join "..." + lowercase continuations."""
    starts = set(spacy_starts)
    starts.add(0)
    paragraphs: set[int] = set()
    if "\n" in piece:
        paragraphs = {m.end() for m in _PARAGRAPH_BREAK.finditer(piece)}
        starts |= paragraphs
    kept: list[int] = []
    n = len(piece)
    for st in sorted(starts):
        if kept and st not in paragraphs:
            first = st
            while first < n and piece[first].isspace():
                first += 1
            if (
                first < n
                and piece[first].islower()
                and piece[kept[-1] : st].rstrip().endswith(ELLIPSES)
            ):
                continue  # "so much as... that's just" is one sentence
        kept.append(st)
    return kept
