"""The documents list read as one packed value (SQLite) is the query's rows, in its order.

``list_documents`` fetches its rows through one JSON aggregate on SQLite (see
``documents._rows_at_once``); these compare that with the same query's rows fetched
one by one, on names that JSON must carry exactly and orderings SQL decides.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.services import documents
from qualcode.services.documents import _LISTING_ORDER, _listing, _rows_at_once, list_documents
from qualcode.services.project import Project
from tests.conftest import add_document

NAMES = [
    ('Zoë\'s interview "final"', "ZP1", "Site ß"),
    ("a\\b [bold]not markup[/bold]", "AP1", "Site ß"),
    ("日本語の記録", None, None),
    ("tab\tand\nnewline", "NP1", "Site A"),
    ("😀 emoji", "EP1", "Site A"),
    ("Same", "SP2", "Site A"),
    ("Same2", "SP1", "Site A"),
    ("no case", "XP1", None),
    ("B upper", None, "site a"),
]


def test_packed_rows_equal_the_query_s_rows_in_order(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "p.db", coder="tester", create=True)
    for i, (name, participant, case) in enumerate(NAMES):
        add_document(project, name, f"Interviewer: Q{i}?\n\nP: answer {i} é.\n", participant, case)
    query = _listing()
    with project.read() as s:
        con = s.connection()
        one_by_one = [tuple(r) for r in con.execute(query).all()]
        packed = _rows_at_once(con, query, _LISTING_ORDER)
    assert [tuple(r) for r in packed] == one_by_one  # every row, in the query's order
    assert {r[1] for r in one_by_one} == {n for n, _, _ in NAMES}


def test_list_documents_is_the_same_read_either_way(tmp_path: Path, monkeypatch) -> None:
    project = Project.open(tmp_path / "p.db", coder="tester", create=True)
    for i, (name, participant, case) in enumerate(NAMES):
        add_document(project, name, f"Interviewer: Q{i}?\n\nP: answer {i}.\n", participant, case)
    packed = list_documents(project)
    monkeypatch.setattr(documents, "_rows_at_once", lambda con, q, order: con.execute(q).all())
    assert list_documents(project) == packed
    assert len(packed) == len(NAMES)


def test_an_empty_project_lists_nothing(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "p.db", coder="tester", create=True)
    assert list_documents(project) == []
