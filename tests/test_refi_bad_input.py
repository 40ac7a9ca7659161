"""Hostile or damaged REFI-QDA files through the real command line.

Each case asserts the exit status, a one-line message that says what to do, and
that nothing of the bad input was stored (the project's other rows are untouched).
"""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import pytest

from qualcode.errors import InvalidInputError
from qualcode.exchange.refi_import import import_qdc, import_qdpx
from qualcode.services.project import Project
from tests.conftest import add_document
from tests.refi_support import make_qdpx, simple_qde, table_counts
from tests.refi_writers import standard_project, zip_files
from tests.test_cli import run

TEXT = "Alpha beta gamma delta."
GOOD = simple_qde("t.txt", [(0, 5)])
MiB = 1024 * 1024


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "bad.db"
    add_document(Project.open(path, coder="tester"), "Existing", "Stored before the import.")
    return path


def _counts(db: Path) -> dict[str, int]:
    return table_counts(Project.open(db))


def _refused_by_cli(db: Path, path: Path, *needles: str, code: int = 1) -> str:
    before = _counts(db)
    result = run(db, "import", str(path))
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and all(n in errors[0] for n in needles), result.stderr
    assert _counts(db) == before
    return errors[0]


def _bomb(path: Path, size: int) -> Path:
    """A .qdpx whose one text source unpacks to ``size`` bytes from a zip of a few hundred KiB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", GOOD)
        with zf.open("sources/t.txt", "w", force_zip64=True) as fh:
            block = b"a " * (MiB // 2)
            for _ in range(size // MiB):
                fh.write(block)
    return path


def test_zip_bomb_source_is_stopped_while_unpacking(db: Path, tmp_path: Path) -> None:
    """Counted while unpacking: refused after the per-entry limit, never inflated whole."""
    path = _bomb(tmp_path / "bomb.qdpx", 256 * MiB)
    assert path.stat().st_size < 2 * MiB
    msg = _refused_by_cli(
        db, path, "bomb.qdpx", "sources/t.txt unpacks to more than 64 MiB", "nothing was imported"
    )
    assert "zip bomb" in msg
    project = Project.open(tmp_path / "mem.db", coder="tester")
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInputError, match="unpacks to more than 64 MiB"):
            import_qdpx(project, path, segment=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 160 * MiB  # the limit plus a chunk, not the 256 MiB the entry holds


def _deep_codes(depth: int) -> str:
    opening = "".join(
        f'<Code guid="00000000-0000-4000-8000-{i:012d}" name="c{i}" isCodable="true">'
        for i in range(depth)
    )
    return opening + "</Code>" * depth


def test_codes_nested_5000_deep_are_refused_without_recursion_error(
    db: Path, tmp_path: Path
) -> None:
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="deep"><CodeBook><Codes>'
        f"{_deep_codes(5000)}</Codes></CodeBook></Project>"
    )
    path = make_qdpx(tmp_path / "deep.qdpx", qde)
    _refused_by_cli(
        db,
        path,
        "deep.qdpx",
        "nested more than 100 levels deep",
        "c100",
        "nothing was imported",
        "Flatten",
    )
    qdc = tmp_path / "deep.qdc"
    qdc.write_text(
        f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{_deep_codes(5000)}</Codes></CodeBook>',
        encoding="utf-8",
    )
    _refused_by_cli(db, qdc, "deep.qdc", "nested more than 100 levels deep")
    ok = tmp_path / "ok.qdc"  # a deep but sane tree still imports
    ok.write_text(
        f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{_deep_codes(100)}</Codes></CodeBook>',
        encoding="utf-8",
    )
    assert import_qdc(Project.open(tmp_path / "ok.db"), ok).created["code"] == 100


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b"])
def test_control_characters_leave_their_source_out_with_its_position(
    db: Path, tmp_path: Path, bad: str
) -> None:
    text = f"Line one.\nLine two has a {bad} in it.\n"
    qde = standard_project(
        [
            {
                "guid": "11e0d4d7-4de8-4501-a82f-653d3e5d1c15",
                "name": "Damaged",
                "plainTextPath": "internal://d.txt",
                "start": "0",
                "end": "4",
            },
            {
                "guid": "22e0d4d7-4de8-4501-a82f-653d3e5d1c15",
                "name": "Fine",
                "plainTextPath": "internal://f.txt",
                "start": "0",
                "end": "5",
            },
        ]
    )
    path = zip_files(
        tmp_path / "ctl.qdpx", {"project.qde": qde, "sources/d.txt": text, "sources/f.txt": TEXT}
    )
    before = _counts(db)
    result = run(db, "import", str(path))
    assert result.returncode == 4 and "Traceback" not in result.stderr
    where = text.index(bad)
    assert (
        f"source 'Damaged' (GUID 11e0d4d7-4de8-4501-a82f-653d3e5d1c15) not imported: "
        f"sources/d.txt has a control character U+{ord(bad):04X} at character {where} (line 2)"
    ) in result.stdout
    after = _counts(db)
    assert (
        after["documents"] == before["documents"] + 1 and after["codings"] == before["codings"] + 1
    )
    with Project.open(db).read() as s:
        from sqlalchemy import select

        from qualcode.store.models import Document

        texts = list(s.scalars(select(Document.text)))
    assert not any(bad in t for t in texts)
    strict = run(db, "import", "--strict", str(path))
    assert strict.returncode == 1 and "U+" in strict.stderr and _counts(db) == after


def test_vertical_tab_and_form_feed_become_line_breaks(tmp_path: Path) -> None:
    """Word's manual line break and a page break: kept as line breaks, positions unchanged."""
    text = "Page one.\x0cPage two,\x0bnext line."
    path = make_qdpx(tmp_path / "ff.qdpx", simple_qde("t.txt", [(10, 19)]), {"t.txt": text})
    project = Project.open(tmp_path / "ff.db", coder="tester")
    report = import_qdpx(project, path, segment=False)
    from qualcode.services.coding import list_codings
    from qualcode.services.documents import open_document

    assert open_document(project, "Interview").text == "Page one.\nPage two,\nnext line."
    assert [r.text for r in list_codings(project)] == ["Page two,"] and not report.omitted


def test_colliding_guids_are_refused_with_both_owners_named(db: Path, tmp_path: Path) -> None:
    qde = GOOD.replace(
        '<Code guid="5215cc69-b628-4e02-afb9-9beeaee55808" name="Topic" isCodable="true"/>',
        '<Code guid="5215cc69-b628-4e02-afb9-9beeaee55808" name="Topic" isCodable="true"/>'
        '<Code guid="{5215CC69-B628-4E02-AFB9-9BEEAEE55808}" name="Other" '
        'isCodable="true"/>',
    )
    path = make_qdpx(tmp_path / "twice.qdpx", qde, {"t.txt": TEXT})
    _refused_by_cli(
        db,
        path,
        "twice.qdpx",
        "GUID 5215cc69-b628-4e02-afb9-9beeaee55808 is used by 2",
        "Code 'Topic'",
        "Code 'Other'",
        "ambiguous",
        "nothing was imported",
    )
    source_and_code = GOOD.replace(
        'guid="11e0d4d7-4de8-4501-a82f-653d3e5d1c15"', 'guid="5215cc69-b628-4e02-afb9-9beeaee55808"'
    )
    path = make_qdpx(tmp_path / "cross.qdpx", source_and_code, {"t.txt": TEXT})
    _refused_by_cli(db, path, "cross.qdpx", "TextSource 'Interview'")


def test_atlas_ti_pdf_area_and_its_text_selection_sharing_a_guid_is_not_a_clash(
    tmp_path: Path,
) -> None:
    qde = simple_qde("t.txt", [(0, 4)]).replace(
        "</Sources>",
        (
            '<PDFSource guid="2065d8ab-d724-40c9-b4e9-6eb8dab73541" name="R.pdf" '
            'path="internal://r.pdf">'
            '<PDFSelection guid="27a5f0c2-e225-4d6a-8297-f4fec794d890" page="0" firstX="1" '
            'firstY="1" secondX="9" secondY="9"/>'
            '<Representation guid="142eb46d-612e-4593-a385-d0e5d04d1288" '
            'plainTextPath="internal://r.txt"><PlainTextSelection '
            'guid="27a5f0c2-e225-4d6a-8297-f4fec794d890" startPosition="0" endPosition="3">'
            '<Coding guid="4b1f2d56-cce9-46f9-8248-e110f3352c5a"><CodeRef '
            'targetGUID="5215cc69-b628-4e02-afb9-9beeaee55808"/></Coding></PlainTextSelection>'
            "</Representation></PDFSource></Sources>"
        ),
    )
    path = make_qdpx(tmp_path / "atlas.qdpx", qde, {"t.txt": TEXT, "r.txt": "Mix it."})
    report = import_qdpx(Project.open(tmp_path / "a.db"), path, segment=False)
    assert report.created["coding"] == 2


def test_utf16_source_without_bom_is_read_not_refused(tmp_path: Path) -> None:
    text = "Peer support works. Édes."
    path = make_qdpx(
        tmp_path / "u16.qdpx", simple_qde("t.txt", [(0, 4)]), {"t.txt": text.encode("utf-16-le")}
    )
    report = import_qdpx(Project.open(tmp_path / "u.db"), path, segment=False)
    assert not report.omitted and report.created["coding"] == 1
    assert any("UTF-16 without a byte-order mark" in w for w in report.warnings)
