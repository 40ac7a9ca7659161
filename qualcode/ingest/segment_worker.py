"""Sentences for an import, worked out in a second process while the first stores.

:func:`sentences` is what the import's child process runs on each chunk it is sent
(see ``qualcode.child``): the same :func:`~qualcode.ingest.segment.sentence_spans_many`
the importing process would call, with the pipeline loaded and cached here, so
the importing process never loads spaCy itself. The first item sent carries no
texts: it loads the pipeline at once, while the importing process reads and parses.
"""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.ingest.segment import load_pipeline, sentence_spans_many

Texts = Sequence[tuple[str, Sequence[tuple[int, int]]]]


def sentences(
    item: tuple[str | None, Texts],
) -> tuple[str | None, list[list[tuple[int, int, int]]]]:
    """``(pipeline warning, sentence_spans_many(texts))`` for ``(pipeline name, texts)``."""
    name, texts = item
    nlp, warning = load_pipeline(name)
    return warning, sentence_spans_many(texts, nlp)
