"""Reading .txt (every encoding we accept) and .docx, and refusing what we cannot read."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import docx
import pytest

from qualcode.errors import InvalidInputError
from qualcode.ingest.readers import read_docx, read_transcript, read_txt

TEXT = "Interviewer: Café culture – “really”?\n\nS3PW1: Yes… it’s naïve to think otherwise.\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM: found by the NUL pattern
        (TEXT.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_unicode_encodings_read_to_the_same_text(
    tmp_path: Path, data: bytes, encoding: str
) -> None:
    src = read_txt(write(tmp_path, "S3PW1.txt", data))
    assert src.text == TEXT
    assert src.encoding == encoding
    assert src.warnings == []
    assert not src.text.startswith("\ufeff")


def test_windows_1252_is_read_with_a_warning_naming_file_and_line(tmp_path: Path) -> None:
    data = "Interviewer: Hello.\n\nS3PW1: It’s a café – honestly.\n".encode("cp1252")
    src = read_txt(write(tmp_path, "S3PW1.txt", data))
    assert src.text == "Interviewer: Hello.\n\nS3PW1: It’s a café – honestly.\n"
    assert src.encoding == "cp1252"
    [warning] = src.warnings
    assert str(warning).startswith("S3PW1.txt:3: not UTF-8")
    assert "Windows-1252" in warning.message


def test_newlines_are_normalised_and_nothing_else_changes(tmp_path: Path) -> None:
    data = b"Interviewer:  Two  spaces.\r\n\r\nS3PW1: Old Mac\rline.\r\n\tTabbed.  \r\n"
    src = read_txt(write(tmp_path, "a.txt", data))
    assert src.text == "Interviewer:  Two  spaces.\n\nS3PW1: Old Mac\nline.\n\tTabbed.  \n"


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t"])
def test_empty_file_is_an_error(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "empty.txt", data)
    with pytest.raises(InvalidInputError, match=r"empty\.txt: the file is empty"):
        read_txt(path)


def test_binary_file_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InvalidInputError, match=r"photo\.txt: this is not a text file"):
        read_txt(path)


def test_pdf_renamed_to_txt_gets_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "x.txt", b"%PDF-1.7\n\x00\x01binary")
    with pytest.raises(InvalidInputError, match="PDF"):
        read_txt(path)


def test_stray_control_character_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "S3PW1.txt", b"Interviewer: Hi.\n\nS3PW1: Bell\x07 here.\n")
    with pytest.raises(InvalidInputError, match=r"S3PW1\.txt:3: .*U\+0007"):
        read_txt(path)


def make_docx(path: Path, *, table: bool = True) -> Path:
    d = docx.Document()
    if table:
        t = d.add_table(rows=2, cols=2)
        for r, (k, v) in enumerate((("Participant", "S3PWC"), ("Site", "Site 3"))):
            t.cell(r, 0).text, t.cell(r, 1).text = k, v
    for label, text in (
        ("Interviewer:", " How was the training?"),
        ("S3PWC:", " Good. We met weekly."),
    ):
        p = d.add_paragraph()
        p.add_run(label).bold = True
        p.add_run(text)
    d.add_paragraph("")  # spacing paragraphs are not text
    d.add_paragraph("A second paragraph of the same answer.")
    d.save(str(path))
    return path


def test_docx_reads_tables_row_by_row_and_bold_speaker_runs(tmp_path: Path) -> None:
    src = read_transcript(make_docx(tmp_path / "S3PWC.docx"))
    assert src.file_format == "docx"
    assert src.text == (
        "Participant\tS3PWC\nSite\tSite 3\n\n"
        "Interviewer: How was the training?\n\n"
        "S3PWC: Good. We met weekly.\n\n"
        "A second paragraph of the same answer."
    )
    assert src.warning_at(src.text.index("A second"), "x").line == 4
    assert "paragraph 4" in str(src.warning_at(src.text.index("A second"), "x"))


def test_corrupt_docx_is_a_clear_error(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx")
    broken = write(tmp_path, "broken.docx", good.read_bytes()[:1500])
    with pytest.raises(InvalidInputError, match=r"broken\.docx: cannot read this \.docx"):
        read_docx(broken)


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    path = tmp_path / "notword.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(InvalidInputError, match=r"notword\.docx: cannot read this \.docx"):
        read_docx(path)


def test_damaged_document_xml_is_a_clear_error(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx")
    bad = tmp_path / "S3PW9.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(
                item, data[: len(data) // 2] if item.filename == "word/document.xml" else data
            )
    with pytest.raises(InvalidInputError, match=r"S3PW9\.docx: cannot read .*damaged"):
        read_docx(bad)


def python_docx_text(path: Path) -> str:
    """The text python-docx gives (iter_inner_content; cells by tab), blank blocks dropped."""
    from docx.table import Table

    blocks = []
    for item in docx.Document(str(path)).iter_inner_content():
        if isinstance(item, Table):
            block = "\n".join("\t".join(c.text for c in row.cells) for row in item.rows)
        else:
            block = item.text
        if block.strip():
            blocks.append(block)
    return "\n\n".join(blocks)


def test_docx_text_matches_python_docx(tmp_path: Path) -> None:
    d = docx.Document()
    p = d.add_paragraph("Interviewer:\tTabbed and ")
    p.add_run("bold").bold = True
    p.add_run().add_break()
    p.add_run("after a line break.")
    t = d.add_table(rows=2, cols=3)
    for r in range(2):
        for c in range(3):
            t.cell(r, c).text = f"r{r}c{c}"
    t.cell(1, 2).add_paragraph("second paragraph in a cell")
    d.add_paragraph("S3PW1: Last.")
    d.save(str(tmp_path / "mixed.docx"))
    samples = Path(__file__).resolve().parents[1] / "sample_transcripts"
    for path in [tmp_path / "mixed.docx", *sorted(samples.glob("*.docx"))]:
        assert read_docx(path).text == python_docx_text(path), path.name


def test_text_renamed_docx_and_old_doc(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"plain\.docx: not a \.docx"):
        read_docx(write(tmp_path, "plain.docx", b"Interviewer: hello"))
    with pytest.raises(InvalidInputError, match=r"old Word \.doc"):
        read_docx(write(tmp_path, "old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64))


def test_docx_without_text_is_an_error(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("   ")
    d.save(str(tmp_path / "blank.docx"))
    with pytest.raises(InvalidInputError, match="no text"):
        read_docx(tmp_path / "blank.docx")


def test_unsupported_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"\.pdf cannot be imported"):
        read_transcript(write(tmp_path, "a.pdf", b"%PDF"))
    with pytest.raises(InvalidInputError, match="no such file"):
        read_transcript(tmp_path / "missing.txt")
