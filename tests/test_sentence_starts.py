"""The array pass finds exactly the sentence starts spaCy's sentencizer finds.

Checked on every turn of the sample transcripts and layouts and on a large seeded
random corpus built to stress the tokenizer: abbreviations, numbers, initials,
ellipses, runs of punctuation, quotes and brackets, every sentence-ending
character the sentencizer knows, odd whitespace and line breaks.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from qualcode.ingest.layouts import parse_source
from qualcode.ingest.readers import read_transcript
from qualcode.ingest.segment import blank_pipeline, sentence_spans_many
from qualcode.ingest.sentence_starts import SentenceStarts, plain_sentencizer

SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts"
WORD_LIST = (
    "the ward staff said it was fine and we were not sure what to do about it "
    "I you He She They Dr Mr Mrs St Jan etc vs e.g i.e a.m. p.m. U.S. U.K. No. "
    "3.5 10 1,000 2nd £20 50% 9am O'Neil don't can't y'all it's won't ok OK Erm erm"
)
WORDS = WORD_LIST.split()
PUNCT = [".", "?", "!", "...", "…", "?!", "!!", "..", "....", ".?", "?.", ",", ";", ":", "-", "—"]
WRAP = ['"', "'", "(", ")", "[", "]", "“", "”", "‘", "’", "«", "»", "*", "_", "/"]
# Plain ASCII with pieces of special cases split by a space ("it 's", ": )", "Ph . D."),
# which spaCy's special cases can match across.
ASCII_PIECES = [*PUNCT[:-1], "'s", "'", ":", ")", "(", "Ph", "D.", "/", "a.m", "10a.m", "o", "O"]
ASCII_PIECES += ["em", "'em", "Mr", "e.g", "-", "=", ";", "*", "_", '"', "``", "''", "8", "<3", "D"]
ASCII_SPACE = [" ", " ", " ", " ", " ", "", "  ", "\n", "\n\n", " \n", "\n "]
SPACE = [" ", " ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", " \n ", "\r\n", "\u2028"]


@pytest.fixture(scope="module")
def nlp():
    return blank_pipeline()


def reference(nlp, texts: list[str]) -> list[list[int]]:
    return [[s.start_char for s in doc.sents] for doc in nlp.pipe(texts)]


def random_text(rng: random.Random, punct: list[str]) -> str:
    out: list[str] = []
    for _ in range(rng.randrange(0, 40)):
        r = rng.random()
        if r < 0.6:
            word = rng.choice(WORDS)
        elif r < 0.75:
            word = rng.choice(punct)
        elif r < 0.85:
            word = rng.choice(WRAP) + rng.choice(WORDS) + rng.choice(WRAP + PUNCT)
        else:
            word = rng.choice(WORDS) + rng.choice(punct) + rng.choice(WRAP + punct + [""])
        out.append(word)
        out.append(rng.choice(SPACE) if rng.random() < 0.9 else "")
    text = "".join(out)
    return text.strip() if rng.random() < 0.7 else text


def ascii_text(rng: random.Random) -> str:
    out: list[str] = []
    for _ in range(rng.randrange(1, 30)):
        out.append(rng.choice(WORDS) if rng.random() < 0.5 else rng.choice(ASCII_PIECES))
        out.append(rng.choice(ASCII_SPACE))
    return "".join(out).strip() if rng.random() < 0.8 else "".join(out)


def sample_turns() -> list[str]:
    pieces: list[str] = []
    files = sorted(SAMPLES.glob("S*.*")) + sorted((SAMPLES / "layouts").glob("*.*"))
    assert len(files) > 20
    for path in files:
        src = read_transcript(path)
        parsed = parse_source(src)
        text = parsed.text if parsed.text is not None else src.text
        pieces += [text[t.start : t.end] for t in parsed.turns]
        pieces.append(text)
    return pieces


def test_same_starts_as_the_sentencizer_on_every_sample_turn(nlp) -> None:
    pieces = sample_turns()
    starts = SentenceStarts(nlp, plain_sentencizer(nlp))
    assert list(starts.starts(pieces)) == reference(nlp, pieces)


def test_same_starts_as_the_sentencizer_on_a_random_corpus(nlp) -> None:
    rng = random.Random(18)
    every_end = sorted(nlp.get_pipe("sentencizer").punct_chars)
    texts = [random_text(rng, PUNCT) for _ in range(12_000)]
    texts += [random_text(rng, PUNCT + every_end) for _ in range(4_000)]
    texts += ["", " ", "\n", ".", "?!", "Why?", "Why? ", "Why?  ", 'Why?"', "Why? )", "a.b", "…"]
    starts = SentenceStarts(nlp, plain_sentencizer(nlp))
    got = list(starts.starts(texts))
    want = reference(nlp, texts)
    wrong = [(t, g, w) for t, g, w in zip(texts, got, want, strict=True) if g != w]
    assert wrong == []
    assert sum(len(w) > 1 for w in want) > 8_000  # the corpus has many multi-sentence texts


def test_same_starts_as_the_sentencizer_on_plain_ascii_with_split_special_cases(nlp) -> None:
    """Turns walked chunk by chunk, and those handed to the whole tokenizer, both agree."""
    rng = random.Random(5)
    texts = [ascii_text(rng) for _ in range(20_000)]
    starts = SentenceStarts(nlp, plain_sentencizer(nlp))
    got = list(starts.starts(texts))
    want = reference(nlp, texts)
    wrong = [(t, g, w) for t, g, w in zip(texts, got, want, strict=True) if g != w]
    assert wrong == []
    walked = [starts.chunks.walk(t) is not None for t in texts if t]
    assert 0.3 * len(walked) < sum(walked) < len(walked)  # both ways are exercised


def test_only_whitespace_lies_between_a_sentence_and_the_next(nlp) -> None:
    """Why a sentence may run to the next one's start before it is trimmed."""
    rng = random.Random(7)
    texts = sample_turns() + [random_text(rng, PUNCT) for _ in range(3_000)]
    for text, doc in zip(texts, nlp.pipe(texts), strict=True):
        sents = list(doc.sents)
        gaps = [text[a.end_char : b.start_char] for a, b in zip(sents, sents[1:], strict=False)]
        if sents:
            gaps.append(text[sents[-1].end_char :])
        assert all(not g or g.isspace() for g in gaps), text


def test_a_trained_or_extended_pipeline_keeps_its_own_sentences(nlp) -> None:
    extended = blank_pipeline()
    extended.add_pipe("merge_noun_chunks")  # any further component: spaCy's path
    assert plain_sentencizer(extended) is None
    assert plain_sentencizer(nlp) is not None
    text = "It went well. Then it didn't... but we coped.\n\nNext one"
    turns = [(0, len(text))]
    assert sentence_spans_many([(text, turns)], nlp) == sentence_spans_many(
        [(text, turns)], extended
    )


def test_a_turn_longer_than_the_pipeline_allows_is_refused(nlp) -> None:
    short = blank_pipeline()
    short.max_length = 10
    with pytest.raises(ValueError, match="E088"):
        sentence_spans_many([("x" * 11, [(0, 11)])], short)
