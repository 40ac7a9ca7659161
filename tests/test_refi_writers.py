"""REFI-QDA files as other tools really write them (fixtures in ``refi_writers``).

Each test checks what was imported, what was reported and, through the real
command line, the exit status: 0 everything, 4 imported with omissions, 1 refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.exchange.refi_import import SourceAccess, import_qdc, import_qdpx
from qualcode.services.codebook import list_codes
from qualcode.services.coding import list_codings
from qualcode.services.documents import list_documents, open_document
from qualcode.services.project import Project
from tests.refi_support import make_qdpx, table_counts
from tests.refi_writers import (
    docx_bytes,
    pdf_bytes,
    qc_project,
    qualcoder_codebook,
    standard_project,
    taguette_codebook,
    zip_files,
)
from tests.test_cli import run

BOARD = (
    "Speaker 1:          Thank you. Let's move on to the curriculum.\n"
    "Speaker 2:          This is refreshing to see in our action plans.\n"
    "Speaker 1:          Any questions?\n"
)
ADMIN = "Interviewer: How did it start?\nAdmin: We had no budget for it.\n"
DOCS = {"board_2017.txt": BOARD, "admin-1.txt": ADMIN}
CODED = {"board_2017.txt": [(1, "goals"), (2, "questions")], "admin-1.txt": [(1, "budget")]}


def _project(tmp_path: Path, name: str = "p.db") -> Project:
    return Project.open(tmp_path / name, coder="importer")


def test_qc_bare_source_names_import_documents_and_codings(tmp_path: Path) -> None:
    """qc writes plainTextPath="board_2017.txt" (no scheme) and no source name."""
    path = qc_project(tmp_path / "demo.qdpx", DOCS, CODED)
    project = _project(tmp_path)
    report = import_qdpx(project, path, segment=False)
    assert not report.omitted and report.created["document"] == 2
    assert {d.name for d in list_documents(project)} == {"board_2017", "admin-1"}
    got = sorted((r.document, r.code, r.text) for r in list_codings(project))
    lines = BOARD.splitlines(keepends=True)  # qc codes whole lines, newline included
    assert got == [
        ("admin-1", "budget", "Admin: We had no budget for it.\n"),
        ("board_2017", "goals", lines[1]),
        ("board_2017", "questions", lines[2]),
    ]
    assert {r.coder for r in list_codings(project)} == {"cp"}
    assert open_document(project, "board_2017").text == BOARD
    result = run(tmp_path / "cli.db", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "3 codings added" in result.stdout


def test_missing_source_leaves_the_rest_imported_with_a_report(tmp_path: Path) -> None:
    path = qc_project(tmp_path / "miss.qdpx", DOCS, CODED, include={"board_2017.txt"})
    project = _project(tmp_path)
    report = import_qdpx(project, path, segment=False)
    assert [d.name for d in list_documents(project)] == ["board_2017"]
    assert len(list_codings(project)) == 2
    ((name, guid, why),) = report.unreadable
    assert name == "admin-1" and guid and "looked for sources/admin-1.txt" in why
    assert why.endswith("its 1 selection (1 coding) is not imported")
    assert report.skipped["coding on a source not imported"] == 1 and report.omitted
    db = tmp_path / "cli.db"
    result = run(db, "import", str(path))
    assert result.returncode == 4, result.stderr
    assert f"source 'admin-1' (GUID {guid}) not imported" in result.stdout
    assert "Imported with omissions" in result.stdout
    strict = run(tmp_path / "strict.db", "import", "--strict", str(path))
    assert (
        strict.returncode == 1
        and "--strict" in strict.stderr
        and "nothing was imported" in strict.stderr
    )
    assert table_counts(Project.open(tmp_path / "strict.db"))["documents"] == 0


@pytest.mark.parametrize(
    "written",
    [
        "sources/t.txt",
        "Sources\\t.txt",
        "internal://sources/t.txt",
        "internal:///t.txt",
        "t.txt",
        "sub/t.txt",
    ],
)
def test_paths_inside_the_archive_in_any_spelling(tmp_path: Path, written: str) -> None:
    text = "Alpha beta gamma."
    inside = "sub/t.txt" if written.startswith("sub/") else "t.txt"
    qde = standard_project(
        [
            {
                "guid": "11e0d4d7-4de8-4501-a82f-653d3e5d1c15",
                "name": "Doc",
                "plainTextPath": written,
                "start": "0",
                "end": "5",
            }
        ]
    )
    path = zip_files(tmp_path / "a.qdpx", {"project.qde": qde, f"sources/{inside}": text})
    project = _project(tmp_path)
    report = import_qdpx(project, path, segment=False)
    assert not report.omitted
    assert [r.text for r in list_codings(project)] == ["Alpha"]


def _relative_qde(rel: str) -> str:
    return standard_project(
        [
            {
                "guid": "11e0d4d7-4de8-4501-a82f-653d3e5d1c15",
                "name": "John",
                "plainTextPath": f"relative:///{rel}",
                "start": "0",
                "end": "4",
            }
        ],
        base_path="C:/PROJECT/Sources",
    )


def test_relative_sources_read_from_the_export_folder_or_sources_dir(tmp_path: Path) -> None:
    (tmp_path / "AR").mkdir()
    (tmp_path / "AR" / "John.txt").write_text("John was here.", encoding="utf-8")
    path = make_qdpx(tmp_path / "rel.qdpx", _relative_qde("AR/John.txt"))
    project = _project(tmp_path)
    report = import_qdpx(project, path, segment=False)
    assert not report.omitted and [r.text for r in list_codings(project)] == ["John"]
    elsewhere = tmp_path / "moved"
    elsewhere.mkdir()
    moved = make_qdpx(elsewhere / "rel.qdpx", _relative_qde("AR/John.txt"))
    lost = import_qdpx(_project(tmp_path, "q.db"), moved, segment=False)
    assert lost.omitted and "--sources-dir" in lost.unreadable[0][2]
    result = run(tmp_path / "cli.db", "import", "--sources-dir", str(tmp_path), str(moved))
    assert result.returncode == 0, result.stdout + result.stderr


def test_relative_sources_never_above_the_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("not for import", encoding="utf-8")
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    for rel in ("../secret.txt", "link.txt"):
        path = make_qdpx(folder / "up.qdpx", _relative_qde(rel))
        project = _project(tmp_path, f"{len(rel)}.db")
        report = import_qdpx(project, path, segment=False)
        assert report.omitted and table_counts(project)["documents"] == 0
        assert "leave" in report.unreadable[0][2] or "leads outside" in report.unreadable[0][2]


def test_absolute_sources_only_when_allowed_and_listed(tmp_path: Path) -> None:
    """QualCoder links external documents as absolute:///home/...; the spec's example is Windows."""
    outside = tmp_path / "data" / "Robert.txt"
    outside.parent.mkdir()
    outside.write_text("Robert spoke first.", encoding="utf-8")
    qde = standard_project(
        [
            {
                "guid": "11e0d4d7-4de8-4501-a82f-653d3e5d1c15",
                "name": "Robert",
                "plainTextPath": f"absolute://{outside}",
                "start": "0",
                "end": "6",
            },
            {
                "guid": "22e0d4d7-4de8-4501-a82f-653d3e5d1c15",
                "name": "Group",
                "plainTextPath": "absolute:///C:/PROJECT/Sources/Group.txt",
                "start": "0",
                "end": "3",
            },
        ],
        origin="QualCoder 3.6",
    )
    path = make_qdpx(tmp_path / "abs.qdpx", qde)
    refused = import_qdpx(_project(tmp_path, "a.db"), path, segment=False)
    reasons = {name: why for name, _, why in refused.unreadable}
    assert "pass --allow-absolute" in reasons["Robert"] and "another computer" in reasons["Group"]
    project = _project(tmp_path, "b.db")
    report = import_qdpx(project, path, segment=False, access=SourceAccess(allow_absolute=True))
    assert report.absolute_files == [str(outside)]
    assert [r.text for r in list_codings(project)] == ["Robert"]
    assert [name for name, _, _ in report.unreadable] == ["Group"]
    result = run(tmp_path / "cli.db", "import", "--allow-absolute", str(path))
    assert (
        result.returncode == 4
        and f"read from outside the export (--allow-absolute): {outside}" in result.stdout
    )


def test_rich_text_only_source_is_extracted_and_its_codings_listed(tmp_path: Path) -> None:
    """A TextSource with only richTextPath (.docx): text via python-docx, codings not placed."""
    qde = standard_project(
        [
            {
                "guid": "11e0d4d7-4de8-4501-a82f-653d3e5d1c15",
                "name": "Simon",
                "richTextPath": "internal://abc.docx",
                "start": "0",
                "end": "5",
            }
        ]
    )
    path = zip_files(
        tmp_path / "rt.qdpx",
        {
            "project.qde": qde,
            "sources/abc.docx": docx_bytes(["Simon: first answer.", "Second line."]),
        },
    )
    project = _project(tmp_path)
    report = import_qdpx(project, path, segment=False)
    assert open_document(project, "Simon").text == "Simon: first answer.\nSecond line."
    assert report.extracted == [("Simon", "sources/abc.docx")]
    assert report.skipped["coding on a text extracted here (positions unknown)"] == 1
    assert list_codings(project) == [] and report.omitted
    assert any("text extracted from sources/abc.docx" in line for line in report.summary_lines())


def test_pdf_only_source_is_extracted(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    qde = standard_project(
        [
            {
                "guid": "11e0d4d7-4de8-4501-a82f-653d3e5d1c15",
                "name": "Report.pdf",
                "pdf": "internal://r.pdf",
            }
        ]
    )
    path = zip_files(
        tmp_path / "pdf.qdpx",
        {"project.qde": qde, "sources/r.pdf": pdf_bytes(["Granola for all.", "End."])},
    )
    project = _project(tmp_path)
    report = import_qdpx(project, path, segment=False)
    text = open_document(project, "Report.pdf").text
    assert "Granola for all." in text and "End." in text
    assert not report.omitted and report.extracted == [("Report.pdf", "sources/r.pdf")]


def test_unreadable_rich_text_is_reported_with_name_and_guid(tmp_path: Path) -> None:
    qde = standard_project(
        [
            {
                "guid": "11e0d4d7-4de8-4501-a82f-653d3e5d1c15",
                "name": "Old",
                "richTextPath": "internal://old.rtf",
                "start": "0",
                "end": "5",
            }
        ]
    )
    path = zip_files(tmp_path / "rtf.qdpx", {"project.qde": qde, "sources/old.rtf": b"{\\rtf1 x}"})
    report = import_qdpx(_project(tmp_path), path, segment=False)
    ((name, guid, why),) = report.unreadable
    assert (name, guid) == ("Old", "11e0d4d7-4de8-4501-a82f-653d3e5d1c15") and ".rtf" in why
    assert report.skipped["coding on a source not imported"] == 1


def test_qualcoder_bom_and_crlf_sources(tmp_path: Path) -> None:
    """QualCoder writes sources as utf-8-sig, with CRLF when exporting for MAXQDA."""
    text = "Line one.\r\nPeer support works.\r\n"
    qde = standard_project(
        [
            {
                "guid": "11e0d4d7-4de8-4501-a82f-653d3e5d1c15",
                "name": "QC doc",
                "plainTextPath": "internal://11e0d4d7.txt",
                "start": "11",
                "end": "30",
            }
        ],
        origin="QualCoder 3.6",
    )
    path = zip_files(
        tmp_path / "qc.qdpx",
        {
            "project.qde": b"\xef\xbb\xbf" + qde.encode(),
            "sources/11e0d4d7.txt": b"\xef\xbb\xbf" + text.encode(),
        },
    )
    project = _project(tmp_path)
    import_qdpx(project, path, segment=False)
    assert [r.text for r in list_codings(project)] == ["Peer support works."]


def test_taguette_codebook_dotted_paths_become_a_tree(tmp_path: Path) -> None:
    path = tmp_path / "codebook.qdc"
    path.write_text(taguette_codebook(), encoding="utf-8")
    project = _project(tmp_path)
    report = import_qdc(project, path)
    codes = {c.path_str: c for c in list_codes(project)}
    assert set(codes) == {
        "interesting",
        "interesting/fun",
        "interesting/fun/very",
        "people",
        "people/staff",
        "v2",
    }
    assert codes["people"].codable is False and codes["interesting"].codable is True
    assert codes["interesting/fun"].guid is not None
    assert not report.omitted


def test_qualcoder_codebook_hierarchy_colours_descriptions(tmp_path: Path) -> None:
    path = tmp_path / "Codebook-study.qdc"
    path.write_bytes(qualcoder_codebook())
    project = _project(tmp_path)
    import_qdc(project, path)
    codes = {c.path_str: c for c in list_codes(project)}
    assert set(codes) == {"Loose code", "Barriers", "Barriers/Travel", "Barriers/Travel/Rural"}
    assert codes["Barriers"].codable is False and codes["Barriers"].definition == "Category memo"
    assert (codes["Barriers/Travel"].colour, codes["Barriers/Travel"].definition) == (
        "#58acfa",
        "Distance & buses",
    )
    assert (
        codes["Loose code"].colour == "#f781f3"
        and codes["Barriers/Travel/Rural"].colour == "#088a08"
    )
    result = run(tmp_path / "cli.db", "import", str(path))
    assert result.returncode == 0 and "4 codes added" in result.stdout
