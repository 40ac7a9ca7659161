"""The export gate's scan in a second process: same findings, and the export waits for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.analysis.matrix_spec import MatrixSpec
from qualcode.services import charting, leaks, scan_ahead
from qualcode.services.leaks import GateScan, IdentifiersFoundError, gate_findings
from qualcode.services.project import Project
from tests.conftest import add_document
from tests.matrix_data import build_chart_project

LEAKS = [
    "S9PW1: ring me on 0161-496-0001 any time. Dr Quell came too.",
    "S9PW1: my email is someone@example.org and Zanzibarro was there.",
]


def leaky(path: Path) -> Project:
    project = build_chart_project(path)
    for i, text in enumerate(LEAKS):
        add_document(project, f"S9PW{i + 1}", text, participant=f"S9PW{i + 1}", case="Site 9")
    return project


def test_the_second_process_finds_what_this_one_does(tmp_path: Path) -> None:
    project = leaky(tmp_path / "a.db")
    other = leaky(tmp_path / "b.db")  # the same project again
    scan = GateScan(project, in_child=True)
    assert not scan.known and scan._child is not None  # scanning in the second process
    found = scan.certain()
    here = gate_findings(other)  # in this process
    assert found == here
    assert {f.text for f in found} >= {"0161-496-0001", "someone@example.org", "Dr Quell"}


def test_a_failed_second_process_falls_back_to_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = leaky(tmp_path / "a.db")
    expected = gate_findings(leaky(tmp_path / "b.db"))
    monkeypatch.setattr(scan_ahead, "SCAN_TARGET", "qualcode.no_such_module:serve")
    scan = GateScan(project, in_child=True)
    assert scan._child is not None
    assert scan.certain() == expected


def test_a_remembered_scan_stops_the_process_started_ahead(tmp_path: Path) -> None:
    project = leaky(tmp_path / "a.db")
    gate_findings(project)  # remembered now
    scan_ahead.start_scan_process()
    ahead = scan_ahead._ahead[0]
    scan = GateScan(project, in_child=True)
    assert scan.known and scan._child is None
    assert ahead._proc.returncode is not None  # stopped, not left running
    assert scan_ahead.take_scan_process() is None


def test_the_process_started_ahead_does_the_scan(tmp_path: Path) -> None:
    project = leaky(tmp_path / "a.db")
    scan_ahead.start_scan_process()
    ahead = scan_ahead._ahead[0]
    scan = GateScan(project, in_child=True)
    assert scan._child is ahead
    assert {f.text for f in scan.certain()} >= {"0161-496-0001"}
    assert ahead._proc.returncode is not None


def test_a_refused_export_leaves_the_old_file_and_no_folder(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    project = leaky(tmp_path / "a.db")
    out = out_dir / "chart.docx"
    out.write_bytes(b"the export from last week")
    with pytest.raises(IdentifiersFoundError, match="0161-496-0001"):
        charting.export_chart(project, MatrixSpec(), out)
    assert out.read_bytes() == b"the export from last week"
    assert sorted(p.name for p in out_dir.iterdir()) == ["chart.docx"]
    written = charting.export_chart(project, MatrixSpec(), out, allow_identifiers="checked")
    assert written == out and out.read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in out_dir.iterdir()) == ["chart.docx"]


def test_a_failed_export_stops_the_scan_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = leaky(tmp_path / "a.db")
    out = tmp_path / "chart.csv"
    out.write_text("old")
    children = []
    real = GateScan.__init__

    def keep(self: GateScan, *args: object, **kw: object) -> None:
        real(self, *args, **kw)  # type: ignore[arg-type]
        children.append(self._child)

    def broken(*args: object, **kw: object) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(GateScan, "__init__", keep)
    monkeypatch.setattr(charting, "write_chart_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        charting.export_chart(project, MatrixSpec(), out)
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".qualcode")) == []
    [child] = children
    assert child is not None and child._proc.returncode is not None


def test_a_project_with_more_text_than_the_limit_is_scanned_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = leaky(tmp_path / "a.db")
    expected = gate_findings(leaky(tmp_path / "b.db"))
    monkeypatch.setattr(leaks, "GATE_PROCESS_MAX_CHARS", 100)
    scan_ahead.start_scan_process()
    ahead = scan_ahead._ahead[0]
    scan = GateScan(project, in_child=True)
    assert scan._child is None and ahead._proc.returncode is not None  # stopped at once
    assert scan.certain() == expected
