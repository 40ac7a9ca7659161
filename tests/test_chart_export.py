"""Chart exports read back with python-docx, openpyxl and csv: what a reader of the file sees."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from openpyxl import load_workbook

from qualcode.analysis.matrix_spec import MatrixSpec
from qualcode.errors import InvalidInputError
from qualcode.export.chart_common import LONG_COLUMNS, atomic_output
from qualcode.services import charting
from qualcode.services.project import Project
from tests.matrix_data import build_chart_project

LEADERSHIP_S4 = "Ward staff kept PWs out of meetings; no say over referrals."


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = build_chart_project(tmp_path / "chart.db")
    charting.write_summary(
        p, "case", "Site 4", "Context/Leadership", LEADERSHIP_S4, status="reviewed"
    )
    charting.write_summary(
        p,
        "case",
        "Site 3",
        "Context/Culture",
        "The team wanted PWs.\nPart of the plan from the start.",
    )
    charting.write_summary(
        p,
        "participant",
        "S4PWC",
        "Access and authority",
        "The trust held referrals.",
        status="reviewed",
    )
    return p


def cell_text(cell) -> str:
    return "\n".join(p.text for p in cell.paragraphs)


def test_docx_landscape_tables_per_domain_with_repeated_header(
    project: Project, tmp_path: Path
) -> None:
    out = charting.export_chart(
        project,
        MatrixSpec(domains=("Context", "Inductive"), groups=("high", "low")),
        tmp_path / "c.docx",
    )
    doc = Document(str(out))
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    body = "\n".join(p.text for p in doc.paragraphs)
    # Title page: project, framework, date, filters.
    assert "Framework chart" in body and "Peer support study" in body
    assert "Modified PARIHS" in body and "Case groups: high, low" in body
    assert "Domains: Context, Inductive" in body
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Context", "Inductive"]
    context, inductive = doc.tables
    header = context.rows[0]
    assert [c.text for c in header.cells] == [
        "Case",
        "Culture",
        "Leadership",
        "Leadership / Access and authority",
        "Monitoring and feedback",
    ]
    flags = header._tr.trPr.findall(qn("w:tblHeader"))
    assert len(flags) == 1 and flags[0].get(qn("w:val")) == "true"
    assert context.rows[1]._tr.trPr is None or not context.rows[1]._tr.trPr.findall(
        qn("w:tblHeader")
    )
    # Rows are the chosen cases, each with its group and attributes.
    labels = [cell_text(r.cells[0]) for r in context.rows[1:]]
    assert [x.split("\n")[0] for x in labels] == ["Site 3", "Site 4"]
    assert "group: low" in labels[1] and "fidelity: 6" in labels[1]
    # A cell: the summary, counts, and quotes labelled by participant id.
    leadership = cell_text(context.rows[2].cells[2])
    assert leadership.startswith(LEADERSHIP_S4)
    assert "2 codings · 2 participants" in leadership  # the child code's codings count here
    # ... but are quoted once, in the child's own column
    assert "S4PW1" not in leadership and "S4PWC" not in leadership
    access = cell_text(context.rows[2].cells[3])
    assert "“We never got into team meetings.” — S4PW1, turn 2" in access
    assert "— S4PWC, turn 2" in access
    culture = cell_text(context.rows[1].cells[1])
    assert culture.startswith("The team wanted PWs.\nPart of the plan from the start. [draft]")
    assert cell_text(context.rows[1].cells[4]).startswith("no summary yet")  # coded, not charted
    assert cell_text(inductive.rows[1].cells[1]).count("S3PW2") == 1


def test_docx_by_participant_groups_rows_under_cases(project: Project, tmp_path: Path) -> None:
    out = charting.export_chart(
        project,
        MatrixSpec(by="participant", domains=("Context",)),
        tmp_path / "p.docx",
        max_columns=2,
    )
    doc = Document(str(out))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == [
        "Context (1 of 2)",
        "Context (2 of 2)",
    ]
    table = doc.tables[1]
    firsts = [r.cells[0].text for r in table.rows]
    assert firsts[0] == "Participant"
    assert firsts[1].startswith("Site 2") and "group outlier · engagement 51" in firsts[1]
    assert firsts[2].startswith("S2PW1")
    group_row = table.rows[6]  # the Site 4 heading row: one cell across the whole table
    assert len(group_row._tr.tc_lst) == 1 and group_row._tr.tc_lst[0].grid_span == 3
    assert group_row.cells[0].text.startswith("Site 4")
    s4pwc = next(r for r in table.rows if r.cells[0].text.startswith("S4PWC"))
    assert cell_text(s4pwc.cells[1]).startswith("The trust held referrals.")
    assert "“I had no say over referrals, the trust held all of that.” — S4PWC" in cell_text(
        s4pwc.cells[1]
    )


def test_xlsx_sheet_per_domain_frozen_wrapped_and_long_format(
    project: Project, tmp_path: Path
) -> None:
    out = charting.export_chart(project, MatrixSpec(), tmp_path / "c.xlsx", quotes_per_cell=1)
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "About",
        "Evidence",
        "Context",
        "Facilitation",
        "Inductive",
        "Codings",
        "Summaries",
    ]
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True)}
    assert about["Framework chart"] == "Peer support study"
    ws = wb["Context"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["Case", "Group", "engagement", "fidelity", "locality"]
    assert header[5:] == [
        "Culture",
        "Leadership",
        "Leadership / Access and authority",
        "Monitoring and feedback",
    ]
    assert ws.freeze_panes == "F2"
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["Site 4"][1:5] == ("low", 38, 6, "rural")
    leadership = rows["Site 4"][6]
    assert leadership.startswith(LEADERSHIP_S4 + "\n\n(2 codings · 2 participants)")
    assert "— S4P" not in leadership  # quoted in the child's own column
    assert rows["Site 4"][7].count("— S4P") == 1  # one quote per cell asked for
    cell = ws.cell(row=4, column=7)
    assert cell.alignment.wrap_text and cell.fill.fgColor.rgb.endswith("E2EFDA")  # reviewed
    assert ws.cell(row=3, column=6).fill.fgColor.rgb.endswith("FFF2CC")  # Site 3 culture: draft
    codings = wb["Codings"]
    assert tuple(c.value for c in codings[1]) == LONG_COLUMNS
    assert codings.freeze_panes == "A2"
    long_rows = list(codings.iter_rows(min_row=2, values_only=True))
    assert len(long_rows) == 11
    assert long_rows[-3][:6] == (
        "Site 4",
        "S4PW1",
        "S4PW1",
        "Context/Leadership/Access and authority",
        "barrier",
        "We never got into team meetings.",
    )
    summaries = list(wb["Summaries"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[3]) for r in summaries] == [
        ("Site 3", "Context/Culture", "draft"),
        ("Site 4", "Context/Leadership", "reviewed"),
    ]


def test_csv_long_format(project: Project, tmp_path: Path) -> None:
    out = charting.export_chart(project, MatrixSpec(valences=("barrier",)), tmp_path / "c.csv")
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == LONG_COLUMNS
    assert len(rows) == 5 and {r["valence"] for r in rows} == {"barrier"}
    text = project_text(project, "S4PW1")
    for r in rows:
        if r["document"] == "S4PW1":
            assert text[int(r["start"]) : int(r["end"])] == r["quote"]
    assert rows[0] == {
        "case": "Site 3",
        "participant": "S3PW2",
        "document": "S3PW2",
        "code_path": "Geography",
        "valence": "barrier",
        "quote": "Parking at the hospital was a nightmare, honestly.",
        "start": rows[0]["start"],
        "end": rows[0]["end"],
        "coder": "analyst",
    }


def project_text(project: Project, name: str) -> str:
    from qualcode.services.documents import open_document

    return open_document(project, name).text


def test_html_is_one_self_contained_escaped_page(project: Project, tmp_path: Path) -> None:
    charting.write_summary(
        project, "case", "Site 2", "Context/Leadership", "<script>alert(1)</script> & backing"
    )
    out = charting.export_chart(project, MatrixSpec(domains=("Context",)), tmp_path / "c.html")
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; backing" in html
    assert "src=" not in html and "<link" not in html  # nothing to fetch
    assert "@page { size: A4 landscape" in html and "<thead>" in html
    assert "<cite>S4PW1, turn 2</cite>" in html and LEADERSHIP_S4 in html


def test_html_headers_are_light_on_dark(project: Project, tmp_path: Path) -> None:
    out = charting.export_chart(project, MatrixSpec(domains=("Context",)), tmp_path / "c.html")
    html = out.read_text(encoding="utf-8")
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert '<th scope="col" class="corner">Case</th>' in head
    assert 'class="row"' not in head  # the light row-header style never reaches the header row
    assert "thead th { background: #1a1a1a; color: #fff;" in html
    assert "tbody th.row { background: #f2f2f2; color: #000; }" in html


def test_child_quotes_repeat_under_the_parent_only_when_asked(
    project: Project, tmp_path: Path
) -> None:
    spec = MatrixSpec(domains=("Context",))
    once = charting.export_chart(project, spec, tmp_path / "once.html").read_text("utf-8")
    twice = charting.export_chart(
        project, spec, tmp_path / "twice.html", repeat_child_quotes=True
    ).read_text("utf-8")
    quote = "We never got into team meetings."
    assert once.count(quote) == 1 and twice.count(quote) == 2


def test_short_phrase_is_quoted_with_its_sentence_and_cited_by_participant_and_turn(
    tmp_path: Path,
) -> None:
    from qualcode.services.documents import list_documents
    from qualcode.services.history import History
    from tests.tui_fixtures import make_sample_project

    p = make_sample_project(tmp_path / "sample.db")
    doc = next(d for d in list_documents(p) if d.name == "S3PW1")
    text = project_text(p, "S3PW1")
    start = text.index("the bus out")
    History(p).code_in_vivo(doc.id, start, start + len("the bus"), "the bus")
    out = charting.export_chart(p, MatrixSpec(domains=("Inductive",)), tmp_path / "c.html")
    html = out.read_text(encoding="utf-8")
    sentence = "The only thing is the bus out to the estate, it takes over an hour each way."
    assert f"“{sentence}”<cite>S3PW1, turn 8</cite>" in html
    assert "S3PW1.txt" not in html
    rows = list(
        csv.reader(
            charting.export_chart(p, MatrixSpec(domains=("Inductive",)), tmp_path / "c.csv").open(
                encoding="utf-8"
            )
        )
    )
    assert rows[1][LONG_COLUMNS.index("quote")] == "the bus"  # the long format: the exact words


def test_exports_are_atomic(project: Project, tmp_path: Path) -> None:
    target = tmp_path / "chart.docx"
    target.write_bytes(b"previous version")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"previous version"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    seen: list[tuple[int, int, str]] = []
    charting.export_chart(
        project, MatrixSpec(), target, progress=lambda d, t, m: seen.append((d, t, m))
    )
    assert Document(str(target)).tables
    assert [m for _, _, m in seen[:2]] == [
        "Checking for identifying details",
        "Building the matrix",
    ]
    assert seen[-1][0] == seen[-1][1]
    assert [
        p.name
        for p in tmp_path.iterdir()
        if p.name != "chart.db" and not p.name.startswith("chart.db-")
    ] == ["chart.docx"]
    with pytest.raises(InvalidInputError, match="not one of docx, xlsx, csv, html"):
        charting.export_chart(project, MatrixSpec(), tmp_path / "chart.pdf")
