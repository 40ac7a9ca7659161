"""Sentence segmentation: spaCy's sentencizer with transcript-friendly ellipsis handling."""

from __future__ import annotations

import pytest

from qualcode.ingest.segment import load_pipeline, sentence_spans


@pytest.fixture(scope="module")
def nlp():
    pipeline, warning = load_pipeline()
    assert warning is None
    return pipeline


def sentences(text: str, nlp) -> list[str]:
    return [text[a:b] for a, b, _ in sentence_spans(text, [(0, len(text))], nlp)]


def test_ellipses_end_sentences_before_a_capital(nlp) -> None:
    text = "We did role plays... I hated them. Erm… But they worked. It was more... if you see."
    assert sentences(text, nlp) == [
        "We did role plays...",
        "I hated them.",
        "Erm…",
        "But they worked.",
        "It was more... if you see.",
    ]


def test_titles_do_not_split(nlp) -> None:
    text = "Dr. Patel ran the ward. Mrs. Jones came later."
    assert sentences(text, nlp) == ["Dr. Patel ran the ward.", "Mrs. Jones came later."]


def test_paragraph_break_starts_a_sentence_and_offsets_map_back(nlp) -> None:
    text = "Interviewer: Hi.\n\nS3PW1: First paragraph without a stop\n\n  Second one. Third one?"
    turns = [(13, 16), (25, len(text))]
    spans = sentence_spans(text, turns, nlp)
    assert [(text[a:b], t) for a, b, t in spans] == [
        ("Hi.", 0),
        ("First paragraph without a stop", 1),
        ("Second one.", 1),
        ("Third one?", 1),
    ]


def test_a_missing_trained_pipeline_falls_back_with_a_warning() -> None:
    pipeline, warning = load_pipeline("xx_not_installed_pipeline")
    assert warning is not None and "not installed" in warning
    assert "sentencizer" in pipeline.pipe_names
