"""The reader's layout model (no Textual): blocks, sentences, words, wrapping, coverage."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.services.documents import merged_length as covered_chars
from qualcode.tui.coding_index import CodingIndex
from qualcode.tui.transcript_layout import Transcript, Wrapped

TEXT = (
    "[Note about the interview.]\n\nInterviewer: How did it start?\n\n"
    "S3PW1: Slowly. Nobody knew what we were for.\n\nAnd then it got better.\n"
)


def transcript() -> Transcript:
    q = TEXT.index("How")
    a = TEXT.index("Slowly")
    turns = [(q, TEXT.index("?") + 1, "Interviewer", False), (a, len(TEXT) - 1, "S3PW1", True)]
    sents = [
        (q, TEXT.index("?") + 1),
        (a, a + 7),
        (a + 8, TEXT.index("for.") + 4),
        (TEXT.index("And then"), len(TEXT) - 1),
    ]
    return Transcript(TEXT, turns, sents)


def test_blocks_hide_speaker_labels_and_keep_the_preamble() -> None:
    t = transcript()
    shown = [(TEXT[b.start : b.end], b.speaker) for b in t.blocks]
    assert shown == [
        ("[Note about the interview.]", None),
        ("How did it start?", "Interviewer"),
        ("Slowly. Nobody knew what we were for.\n\nAnd then it got better.", "S3PW1"),
    ]
    # the preamble has no stored sentences: it gets its own
    assert TEXT[slice(*t.sentences[0])] == "[Note about the interview.]"
    assert t.visible_chars == sum(b.end - b.start for b in t.blocks)


def test_words_step_across_blocks() -> None:
    t = transcript()
    start = TEXT.index("start")
    assert TEXT[slice(*t.word_at(start + 2))] == "start"
    nxt = t.word_step(start, 1)
    assert TEXT[slice(*nxt)] == "Slowly"  # next block, label skipped
    assert TEXT[slice(*t.word_step(nxt[0], -1))] == "start"
    assert TEXT[slice(*t.word_at(0))] == "Note"
    last = t.word_step(0, 10_000)
    assert TEXT[slice(*last)] == "better"
    assert TEXT[slice(*t.word_at(TEXT.index("?")))] == "Slowly"  # between words: the next one


def test_wrap_breaks_at_spaces_and_keeps_paragraphs() -> None:
    t = transcript()
    w = Wrapped(t, 12)
    lines = [(TEXT[w.starts[i] : w.ends[i]], w.blocks[i], w.first[i]) for i in range(len(w))]
    texts = [x[0].rstrip() for x in lines]
    assert "How did it" in texts and "start?" in texts
    assert all(len(x) <= 12 for x in texts)
    # blank line between blocks, blank line for the paragraph break inside the turn
    assert lines[[x[0] for x in lines].index("Slowly. ") - 1][1] == -1
    assert "" in [x[0] for x in lines if x[1] == 2]
    assert sum(x[2] for x in lines) == 3  # one first line per block
    assert TEXT[w.starts[w.line_of(TEXT.index("knew"))] :].startswith("Nobody")


def test_long_word_is_cut() -> None:
    text = "x" * 30
    w = Wrapped(Transcript(text, [], []), 10)
    assert [(w.starts[i], w.ends[i]) for i in range(len(w))] == [(0, 10), (10, 20), (20, 30)]


@dataclass
class Span:
    id: int
    start: int
    end: int
    code_id: int = 1


def test_coding_index_overlaps_and_runs() -> None:
    idx = CodingIndex([Span(1, 0, 10), Span(2, 5, 8), Span(3, 20, 30), Span(4, 2, 40)])
    assert [c.id for c in idx.overlapping(6, 7)] == [1, 4, 2]
    assert [c.id for c in idx.overlapping(12, 15)] == [4]
    assert [c.id for c in idx.overlapping(9, 9)] == [1, 4]
    assert idx.at(6) == (4, 1, 2)  # innermost last
    assert idx.runs(0, 6) == [(0, 2, (1,)), (2, 5, (4, 1)), (5, 6, (4, 1, 2))]
    assert idx.next_after(2).id == 2 and idx.previous_before(20).id == 2
    assert covered_chars([(0, 10), (5, 8), (20, 30), (2, 12)]) == 22
