"""The reader's model of a transcript: blocks (speaker turns), sentences, words, wrapped lines.

Pure Python (no Textual), so it can be built in a worker and tested alone. The
width-independent part (:class:`Transcript`) is built once per document; the
wrapped lines (:class:`Wrapped`) are rebuilt when the width changes. Offsets are
the document's character offsets, the same ones codings use.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_WORD_RE = re.compile(r"\w+(?:['’\-]\w+)*")
_SENTENCE_RE = re.compile(r"[^.!?…]+(?:[.!?…]+[\"'”’)\]]*|$)")
_LINE_RE = re.compile(r"[^\n]*")


@dataclass(frozen=True)
class Block:
    """A speaker turn, or text outside any turn (the header note), shown as one unit."""

    start: int
    end: int
    speaker: str | None
    is_participant: bool | None

    @property
    def is_turn(self) -> bool:
        return self.speaker is not None


def _strip_range(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _gap_blocks(text: str, start: int, end: int, next_speaker: str | None) -> list[Block]:
    """Text between turns: hide the next turn's label; keep anything else (a preamble)."""
    s, e = _strip_range(text, start, end)
    if s >= e:
        return []
    if next_speaker:
        m = re.search(
            r"(?:^|\n)[ \t]*(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?[\])]?[ \t]+)?"
            + re.escape(next_speaker)
            + r"[ \t]*:[ \t]*$",
            text[s:e],
        )
        if m:
            e = s + m.start()
            s, e = _strip_range(text, s, e)
    return [Block(s, e, None, None)] if s < e else []


class Transcript:
    """Blocks, sentences and words of one document (independent of the screen width)."""

    def __init__(
        self,
        text: str,
        turns: Sequence[tuple[int, int, str | None, bool | None]],
        sentences: Sequence[tuple[int, int]],
    ) -> None:
        self.text = text
        self.blocks = self._make_blocks(text, sorted(turns))
        self.block_starts = [b.start for b in self.blocks]
        self.sentences = self._make_sentences(sorted(sentences))
        self.sentence_starts = [s for s, _ in self.sentences]
        self._words: dict[int, tuple[array[int], array[int]]] = {}  # per block, on demand
        self.visible_chars = sum(b.end - b.start for b in self.blocks)

    # -- construction ------------------------------------------------------------
    @staticmethod
    def _make_blocks(
        text: str, turns: list[tuple[int, int, str | None, bool | None]]
    ) -> list[Block]:
        if not turns:
            return [Block(s, e, None, None) for s, e in _paragraphs(text, 0, len(text))]
        blocks: list[Block] = []
        pos = 0
        for start, end, speaker, is_part in turns:
            start = max(start, pos)
            blocks += _gap_blocks(text, pos, start, speaker)
            s, e = _strip_range(text, start, end)
            if s < e:
                blocks.append(Block(s, e, speaker or "", is_part))
            pos = max(pos, end)
        blocks += _gap_blocks(text, pos, len(text), None)
        return blocks

    def _make_sentences(self, given: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Stored sentences clipped to blocks; blocks without any get regex sentences."""
        out: list[tuple[int, int]] = []
        gi = 0
        for b in self.blocks:
            while gi < len(given) and given[gi][1] <= b.start:
                gi += 1
            inside = []
            j = gi
            while j < len(given) and given[j][0] < b.end:
                s, e = _strip_range(self.text, max(given[j][0], b.start), min(given[j][1], b.end))
                if s < e:
                    inside.append((s, e))
                j += 1
            out += inside or list(_regex_sentences(self.text, b.start, b.end))
        return out

    def _block_words(self, bi: int) -> tuple[array[int], array[int]]:
        """Word starts and ends of one block, found the first time they are needed."""
        words = self._words.get(bi)
        if words is None:
            b = self.blocks[bi]
            spans = [m.span() for m in _WORD_RE.finditer(self.text, b.start, b.end)]
            words = (array("i", [x for x, _ in spans]), array("i", [y for _, y in spans]))
            self._words[bi] = words
        return words

    # -- lookups -------------------------------------------------------------------
    def block_index(self, offset: int) -> int:
        return max(0, bisect_right(self.block_starts, offset) - 1)

    def sentence_index(self, offset: int) -> int:
        """The sentence holding ``offset`` (or the next one, if it falls between sentences)."""
        if not self.sentences:
            return 0
        i = bisect_right(self.sentence_starts, offset) - 1
        if i < 0:
            return 0
        if offset >= self.sentences[i][1] and i + 1 < len(self.sentences):
            return i + 1
        return i

    def _word_pos(self, offset: int) -> tuple[int, int]:
        """(block, index in block) of the word holding ``offset``, else the next word."""
        if not self.blocks:
            return (-1, -1)
        bi = self.block_index(offset)
        starts, ends = self._block_words(bi)
        i = bisect_right(starts, offset) - 1
        if i < 0 or offset >= ends[i]:
            i += 1
        while i >= len(starts):  # past this block's last word: the next block's first
            if bi + 1 >= len(self.blocks):
                return self._last_word()
            bi, i = bi + 1, 0
            starts, ends = self._block_words(bi)
        return (bi, i)

    def _last_word(self) -> tuple[int, int]:
        for bi in range(len(self.blocks) - 1, -1, -1):
            n = len(self._block_words(bi)[0])
            if n:
                return (bi, n - 1)
        return (-1, -1)

    def word_at(self, offset: int) -> tuple[int, int]:
        """The word holding ``offset`` (or the next one); ``(offset, offset)`` if there is none."""
        bi, i = self._word_pos(offset)
        if bi < 0:
            return (offset, offset)
        starts, ends = self._block_words(bi)
        return starts[i], ends[i]

    def word_step(self, offset: int, delta: int) -> tuple[int, int]:
        """The word ``delta`` words after (or before) the word at ``offset``; stops at the ends."""
        bi, i = self._word_pos(offset)
        if bi < 0:
            return (offset, offset)
        i += delta
        while i < 0 and bi > 0:
            bi -= 1
            i += len(self._block_words(bi)[0])
        while i >= len(self._block_words(bi)[0]) and bi + 1 < len(self.blocks):
            i -= len(self._block_words(bi)[0])
            bi += 1
        starts, ends = self._block_words(bi)
        if not len(starts):
            return self.word_at(offset)
        i = min(max(i, 0), len(starts) - 1)
        return starts[i], ends[i]

    def sentence(self, i: int) -> tuple[int, int]:
        if not self.sentences:
            return (0, 0)
        return self.sentences[min(max(i, 0), len(self.sentences) - 1)]

    def trim(self, start: int, end: int) -> tuple[int, int]:
        return _strip_range(self.text, start, end)


def _paragraphs(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    for m in re.finditer(r"(?:[^\n]|\n(?![ \t]*\n))+", text[start:end]):
        s, e = _strip_range(text, start + m.start(), start + m.end())
        if s < e:
            yield s, e


def _regex_sentences(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    for m in _SENTENCE_RE.finditer(text, start, end):
        s, e = _strip_range(text, m.start(), m.end())
        if s < e:
            yield s, e


class Wrapped:
    """The transcript as display lines at one width.

    Line ``i`` shows ``text[starts[i]:ends[i]]``; ``blocks[i]`` is its block, or
    -1 for the blank line between blocks; ``first[i]`` marks a block's first line
    (where the speaker label is drawn).
    """

    def __init__(self, transcript: Transcript, width: int) -> None:
        self.width = width = max(width, 8)
        text = transcript.text
        starts, ends, blocks, first = array("i"), array("i"), array("i"), array("b")
        for bi, b in enumerate(transcript.blocks):
            if bi:
                starts.append(b.start)
                ends.append(b.start)
                blocks.append(-1)
                first.append(0)
            is_first = 1
            for lm in _LINE_RE.finditer(text, b.start, b.end):
                ls, le = lm.start(), lm.end()
                if lm.group() == "" and ls > b.start and text[ls - 1] != "\n":
                    continue  # the empty match after a line's end
                for s, e in _wrap_line(text, ls, le, width):
                    starts.append(s)
                    ends.append(e)
                    blocks.append(bi)
                    first.append(is_first)
                    is_first = 0
        self.starts, self.ends, self.blocks, self.first = starts, ends, blocks, first

    def __len__(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """The display line showing ``offset``."""
        i = bisect_right(self.starts, offset) - 1
        while i > 0 and self.blocks[i] < 0:
            i -= 1
        return max(i, 0)

    def offset_at(self, line: int, column: int) -> int:
        line = min(max(line, 0), len(self) - 1)
        s, e = self.starts[line], self.ends[line]
        return min(s + max(column, 0), max(s, e - 1)) if e > s else s


def _wrap_line(text: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of ``text[start:end]`` (no newlines inside) into ranges.

    Breaks after the last space that fits (one ``rfind`` per display line, not a
    step per word); a word longer than a line is cut.
    """
    if end - start <= width:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    pos = start
    while end - pos > width:
        limit = pos + width
        space = text.rfind(" ", pos, limit + 1)
        if space <= pos:
            out.append((pos, limit))
            pos = limit
            continue
        nxt = space + 1
        while nxt < end and text[nxt] == " ":
            nxt += 1
        out.append((pos, nxt))
        pos = nxt
    if pos < end or not out:
        out.append((pos, end))
    return out


def bisect_range(starts: Sequence[int], lo: int, hi: int) -> tuple[int, int]:
    """Indexes of sorted ``starts`` in ``[lo, hi)``."""
    return bisect_left(starts, lo), bisect_left(starts, hi)
