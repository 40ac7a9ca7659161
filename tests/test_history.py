"""Undo/redo of coding actions, without the TUI: every step is checked in the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import InvalidInputError
from qualcode.services.codebook import list_codes
from qualcode.services.coding import list_codings
from qualcode.services.history import History, in_vivo_name
from qualcode.services.project import Project
from tests.tui_fixtures import make_sample_project


@pytest.fixture
def sample(tmp_path: Path) -> Project:
    return make_sample_project(tmp_path / "project.db")


def _doc_id(project: Project, name: str) -> int:
    from qualcode.services.documents import list_documents

    return next(d.id for d in list_documents(project) if d.name == name)


def _codings(project: Project) -> list[tuple[int, int, int, str, str | None, str]]:
    return [(r.id, r.start, r.end, r.code, r.valence, r.memo) for r in list_codings(project)]


def test_add_undo_redo_keeps_the_same_id(sample: Project) -> None:
    h = History(sample)
    doc = _doc_id(sample, "S3PW1")
    row = h.add_coding(doc, 10, 40, "Context/Culture")
    assert _codings(sample) == [(row.id, 10, 40, "Culture", None, "")]
    step = h.undo()
    assert step is not None and step.coding_id is None and step.document_id == doc
    assert _codings(sample) == []
    step = h.redo()
    assert step is not None and step.coding_id == row.id
    assert _codings(sample) == [(row.id, 10, 40, "Culture", None, "")]
    assert h.redo() is None


def test_undo_remove_restores_valence_memo_and_coder(sample: Project) -> None:
    from qualcode.services.coding import add_coding

    doc = _doc_id(sample, "S3PW1")
    other = Project.open(sample.location, coder="someone-else")
    row = add_coding(other, doc, 5, 30, "Culture", valence="barrier", memo="staff wary")
    h = History(sample)
    h.remove_coding(row.id)
    assert list_codings(sample) == []
    h.undo()
    back = list_codings(sample)
    assert [(r.id, r.valence, r.memo, r.coder) for r in back] == [
        (row.id, "barrier", "staff wary", "someone-else")
    ]


def test_valence_and_memo_undo_to_previous_values(sample: Project) -> None:
    h = History(sample)
    doc = _doc_id(sample, "S3PW1")
    row = h.add_coding(doc, 10, 40, "Culture", valence="neutral")
    h.set_memo(row.id, "first memo")
    h.set_valence(row.id, "facilitator")
    h.set_memo(row.id, "second memo")
    assert _codings(sample)[0][4:] == ("facilitator", "second memo")
    h.undo()
    assert _codings(sample)[0][4:] == ("facilitator", "first memo")
    h.undo()
    h.undo()
    assert _codings(sample)[0][4:] == ("neutral", "")
    h.redo()
    assert _codings(sample)[0][4:] == ("neutral", "first memo")
    undo_labels, redo_labels = h.labels()
    assert len(undo_labels) == 2 and len(redo_labels) == 2


def test_valence_set_right_after_coding_undoes_with_it(sample: Project) -> None:
    h = History(sample)
    doc = _doc_id(sample, "S3PW1")
    row = h.add_coding(doc, 10, 40, "Culture")
    h.set_valence(row.id, "barrier")
    h.set_valence(row.id, "facilitator")
    assert h.labels() == (["code 'Culture'"], [])
    h.undo()
    assert _codings(sample) == []
    h.redo()
    assert _codings(sample)[0][4:] == ("facilitator", "")
    other = h.add_coding(doc, 50, 60, "Leadership")
    h.set_valence(row.id, "barrier")  # not the coding just made: a step of its own
    assert len(h.labels()[0]) == 3
    h.undo()
    assert [c[4] for c in _codings(sample)] == ["facilitator", None]
    assert [c[0] for c in _codings(sample)] == [row.id, other.id]


def test_new_action_clears_redo(sample: Project) -> None:
    h = History(sample)
    doc = _doc_id(sample, "S3PW1")
    h.add_coding(doc, 10, 40, "Culture")
    h.undo()
    assert h.can_redo
    h.add_coding(doc, 50, 60, "Leadership")
    assert not h.can_redo
    assert [c[3] for c in _codings(sample)] == ["Leadership"]


def test_in_vivo_code_and_its_undo(sample: Project) -> None:
    h = History(sample)
    doc = _doc_id(sample, "S3PW1")
    info, row = h.code_in_vivo(doc, 100, 130, '"the bus out to the estate,"')
    assert info.name == "the bus out to the estate"
    assert info.origin == "inductive"
    assert [(c[0], c[3]) for c in _codings(sample)] == [(row.id, "the bus out to the estate")]
    h.undo()
    assert _codings(sample) == []
    assert not [c for c in list_codes(sample) if c.name == "the bus out to the estate"]
    h.redo()
    codes = [c for c in list_codes(sample) if c.name == "the bus out to the estate"]
    assert [c.id for c in codes] == [info.id]
    assert _codings(sample)[0][0] == row.id


def test_new_code_reuses_an_existing_name(sample: Project) -> None:
    h = History(sample)
    doc = _doc_id(sample, "S3PW1")
    first, _ = h.code_with_new_code(doc, 10, 20, "Geography")
    second, _ = h.code_with_new_code(doc, 30, 40, "geography")
    assert second.id == first.id
    h.undo()  # removes only the second coding; the code is still used by the first
    assert [c.name for c in list_codes(sample) if c.origin == "inductive"] == ["Geography"]
    assert [c[1] for c in _codings(sample)] == [10]


def test_failed_coding_leaves_no_new_code(sample: Project) -> None:
    h = History(sample)
    doc = _doc_id(sample, "S3PW1")
    with pytest.raises(InvalidInputError):
        h.code_with_new_code(doc, 10, 10_000_000, "Out of range")
    assert not [c for c in list_codes(sample) if c.origin == "inductive"]
    assert not h.can_undo


def test_undo_across_documents(sample: Project) -> None:
    h = History(sample)
    a, b = _doc_id(sample, "S3PW1"), _doc_id(sample, "S4PW1")
    h.add_coding(a, 10, 40, "Culture")
    h.add_coding(b, 15, 25, "Leadership")  # inside the first turn
    step = h.undo()
    assert step is not None and step.document_id == b
    step = h.undo()
    assert step is not None and step.document_id == a
    assert list_codings(sample) == []


def test_in_vivo_name() -> None:
    assert (
        in_vivo_name("  “we don't really know\nwhere we fit.”  ")
        == "we don't really know where we fit"
    )
    assert in_vivo_name("a/b") == "a b"
    assert len(in_vivo_name("word " * 40)) <= 61
    with pytest.raises(InvalidInputError):
        in_vivo_name(" ... ")


def test_redo_after_the_id_was_taken_is_a_clear_conflict(sample: Project) -> None:
    from qualcode.errors import ConflictError
    from qualcode.services.coding import add_coding

    h = History(sample)
    doc = _doc_id(sample, "S3PW1")
    row = h.add_coding(doc, 10, 40, "Culture")
    h.undo()
    other = Project.open(sample.location, coder="someone-else")
    taken = add_coding(other, doc, 50, 60, "Leadership")
    assert taken.id == row.id  # SQLite hands out the freed id again
    with pytest.raises(ConflictError, match="has been used by a newer coding"):
        h.redo()
    assert [(r.id, r.code) for r in list_codings(sample)] == [(row.id, "Leadership")]
