"""`qualcode agreement` end to end, and its .docx/.xlsx/.csv exports read back."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from qualcode.services.project import Project
from tests.agreement_data import double_coded
from tests.test_cli import run


@pytest.fixture
def db(db_url: str) -> str:
    project = Project.open(db_url, coder="ann")
    double_coded(project)
    project.engine.dispose()
    return db_url


def test_json_table_and_csv_agree(db: Path) -> None:
    out = run(db, "agreement", "--coders", "ann,ben", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["unit"] == "sentence" and data["coders"] == ["ann", "ben"]
    mixed = next(c for c in data["codes"] if c["code"] == "Mixed")
    unused = next(c for c in data["codes"] if c["code"] == "Unused")
    assert unused["kappa"] is None and "no coder" in unused["reasons"]["all"]
    table = run(db, "agreement", "--coders", "ann", "--coders", "ben")
    assert f"{mixed['kappa']:.3f}" in table.stdout and "All codes (pooled)" in table.stdout
    assert "overlaps it by at least one character" in table.stdout
    rows = list(
        csv.reader(
            run(
                db, "agreement", "--coders", "ann,ben", "--format", "csv", "--codes", "Mixed"
            ).stdout.splitlines()
        )
    )
    assert rows[0][:3] == ["unit", "coders", "code"]
    assert float(rows[1][6]) == pytest.approx(mixed["kappa"])


def test_exports(db: Path, tmp_path: Path) -> None:
    import docx
    import openpyxl

    for suffix in ("docx", "xlsx", "csv"):
        out = tmp_path / f"agree.{suffix}"
        done = run(db, "agreement", "--coders", "ann,ben", "--unit", "char", "--export", str(out))
        assert done.returncode == 0, done.stderr
    text = "\n".join(
        c.text
        for t in docx.Document(str(tmp_path / "agree.docx")).tables
        for row in t.rows
        for c in row.cells
    )
    assert "Mixed" in text and "All codes (pooled)" in text and "—" in text
    ws = openpyxl.load_workbook(tmp_path / "agree.xlsx")["Agreement"]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    agreed = next(r for r in values if r[0] == "Agreed")
    assert agreed[4] == pytest.approx(1.0) and values[-1][0] == "All codes (pooled)"
    assert (tmp_path / "agree.csv").read_text(encoding="utf-8").startswith("unit,coders,code")


def test_bad_input_exits_with_a_message(db: Path, tmp_path: Path) -> None:
    unknown = run(db, "agreement", "--coders", "ann,zoe")
    assert unknown.returncode == 1 and "No coder 'zoe'" in unknown.stderr
    one = run(db, "agreement", "--coders", "ann")
    assert one.returncode == 1 and "at least two coders" in one.stderr
    bad = run(db, "agreement", "--coders", "ann,ben", "--export", str(tmp_path / "a.pdf"))
    assert bad.returncode != 0 and ".docx" in bad.stderr
    assert not (tmp_path / "a.pdf").exists()
