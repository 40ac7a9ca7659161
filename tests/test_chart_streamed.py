"""The streamed Word chart has the same content as the python-docx-built one it replaced.

``tests/data/demo_chart_cells.json`` holds the text of every heading and table cell of
the demo project's chart (by case, and by participant in tables of two code columns)
as the writer made it before its tables were streamed.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from lxml import etree

from qualcode.analysis.matrix_spec import MatrixSpec
from qualcode.export import chart_common
from qualcode.services import charting
from qualcode.services.demo import open_or_build_demo
from qualcode.services.project import Project

EXPECTED = Path(__file__).parent / "data" / "demo_chart_cells.json"
CHARTS: dict[str, tuple[MatrixSpec, int | None]] = {
    "case": (MatrixSpec(), None),
    "participant": (MatrixSpec(by="participant"), 2),
}


def demo_with_summaries(path: Path) -> Project:
    """The demo project with a reviewed, a draft (two lines) and a participant summary."""
    project, _ = open_or_build_demo(path, coder="tester")
    charting.write_summary(
        project,
        "case",
        "Site 4",
        "Context/Leadership",
        "No say <at all> & no time.",
        status="reviewed",
    )
    charting.write_summary(
        project, "case", "Site 3", "Context/Culture", "The team wanted PWs.\nFrom the start."
    )
    charting.write_summary(project, "participant", "S2PW2", "Context/Culture", "Felt welcome.")
    return project


def chart_cells(doc: Any) -> dict[str, list[Any]]:
    """Headings, and every table's rows as the text of each cell (paragraphs on lines)."""
    return {
        "headings": [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")],
        "tables": [
            [["\n".join(p.text for p in cell.paragraphs) for cell in row.cells] for row in t.rows]
            for t in doc.tables
        ],
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return demo_with_summaries(Path(tmp_path_factory.mktemp("demo")) / "demo.db")


@pytest.mark.parametrize("rows_per_load", [100, 1])
@pytest.mark.parametrize("name", list(CHARTS))
def test_streamed_chart_has_the_content_of_the_old_one(
    demo: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    rows_per_load: int,
) -> None:
    monkeypatch.setattr(chart_common, "ROWS_PER_LOAD", rows_per_load)  # chunk edges mid-case
    spec, max_columns = CHARTS[name]
    out = charting.export_chart(demo, spec, tmp_path / "chart.docx", max_columns=max_columns)
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))[name]
    got = chart_cells(Document(str(out)))
    assert got["headings"] == expected["headings"]
    assert len(got["tables"]) == len(expected["tables"])
    for n, (table, want) in enumerate(zip(got["tables"], expected["tables"], strict=True)):
        assert table == want, f"table {n} ({got['headings'][n]}) differs"


def test_streamed_document_is_well_formed_and_complete(demo: Project, tmp_path: Path) -> None:
    out = charting.export_chart(demo, MatrixSpec(by="participant"), tmp_path / "chart.docx")
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        names = z.namelist()
        root = etree.fromstring(z.read("word/document.xml"))  # raises if not well-formed
    assert names[0] == "[Content_Types].xml" and "word/styles.xml" in names
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    body = root.find(f"{w}body")
    assert body is not None and body[-1].tag == f"{w}sectPr"  # the section stays last
    assert "qualcode-table-slot" not in etree.tostring(root, encoding="unicode")
    for tbl in body.iter(f"{w}tbl"):
        grid = len(tbl.find(f"{w}tblGrid"))
        for tr in tbl.iter(f"{w}tr"):
            spans = [
                int(tc.find(f"{w}tcPr/{w}gridSpan").get(f"{w}val"))
                if tc.find(f"{w}tcPr/{w}gridSpan") is not None
                else 1
                for tc in tr.iter(f"{w}tc")
            ]
            assert sum(spans) == grid  # every row fills the grid exactly


def test_the_long_format_refuses_a_chart_without_its_quotes(demo: Project) -> None:
    with demo.read() as s:
        chart = chart_common.collect_chart(
            s,
            charting.build_matrix(s, MatrixSpec()),
            project_name=demo.name,
            frameworks=[],
            filters=[],
            stream_quotes=True,
        )
        with pytest.raises(RuntimeError, match="all its quotes"):
            next(chart.long_rows())
