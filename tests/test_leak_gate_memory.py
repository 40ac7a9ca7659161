"""The export gate remembers its last scan while nothing it scanned has changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from qualcode.analysis import gate_scan
from qualcode.analysis import leaks as analysis_leaks
from qualcode.services.coding import add_coding_by_phrase
from qualcode.services.leak_memory import GATE_SETTING
from qualcode.services.leaks import allow_words, gate_findings, read_key
from qualcode.services.project import Project
from qualcode.store.models import (
    AuditEntry,
    CellSummary,
    Code,
    Coding,
    Document,
    Memo,
    Setting,
    WorkshopComment,
)
from tests.conftest import add_document
from tests.matrix_data import build_chart_project

LEAK = "S9PW1: ring me on 0161-496-0001 any time. Zanzibarro Quell was there."


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the gate ran the scanner (the real one, counted)."""
    calls: list[int] = []
    real = gate_scan.find_leaks

    def counted(*args: Any, **kw: Any) -> list[analysis_leaks.Finding]:
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(gate_scan, "find_leaks", counted)
    return calls


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = build_chart_project(tmp_path / "p.db")
    add_document(project, "S9PW1", LEAK, participant="S9PW1", case="Site 9")
    return project


def audit_count(project: Project) -> int:
    with project.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry)) or 0


def code_id(project: Project) -> int:
    with project.read() as s:
        return s.scalars(select(Code.id).order_by(Code.id)).first()


def test_second_gate_uses_the_remembered_result_and_writes_no_audit(
    project: Project, scans: list[int]
) -> None:
    audits = audit_count(project)
    first = gate_findings(project)
    assert [f.text for f in first] == ["0161-496-0001"] and len(scans) == 1
    assert audit_count(project) == audits  # a cache, not a user operation
    stored = project.setting(GATE_SETTING)
    assert json.loads(stored)["certain"][0]["document"] == "S9PW1"
    assert "0161" not in stored  # places only: no transcript text copied into the settings
    assert gate_findings(project) == first and len(scans) == 1
    # coding (without a memo) changes nothing the gate reads
    add_coding_by_phrase(project, "S9PW1", "ring me", "Geography")
    assert gate_findings(project) == first and len(scans) == 1
    with project.transaction("remove") as s:
        s.execute(Coding.__table__.delete().where(Coding.memo == ""))
    assert gate_findings(project) == first and len(scans) == 1


def _edit_document(p: Project, tmp: Path) -> None:
    with p.transaction("edit") as s:
        s.execute(update(Document).where(Document.name == "S9PW1").values(text=LEAK + " Bye."))


def _summary(p: Project, tmp: Path) -> None:
    with p.transaction("summary") as s:
        s.add(CellSummary(row_type="case", row_id=1, code_id=code_id(p), text="Mostly fine."))


def _comment(p: Project, tmp: Path) -> None:
    with p.transaction("comment") as s:
        s.add(
            WorkshopComment(
                row_type="case", row_id=1, code_id=code_id(p), author="group", text="Agreed."
            )
        )


def _memo(p: Project, tmp: Path) -> None:
    with p.transaction("memo") as s:
        s.add(Memo(target_type="project", target_id=None, title="m", text="A thought."))


def _coding_memo(p: Project, tmp: Path) -> None:
    add_coding_by_phrase(p, "S9PW1", "any time", "Geography", memo="call back")


def _allow(p: Project, tmp: Path) -> None:
    allow_words(p, ["Quell"])


KEY_ROWS = {"key": "real,pseudonym\nZanzibarro Quell,S9PW1\n", "pseudonym": "real,pseudonym\n"}


@pytest.mark.parametrize(
    "change",
    [_edit_document, _summary, _comment, _memo, _coding_memo, _allow],
    ids=["document", "summary", "workshop comment", "memo", "coding memo", "allow list"],
)
def test_each_change_to_what_is_scanned_scans_again(
    project: Project, scans: list[int], tmp_path: Path, change: Callable[[Project, Path], None]
) -> None:
    gate_findings(project)
    assert len(scans) == 1
    change(project, tmp_path)
    gate_findings(project)
    assert len(scans) == 2
    gate_findings(project)
    assert len(scans) == 2


def test_a_different_key_scans_again_and_finds_its_names(
    project: Project, scans: list[int], tmp_path: Path
) -> None:
    assert [f.text for f in gate_findings(project)] == ["0161-496-0001"]
    path = tmp_path / "key.csv"
    path.write_text("real,pseudonym\nZanzibarro Quell,S9PW1\n")
    found = gate_findings(project, read_key(path))
    assert len(scans) == 2 and "Zanzibarro Quell" in [f.text for f in found]
    path.write_text("real,pseudonym\nZanzibarro Quell,S9PW2\n")  # only a pseudonym changed
    gate_findings(project, read_key(path))
    assert len(scans) == 3


def test_a_different_ner_pipeline_scans_again(
    project: Project, scans: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALCODE_NER_MODEL", "none")
    gate_findings(project)
    monkeypatch.setenv("QUALCODE_NER_MODEL", "no_such_pipeline_here")
    gate_findings(project)
    assert len(scans) == 2


@pytest.mark.parametrize(
    "stored",
    [
        "{not json",
        "[]",
        '{"version": 1, "fingerprint": "x"}',
        '{"certain": [{"what": 1}]}',
        "OUT OF RANGE",
    ],
)
def test_a_corrupt_or_older_stored_value_is_never_trusted(
    project: Project, scans: list[int], stored: str
) -> None:
    first = gate_findings(project)
    value = json.loads(project.setting(GATE_SETTING))
    if stored == "OUT OF RANGE":  # the right fingerprint, a place past the text's end
        row = dict(value["certain"][0], start=10**6, end=10**6 + 3)
        stored = json.dumps(dict(value, certain=[row]))
    with project.transaction() as s:
        s.merge(Setting(key=GATE_SETTING, value=stored))
    assert gate_findings(project) == first and len(scans) == 2
    # an older scanner's result with the right fingerprint and no findings: ignored
    older = dict(value, version=value["version"] - 1, certain=[])
    with project.transaction() as s:
        s.merge(Setting(key=GATE_SETTING, value=json.dumps(older)))
    assert gate_findings(project) == first and len(scans) == 3
    # the same with the current version would be trusted (so the test above means something)
    trusted = dict(value, certain=[])
    with project.transaction() as s:
        s.merge(Setting(key=GATE_SETTING, value=json.dumps(trusted)))
    assert gate_findings(project) == [] and len(scans) == 3
