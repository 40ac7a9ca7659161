"""REFI-QDA import: the real NVivo 12 and ATLAS.ti samples, position conventions, producer quirks."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode.exchange.refi_import import import_qdc, import_qdpx
from qualcode.exchange.refi_positions import ATLAS_TI, NVIVO, STANDARD, on_word_boundary
from qualcode.services.codebook import list_codes
from qualcode.services.coding import list_codings
from qualcode.services.documents import list_documents, open_document
from qualcode.services.memos import list_memos
from qualcode.services.project import Project
from qualcode.store.models import Coder, Segment
from tests.refi_support import make_qdpx, sample, simple_qde

NVIVO_FILE = "nvivo12-oltas0517.qdpx"


@pytest.fixture(scope="module")
def nvivo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, object]:
    """The NVivo 12 sample imported once (spaCy segmentation off: it is not what is tested here)."""
    path = sample(NVIVO_FILE)
    project = Project.open(tmp_path_factory.mktemp("nvivo") / "n.db", coder="importer")
    return project, import_qdpx(project, path, segment=False)


def _nvivo_selections(path: Path) -> list[tuple[str, str, int, int, str]]:
    """(source name, raw text, start, end, code guid) read straight from the sample."""
    import defusedxml.ElementTree as ET

    ns = {"q": "urn:QDA-XML:project:1.0"}
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("project.qde"))
        out = []
        for src in root.iterfind(".//q:TextSource", ns):
            name = src.get("plainTextPath").removeprefix("internal://")
            raw = zf.read(f"Sources/{name}").decode("utf-8-sig")
            for sel in src.iterfind("q:PlainTextSelection", ns):
                out.append(
                    (
                        src.get("name"),
                        raw,
                        int(sel.get("startPosition")),
                        int(sel.get("endPosition")),
                        sel.find("q:Coding/q:CodeRef", ns).get("targetGUID"),
                    )
                )
    return out


def test_nvivo_sample_counts_and_convention(nvivo: tuple[Project, object]) -> None:
    project, report = nvivo
    assert report.created["document"] == 2 and report.created["coding"] == 303
    assert report.created["code"] == 152 and report.created["coder"] == 2
    assert "UTF-16 units, CRLF as 2" in report.convention and "NVivo" in report.convention
    lines = report.summary_lines()
    assert any("positions: UTF-16 units" in line for line in lines)
    docs = {d.name: d for d in list_documents(project)}
    assert set(docs) == {"videos_selection", "videos_10_selected"}
    text = open_document(project, "videos_10_selected").text
    assert "\r" not in text and not text.startswith("\ufeff")
    assert "Kötelező oltás: Alkotmánymódosítás is jöhet?" in text
    with project.read() as s:
        assert sorted(s.scalars(select(Coder.name))) == ["Gergo", "floriansipos"]


def test_nvivo_every_selection_text_is_correct(nvivo: tuple[Project, object]) -> None:
    """Each coding's text equals the sample's own text cut in UTF-16 units (NVivo's counting)."""
    project, _ = nvivo
    expected = []
    for name, raw, a, b, _ in _nvivo_selections(sample(NVIVO_FILE)):
        units = raw.encode("utf-16-le")
        cut = units[2 * a : 2 * b].decode("utf-16-le").replace("\r\n", "\n")
        expected.append((name, cut))
    rows = list_codings(project)
    got = [(r.document, r.text) for r in rows]
    assert sorted(got) == sorted(expected) and len(got) == 303
    texts = {name: open_document(project, name).text for name in {r.document for r in rows}}
    on_words = sum(on_word_boundary(texts[r.document], i) for r in rows for i in (r.start, r.end))
    assert on_words >= 600  # of 606 ends; NVivo's own data has three mid-word ends


def test_nvivo_spot_checks_hungarian_and_emoji(nvivo: tuple[Project, object]) -> None:
    project, _ = nvivo
    texts = {r.text for r in list_codings(project, document="videos_10_selected")}
    assert "tudatos hal äl reklám, hatalmas árulás" in texts
    assert "Záhertorta egy alkesz nulla" in texts
    assert (
        "Rohadt életbe, hogy az emberre rá akarnak erőszakolni valamit, ami csak ajánlott 😤😤😤"
    ) in texts  # three emoji, each two UTF-16 units, kept whole
    assert any(t.startswith("Süket duma!!!!!") and t.endswith("🤦🏼\u200d♀️") for t in texts)
    assert any(
        t.startswith("Senkit nem lehet kötelezni oltásra") and t.endswith("és nem élhet.")
        for t in texts
    )


def test_nvivo_codebook_tree_and_descriptions(nvivo: tuple[Project, object]) -> None:
    project, _ = nvivo
    codes = {c.path_str: c for c in list_codes(project)}
    assert "1. Oltás típusa/COVID" in codes and "1. Oltás típusa/Nem COVID" in codes
    deep = (
        "HBM 2. Perceived Severity – Észlelt súlyosság/Betegség kockázatai/relativizálás, analógiák"
    )
    assert codes[deep].definition.strip() == "csak egy nátha"
    assert codes["1. Oltás típusa"].codable is True  # NVivo parents are codable
    assert codes["2. Attitűd szint az oltáshoz/piros"].count > 0


def test_atlasti8_project_without_sources(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "a.db", coder="importer")
    report = import_qdpx(project, sample("atlasti8-standard-project.qde"), segment=False)
    assert report.created["code"] == 14 and report.created["coder"] == 3
    assert report.created.get("document", 0) == 0 and "Mabel.txt" in report.missing_sources
    assert len(report.missing_sources) == 8  # six text sources and two PDF text representations
    assert report.skipped["picture source"] == 1 and report.skipped["video source"] == 2
    assert report.skipped["audio source"] == 1 and report.skipped["graph"] == 1
    assert report.skipped["set"] == 16 and report.skipped["link"] == 1
    assert report.skipped["coding on a source not imported"] == 9
    text = "\n".join(report.summary_lines())
    assert (
        "source 'Mabel.txt' (GUID ec0a7242-65e1-457c-b7d1-310dae603fab) not imported: its text is "
        "not with the file (a bare .qde without its sources/ folder) (looked for "
        "sources/B2F54555-0D2D-43B2-B40C-2A1C048F5F1C.txt"
    ) in text
    assert "1 picture source" in text and report.omitted
    codes = {c.name: c for c in list_codes(project)}
    assert codes["cornflakes"].colour == "#dc0000"
    assert codes["cornflakes"].definition == "breakfast cereal made by Kellogg’s"
    assert '"rushed"' in codes and "Coke::diet Coke" in codes
    memos = {m.title: m for m in list_memos(project)}
    assert memos["Research Plan"].target_type == "project"
    assert memos["Research Plan"].text.startswith("day to day log about this amazing project")
    assert "Director’s cut" in memos["My favorite Coke ad"].text
    assert memos["Research Plan"].author == "Friedrich Markgraf"


def test_atlasti23_codebook(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "c.db", coder="importer")
    report = import_qdc(project, sample("atlasti23-codebook.qdc"))
    (code,) = list_codes(project)
    assert (code.name, code.colour, code.definition, code.codable) == (
        "code1",
        "#46aa00",
        "description",
        True,
    )
    assert code.guid == "1ff58b12-6f6f-4b0c-8be5-bbdc91f55294"
    assert report.skipped["code set (group)"] == 1
    assert "ATLAS.ti Win 23.4.0" in report.summary_lines()[0]
    again = import_qdc(project, sample("atlasti23-codebook.qdc"))
    assert again.matched["code"] == 1 and len(list_codes(project)) == 1


# ---------------------------------------------------------------- conventions, synthetic files

CRLF_TEXT = "Line one 😊 here.\r\nSecond 🤦🏼\u200d♀️ line: peer support works.\r\nThird line ends."
TARGETS = ("peer support works", "Third line ends")


def _positions(text: str, conv: str) -> list[tuple[int, int]]:
    """Where TARGETS sit in CRLF_TEXT as a producer with convention ``conv`` counts."""
    out = []
    for phrase in TARGETS:
        i = text.index(phrase)
        before, inside = text[:i], phrase
        if conv == "one":
            before = before.replace("\r\n", "\n")
        if conv == "utf16":
            a = len(before.encode("utf-16-le")) // 2
            out.append((a, a + len(inside.encode("utf-16-le")) // 2))
        else:
            out.append((len(before), len(before) + len(inside)))
    return out


@pytest.mark.parametrize(
    ("origin", "conv", "expected"),
    [
        ("", "codepoint", STANDARD),
        ("", "one", ATLAS_TI),
        ("MAXQDA 2022", "utf16", NVIVO),
        ("ATLAS.ti 9", "one", ATLAS_TI),
        ("NVivo 14", "codepoint", STANDARD),  # the origin's usual counting loses to word boundaries
    ],
)
def test_convention_detected_and_text_correct(
    tmp_path: Path, origin: str, conv: str, expected: object
) -> None:
    path = make_qdpx(
        tmp_path / "c.qdpx",
        simple_qde("t.txt", _positions(CRLF_TEXT, conv), origin),
        {"t.txt": CRLF_TEXT.encode("utf-8")},
    )
    project = Project.open(tmp_path / "c.db", coder="importer")
    report = import_qdpx(project, path, segment=False)
    assert report.convention.startswith(expected.label)
    assert sorted(r.text for r in list_codings(project)) == sorted(TARGETS)


def test_producer_quirks_capital_sources_any_qde_braced_guids_boms(tmp_path: Path) -> None:
    text = "Peer workers felt welcome. 👍 Then nothing."
    qde = simple_qde(
        "ABC.TXT",
        [(0, 26)],
        "QualCoder 3.6",
        code_guid="{5215CC69-B628-4E02-AFB9-9BEEAEE55808}",
        source_guid="{11E0D4D7-4DE8-4501-A82F-653D3E5D1C15}",
    )
    qde = qde.replace(
        'targetGUID="{5215CC69-B628-4E02-AFB9-9BEEAEE55808}"',
        'targetGUID="5215cc69-b628-4e02-afb9-9beeaee55808"',
    )
    path = make_qdpx(
        tmp_path / "q.qdpx",
        b"\xef\xbb\xbf" + qde.encode("utf-8"),
        {"abc.txt": b"\xef\xbb\xbf" + text.encode("utf-8")},
        qde_name="My Study.qde",
        folder="Sources",
    )
    project = Project.open(tmp_path / "q.db", coder="importer")
    report = import_qdpx(project, path, segment=False)
    (row,) = list_codings(project)
    assert row.text == "Peer workers felt welcome."
    assert open_document(project, "Interview").text == text  # BOM not stored
    (code,) = list_codes(project)
    assert code.guid == "5215cc69-b628-4e02-afb9-9beeaee55808"
    assert row.coder == "importer"  # no user in the file: the importing coder
    assert "QualCoder" in report.convention


def test_other_source_types_are_reported_not_fatal(tmp_path: Path) -> None:
    qde = simple_qde("t.txt", [(0, 4)]).replace(
        "</Sources>",
        (
            '<PictureSource guid="02255470-09e6-400b-9e20-97d71fbec65d" name="photo.jpg" '
            'path="internal://02255470-09e6-400b-9e20-97d71fbec65d.jpg"><PictureSelection '
            'guid="7532038c-670e-471b-aa89-a1098e9a4e33" firstX="1" firstY="1" secondX="5" secondY="5">'
            '<Coding guid="8205358c-5489-4f75-a86d-c7a3df1571ce"><CodeRef '
            'targetGUID="5215cc69-b628-4e02-afb9-9beeaee55808"/></Coding></PictureSelection>'
            '</PictureSource><AudioSource guid="da744775-589a-46d3-8b26-a07adce1e1ca" '
            'path="relative:///x.m4a"/></Sources><Graphs><Graph guid="2bd17780-da8d-4f9e-835a-5fa8cf02ef11"/>'
            "</Graphs>"
        ),
    )
    qde = qde.replace(
        "</Sources>",
        (
            '<PDFSource guid="2065d8ab-d724-40c9-b4e9-6eb8dab73541" name="Report.pdf" path="internal://r.pdf">'
            '<PDFSelection guid="7c046d16-1b6d-4814-a260-3a7bd5fc6a51" page="0" firstX="1" firstY="1" '
            'secondX="9" secondY="9"><Coding guid="d918b908-05d4-4df6-b300-371298f05768"><CodeRef '
            'targetGUID="5215cc69-b628-4e02-afb9-9beeaee55808"/></Coding></PDFSelection>'
            '<Representation guid="142eb46d-612e-4593-a385-d0e5d04d1288" plainTextPath="internal://r.txt">'
            '<PlainTextSelection guid="27a5f0c2-e225-4d6a-8297-f4fec794d890" startPosition="4" endPosition="11">'
            '<Coding guid="4b1f2d56-cce9-46f9-8248-e110f3352c5a"><CodeRef '
            'targetGUID="5215cc69-b628-4e02-afb9-9beeaee55808"/></Coding></PlainTextSelection>'
            "</Representation></PDFSource></Sources>"
        ),
        1,
    )
    path = make_qdpx(
        tmp_path / "o.qdpx",
        qde,
        {"t.txt": "Word and more", "r.txt": "Mix granola in.", "r.pdf": b"%PDF-1.4"},
    )
    project = Project.open(tmp_path / "o.db", coder="importer")
    report = import_qdpx(project, path, segment=False)
    assert report.created["coding"] == 2 and report.created["document"] == 2
    assert [r.text for r in list_codings(project, document="Report.pdf")] == ["granola"]
    assert report.skipped["PDF selection by page area"] == 1
    assert report.skipped["picture source"] == 1 and report.skipped["audio source"] == 1
    assert report.skipped["coding on a picture source"] == 1 and report.skipped["graph"] == 1
    assert any("not imported:" in line and "1 graph" in line for line in report.summary_lines())


def test_imported_transcripts_are_segmented_and_attached_to_participants(tmp_path: Path) -> None:
    text = (
        "Interviewer: How were the wards?\n\n"
        "S3PW2: The staff were welcoming. They saw the value of it.\n\n"
        "Interviewer: And the teams?\n\nS3PW2: Nobody got back to me."
    )
    qde = simple_qde("t.txt", [(text.index("The staff"), text.index("The staff") + 25)])
    qde = qde.replace('name="Interview"', 'name="S3PW2 interview"')
    path = make_qdpx(tmp_path / "s.qdpx", qde, {"t.txt": text})
    project = Project.open(tmp_path / "s.db", coder="importer")
    report = import_qdpx(project, path)
    assert report.segmented is True
    doc = open_document(project, "S3PW2 interview")
    assert [text[t.start : t.end] for t in doc.turns][
        1
    ] == "The staff were welcoming. They saw the value of it."
    assert len(doc.sentences) == 5
    assert (doc.participant, doc.case) == ("S3PW2", "Site 3")
    with project.read() as s:
        assert s.scalar(select(func.count()).select_from(Segment)) == 9


def test_reimport_merges_instead_of_doubling(tmp_path: Path) -> None:
    text = "Alpha beta gamma delta."
    path = make_qdpx(tmp_path / "r.qdpx", simple_qde("t.txt", [(0, 5), (6, 10)]), {"t.txt": text})
    project = Project.open(tmp_path / "r.db", coder="importer")
    import_qdpx(project, path, segment=False)
    again = import_qdpx(project, path, segment=False)
    assert again.matched["document"] == 1 and again.matched["coding"] == 2
    assert again.created.get("coding", 0) == 0 and len(list_codings(project)) == 2
    changed = make_qdpx(
        tmp_path / "r2.qdpx", simple_qde("t.txt", [(0, 5)]), {"t.txt": text + " More."}
    )
    third = import_qdpx(project, changed, segment=False)
    assert third.created["document"] == 1
    assert any(re.search(r"stored as 'Interview \(2\)'", w) for w in third.warnings)
