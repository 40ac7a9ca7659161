"""A .qdpx is untrusted: path escapes, zip bombs, entity expansion, bad XML, missing sources.

Each case must fail with a clear error and leave the project exactly as it was.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from qualcode.errors import InvalidInputError
from qualcode.exchange.refi_import import import_qdc, import_qdpx
from qualcode.exchange.refi_xml import ArchiveLimits
from qualcode.services.codebook import create_code
from qualcode.services.project import Project
from tests.conftest import add_document
from tests.refi_support import make_qdpx, simple_qde, table_counts

TEXT = "Alpha beta gamma delta."
GOOD_QDE = simple_qde("t.txt", [(0, 5)])

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE Project [\n <!ENTITY lol "lol">\n'
    ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n'
    ' <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">\n]>\n'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="&lol4;"/>'
)
EXTERNAL = (
    '<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>'
)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A project with something in it, so 'nothing changed' means something."""
    p = Project.open(tmp_path / "safe.db", coder="tester")
    add_document(p, "Existing", "Stored before the import.")
    create_code(p, "Existing code")
    return p


def _refused(project: Project, path: Path, match: str, **kw: object) -> str:
    before = table_counts(project)
    with pytest.raises(InvalidInputError, match=match) as err:
        import_qdpx(project, path, segment=False, **kw)  # type: ignore[arg-type]
    assert table_counts(project) == before
    assert path.name in str(err.value)  # the message names the file
    return str(err.value)


def test_good_file_imports(project: Project, tmp_path: Path) -> None:
    """The control: the same builder without the flaw imports fine."""
    report = import_qdpx(
        project, make_qdpx(tmp_path / "ok.qdpx", GOOD_QDE, {"t.txt": TEXT}), segment=False
    )
    assert report.created["coding"] == 1


@pytest.mark.parametrize(
    "entry", ["../evil.txt", "sources/../../evil.txt", "/etc/evil", "C:/evil.txt", "..\\evil.txt"]
)
def test_zip_path_traversal_is_refused(project: Project, tmp_path: Path, entry: str) -> None:
    path = make_qdpx(tmp_path / "trav.qdpx", GOOD_QDE, {"t.txt": TEXT})
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(zipfile.ZipInfo(entry), b"x")
    _refused(project, path, "points outside the archive")


def test_source_path_escaping_the_sources_folder_is_never_read(
    project: Project, tmp_path: Path
) -> None:
    """The source is reported (by name and GUID) and left out; nothing outside sources/ is read."""
    for i, bad in enumerate(
        ("internal://../project.qde", "../project.qde", "sources/../../x.txt", "C:/x.txt")
    ):
        qde = GOOD_QDE.replace("internal://t.txt", bad)
        path = make_qdpx(tmp_path / f"esc{i}.qdpx", qde, {"t.txt": TEXT})
        before = table_counts(project)
        report = import_qdpx(project, path, segment=False)
        assert report.omitted and table_counts(project)["documents"] == before["documents"]
        ((name, guid, why),) = report.unreadable
        assert (name, guid) == ("Interview", "11e0d4d7-4de8-4501-a82f-653d3e5d1c15")
        assert "outside the export's sources/ folder" in why
        assert report.skipped["coding on a source not imported"] == 1
        _refused(project, path, "--strict: not everything", strict=True)


def test_too_many_entries(project: Project, tmp_path: Path) -> None:
    path = make_qdpx(tmp_path / "many.qdpx", GOOD_QDE, {f"f{i}.txt": "x" for i in range(12)})
    _refused(project, path, "13 entries", limits=ArchiveLimits(max_entries=10))


def test_too_large_uncompressed(project: Project, tmp_path: Path) -> None:
    big = "a " * (1024 * 1024)  # 2 MiB of text, compresses to a few KiB
    path = make_qdpx(tmp_path / "big.qdpx", GOOD_QDE, {"t.txt": big})
    assert path.stat().st_size < 64 * 1024
    _refused(
        project, path, "unpacks to 2 MiB", limits=ArchiveLimits(max_total_uncompressed=1024 * 1024)
    )
    # sizes are enforced while reading too, whatever the headers claim
    _refused(project, path, "more than 1 MiB", limits=ArchiveLimits(max_read=1024 * 1024))


def test_billion_laughs(project: Project, tmp_path: Path) -> None:
    msg = _refused(project, make_qdpx(tmp_path / "laughs.qdpx", LAUGHS), "DTD or entities")
    assert "refused for safety" in msg
    bare = tmp_path / "laughs.qde"
    bare.write_text(LAUGHS, encoding="utf-8")
    _refused(project, bare, "DTD or entities")
    qdc = tmp_path / "laughs.qdc"
    qdc.write_text(LAUGHS.replace("Project", "CodeBook"), encoding="utf-8")
    with pytest.raises(InvalidInputError, match="DTD or entities"):
        import_qdc(project, qdc)


def test_external_entity(project: Project, tmp_path: Path) -> None:
    _refused(project, make_qdpx(tmp_path / "xxe.qdpx", EXTERNAL), "DTD or entities")


def test_malformed_xml_names_line(project: Project, tmp_path: Path) -> None:
    broken = GOOD_QDE.replace("</Sources>", "</Source>")
    msg = _refused(
        project, make_qdpx(tmp_path / "bad.qdpx", broken, {"t.txt": TEXT}), "malformed XML"
    )
    assert "line 2" in msg
    _refused(project, make_qdpx(tmp_path / "none.qdpx", "", {}), "malformed XML")


def test_not_a_refi_file(project: Project, tmp_path: Path) -> None:
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(b"\x00\x01 not xml, not zip")
    _refused(project, junk, "malformed XML")
    nozip = tmp_path / "noqde.qdpx"
    with zipfile.ZipFile(nozip, "w") as zf:
        zf.writestr("readme.txt", "hello")
    _refused(project, nozip, "no project.qde")
    other = make_qdpx(tmp_path / "html.qdpx", "<html><body/></html>")
    _refused(project, other, "not <Project>")


def test_missing_source_file_is_reported_and_strict_refuses(
    project: Project, tmp_path: Path
) -> None:
    path = make_qdpx(tmp_path / "miss.qdpx", GOOD_QDE, {})
    msg = _refused(project, path, "sources/t.txt", strict=True)
    assert "nothing was imported" in msg and "Run without --strict" in msg
    report = import_qdpx(project, path, segment=False)
    assert report.missing_sources == ["Interview"] and report.created["code"] == 1
    assert any("looked for sources/t.txt" in line for line in report.summary_lines())


def test_bad_position_is_a_clear_error(project: Project, tmp_path: Path) -> None:
    qde = GOOD_QDE.replace('endPosition="5"', 'endPosition="five"')
    _refused(project, make_qdpx(tmp_path / "pos.qdpx", qde, {"t.txt": TEXT}), "not a whole number")
