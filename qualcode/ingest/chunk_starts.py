"""The sentencizer's sentence starts from the tokens of a few chunks of a turn, not all.

spaCy's tokenizer splits a text at whitespace and tokenizes each chunk (a run of
non-space characters, or a run of whitespace other than one separating space) on
its own; its special cases then run over the whole Doc, where a special case may
match tokens on both sides of a space (``it 's``, ``: )``). Only the tokens from a
sentence-ending character up to the next word decide a sentence start, so for
each chunk holding one of those characters (and a following chunk that starts
with punctuation) its own tokens are looked up, cached by the chunk's text.

That is exactly the tokens the whole text would give unless a special case could
match across a space at one of those chunks' edges; ``walk`` returns None then
(and for text with whitespace other than spaces and line breaks), and the caller
tokenizes the whole turn. ``tests/test_sentence_starts.py`` checks the result
against the sentencizer itself.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from spacy.attrs import IDX, IS_PUNCT, ORTH
from spacy.tokenizer import Tokenizer

ATTRS = [ORTH, IS_PUNCT, IDX]
PLAIN_SPACE = " \n"  # whitespace ``walk`` handles; any other kind: None
CACHE_LIMIT = 50_000  # chunks remembered (a few MB): memory stays flat over any import


def special_pairs(tokenizer: Any) -> dict[str, tuple[tuple[str, str], ...]]:
    """Consecutive tokens (left, right) of every special case as the affix rules split it,
    by the characters on either side of the split: what a match across a space would see."""
    plain = Tokenizer(
        tokenizer.vocab,
        rules={},
        prefix_search=tokenizer.prefix_search,
        suffix_search=tokenizer.suffix_search,
        infix_finditer=tokenizer.infix_finditer,
        token_match=tokenizer.token_match,
        url_match=tokenizer.url_match,
    )
    pairs: dict[str, set[tuple[str, str]]] = {}
    for rule in tokenizer.rules:
        texts = [t.text for t in plain(rule)]
        for left, right in zip(texts, texts[1:], strict=False):
            pairs.setdefault(left[-1] + right[0], set()).add((left, right))
    return {k: tuple(sorted(v)) for k, v in pairs.items()}


class ChunkWalk:
    """Sentence starts of one text, or None when it needs the whole tokenizer."""

    def __init__(self, tokenizer: Any, end_hashes: set[int], end_chars: frozenset[str]) -> None:
        self.tokenizer = tokenizer
        self.end_hashes = end_hashes
        self.end_chars = end_chars
        self.ascii_ends = "".join(sorted(c for c in end_chars if c.isascii()))
        self.pairs = special_pairs(tokenizer)
        self.cache: dict[str, tuple[tuple[int, bool, bool], ...]] = {}
        spaces = [c for c in map(chr, range(0x3001)) if c.isspace() and c not in PLAIN_SPACE]
        self.ascii_space = [c for c in spaces if c.isascii()]
        self.other_space = frozenset(spaces)  # U+3000 is the last whitespace character

    def walk(self, text: str) -> list[int] | None:
        """The sentencizer's starts for ``text`` (not empty), or None (see the notes)."""
        if text.isascii():  # the common case: a few str.find calls, no set of characters
            for c in self.ascii_space:
                if c in text:
                    return None
            ends = self.ascii_ends
        else:
            chars = set(text)
            if not chars.isdisjoint(self.other_space):
                return None
            ends = "".join(chars & self.end_chars)
        find, rfind, pairs = text.find, text.rfind, self.pairs
        n = len(text)
        lines = "\n" in text
        starts = [0]
        cursor = 0
        while True:
            at = -1  # the next sentence-ending character
            for c in ends:
                i = find(c, cursor) if at < 0 else find(c, cursor, at)
                if i >= 0:
                    at = i
            if at < 0:
                return starts
            begin = rfind(" ", 0, at) + 1
            if lines:
                begin = max(begin, rfind("\n", 0, at) + 1)
            seen = False
            while True:  # a chunk whose tokens count, then the ones after it while needed
                end = find(" ", begin)
                if end < 0:
                    end = n
                if lines:
                    i = find("\n", begin, end)
                    if i >= 0:
                        end = i
                # Could a special case match across the single space at either edge?
                if begin >= 2 and text[begin - 1] == " ":
                    for left, right in pairs.get(text[begin - 2] + text[begin], ()):
                        if text.startswith(right, begin) and text.endswith(left, 0, begin - 1):
                            return None
                if end + 1 < n and text[end] == " ":
                    for left, right in pairs.get(text[end - 1] + text[end + 1], ()):
                        if text.startswith(right, end + 1) and text.endswith(left, 0, end):
                            return None
                for offset, is_end, is_punct in self._tokens(text[begin:end]):
                    if seen and not is_end and not is_punct:
                        starts.append(begin + offset)
                        seen = False
                    elif is_end:
                        seen = True
                cursor = end
                if not seen:
                    break
                # After a sentence end: the next token is whitespace, a word or punctuation.
                if cursor >= n or (text[cursor] == " " and cursor + 1 >= n):
                    return starts
                if text[cursor] == "\n" or text[cursor + 1] in PLAIN_SPACE:
                    starts.append(cursor + (text[cursor] == " "))  # a whitespace token
                    break
                cursor += 1  # past the one space between two chunks
                first = text[cursor]
                if first not in self.end_chars and unicodedata.category(first)[0] != "P":
                    starts.append(cursor)  # its first token holds a non-punctuation character
                    break
                begin = cursor

    def _tokens(self, chunk: str) -> tuple[tuple[int, bool, bool], ...]:
        """(offset, is a sentence-ending string, is punctuation) of each token of the chunk."""
        tokens = self.cache.get(chunk)
        if tokens is None:
            if len(self.cache) >= CACHE_LIMIT:
                self.cache.clear()
            array = self.tokenizer(chunk).to_array(ATTRS).tolist()
            tokens = tuple((idx, orth in self.end_hashes, bool(p)) for orth, p, idx in array)
            self.cache[chunk] = tokens
        return tokens
