"""Sentence starts exactly as spaCy's sentencizer finds them, without its per-token loop.

spaCy's ``Sentencizer`` walks each Doc token by token and makes a Python ``Token``
for every one, which costs more than tokenizing the text. Its rule only needs
three numbers per token (text, is-punctuation flag, character offset), so the
same rule is applied here to the tokenizer's arrays for a batch of turns at once:

- the first token starts a sentence;
- after a token whose text is one of the sentence-ending strings (``punct_chars``),
  the next token that is neither punctuation nor one of those strings starts the
  next sentence.

Most turns do not need all their tokens: ``chunk_starts`` looks up only the chunks
around sentence ends. The others (unusual whitespace, or a special case that could
match across a space) are tokenized whole; of those, a turn whose sentence-ending
characters all sit in a closing run of punctuation ("Why not?", "Right...") is one
sentence whatever its tokens are. ``tests/test_sentence_starts.py`` checks the
starts against the sentencizer itself on every sample transcript and large random
corpora.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from spacy.attrs import IDX, IS_PUNCT, ORTH
from spacy.errors import Errors
from spacy.pipeline.sentencizer import Sentencizer

from qualcode.ingest.chunk_starts import ChunkWalk

ATTRS = [ORTH, IS_PUNCT, IDX]
BATCH = 1024  # turns per array pass: large enough that numpy's per-call cost vanishes


def plain_sentencizer(nlp: Any) -> Sentencizer | None:
    """The pipeline's sentencizer if it is the only component run, else None."""
    if list(nlp.pipe_names) != ["sentencizer"]:
        return None
    pipe = nlp.get_pipe("sentencizer")
    return pipe if type(pipe) is Sentencizer else None


class SentenceStarts:
    """The sentencizer's sentence starts (character offsets) for many texts."""

    def __init__(self, nlp: Any, sentencizer: Sentencizer) -> None:
        self.tokenizer = nlp.tokenizer
        self.max_length = nlp.max_length
        self.sentencizer = sentencizer
        self.punct = frozenset(sentencizer.punct_chars)
        punct = sorted(self.punct)
        self.hashes = np.array(sorted({nlp.vocab.strings.add(p) for p in punct}), dtype=np.uint64)
        self.end_chars = frozenset("".join(punct))
        self.ascii_ends = "".join(sorted(c for c in self.end_chars if c.isascii()))
        hashes = {int(h) for h in self.hashes}
        self.chunks = ChunkWalk(nlp.tokenizer, hashes, self.end_chars)

    def fits(self, nlp: Any, sentencizer: Sentencizer) -> bool:
        """Still right for this pipeline (its tokenizer, length limit and punctuation)?"""
        return (
            self.sentencizer is sentencizer
            and self.tokenizer is nlp.tokenizer
            and self.max_length == nlp.max_length
            and self.punct == sentencizer.punct_chars
        )

    def starts(self, texts: Iterable[str]) -> Iterator[list[int]]:
        """Each text's sentence starts, in order; ``[]`` for a text without tokens."""
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) == BATCH:
                yield from self._batch(batch)
                batch = []
        if batch:
            yield from self._batch(batch)

    def _batch(self, texts: list[str]) -> list[list[int]]:
        out: list[list[int]] = [[0] if text else [] for text in texts]
        tokenize = self.tokenizer
        todo: list[int] = []
        arrays: list[Any] = []
        for i, text in enumerate(texts):
            if len(text) > self.max_length:  # as nlp.pipe refuses it
                raise ValueError(Errors.E088.format(length=len(text), max_length=self.max_length))
            if not text:
                continue
            starts = self.chunks.walk(text)
            if starts is not None:
                out[i] = starts
                continue
            if self._one_sentence(text):
                continue
            todo.append(i)
            arrays.append(tokenize(text).to_array(ATTRS))  # arrays only: Docs are costly to keep
        for i, starts in zip(todo, self._starts(arrays), strict=True):
            out[i] = starts
        return out

    def _one_sentence(self, text: str) -> bool:
        """True when no token after the first can start a sentence.

        Every sentence-ending string is made of ``end_chars``, so no such token
        starts before the first of them; if everything from there on is
        punctuation (Unicode category P, spaCy's ``is_punct``), every token after
        one of them is punctuation too and starts nothing.
        """
        # str.find per character: a regular expression over the ~130 characters
        # was 15-40 times slower on a typical turn.
        ends = self.ascii_ends if text.isascii() else self.end_chars & set(text)
        first = len(text)
        for c in ends:
            at = text.find(c, 0, first)
            if at >= 0:
                first = at
        return all(unicodedata.category(c)[0] == "P" for c in text[first:])

    def _starts(self, arrays: list[Any]) -> list[list[int]]:
        """The sentencizer's rule over the concatenated token arrays of several texts."""
        out: list[list[int]] = [[] for _ in arrays]
        if not arrays:
            return out
        lens = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
        offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        if not offsets[-1]:
            return out
        tokens = np.concatenate([a for a in arrays if len(a)])
        ends = np.isin(tokens[:, 0], self.hashes)  # text is a sentence-ending string
        words = np.flatnonzero(~(ends | (tokens[:, 1] != 0)))  # neither that nor punctuation
        seen = np.zeros(len(tokens) + 1, dtype=np.int64)
        np.cumsum(ends, out=seen[1:])
        # A word starts a sentence when an ending string lies between it and the word
        # before it in the same text (or its text's start).
        before = np.empty_like(words)
        before[:1] = -1
        before[1:] = words[:-1]
        first = np.repeat(offsets[:-1], lens)
        before = np.maximum(before, first[words] - 1)
        starts = words[seen[words] > seen[before + 1]]
        starts = np.union1d(starts, offsets[:-1][lens > 0])  # each text's first token
        owner = np.searchsorted(offsets, starts, side="right") - 1
        for i, char in zip(owner.tolist(), tokens[starts, 2].tolist(), strict=True):
            out[i].append(char)
        return out
