"""REFI-QDA export: schema-valid .qdpx/.qdc, sources as UTF-8 text, code-point positions, stable GUIDs."""

from __future__ import annotations

import zipfile
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest

from qualcode.errors import InvalidInputError
from qualcode.exchange import refi_extensions as ext
from qualcode.exchange.refi_export import export_qdc, export_qdpx
from qualcode.services.coding import list_codings
from qualcode.services.project import Project
from tests.refi_support import CODEBOOK_XSD, PROJECT_XSD, S3_TEXT, rich_project, schema

NS = {"q": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Built once: exporting only reads the project."""
    return rich_project(tmp_path_factory.mktemp("rich") / "rich.db")


def _qde(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("project.qde")


def test_qdpx_is_schema_valid_with_lowercase_sources_and_utf8_text(
    rich: Project, tmp_path: Path
) -> None:
    out = tmp_path / "out.qdpx"
    report = export_qdpx(rich, out)
    assert report.counts["document"] == 3 and report.counts["coding"] == 6
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        texts = {n: zf.read(n) for n in names if n != "project.qde"}
        xml = zf.read("project.qde")
    assert "project.qde" in names and len(names) == 4
    assert all(n.startswith("sources/") and n.endswith(".txt") for n in texts)
    schema(PROJECT_XSD).validate(xml.decode("utf-8"))
    root = ET.fromstring(xml)
    stored = {
        d: t
        for d, t in (
            (s.get("name"), s.get("plainTextPath")) for s in root.iterfind(".//q:TextSource", NS)
        )
    }
    assert set(stored) == {"S3PW1", "S4PW1", "Field notes"}
    raw = texts["sources/" + stored["S3PW1"].removeprefix("internal://")]
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8") == S3_TEXT  # stored text exactly: "\n" line breaks, no BOM


def test_positions_are_code_points_with_exclusive_end(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "out.qdpx"
    export_qdpx(rich, out)
    root = ET.fromstring(_qde(out))
    with zipfile.ZipFile(out) as zf:
        files = {
            n.removeprefix("sources/"): zf.read(n).decode("utf-8")
            for n in zf.namelist()
            if n.startswith("sources/")
        }
    expected = {(r.document, r.text) for r in list_codings(rich)}
    seen = set()
    for src in root.iterfind(".//q:TextSource", NS):
        text = files[src.get("plainTextPath").removeprefix("internal://")]
        for sel in src.iterfind("q:PlainTextSelection", NS):
            a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
            seen.add((src.get("name"), text[a:b]))
    assert seen == expected
    phrase = "The ward staff were welcoming 👍🏽."
    start = S3_TEXT.index(phrase)
    sel = next(
        s
        for s in root.iterfind(".//q:PlainTextSelection", NS)
        if s.get("startPosition") == str(start)
    )
    assert int(sel.get("endPosition")) == start + len(phrase)
    # the emoji before it make UTF-16 counting differ, so this really checks code points
    assert len(S3_TEXT[:start].encode("utf-16-le")) // 2 != start


def test_qdc_is_schema_valid_and_keeps_tree_colours_definitions(
    rich: Project, tmp_path: Path
) -> None:
    out = tmp_path / "book.qdc"
    report = export_qdc(rich, out)
    assert report.counts["code"] >= 16
    xml = out.read_bytes()
    schema(CODEBOOK_XSD).validate(xml.decode("utf-8"))
    root = ET.fromstring(xml)
    context = next(c for c in root.find("c:Codes", NS) if c.get("name") == "Context")
    assert context.get("isCodable") == "false"
    leadership = next(c for c in context.iterfind("c:Code", NS) if c.get("name") == "Leadership")
    assert [c.get("name") for c in leadership.iterfind("c:Code", NS)] == ["Access and authority"]
    geo = next(
        c for c in root.iter("{urn:QDA-XML:codebook:1.0}Code") if c.get("name") == "Geography"
    )
    assert geo.get("color") == "#123abc" and geo.get("isCodable") == "true"
    text, meta = ext.parse(geo.find("c:Description", NS).text)
    assert text == "Distance and travel."
    assert dict(meta) == {
        "inclusion": "Travel times, rural distance.",
        "exclusion": "Not: \n  digital access.",
    }
    timing = next(
        c for c in root.iter("{urn:QDA-XML:codebook:1.0}Code") if c.get("name") == "Timing"
    )
    assert timing.get("isCodable") == "false"
    assert [c.get("name") for c in timing.iterfind("c:Code", NS)] == ["Offer too late"]


def test_same_project_exported_twice_gives_same_guids_and_bytes(
    rich: Project, tmp_path: Path
) -> None:
    export_qdpx(rich, tmp_path / "a.qdpx")
    export_qdpx(rich, tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    export_qdc(rich, tmp_path / "a.qdc")
    export_qdc(rich, tmp_path / "b.qdc")
    assert (tmp_path / "a.qdc").read_bytes() == (tmp_path / "b.qdc").read_bytes()
    qdc_guids = {
        c.get("guid")
        for c in ET.fromstring((tmp_path / "a.qdc").read_bytes()).iter()
        if c.get("guid")
    }
    qde_codes = {
        c.get("guid")
        for c in ET.fromstring(_qde(tmp_path / "a.qdpx")).iter("{urn:QDA-XML:project:1.0}Code")
    }
    assert qdc_guids == qde_codes  # the codebook and the project name codes alike
    other = Project.open(tmp_path / "other.db", coder="alice")
    from qualcode.services.frameworks import apply_framework

    apply_framework(other, "modified-parihs")
    export_qdc(other, tmp_path / "other.qdc")
    other_guids = {
        c.get("guid")
        for c in ET.fromstring((tmp_path / "other.qdc").read_bytes()).iter()
        if c.get("guid")
    }
    assert not other_guids & qdc_guids  # GUIDs are per project, not per code name


def test_project_content_users_cases_variables_notes_valence(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "out.qdpx"
    export_qdpx(rich, out)
    root = ET.fromstring(_qde(out))
    assert sorted(u.get("name") for u in root.iterfind("q:Users/q:User", NS)) == ["alice", "bob"]
    variables = {
        v.get("guid"): (v.get("name"), v.get("typeOfVariable"))
        for v in root.iterfind("q:Variables/q:Variable", NS)
    }
    types = dict(variables.values())
    assert (
        types["fidelity"] == "Integer" and types["ratio"] == "Float" and types["locality"] == "Text"
    )
    assert types["participant"] == "Text" and types["participant.years"] == "Integer"
    site3 = next(c for c in root.iterfind("q:Cases/q:Case", NS) if c.get("name") == "Site 3")
    values = {
        variables[v.find("q:VariableRef", NS).get("targetGUID")][0]: v[1].text
        for v in site3.iterfind("q:VariableValue", NS)
    }
    assert values == {"engagement": "76", "fidelity": "12", "locality": "urban", "ratio": "0.5"}
    sources = {s.get("guid"): s.get("name") for s in root.iterfind(".//q:TextSource", NS)}
    assert [sources[r.get("targetGUID")] for r in site3.iterfind("q:SourceRef", NS)] == ["S3PW1"]
    assert dict(ext.parse(site3.find("q:Description", NS).text)[1])["group"] == "high"
    descriptions = [
        ext.parse(s.findtext("q:Description", "", NS))
        for s in root.iterfind(".//q:PlainTextSelection", NS)
    ]
    assert ("valued\nby staff", [("valence", "facilitator")]) in descriptions
    assert sum(1 for _, m in descriptions if ("valence", "barrier") in m) == 2
    notes = {n.get("name"): n for n in root.iterfind("q:Notes/q:Note", NS)}
    assert notes["Journal"].findtext("q:PlainTextContent", None, NS) == "Overall impressions."
    journal_ref = root.find("q:NoteRef", NS).get("targetGUID")
    assert journal_ref == notes["Journal"].get("guid")  # a project memo hangs off <Project>
    quote = notes["Quote"].get("guid")
    assert any(r.get("targetGUID") == quote for r in root.iterfind(".//q:Coding/q:NoteRef", NS))
    assert "Chart: Site 3 \u00d7 Context/Culture" in notes


def test_export_qdc_without_codes_is_a_clear_error(tmp_path: Path) -> None:
    empty = Project.open(tmp_path / "e.db", coder="x")
    with pytest.raises(InvalidInputError, match="no codes"):
        export_qdc(empty, tmp_path / "e.qdc")
    assert not (tmp_path / "e.qdc").exists()
    export_qdpx(empty, tmp_path / "e.qdpx")  # an empty project is still a valid project file
    schema(PROJECT_XSD).validate(_qde(tmp_path / "e.qdpx").decode("utf-8"))


def test_cli_export_qdpx_and_qdc(rich: Project, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from qualcode.cli.main import cli

    for kind in ("qdpx", "qdc"):
        out = tmp_path / f"cli.{kind}"
        done = CliRunner().invoke(
            cli, ["--db", rich.location, "export", kind, str(out)], env={"QUALCODE_CODER": "cli"}
        )
        assert done.exit_code == 0, done.output
        assert f"Wrote {out}" in done.output and out.exists()
    assert zipfile.is_zipfile(tmp_path / "cli.qdpx")
    assert len(ET.fromstring((tmp_path / "cli.qdc").read_bytes()).findall(".//c:Code", NS)) >= 16


def test_export_carries_user_names_dates_and_colours_other_tools_show(
    rich: Project, tmp_path: Path
) -> None:
    out = tmp_path / "who.qdpx"
    export_qdpx(rich, out)
    xml = _qde(out)
    schema(PROJECT_XSD).validate(xml.decode("utf-8"))
    root = ET.fromstring(xml)
    users = {u.get("guid"): u.get("name") for u in root.iterfind("q:Users/q:User", NS)}
    assert users[root.get("creatingUserGUID")] == "alice"  # who started the project
    assert root.get("creationDateTime").endswith("Z") and root.get("modifiedDateTime") >= root.get(
        "creationDateTime"
    )
    codings = list(root.iterfind(".//q:Coding", NS))
    assert {users[c.get("creatingUser")] for c in codings} == {"alice", "bob"}
    assert all(c.get("creationDateTime") for c in codings)
    assert all(s.get("creationDateTime") for s in root.iterfind(".//q:TextSource", NS))
    colours = {c.get("name"): c.get("color") for c in root.iter(f"{{{NS['q']}}}Code")}
    assert colours["Geography"] == "#123abc"


def test_guids_shared_in_the_project_are_not_exported_twice(rich: Project, tmp_path: Path) -> None:
    """A clash kept by an older import must not travel on: the second owner gets its own GUID."""
    from sqlalchemy import select

    from qualcode.store.models import Code

    shared = "0f0e0d0c-0b0a-4909-8807-060504030201"
    with rich.transaction("test clash") as s:
        for code in s.scalars(select(Code).where(Code.name.in_(["Geography", "Timing"]))):
            code.guid = shared
    try:
        out = tmp_path / "clash.qdpx"
        report = export_qdpx(rich, out)
        guids = [el.get("guid") for el in ET.fromstring(_qde(out)).iter() if el.get("guid")]
        assert len(guids) == len(set(guids)) and shared in guids
        assert any("shared a GUID" in w for w in report.warnings)
    finally:
        with rich.transaction("test clash undone") as s:
            for code in s.scalars(select(Code).where(Code.guid == shared)):
                code.guid = None
