"""Workshop comments travel with the chart: an appendix in the .docx, .xlsx and .html exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from qualcode.analysis.matrix_spec import MatrixSpec
from qualcode.services import charting, workshop
from qualcode.services.project import Project
from tests.matrix_data import build_chart_project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = build_chart_project(tmp_path / "chart.db")
    charting.write_summary(p, "case", "Site 4", "Context/Culture", "Staff saw PWs as visitors.")
    ref = charting.cell_detail(p, "case", "Site 4", "Context/Culture").ref
    workshop.add_guest_comment(
        p,
        "case",
        ref.row_id,
        ref.code_id,
        "Visitors <again>: this is the agency problem.",
        "Peer panel",
    )
    charting.add_workshop_comment(
        p,
        "case",
        "Site 3",
        "Context/Leadership",
        "The manager was new that year.",
        author="Clinician",
    )
    charting.add_workshop_comment(
        p, "participant", "S4PW1", "Context/Culture", "By participant only.", author="Analyst"
    )
    workshop.add_pattern_comment(p, "Geography", "barrier", "Rurality, not the employer.")
    return p


def test_docx_appendix_lists_each_comment_with_cell_author_and_time(
    project: Project, tmp_path: Path
) -> None:
    out = charting.export_chart(project, MatrixSpec(), tmp_path / "chart.docx")
    doc = Document(str(out))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[-1] == "Workshop comments"
    table = doc.tables[-1]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["Case", "Construct", "Comment", "Who, when"]
    assert rows[1][:3] == ["Site 3", "Leadership", "The manager was new that year."]
    assert rows[1][3].startswith("Clinician\n")
    assert rows[2][:3] == ["Site 4", "Culture", "Visitors <again>: this is the agency problem."]
    assert len(rows) == 3  # participant-row and pattern-row comments are not this chart's


def test_xlsx_has_a_workshop_comments_sheet(project: Project, tmp_path: Path) -> None:
    out = charting.export_chart(project, MatrixSpec(by="participant"), tmp_path / "chart.xlsx")
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames[-1] == "Workshop comments"
    rows = list(wb["Workshop comments"].iter_rows(values_only=True))
    assert rows[0] == ("case", "participant", "code_path", "author", "time", "comment")
    assert [r[:4] + r[5:] for r in rows[1:]] == [
        ("Site 4", "S4PW1", "Context/Culture", "Analyst", "By participant only.")
    ]


def test_html_appendix_is_escaped_and_linked(project: Project, tmp_path: Path) -> None:
    out = charting.export_chart(project, MatrixSpec(), tmp_path / "chart.html")
    page = out.read_text(encoding="utf-8")
    assert '<a href="#t-workshop-comments">Workshop comments</a>' in page
    appendix = page.split('<h2 id="t-workshop-comments">Workshop comments</h2>')[1]
    assert "Visitors &lt;again&gt;: this is the agency problem." in appendix
    assert "Peer panel" in appendix and "The manager was new that year." in appendix
    assert "<again>" not in page


def test_no_comments_no_appendix(tmp_path: Path) -> None:
    p = build_chart_project(tmp_path / "plain.db")
    out = charting.export_chart(p, MatrixSpec(), tmp_path / "chart.html")
    assert "Workshop comments" not in out.read_text(encoding="utf-8")
    out = charting.export_chart(p, MatrixSpec(), tmp_path / "chart.xlsx")
    assert "Workshop comments" not in load_workbook(out, read_only=True).sheetnames


def test_pattern_exports_carry_pattern_row_comments(tmp_path: Path) -> None:
    from qualcode.analysis.patterns import PresenceRule
    from qualcode.services.patterns import export_patterns, find_project_patterns
    from tests.patterns_data import build_project, study_spec

    study = build_project(tmp_path / "patterns.db", study_spec())
    workshop.add_pattern_comment(
        study, "Role", "facilitator", "Written down at every site.", "Peer worker"
    )
    by_valence = find_project_patterns(study, PresenceRule(by_valence=True))
    out = export_patterns(study, by_valence, tmp_path / "patterns.xlsx")
    rows = list(load_workbook(out, read_only=True)["Workshop comments"].iter_rows(values_only=True))
    assert rows[0] == ("Code path", "Valence", "Category", "Author", "Time", "Comment")
    assert [r[:2] + r[3:4] + r[5:] for r in rows[1:]] == [
        ("Role", "facilitator", "Peer worker", "Written down at every site.")
    ]
    per_code = find_project_patterns(study, PresenceRule())
    out = export_patterns(study, per_code, tmp_path / "patterns.docx")
    paragraphs = [p.text for p in Document(str(out)).paragraphs]
    at = paragraphs.index("Workshop comments")
    assert paragraphs[at + 1] == "Role"
    assert paragraphs[at + 2].startswith("Peer worker on facilitator, ")
    assert paragraphs[at + 2].endswith(": Written down at every site.")
