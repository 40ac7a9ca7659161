"""Setting a study up in the workbench alone, driven through the real app with Pilot.

From an empty folder: the welcome screen makes the project; then a framework,
transcripts, five sites with typed attributes, groups by rule, a coding, the
patterns and a chart export, each asserted on the database or the written file.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from docx import Document as DocxDocument
from sqlalchemy import func, select
from textual.widgets import DataTable, Static, TextArea

from qualcode.services.cases import list_cases
from qualcode.services.new_project import create_project
from qualcode.services.patterns import group_rules, list_groups
from qualcode.services.project import Project
from qualcode.store.models import Code, Coding, Document
from qualcode.tui.app import QualcodeApp
from qualcode.tui.welcome_app import WelcomeApp, WelcomeChoice
from qualcode.tui.workers import settle
from tests.tui_fixtures import make_sample_project

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts"
TRANSCRIPTS = ("S2PW1.txt", "S3PW1.txt", "S4PW1.txt", "S5PW1.txt", "S6PW1.docx")
SITES = {
    "Site 2": (11, 51),
    "Site 3": (13, 74),
    "Site 4": (6, 38),
    "Site 5": (12, 69),
    "Site 6": (7, 42),
}


def count(project: Project, model: Any) -> int:
    with project.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


def text_of(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty study folder holding only the transcripts (and a sites table not to import)."""
    study = tmp_path / "study"
    (study / "transcripts").mkdir(parents=True)
    for name in (*TRANSCRIPTS, "sites.csv"):
        shutil.copy(SAMPLES / name, study / "transcripts" / name)
    monkeypatch.chdir(study)
    return study


async def test_welcome_starts_a_new_project(folder: Path) -> None:
    app = WelcomeApp(folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")  # no name yet: refused, with a message
        await settle(pilot)
        assert "Give the project a name" in text_of(app, "#welcome-message")
        await type_text(pilot, "Peer support")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert app.return_value == WelcomeChoice((folder / "qualcode.db").resolve(), "setup")
    project = Project.open(folder / "qualcode.db", create=False)
    assert project.name == "Peer support"
    assert count(project, Code) == 14  # the default framework, highlighted first


async def test_whole_study_from_an_empty_folder_to_a_chart(folder: Path) -> None:
    project = create_project(folder, "Peer support", None, coder="ana")
    assert count(project, Code) == 0
    app = QualcodeApp(project, start_mode="setup")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # 2: the framework screen previews and applies the highlighted framework
        await pilot.press("2")
        await settle(pilot)
        assert "Modified PARIHS" in text_of(app, "#fw-about")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert count(project, Code) == 14
        await pilot.press("escape")
        await settle(pilot)

        # 1: import the folder, untick the sites table, import
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("down", "plus")  # the transcripts folder, added
        await settle(pilot)
        table = app.screen.query_one("#import-table", DataTable)
        assert table.row_count == 6
        assert count(project, Document) == 0  # checked, nothing stored
        await pilot.press("tab", *["down"] * 5, "space", "ctrl+s")
        await settle(pilot)
        assert count(project, Document) == 5
        assert "5 documents imported" in text_of(app, "#import-detail")
        assert all(not c.attributes for c in list_cases(project))  # sites.csv left out
        await pilot.press("escape")
        await settle(pilot)

        # 3: five sites with fidelity and engagement, typed as numbers
        await pilot.press("3")
        await settle(pilot)
        for attribute, index in (("fidelity", 0), ("engagement", 1)):
            await pilot.press("plus")
            await type_text(pilot, attribute)
            await pilot.press("enter")
            await settle(pilot)
            grid = app.screen.query_one("#cases-grid", DataTable)
            grid.move_cursor(row=0)
            for site in SITES:
                await pilot.press("enter")
                await type_text(pilot, f"{SITES[site][index]}{'%' if index else ''}")
                await pilot.press("enter")
                await settle(pilot)
                await pilot.press("down")
        cases = {c.name: c.attributes for c in list_cases(project)}
        assert cases == {site: {"fidelity": f, "engagement": e} for site, (f, e) in SITES.items()}
        await pilot.press("escape")
        await settle(pilot)

        # 4: groups by rule; a typo is reported live, not shown as "no group"
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.focused, TextArea)
        await type_text(pilot, "fidelity >= 12 and engagment >= 60")
        await settle(pilot)
        message = text_of(app, "#rule-message")
        assert "no case has an attribute 'engagment' at column 26" in message
        assert "attributes: engagement, fidelity" in message
        await pilot.press(*["backspace"] * 15)
        await type_text(pilot, "engagement >= 60")
        await pilot.press("down", "end")
        await type_text(pilot, "fidelity < 10 and engagement < 50")
        await pilot.press("down", "end")
        await type_text(pilot, "fidelity >= 10 and engagement < 60")
        await settle(pilot)
        assert "2 high, 2 low, 1 outlier, 0 left out" in text_of(app, "#rule-message")
        assert group_rules(project) == []  # a preview until saved
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert group_rules(project) == [
            "high: fidelity >= 12 and engagement >= 60",
            "low: fidelity < 10 and engagement < 50",
            "outlier: fidelity >= 10 and engagement < 60",
        ]
        groups = {a.case: a.group for a in list_groups(project)}
        assert groups == {
            "Site 2": "outlier",
            "Site 3": "high",
            "Site 4": "low",
            "Site 5": "high",
            "Site 6": "low",
        }
        await pilot.press("escape")
        await settle(pilot)

        # code something in the reader (c: Context/Culture), then see the patterns
        for doc in app.documents:
            app.open_reader(doc.id)
            await settle(pilot)
            await pilot.press("j", "j", "c")
            await settle(pilot)
        assert count(project, Coding) == 5
        app.switch_mode("patterns")
        await settle(pilot)
        app.switch_mode("setup")
        await settle(pilot)

        # 5: export the chart
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Chart written to" in text_of(app, "#exports-message")
    out = folder / "peer-support-chart.docx"
    assert out.is_file()
    cells = {c.text for t in DocxDocument(str(out)).tables for r in t.rows for c in r.cells}
    assert {"Site 2", "Site 6"} <= {c.split("\n")[0] for c in cells}


async def test_speaker_map_places_unknown_labels_before_import(folder: Path) -> None:
    (folder / "transcripts" / "S7PW1.txt").write_text(
        "Interviewer: How was it?\n\nS7PW1: Fine.\n\nSpeaker 1: And then?\n\nS7PW1: Better.\n",
        encoding="utf-8",
    )
    project = create_project(folder, "P", None, coder="ana")
    app = QualcodeApp(project, start_mode="setup")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("down", "plus")
        await settle(pilot)
        screen: Any = app.screen
        check = next(c for c in screen.checks.values() if c.name == "S7PW1.txt")
        assert [s.label for s in check.speakers if s.role == "unknown"] == ["Speaker 1"]
        await pilot.press("ctrl+l")
        await settle(pilot)
        await type_text(pilot, "Speaker 1=interviewer")
        await pilot.press("enter")
        await settle(pilot)
        check = next(c for c in screen.checks.values() if c.name == "S7PW1.txt")
        assert not check.unplaced and check.turns == 4
        assert screen.speaker_map == {"Speaker 1": "interviewer"}


async def test_matrix_filter_with_an_unknown_attribute_is_refused(tmp_path: Path) -> None:
    project = make_sample_project(tmp_path / "p.db")
    app = QualcodeApp(project, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await type_text(pilot, "fidelty >= 10")
        await pilot.press("enter")
        await settle(pilot)
        screen: Any = app.screen
        assert screen.spec.where == ()  # the filter was not kept
        assert len(screen.matrix.rows) == 2
        notes = [n.message for n in app._notifications]
        assert any("no case has an attribute 'fidelty'" in n for n in notes)


async def test_exports_dialog_writes_patterns_refi_and_codebook(
    folder: Path, tmp_path: Path
) -> None:
    project = make_sample_project(tmp_path / "p.db")
    app = QualcodeApp(project, start_mode="setup")
    written: dict[str, Path] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        dialog: Any = app.screen
        for kind in ("patterns-docx", "qdpx", "qdc"):
            dialog.query_one(f"#kind-{kind}").value = True  # as a click on the choice
            await settle(pilot)
            path = Path(dialog.query_one("#exports-path").value)
            assert path.parent == folder and path.suffix == "." + kind.split("-")[-1]
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert path.name in text_of(app, "#exports-message")
            written[kind] = path
    for kind, path in written.items():
        assert path.is_file() and path.stat().st_size > 0, kind
    tables = DocxDocument(str(written["patterns-docx"])).tables
    assert any("Site 3" in c.text for t in tables for r in t.rows for c in r.cells)
    import zipfile

    assert "project.qde" in zipfile.ZipFile(written["qdpx"]).namelist()
    assert "Context" in written["qdc"].read_text(encoding="utf-8")


async def test_cases_csv_export_and_a_group_set_by_hand(folder: Path, tmp_path: Path) -> None:
    project = make_sample_project(tmp_path / "p.db")
    app = QualcodeApp(project, start_mode="setup")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("ctrl+e")  # the file dialog, with cases.csv in the current folder
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("tab")  # from the rules to the table of cases
        await pilot.press("down", "enter")  # Site 4
        await settle(pilot)
        await type_text(pilot, "outlier")
        await pilot.press("enter")
        await settle(pilot)
        assert "Site 4 → outlier: set by hand to outlier" in text_of(app, "#group-why")
    rows = (folder / "cases.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "case,engagement,fidelity,locality,participants"
    assert rows[1:] == ["Site 3,76,12,urban,S3PW1", "Site 4,31,5,rural,S4PW1"]
    assert {a.case: a.group for a in list_groups(project)}["Site 4"] == "outlier"
