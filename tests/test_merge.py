"""Merging a colleague's .qdpx: their codings under their name, nothing here changed."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode.errors import InvalidInputError
from qualcode.exchange.refi_export import export_qdpx
from qualcode.exchange.refi_import import import_qdpx
from qualcode.services.codebook import create_code
from qualcode.services.coding import add_coding, list_codings
from qualcode.services.merging import merge_qdpx
from qualcode.services.project import Project
from qualcode.store.models import Code, Coding
from tests.conftest import add_document
from tests.test_cli import run

T1 = "Interviewer: How were the wards?\n\nS3PW1: Staff knew who we were. The bus took an hour.\n"
T2 = "Interviewer: And supervision?\n\nS4PW1: We had none for months.\n"


@pytest.fixture
def mine(project: Project) -> Project:
    """Ann's project (SQLite, or PostgreSQL on the second run)."""
    project.coder_name = "ann"
    return _mine(project)


def _mine(p: Project) -> Project:
    add_document(p, "S3PW1", T1)
    add_document(p, "S4PW1", T2)
    create_code(p, "Culture")
    create_code(p, "Resources")
    add_coding(p, "S3PW1", T1.index("Staff"), T1.index("were.") + 5, "Culture")
    return p


def _colleague(tmp_path: Path, mine: Project) -> Path:
    """Ben imports ann's export, renames a document, codes, adds a code, and exports."""
    export_qdpx(mine, tmp_path / "from-ann.qdpx")
    ben = Project.open(tmp_path / "ben.db", coder="ben")
    import_qdpx(ben, tmp_path / "from-ann.qdpx", segment=False)
    with ben.transaction("rename") as s:
        from qualcode.store.models import Document

        s.scalar(select(Document).where(Document.name == "S3PW1")).name = "interview-1"
    add_coding(ben, "interview-1", T1.index("Staff"), T1.index("were.") + 5, "Culture")
    add_coding(
        ben,
        "interview-1",
        T1.index("The bus"),
        T1.index("hour.") + 5,
        "Resources",
        valence="barrier",
    )
    create_code(ben, "Travel", parent="Resources")
    add_coding(ben, "S4PW1", T2.index("We had"), len(T2) - 1, "Resources/Travel")
    out = tmp_path / "ben.qdpx"
    export_qdpx(ben, out)
    return out


def test_merge_adds_codings_under_their_coder(mine: Project, tmp_path: Path) -> None:
    before = {(c.id, c.start, c.end, c.code, c.coder) for c in list_codings(mine)}
    report = merge_qdpx(mine, _colleague(tmp_path, mine))
    assert {t for t, _ in report.documents} == {"interview-1", "S4PW1"}
    assert ("interview-1", "S3PW1") in report.documents  # matched by text, not by name
    assert report.codes_matched["GUID"] >= 2 and report.codes_new == ["Resources/Travel"]
    assert report.coders["ben"] == 3 and report.codings_new == 3
    assert report.codings_matched == 1  # ann's own coding came back in ben's file
    after = list_codings(mine)
    assert before <= {(c.id, c.start, c.end, c.code, c.coder) for c in after}
    bens = [c for c in after if c.coder == "ben"]
    assert {c.code for c in bens} == {"Culture", "Resources", "Travel"}
    assert next(c for c in bens if c.code == "Resources").valence == "barrier"
    # merging again adds nothing
    again = merge_qdpx(mine, tmp_path / "ben.qdpx")
    assert again.codings_new == 0 and again.codings_matched == 4


def _with_text(src: Path, out: Path, change) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename.startswith("sources/"):
                data = change(data.decode("utf-8")).encode("utf-8")
            zout.writestr(item, data)
    return out


def test_one_character_changed_is_an_error_and_nothing_is_stored(
    mine: Project, tmp_path: Path
) -> None:
    theirs = _colleague(tmp_path, mine)
    changed = _with_text(
        theirs, tmp_path / "changed.qdpx", lambda t: t.replace("took an hour", "took an houR")
    )
    count = _count(mine)
    with pytest.raises(InvalidInputError, match=r"differs from our document 'S3PW1' at line 3"):
        merge_qdpx(mine, changed)
    assert _count(mine) == count
    with mine.read() as s:
        assert s.scalar(select(Code.id).where(Code.name == "Travel")) is None


def test_documents_matching_nothing(mine: Project, tmp_path: Path) -> None:
    theirs = _colleague(tmp_path, mine)
    other = Project.open(tmp_path / "other.db", coder="cat")
    add_document(other, "Unrelated", "A completely different interview about gardens.\n")
    count = _count(other)
    with pytest.raises(InvalidInputError, match="none of its documents"):
        merge_qdpx(other, theirs)
    assert _count(other) == count


def _count(p: Project) -> int:
    with p.read() as s:
        return s.scalar(select(func.count()).select_from(Coding)) or 0


def test_cli_merge_report(mine: Project, tmp_path: Path) -> None:
    theirs = _colleague(tmp_path, mine)
    db = mine.engine.url.render_as_string(hide_password=False)
    mine.engine.dispose()
    out = run(db, "import", "--merge", str(theirs))
    assert out.returncode == 0, out.stderr
    assert "documents matched by text: 2" in out.stdout and "interview-1 -> S3PW1" in out.stdout
    assert "codes new: 1 (Resources/Travel)" in out.stdout
    again = json.loads(run(db, "import", "--merge", str(theirs), "--json").stdout)
    assert again["codings_new"] == 0 and again["codings_matched"] == 4
    bad = run(db, "import", "--merge", str(tmp_path / "notes.txt"))
    assert bad.returncode != 0 and ".qdpx" in bad.stderr
