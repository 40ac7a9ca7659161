"""import -> export -> import keeps everything: codes, documents, cases, attributes, every coding."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest

from qualcode.exchange.refi_export import export_qdc, export_qdpx
from qualcode.exchange.refi_import import import_qdc, import_qdpx
from qualcode.services.coding import list_codings
from qualcode.services.frameworks import apply_framework
from qualcode.services.project import Project
from tests.refi_support import (
    PROJECT_XSD,
    rich_project,
    sample,
    schema,
    snapshot,
    table_counts,
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    """The rich project and its .qdpx, built once (tests that change a project use a copy)."""
    folder = tmp_path_factory.mktemp("rich")
    project = rich_project(folder / "a.db")
    export_qdpx(project, folder / "a.qdpx")
    return project, folder / "a.qdpx"


def _copy(project: Project, path: Path) -> Project:
    """A copy of a project database (SQLite's backup API, so the WAL is included)."""
    with sqlite3.connect(project.location) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    return Project.open(path, coder=project.coder_name)


def _guids(path: Path) -> dict[str, set[str]]:
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("project.qde"))
    out: dict[str, set[str]] = {}
    for el in root.iter():
        if el.get("guid"):
            out.setdefault(el.tag.rsplit("}", 1)[1], set()).add(el.get("guid"))
    return out


def test_rich_project_round_trip(exported: tuple[Project, Path], tmp_path: Path) -> None:
    original, qdpx = exported
    copy = Project.open(tmp_path / "b.db", coder="someone else")
    report = import_qdpx(copy, qdpx, segment=False)
    assert report.convention.startswith("code points")
    assert not report.warnings and not report.skipped
    want, got = snapshot(original), snapshot(copy)
    for key in want:
        assert got[key] == want[key], key
    # valence and memo survived on every coding
    assert {(r.text, r.valence, r.memo) for r in list_codings(copy)} == {
        (r.text, r.valence, r.memo) for r in list_codings(original)
    }
    # the copy exports with the same identities (stored GUIDs), and again schema-valid
    export_qdpx(copy, tmp_path / "b.qdpx")
    schema(PROJECT_XSD).validate(zipfile.ZipFile(tmp_path / "b.qdpx").read("project.qde").decode())
    first, second = _guids(qdpx), _guids(tmp_path / "b.qdpx")
    for tag in ("User", "Code", "Case", "TextSource", "PlainTextSelection", "Coding", "Note"):
        assert first[tag] == second[tag], tag
    third = Project.open(tmp_path / "c.db", coder="x")
    import_qdpx(third, tmp_path / "b.qdpx", segment=False)
    assert snapshot(third) == want


def test_importing_own_export_into_same_project_changes_nothing(
    exported: tuple[Project, Path], tmp_path: Path
) -> None:
    project = _copy(exported[0], tmp_path / "same.db")
    before, counts = snapshot(project), table_counts(project)
    report = import_qdpx(project, exported[1], segment=False)
    assert sum(report.created.values()) == 0
    assert report.matched["coding"] == 6 and report.matched["document"] == 3
    assert snapshot(project) == before and table_counts(project) == counts


def test_codebook_round_trip_and_merge_into_framework_project(
    exported: tuple[Project, Path], tmp_path: Path
) -> None:
    original = exported[0]
    export_qdc(original, tmp_path / "a.qdc")
    fresh = Project.open(tmp_path / "b.db", coder="x")
    import_qdc(fresh, tmp_path / "a.qdc")
    assert snapshot(fresh)["codes"] == snapshot(original)["codes"]
    other = Project.open(tmp_path / "c.db", coder="x")
    apply_framework(other, "modified-parihs")
    report = import_qdc(other, tmp_path / "a.qdc")
    assert report.matched["code"] == 14 and report.created["code"] == 4  # framework codes by path
    assert set(snapshot(other)["codes"]) == set(snapshot(original)["codes"])


def test_nvivo_round_trip(tmp_path: Path) -> None:
    first = Project.open(tmp_path / "n1.db", coder="x")
    import_qdpx(first, sample("nvivo12-oltas0517.qdpx"), segment=False)
    export_qdpx(first, tmp_path / "n.qdpx")
    schema(PROJECT_XSD).validate(zipfile.ZipFile(tmp_path / "n.qdpx").read("project.qde").decode())
    second = Project.open(tmp_path / "n2.db", coder="y")
    report = import_qdpx(second, tmp_path / "n.qdpx", segment=False)
    assert report.created["coding"] == 303
    a, b = snapshot(first), snapshot(second)
    assert b["codings"] == a["codings"] and len(a["codings"]) == 303
    assert b["codes"] == a["codes"] and b["documents"] == a["documents"]
    assert b["coders"] == a["coders"] == ["Gergo", "floriansipos"]
