"""A coding stays within one speaker's turn: the service refuses one that crosses (CLI and TUI)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.errors import InvalidInputError
from qualcode.services.coding import add_coding, list_codings, update_coding
from qualcode.services.documents import list_documents, open_document
from qualcode.services.history import History
from qualcode.services.project import Project
from tests.tui_fixtures import make_sample_project


@pytest.fixture
def sample(tmp_path: Path) -> Project:
    return make_sample_project(tmp_path / "project.db")


def _turns(project: Project):
    doc = open_document(project, list_documents(project)[0].id)
    return doc, doc.turns


def test_a_range_across_two_turns_is_refused_and_nothing_is_stored(sample: Project) -> None:
    doc, turns = _turns(sample)
    question, answer = turns[0], turns[1]
    with pytest.raises(InvalidInputError) as info:
        add_coding(sample, doc.id, question.start, answer.start + 10, "Culture")
    message = str(info.value)
    assert f"runs from Interviewer's turn into {answer.speaker}'s turn" in message
    assert f"{doc.name} {question.start}-{answer.start + 10}" in message
    assert list_codings(sample) == []


def test_a_range_that_takes_in_a_speaker_label_is_refused(sample: Project) -> None:
    doc, turns = _turns(sample)
    answer = turns[1]
    label_start = doc.text.rindex("\n", 0, answer.start) + 1  # "S3PW1: " before the turn
    with pytest.raises(InvalidInputError, match="reaches outside S3PW1's turn"):
        add_coding(sample, doc.id, label_start, answer.start + 10, "Culture")
    row = add_coding(sample, doc.id, answer.start, answer.start + 10, "Culture")
    assert ":" not in row.text and row.text == doc.text[answer.start : answer.start + 10]


def test_moving_a_coding_across_turns_is_refused_too(sample: Project) -> None:
    doc, turns = _turns(sample)
    row = add_coding(sample, doc.id, turns[1].start, turns[1].start + 10, "Culture")
    with pytest.raises(InvalidInputError, match="runs from"):
        update_coding(sample, row.id, end=turns[2].start + 5)
    assert list_codings(sample)[0].end == turns[1].start + 10


def test_the_reader_history_refuses_the_same_way(sample: Project) -> None:
    doc, turns = _turns(sample)
    with pytest.raises(InvalidInputError, match="within one speaker's turn"):
        History(sample).add_coding(doc.id, turns[1].start, turns[2].end, "Culture")


def test_the_cli_reports_a_crossing_phrase(tmp_path: Path) -> None:
    transcript = tmp_path / "S4PW1.txt"
    transcript.write_text(
        "Interviewer: Tell me about the wards.\n\nS4PW1: Some staff looked "
        "at me like I was a visitor.\n",
        encoding="utf-8",
    )
    db = tmp_path / "cli.db"
    env = dict(os.environ, QUALCODE_CODER="cli-tester", PYTHONIOENCODING="utf-8")
    env.pop("QUALCODE_DB", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "qualcode", "--db", str(db), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    assert run("import", str(transcript)).returncode == 0
    assert run("framework", "apply").returncode == 0
    out = run("coding", "add", "S4PW1", "Culture", "--phrase", "the wards.\n\nS4PW1: Some staff")
    assert out.returncode != 0
    assert "runs from Interviewer's turn into S4PW1's turn" in out.stderr + out.stdout
    ok = run("coding", "add", "S4PW1", "Culture", "--phrase", "Some staff looked at me")
    assert ok.returncode == 0, ok.stderr


def test_a_stored_coding_across_turns_is_quoted_without_the_next_speaker(sample: Project) -> None:
    from qualcode.analysis.quotes import load_quotes

    doc, turns = _turns(sample)
    question, answer = turns[0], turns[1]
    # as an import from another tool might have stored it, before the rule existed
    row = add_coding(
        sample, doc.id, question.start, answer.start + 11, "Culture", across_turns=True
    )
    with sample.read() as s:
        (quote,) = load_quotes(s, [row.id])
    assert quote.text == doc.text[question.start : question.end].strip()
    assert "S3PW1" not in quote.clean_text and "Really" not in quote.clean_text
