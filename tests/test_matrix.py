"""The framework matrix and charting services, on a real SQLite project."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode.analysis.matrix_spec import MatrixSpec, parse_where
from qualcode.analysis.quotes import illustrative
from qualcode.errors import ConflictError, InvalidInputError, NotFoundError
from qualcode.services import charting
from qualcode.services.listings import matrix_of
from qualcode.services.project import Project
from qualcode.store.models import CellSummary, CellSummaryRevision, WorkshopComment
from qualcode.store.readonly import open_read_only
from tests.conftest import add_document
from tests.matrix_data import build_chart_project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return build_chart_project(tmp_path / "chart.db")


def cells_by_name(m) -> dict[tuple[str, str], object]:
    return {(m.rows[ri].label, m.columns[ci].path_str): c for (ri, ci), c in m.cells.items()}


def test_counts_participants_and_roll_up(project: Project) -> None:
    m = charting.matrix(project)
    assert [r.label for r in m.rows] == ["Site 2", "Site 3", "Site 4"]
    assert m.domains == ["Evidence", "Context", "Facilitation", "Inductive"]
    assert "Context" not in [c.path_str for c in m.columns]  # a heading is not a column
    cells = cells_by_name(m)
    # Leadership rolls up its child "Access and authority".
    leadership = cells[("Site 4", "Context/Leadership")]
    assert leadership.count == 2 and leadership.participants == ("S4PW1", "S4PWC")
    assert leadership.valences == {"barrier": 2}
    assert cells[("Site 3", "Context/Leadership")].count == 2
    assert cells[("Site 3", "Context/Leadership/Access and authority")].count == 1
    assert m.codings == 11
    flat = cells_by_name(charting.matrix(project, MatrixSpec(roll_up=False)))
    assert flat[("Site 3", "Context/Leadership")].count == 1
    assert ("Site 4", "Context/Leadership") not in flat  # no own codings there


def test_rows_by_participant_grouped_under_their_case(project: Project) -> None:
    m = charting.matrix(project, MatrixSpec(by="participant", domains=("Context",)))
    assert [(r.case, r.label) for r in m.rows] == [
        ("Site 2", "S2PW1"),
        ("Site 3", "S3PW1"),
        ("Site 3", "S3PW2"),
        ("Site 4", "S4PW1"),
        ("Site 4", "S4PWC"),
    ]
    assert m.rows[4].role == "PWC" and m.rows[4].group == "low"
    assert m.rows[1].attributes["fidelity"] == 13
    assert {c.domain for c in m.columns} == {"Context"}
    assert cells_by_name(m)[("S4PWC", "Context/Leadership/Access and authority")].count == 1


def test_filters(project: Project) -> None:
    barriers = charting.matrix(project, MatrixSpec(valences=("barrier",)))
    assert barriers.codings == 5
    assert all(set(c.valences) == {"barrier"} for c in barriers.cells.values())
    second = charting.matrix(project, MatrixSpec(coders=("second",)))
    assert second.codings == 2
    high = charting.matrix(project, MatrixSpec(groups=("high",)))
    assert [r.label for r in high.rows] == ["Site 3"] and high.codings == 6
    rural = charting.matrix(project, MatrixSpec(where=("locality == 'Rural'",)))
    assert [r.label for r in rural.rows] == ["Site 4"]
    strong = charting.matrix(project, MatrixSpec(where=("fidelity >= 11 and engagement < 60",)))
    assert [r.label for r in strong.rows] == ["Site 2"]
    doc = charting.make_spec(project, documents=["S4PWC"])
    only = charting.matrix(project, doc)
    assert [r.label for r in only.rows] == ["Site 4"] and only.codings == 1
    depth = charting.matrix(project, MatrixSpec(max_depth=0))
    assert [c.path_str for c in depth.columns] == [
        "Evidence",
        "Context",
        "Facilitation",
        "Geography",
        "Resourcing",
    ]
    assert cells_by_name(depth)[("Site 3", "Context")].count == 4
    codes = charting.make_spec(project, codes=["Culture", "Geography"])
    assert [c.name for c in charting.matrix(project, codes).columns] == ["Culture", "Geography"]


def test_bad_filters_are_clear_errors(project: Project) -> None:
    with pytest.raises(InvalidInputError, match="No domain 'Contxt'; the domains are Evidence"):
        charting.matrix(project, MatrixSpec(domains=("Contxt",)))
    with pytest.raises(InvalidInputError, match="No coder 'nobody'"):
        charting.matrix(project, MatrixSpec(coders=("nobody",)))
    with pytest.raises(
        InvalidInputError, match="--where: expected a number or a 'quoted text' at column 11"
    ):
        parse_where("fidelity >> 3")
    with pytest.raises(InvalidInputError, match="text can only be compared with =="):
        parse_where("locality > 'urban'")
    with pytest.raises(InvalidInputError, match="locality of Site 2 is text"):
        charting.matrix(project, MatrixSpec(where=("locality >= 3",)))
    with pytest.raises(InvalidInputError, match="not one of"):
        MatrixSpec(valences=("good",))
    with pytest.raises(InvalidInputError, match="No case 'Site 9'"):
        charting.matrix(project, MatrixSpec(cases=("Site 9",)))


def test_documents_without_a_case_get_one_catch_all_row(project: Project) -> None:
    add_document(project, "loose", "Interviewer: hi\n\nX: The bus never came on time.")
    from qualcode.services.coding import add_coding_by_phrase

    add_coding_by_phrase(project, "loose", "The bus never came", "Geography")
    m = charting.matrix(project)
    assert m.rows[-1].label == "(no case)" and not m.rows[-1].chartable
    assert cells_by_name(m)[("(no case)", "Geography")].count == 1
    with pytest.raises(InvalidInputError, match="assign them"):
        charting.matrix_cell_detail(
            project, m, len(m.rows) - 1, m.column_index(m.columns[-2].code_id)
        )


def test_matrix_is_built_with_a_fixed_number_of_queries(project: Project) -> None:
    """Set-based: the number of statements does not grow with cells (no query per cell)."""
    conn = open_read_only(project.location)
    assert conn is not None
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        small = matrix_of(conn, MatrixSpec(domains=("Context",)))
        n_small = len(statements)
        statements.clear()
        big = matrix_of(conn, MatrixSpec(by="participant"))
        n_big = len(statements)
    finally:
        conn.close()
    assert len(big.rows) * len(big.columns) > 4 * len(small.rows) * len(small.columns)
    assert n_small <= n_big <= n_small + 1 <= 12  # + the participants, when rows are people
    coding_reads = [s for s in statements if "FROM codings" in s]
    assert len(coding_reads) == 1  # every coding in one narrow pass, never a query per cell
    assert "documents" not in coding_reads[0]  # no transcript rows joined in
    assert sum("GROUP BY" in s for s in statements) == 1  # workshop comment counts


def test_cell_quotes_are_labelled_and_located(project: Project) -> None:
    m = charting.matrix(project)
    ri, ci = (
        m.row_index(m.rows[2].id),
        m.columns.index(next(c for c in m.columns if c.path_str == "Context/Leadership")),
    )
    detail = charting.matrix_cell_detail(project, m, ri, ci)
    assert [(q.label, q.turn, q.valence) for q in detail.quotes] == [
        ("S4PW1", 2, "barrier"),
        ("S4PWC", 2, "barrier"),
    ]
    assert detail.quotes[0].text == "We never got into team meetings."
    assert detail.quotes[0].location == "S4PW1, turn 2"
    assert detail.quotes[1].code_path == ("Context", "Leadership", "Access and authority")


def test_illustrative_quotes_take_several_voices() -> None:
    from qualcode.analysis.quotes import Quote

    def q(n: int, who: str) -> Quote:
        return Quote(n, 1, who, who, "Site", 1, ("C",), n, n + 1, "x", None, "a")

    quotes = [q(1, "A"), q(2, "A"), q(3, "A"), q(4, "B"), q(5, "C")]
    assert [x.coding_id for x in illustrative(quotes, 3)] == [1, 4, 5]
    assert [x.coding_id for x in illustrative(quotes, 4)] == [1, 2, 4, 5]
    assert illustrative(quotes, None) == quotes


def test_summary_status_history_and_author(project: Project) -> None:
    first = charting.write_summary(
        project, "case", "Site 3", "Context/Culture", "  Team wanted peer support.  \n"
    )
    assert (first.text, first.status, first.author) == (
        "Team wanted peer support.",
        "draft",
        "analyst",
    )
    reviewed = charting.set_summary_status(project, "case", "Site 3", "Culture", "reviewed")
    assert reviewed.status == "reviewed" and reviewed.id == first.id
    same = charting.write_summary(project, "case", "Site 3", "Culture", "Team wanted peer support.")
    assert same.status == "reviewed"  # unchanged text keeps its status, and no new revision
    other = Project.open(project.location, coder="second")
    edited = charting.write_summary(other, "case", "Site 3", "Culture", "Team made room for PWs.")
    assert (edited.status, edited.author) == ("draft", "second")  # a change needs review again
    history = charting.summary_history(project, "case", "Site 3", "Culture")
    assert [(r.status, r.author) for r in history] == [
        ("draft", "second"),
        ("reviewed", "analyst"),
        ("draft", "analyst"),
    ]
    m = charting.matrix(project)
    cell = cells_by_name(m)[("Site 3", "Context/Culture")]
    assert (cell.status, cell.summary_text, cell.summary.author) == (
        "draft",
        "Team made room for PWs.",
        "second",
    )
    cleared = charting.write_summary(project, "case", "Site 3", "Culture", "")
    assert cleared.status == "empty"
    assert charting.list_summaries(project) == []
    with pytest.raises(InvalidInputError, match="no summary yet"):
        charting.set_summary_status(project, "case", "Site 2", "Culture", "reviewed")
    with pytest.raises(InvalidInputError, match="'empty' is for a cell with no summary"):
        charting.write_summary(project, "case", "Site 3", "Culture", "x", status="empty")


def test_participant_summaries_and_listing(project: Project) -> None:
    charting.write_summary(
        project,
        "participant",
        "S4PWC",
        "Access and authority",
        "No say over referrals.",
        status="reviewed",
    )
    charting.write_summary(project, "case", "Site 4", "Access and authority", "Kept out.")
    listed = charting.list_summaries(project)
    assert [(x.row_type, x.row, x.case, x.status) for x in listed] == [
        ("case", "Site 4", "Site 4", "draft"),
        ("participant", "S4PWC", "Site 4", "reviewed"),
    ]
    assert [x.row for x in charting.list_summaries(project, status="reviewed")] == ["S4PWC"]
    m = charting.matrix(project, MatrixSpec(by="participant"))
    assert (
        cells_by_name(m)[("S4PWC", "Context/Leadership/Access and authority")].status == "reviewed"
    )
    with pytest.raises(NotFoundError, match="No participant 'S9PW9'"):
        charting.write_summary(project, "participant", "S9PW9", "Culture", "x")


def test_concurrent_edit_is_refused_and_nothing_is_written(project: Project) -> None:
    charting.write_summary(project, "case", "Site 4", "Culture", "Visitors.")
    opened = charting.cell_detail(project, "case", "Site 4", "Culture")
    charting.write_summary(
        Project.open(project.location, coder="second"),
        "case",
        "Site 4",
        "Culture",
        "Treated as visitors on the ward.",
    )
    with pytest.raises(ConflictError, match="changed by second since you opened it"):
        charting.write_summary(
            project,
            "case",
            "Site 4",
            "Culture",
            "My version.",
            expected_revision=opened.revision_id,
        )
    with project.read() as s:
        assert s.scalar(select(CellSummary.text)) == "Treated as visitors on the ward."
        assert s.scalar(select(func.count()).select_from(CellSummaryRevision)) == 2
    fresh = charting.cell_detail(project, "case", "Site 4", "Culture")
    ok = charting.write_summary(
        project, "case", "Site 4", "Culture", "Merged.", expected_revision=fresh.revision_id
    )
    assert ok.text == "Merged."


def test_workshop_comments_are_kept_apart_from_the_summary(project: Project) -> None:
    charting.write_summary(project, "case", "Site 4", "Geography", "Travel eats the day.")
    c = charting.add_workshop_comment(
        project,
        "case",
        "Site 4",
        "Geography",
        "Rural sites need a travel budget.",
        author="Peer panel",
    )
    assert c.author == "Peer panel"
    charting.add_workshop_comment(project, "case", "Site 4", "Geography", "Agreed.")
    comments = charting.workshop_comments(project, "case", "Site 4", "Geography")
    assert [(x.author, x.text) for x in comments] == [
        ("Peer panel", "Rural sites need a travel budget."),
        ("analyst", "Agreed."),
    ]
    detail = charting.cell_detail(project, "case", "Site 4", "Geography")
    assert detail.summary.text == "Travel eats the day." and len(detail.comments) == 2
    assert cells_by_name(charting.matrix(project))[("Site 4", "Geography")].comments == 2
    with pytest.raises(InvalidInputError, match="needs some text"):
        charting.add_workshop_comment(project, "case", "Site 4", "Geography", "  ")
    with project.read() as s:
        assert s.scalar(select(func.count()).select_from(WorkshopComment)) == 2


def test_unknown_attribute_in_a_filter_is_an_error_not_an_empty_matrix(project: Project) -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"no case has an attribute 'fidelty' at column 1 .*\(attributes: "
        r"engagement, fidelity, locality\)",
    ):
        charting.matrix(project, MatrixSpec(where=("fidelty >= 10",)))
    assert charting.matrix(project, MatrixSpec(where=("fidelity >= 10",))).rows
