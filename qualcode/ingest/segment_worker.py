"""Reading and sentences for an import, worked out in a second process while the first stores.

:func:`work` is what the import's child process runs on each item it is sent (see
``qualcode.child``). Two kinds of item:

- ``("texts", pipeline, [(text, turn ranges), ...])``: the files' sentences, the same
  :func:`~qualcode.ingest.segment.sentence_spans_many` the importing process would call;
- ``("paths", pipeline, (labels, pattern, [path, ...]))``: the files read and parsed
  (``read_transcript`` + ``parse_source``, or the message of the error that stopped
  one), and the sentences of those read.

The answer is ``(pipeline warning, result)``. The pipeline is loaded and cached here,
so the importing process never loads spaCy itself; the first item sent carries no
texts: it loads the pipeline at once, while the importing process reads and parses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qualcode.errors import QualcodeError
from qualcode.ingest.layouts import parse_source
from qualcode.ingest.participants import ParticipantPattern
from qualcode.ingest.readers import SourceText, read_transcript
from qualcode.ingest.segment import load_pipeline, sentence_spans_many
from qualcode.ingest.turns import ParsedTurns, SpeakerLabels

Texts = Sequence[tuple[str, Sequence[tuple[int, int]]]]
# A file read and parsed, with its text's SHA-256 and word count; or why it could not be.
Read = tuple[SourceText, ParsedTurns, str, int] | str


def work(item: tuple[str, str | None, Any]) -> tuple[str | None, Any]:
    """``(pipeline warning, result)`` for one item (see the module notes)."""
    kind, name, payload = item
    nlp, warning = load_pipeline(name)
    if kind == "texts":
        return warning, sentence_spans_many(payload, nlp)
    labels, pattern, paths = payload
    files = read_files(paths, labels, pattern)
    texts = [text_and_ranges(f) for f in files if not isinstance(f, str)]
    return warning, (files, sentence_spans_many(texts, nlp))


def read_files(
    paths: Sequence[Path], labels: SpeakerLabels, pattern: ParticipantPattern
) -> list[Read]:
    """Each file read and parsed, or the message of the error that stopped it."""
    out: list[Read] = []
    for path in paths:
        try:
            out.append(read_one(path, labels, pattern))
        except QualcodeError as e:
            out.append(str(e))
    return out


def read_one(
    path: Path, labels: SpeakerLabels, pattern: ParticipantPattern
) -> tuple[SourceText, ParsedTurns, str, int]:
    """One file read and parsed, with its stored text's SHA-256 and word count."""
    src = read_transcript(path)
    turns = parse_source(src, labels, pattern)
    text = turns.text if turns.text is not None else src.text
    return src, turns, fingerprint(text), word_count(text)


def fingerprint(text: str) -> str:
    """The stored text's SHA-256: the same text imported again is recognised by it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    return len(text.split())


def text_and_ranges(read: tuple[Any, ...]) -> tuple[str, list[tuple[int, int]]]:
    """The text to store (the layout's own, or the file's) and its turns' ranges."""
    src, turns = read[:2]
    text = turns.text if turns.text is not None else src.text
    return text, [(t.start, t.end) for t in turns.turns]
