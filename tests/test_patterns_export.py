"""The pattern table exported to Word and Excel, read back with python-docx and openpyxl."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import docx
import openpyxl
import pytest

from qualcode.analysis.patterns import PresenceRule
from qualcode.errors import InvalidInputError
from qualcode.services.patterns import export_patterns, find_project_patterns
from qualcode.services.project import Project
from tests.patterns_data import build_project, study_spec


@pytest.fixture
def study(tmp_path: Path) -> Project:
    return build_project(tmp_path / "export.db", study_spec())


def cell_texts(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[c.text for c in row.cells] for row in table.rows]


def test_docx_lists_each_pattern_with_quotes_per_case(study: Project, tmp_path: Path) -> None:
    result = find_project_patterns(study, PresenceRule(by_valence=True))
    out = export_patterns(study, result, tmp_path / "patterns.docx")
    doc = docx.Document(str(out))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "Case groups",
        "A. Shared across all cases — 1",
        "B. Characteristic of the high group (H1, H2) — 3",
        "C. Characteristic of the low group (L1, L2) — 3",
        "D. O1 shares with the high group — 0",
        "D. O1 shares with the low group — 1",
        "D. O1 only outlier cases have — 1",
    ]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Exact rules. Present = at least 1 coding(s) from at least 1 participant(s)" in text
    assert "null when the code is not present in o" in text
    groups = cell_texts(doc.tables[0])
    assert groups[0] == ["Case", "Group", "From", "Why"]
    why = "no group: none set by hand, and no rules or group attribute"
    assert ["U1", "— (left out)", "", why] in groups
    low = cell_texts(doc.tables[3])
    assert low[0] == ["Pattern", "Present in", "Supporting quotes"]
    ward = next(r for r in low if r[0].startswith("Ward staff (barrier)"))
    assert ward[1] == (
        "L1 (1 coding, 1 participant)\nL2 (1 coding, 1 participant)\nO1 (1 coding, 1 participant)"
    )
    assert ward[2].splitlines() == [
        "L1",
        "L1P1: “Sentence 9.0 of L1P1 about Ward staff.”",
        "L2",
        "L2P1: “Sentence 10.0 of L2P1 about Ward staff.”",
        "O1",
        "O1P1: “Sentence 11.0 of O1P1 about Ward staff.”",
    ]
    shares_low = cell_texts(doc.tables[4])  # D (no table for an empty list): O1 only
    assert shares_low[1][2].splitlines() == [
        "O1",
        "O1P1: “Sentence 11.0 of O1P1 about Ward staff.”",
    ]
    header = doc.tables[3].rows[0]._tr
    assert header.find(".//{*}tblHeader") is not None  # repeated on every page
    assert doc.sections[0].page_width > doc.sections[0].page_height  # landscape


def test_docx_states_relaxed_rules(study: Project, tmp_path: Path) -> None:
    result = find_project_patterns(study, PresenceRule(share=Fraction(4, 5)))
    doc = docx.Document(
        str(export_patterns(study, result, tmp_path / "relaxed.docx", include_none=True))
    )
    first = next(p for p in doc.paragraphs if "rules" in p.text.lower())
    assert first.text.startswith("RELAXED rules (share 0.8)") and first.runs[0].bold
    assert any(p.text.startswith("No pattern") for p in doc.paragraphs)


def test_xlsx_sheets(study: Project, tmp_path: Path) -> None:
    result = find_project_patterns(study, PresenceRule(by_valence=True, share=Fraction(4, 5)))
    out = export_patterns(study, result, tmp_path / "patterns.xlsx", per_case=1)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Patterns", "Quotes", "Groups", "About"]
    rows = list(wb["Patterns"].iter_rows(values_only=True))
    assert rows[0] == (
        "Section",
        "Category",
        "Rules",
        "Code path",
        "Code",
        "Valence",
        "Present in",
        "O1 shares",
        "H1",
        "H2",
        "L1",
        "L2",
        "O1",
        "U1",
    )
    ward = next(r for r in rows if r[3] == "Ward staff" and r[5] == "barrier")
    assert ward[:8] == (
        "C. Characteristic of the low group (L1, L2)",
        "low",
        "relaxed (share 0.8)",
        "Ward staff",
        "Ward staff",
        "barrier",
        "L1, L2, O1",
        "low",
    )
    assert ward[8:] == (None, None, "1 (1)", "1 (1)", "1 (1)", None)
    assert all(r[2] == "relaxed (share 0.8)" for r in rows[1:])
    quotes = list(wb["Quotes"].iter_rows(values_only=True))
    assert quotes[0] == (
        "Section",
        "Code path",
        "Valence",
        "Case",
        "Group",
        "Participant",
        "Document",
        "Start",
        "End",
        "Quote",
    )
    role = [q for q in quotes if q[1] == "Role"]
    assert [(q[3], q[5]) for q in role] == [
        ("H1", "H1P1"),
        ("H2", "H2P1"),
        ("L1", "L1P1"),
        ("L2", "L2P1"),
        ("O1", "O1P1"),
    ]  # 1 per case
    assert {r[0]: r[1] for r in wb["Groups"].iter_rows(min_row=2, values_only=True)} == {
        "H1": "high",
        "H2": "high",
        "L1": "low",
        "L2": "low",
        "O1": "outlier",
        "U1": None,
    }
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True)}
    assert about["Rules"].startswith("RELAXED rules (share 0.8)")
    assert "'only' when it is outlier" in about["Outlier shares"]


def test_export_refuses_bad_targets(study: Project, tmp_path: Path) -> None:
    result = find_project_patterns(study)
    with pytest.raises(InvalidInputError, match=r"\.docx or \.xlsx"):
        export_patterns(study, result, tmp_path / "patterns.pdf")
    with pytest.raises(InvalidInputError, match="does not exist"):
        export_patterns(study, result, tmp_path / "nowhere" / "patterns.docx")
    assert not list(tmp_path.glob("*.docx"))
