"""A catalogue of bad inputs: each gives one clear message, a non-zero exit, and stores nothing.

Every case runs the real command (``python -m qualcode``) on a copy of one small
project (a framework, one transcript, the sites table), then checks the exit
code, that the message names the file and line or position and says what to do,
that there is no traceback, and that no table changed (the audit log included).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document as DocxDocument

from qualcode.services.frameworks import apply_framework
from qualcode.services.importing import import_paths
from qualcode.services.project import Project

SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts"
TRANSCRIPT = (
    "S1PW1: We did role plays. We did role plays again.\n\nInterviewer: And then?\n\n"
    "S1PW1: The ward staff were kind to us.\n"
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("base")
    (folder / "S1PW1.txt").write_text(TRANSCRIPT, encoding="utf-8")
    project = Project.open(folder / "base.db", coder="tester")
    apply_framework(project, "modified-parihs")
    report = import_paths(project, [folder / "S1PW1.txt", SAMPLES / "sites.csv"])
    assert report.ok, report.failed
    project.engine.dispose()
    return folder / "base.db"


def tables(db: Path) -> dict[str, int]:
    """Row counts of every table (what 'nothing stored' compares)."""
    if not db.exists():
        return {}
    conn = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def run(db: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("QUALCODE_DB", None)
    env["QUALCODE_CODER"] = "tester"
    return subprocess.run(
        [sys.executable, "-m", "qualcode", "--db", str(db), *args],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


# -- making bad files ----------------------------------------------------------------------------


def write(name: str, data: bytes | str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return make


def docx(
    name: str, paragraphs: list[str], xml_edit: Callable[[str], str] | None = None
) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        d = DocxDocument()
        for p in paragraphs:
            d.add_paragraph(p)
        d.save(str(path))
        if xml_edit is not None:
            with zipfile.ZipFile(path) as z:
                parts = {i.filename: z.read(i) for i in z.infolist()}
            parts["word/document.xml"] = xml_edit(parts["word/document.xml"].decode()).encode()
            with zipfile.ZipFile(path, "w") as z:
                for n, data in parts.items():
                    z.writestr(n, data)
        return path

    return make


def xxe(xml: str) -> str:
    head, rest = xml.split("?>", 1)
    doctype = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return head + "?>" + doctype + rest.replace("SECRET", "before &xxe; after", 1)


def zip_without_document(folder: Path) -> Path:
    path = folder / "notword.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    return path


def truncated_docx(folder: Path) -> Path:
    path = docx("trunc.docx", ["S1PW1: hello there."])(folder)
    path.write_bytes(path.read_bytes()[:300])
    return path


CODINGS_HEAD = "document,code,valence,phrase\n"
CASES_HEAD = "case,fidelity,engagement\n"
YAML_OK_HEAD = "key: tiny\nname: Tiny\nversion: '1'\ncodes:\n"


@dataclass(frozen=True)
class Bad:
    id: str
    args: tuple[str, ...]  # "{f}" is replaced by the made file's path
    expect: tuple[str, ...]  # substrings of the message
    make: Callable[[Path], Path] | None = None
    code: int = 1


BIG_LINE = b"S1PW1: " + b"word " * 210_000

CATALOGUE = [
    # -- transcripts (.txt)
    Bad("txt-empty", ("import", "{f}"), ("empty.txt", "the file is empty"), write("empty.txt", "")),
    Bad(
        "txt-blank",
        ("import", "{f}"),
        ("blank.txt", "the file is empty"),
        write("blank.txt", "  \n\n \t\n"),
    ),
    Bad(
        "txt-binary",
        ("import", "{f}"),
        ("bin.txt", "not a text file", "NUL byte"),
        write("bin.txt", b"S1PW1: hi\x00\x01\x02 there"),
    ),
    Bad(
        "txt-pdf-renamed",
        ("import", "{f}"),
        ("paper.txt", "PDF", "export the transcript"),
        write("paper.txt", b"%PDF-1.4 \x00\x00 binary"),
    ),
    Bad(
        "txt-control-char",
        ("import", "{f}"),
        ("ctrl.txt:2:", "control character", "Remove it"),
        write("ctrl.txt", "S1PW1: fine.\nS1PW1: bad \x07 bell.\n"),
    ),
    Bad(
        "txt-huge-line",
        ("import", "{f}"),
        ("huge.txt:1:", "bytes long", "split the text"),
        write("huge.txt", BIG_LINE),
    ),
    Bad(
        "txt-missing",
        ("import", "{f}"),
        ("nowhere.txt", "no such file"),
        lambda folder: folder / "nowhere.txt",
    ),
    Bad(
        "txt-utf16-broken",
        ("import", "{f}"),
        ("u16.txt", "UTF-16", "Re-save the file"),
        write("u16.txt", b"\xff\xfeS\x001\x00:\x00 \x00h\x00\x00\xd8"),
    ),
    Bad(
        "txt-unsupported-pdf",
        ("import", "{f}"),
        ("notes.pdf", "not imported", ".docx or .txt"),
        write("notes.pdf", b"%PDF-1.4"),
        0,
    ),
    # -- transcripts (.docx)
    Bad(
        "docx-empty",
        ("import", "{f}"),
        ("empty.docx", "the file is empty"),
        write("empty.docx", b""),
    ),
    Bad(
        "docx-text-renamed",
        ("import", "{f}"),
        ("plain.docx", "not a .docx", "save it as .docx"),
        write("plain.docx", "S1PW1: this is plain text\n"),
    ),
    Bad(
        "docx-not-word",
        ("import", "{f}"),
        ("notword.docx", "no word/document.xml inside"),
        zip_without_document,
    ),
    Bad(
        "docx-truncated",
        ("import", "{f}"),
        ("trunc.docx", "cannot read this .docx", "save it again"),
        truncated_docx,
    ),
    Bad(
        "docx-xxe",
        ("import", "{f}"),
        ("xxe.docx", "XML entities (&xxe;)", "text around them would be lost", "save it again"),
        docx("xxe.docx", ["S1PW1: SECRET text here."], xxe),
    ),
    Bad(
        "docx-no-text",
        ("import", "{f}"),
        ("blank.docx", "has no text"),
        docx("blank.docx", ["", "   "]),
    ),
    Bad(
        "docx-bad-xml",
        ("import", "{f}"),
        ("badxml.docx", "damaged document XML"),
        docx("badxml.docx", ["S1PW1: SECRET"], lambda x: x.replace("SECRET", "<w:t>", 1)),
    ),
    Bad(
        "docx-huge-paragraph",
        ("import", "{f}"),
        ("hugepara.docx (paragraph 1)", "characters in one paragraph"),
        docx("hugepara.docx", ["S1PW1: " + "word " * 210_000]),
    ),
    # -- cases CSV
    Bad(
        "cases-duplicate-row",
        ("import", "{f}"),
        ("dup.csv:3:", "already on line 2", "one row per case"),
        write("dup.csv", CASES_HEAD + "Site 7,10,50\nsite 7,11,55\n"),
    ),
    Bad(
        "cases-text-in-number",
        ("import", "{f}"),
        ("num.csv:3:", "'fidelity'", "'twelve'", "write a number"),
        write("num.csv", CASES_HEAD + "Site 7,10,50\nSite 8,twelve,40\n"),
    ),
    Bad(
        "cases-cell-count",
        ("import", "{f}"),
        ("cells.csv:2:", "2 cells but the header has 3"),
        write("cells.csv", CASES_HEAD + "Site 7,10\n"),
    ),
    Bad(
        "cases-empty-name",
        ("import", "{f}"),
        ("noname.csv:2:", "case name", "empty"),
        write("noname.csv", CASES_HEAD + ",10,50\n"),
    ),
    Bad(
        "cases-duplicate-column",
        ("import", "{f}"),
        ("dupcol.csv:1:", "duplicate column"),
        write("dupcol.csv", "case,fidelity,Fidelity\nSite 7,1,2\n"),
    ),
    Bad(
        "cases-not-utf8",
        ("import", "{f}"),
        ("latin.csv:2:", "not UTF-8"),
        write("latin.csv", CASES_HEAD.encode() + b"Caf\xe9 site,1,2\n"),
    ),
    Bad(
        "csv-unknown-kind",
        ("import", "{f}"),
        ("other.csv:1:", "cases table", "codings table"),
        write("other.csv", "name_of_thing,x\n1,2\n"),
    ),
    Bad(
        "cases-cli-import-dup",
        ("case", "import", "{f}"),
        ("dup2.csv:3:", "already on line 2"),
        write("dup2.csv", CASES_HEAD + "Site 9,1,2\nSite 9,1,2\n"),
    ),
    # -- codings CSV
    Bad(
        "codings-typo-code",
        ("import", "{f}"),
        (
            "typo.csv:2:",
            "unknown code 'Context/Cultrue'",
            "did you mean 'Context/Culture'",
            "--create-codes",
        ),
        write("typo.csv", CODINGS_HEAD + "S1PW1,Context/Cultrue,barrier,were kind to us\n"),
    ),
    Bad(
        "codings-typo-leaf",
        ("import", "{f}"),
        ("leaf.csv:3:", "unknown code 'Leadershp'", "Context/Leadership"),
        write(
            "leaf.csv",
            CODINGS_HEAD + "S1PW1,Context/Culture,,were kind to us\n"
            "S1PW1,Leadershp,,The ward staff\n",
        ),
    ),
    Bad(
        "codings-unknown-document",
        ("import", "{f}"),
        ("doc.csv:2:", "S9PW9"),
        write("doc.csv", CODINGS_HEAD + "S9PW9,Context/Culture,,anything\n"),
    ),
    Bad(
        "codings-phrase-missing",
        ("import", "{f}"),
        ("phrase.csv:2:", "does not occur", "Copy it exactly"),
        write("phrase.csv", CODINGS_HEAD + "S1PW1,Context/Culture,,not in the text\n"),
    ),
    Bad(
        "codings-phrase-ambiguous",
        ("import", "{f}"),
        ("amb.csv:2:", "occurs 2 times", "occurrence"),
        write("amb.csv", CODINGS_HEAD + "S1PW1,Context/Culture,,We did role plays\n"),
    ),
    Bad(
        "codings-bad-valence",
        ("import", "{f}"),
        ("val.csv:2:", "sideways"),
        write("val.csv", CODINGS_HEAD + "S1PW1,Context/Culture,sideways,were kind to us\n"),
    ),
    Bad(
        "codings-bad-occurrence",
        ("import", "{f}"),
        ("occ.csv:2:", "must be a number"),
        write(
            "occ.csv",
            "document,code,valence,phrase,occurrence\n"
            "S1PW1,Context/Culture,,We did role plays,first\n",
        ),
    ),
    Bad(
        "codings-empty-code",
        ("import", "{f}"),
        ("empty-code.csv:2:", "code cell is empty"),
        write("empty-code.csv", CODINGS_HEAD + "S1PW1,,,were kind to us\n"),
    ),
    Bad(
        "codings-cell-count",
        ("import", "{f}"),
        ("count.csv:2:", "quote cells"),
        write("count.csv", CODINGS_HEAD + "S1PW1,Context/Culture,,were kind, to us\n"),
    ),
    Bad(
        "codings-heading-code",
        ("import", "{f}"),
        ("head.csv:2:", "heading"),
        write("head.csv", CODINGS_HEAD + "S1PW1,Context,,were kind to us\n"),
    ),
    # -- framework YAML
    Bad(
        "yaml-syntax",
        ("framework", "apply", "{f}"),
        ("syntax.yaml:",),
        write("syntax.yaml", YAML_OK_HEAD + "  - name: A\n   bad: [unclosed\n"),
    ),
    Bad(
        "yaml-not-mapping",
        ("framework", "apply", "{f}"),
        ("list.yaml:1", "mapping"),
        write("list.yaml", "- a\n- b\n"),
    ),
    Bad(
        "yaml-empty",
        ("framework", "apply", "{f}"),
        ("blank.yaml:1", "empty"),
        write("blank.yaml", ""),
    ),
    Bad(
        "yaml-not-yaml-suffix",
        ("framework", "apply", "{f}"),
        ("frame.txt", ".yaml"),
        write("frame.txt", YAML_OK_HEAD + "  - name: A\n"),
    ),
    Bad(
        "yaml-code-without-name",
        ("framework", "apply", "{f}"),
        ("noname.yaml:", "name"),
        write("noname.yaml", YAML_OK_HEAD + "  - definition: no name here\n"),
    ),
    Bad(
        "yaml-not-utf8",
        ("framework", "apply", "{f}"),
        ("latin.yaml:", "UTF-8"),
        write("latin.yaml", YAML_OK_HEAD.encode() + b"  - name: Caf\xe9\n"),
    ),
    # -- CLI arguments and options
    Bad(
        "cli-unknown-document",
        ("coding", "add", "S9PW9", "Context/Culture", "--phrase", "x"),
        ("S9PW9",),
    ),
    Bad(
        "cli-unknown-code",
        ("coding", "add", "S1PW1", "Context/Cultrue", "--phrase", "were kind to us"),
        ("Cultrue",),
    ),
    Bad(
        "cli-phrase-missing",
        ("coding", "add", "S1PW1", "Context/Culture", "--phrase", "not there"),
        ("not there",),
    ),
    Bad("cli-bad-range", ("coding", "add", "S1PW1", "Context/Culture", "--range", "9-2"), ("9-2",)),
    Bad(
        "cli-bad-valence",
        (
            "coding",
            "add",
            "S1PW1",
            "Context/Culture",
            "--phrase",
            "were kind to us",
            "-v",
            "sideways",
        ),
        ("sideways",),
        code=2,
    ),
    Bad(
        "cli-export-bad-format",
        ("export", "chart", "{f}"),
        ("chart.pdf", "docx, xlsx"),
        lambda folder: folder / "chart.pdf",
    ),
    Bad(
        "cli-export-no-folder",
        ("export", "chart", "{f}"),
        ("does not exist",),
        lambda folder: folder / "missing" / "chart.docx",
    ),
    Bad("cli-patterns-no-out", ("patterns", "--format", "docx"), ("--out",), code=2),
    Bad(
        "cli-empty-override-reason",
        ("export", "chart", "{f}", "--allow-identifiers", " "),
        ("needs a reason",),
        lambda folder: folder / "c.docx",
    ),
    Bad("cli-remember-key-alone", ("check-names", "--remember-key"), ("--key FILE",), code=2),
    Bad(
        "cli-missing-key",
        ("check-names", "--key", "{f}"),
        ("nokey.csv", "cannot read the pseudonymisation key"),
        lambda folder: folder / "nokey.csv",
    ),
    Bad(
        "cli-bad-key-row",
        ("check-names", "--key", "{f}"),
        ("key.csv:2:", "real name,pseudonym"),
        write("key.csv", "real,pseudonym\nJust one\n"),
    ),
    Bad("cli-case-set-no-equals", ("case", "set", "Site 3", "fidelity"), ("name=value",)),
    Bad(
        "cli-summary-unknown-case",
        ("summary", "set", "Site 99", "Context/Culture", "text"),
        ("Site 99",),
    ),
    Bad(
        "cli-bad-participant-pattern",
        ("import", "{f}", "--participant-pattern", "("),
        ("pattern",),
        write("S2PW1.txt", TRANSCRIPT),
    ),
    Bad(
        "cli-unknown-framework",
        ("framework", "apply", "no-such-framework"),
        ("unknown framework 'no-such-framework'",),
    ),
]


def test_the_catalogue_is_large_enough() -> None:
    assert len(CATALOGUE) >= 40
    assert len({b.id for b in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("bad", CATALOGUE, ids=[b.id for b in CATALOGUE])
def test_bad_input(bad: Bad, base: Path, tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    shutil.copyfile(base, db)
    before = tables(db)
    made = bad.make(tmp_path) if bad.make else None
    args = [a.replace("{f}", str(made)) for a in bad.args]
    res = run(db, tmp_path, *args)
    message = res.stderr + res.stdout
    assert "Traceback" not in message, message
    assert res.returncode == bad.code, message
    for part in bad.expect:
        assert part in message, (part, message)
    assert tables(db) == before, message
    if made is not None and "export" in args[:1]:
        assert not made.exists()


def test_mixed_encoding_is_decoded_per_line(base: Path, tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    shutil.copyfile(base, db)
    data = (
        "S2PW1: café “quoted”\n".encode()
        + b"S2PW1: it cost \x80 5, \x93fine\x94\n"
        + "S2PW1: résumé\n".encode()
    )
    (tmp_path / "S2PW1.txt").write_bytes(data)
    res = run(db, tmp_path, "import", str(tmp_path / "S2PW1.txt"))
    assert res.returncode == 0, res.stderr
    assert "S2PW1.txt:2: not UTF-8 on line 2 (byte 0x80)" in res.stderr
    shown = run(db, tmp_path, "show", "S2PW1").stdout
    assert "café “quoted”" in shown and "it cost € 5, “fine”" in shown
    assert "résumé" in shown


def test_create_codes_makes_the_typo_a_new_code_only_when_asked(base: Path, tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    shutil.copyfile(base, db)
    csv_file = tmp_path / "new.csv"
    csv_file.write_text(CODINGS_HEAD + "S1PW1,Geography,,were kind to us\n", encoding="utf-8")
    res = run(db, tmp_path, "import", str(csv_file), "--create-codes")
    assert res.returncode == 0, res.stderr
    assert "new inductive codes: Geography" in res.stdout
