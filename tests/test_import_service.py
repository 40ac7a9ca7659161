"""Importing transcripts, cases and codings into a real project, and the `import` command."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from qualcode.cli.main import cli
from qualcode.errors import InvalidInputError
from qualcode.services import transcript_store, transcript_writer
from qualcode.services.coding import list_codings
from qualcode.services.codings_file import apply_codings_csv
from qualcode.services.documents import open_document
from qualcode.services.importing import ImportOptions, count_rows, import_paths
from qualcode.services.project import Project
from qualcode.store.models import Case, Document, Participant, Segment

S3PW1 = """[Interview with S3PW1, peer worker, Site 3.]

Interviewer: How did the training prepare you?

S3PW1: Really well. Dr. Shah ran it... and it was eight days. Erm… I felt ready.

We did role plays. I hated them at the time.

Interviewer: Anything missing?

S3PW1: Maybe the paperwork side of discharge.
"""
S4PW2 = (
    "Interviewer: How were the wards?\n\n"
    "S4PW2: Some staff looked at me like a visitor – like I’d wandered in.\n"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "S3PW1.txt").write_text(S3PW1, encoding="utf-8")
    (d / "S4PW2.txt").write_text(S4PW2, encoding="utf-8")
    return d


def table(project: Project, model: type) -> int:
    with project.read() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_import_stores_text_turns_sentences_participants_and_cases(
    project: Project, folder: Path
) -> None:
    report = import_paths(project, [folder])
    assert report.ok and sorted(report.added) == ["S3PW1", "S4PW2"]
    assert report.participants == {"S3PW1", "S4PW2"} and report.cases == {"Site 3", "Site 4"}
    assert report.words == len(S3PW1.split()) + len(S4PW2.split())
    assert report.warnings == []
    doc = open_document(project, "S3PW1")
    assert doc.text == S3PW1 and doc.participant == "S3PW1" and doc.case == "Site 3"
    assert [(t.speaker, t.is_participant) for t in doc.turns] == [
        ("Interviewer", False),
        ("S3PW1", True),
        ("Interviewer", False),
        ("S3PW1", True),
    ]
    sentences = [doc.text[s.start : s.end] for s in doc.sentences]
    assert sentences[:6] == [
        "How did the training prepare you?",
        "Really well.",
        "Dr. Shah ran it... and it was eight days.",
        "Erm…",
        "I felt ready.",
        "We did role plays.",
    ]
    assert [s.seq for s in doc.sentences] == list(range(1, len(sentences) + 1))
    with project.read() as s:
        part = s.scalar(select(Participant).where(Participant.label == "S3PW1"))
        assert (part.role, part.number, part.case.name) == ("PW", 1, "Site 3")
        stored = s.scalar(select(Document).where(Document.name == "S3PW1"))
        assert (stored.source_file, stored.file_format, stored.encoding) == (
            "S3PW1.txt",
            "txt",
            "utf-8",
        )


def test_reimport_is_a_no_op(project: Project, folder: Path) -> None:
    import_paths(project, [folder])
    before = (table(project, Document), table(project, Segment), table(project, Participant))
    again = import_paths(project, [folder / "S3PW1.txt", folder / "S4PW2.txt"])
    assert again.added == [] and len(again.unchanged) == 2 and again.ok
    assert (
        table(project, Document),
        table(project, Segment),
        table(project, Participant),
    ) == before


def test_changed_file_is_reported_and_not_duplicated(project: Project, folder: Path) -> None:
    import_paths(project, [folder])
    (folder / "S4PW2.txt").write_text(S4PW2 + "\nInterviewer: Thanks.\n", encoding="utf-8")
    report = import_paths(project, [folder / "S4PW2.txt"])
    assert report.added == [] and report.ok
    [changed] = report.changed
    assert "S4PW2" in changed and "--replace" in changed and "--as-new" in changed
    assert table(project, Document) == 2
    assert open_document(project, "S4PW2").text == S4PW2
    kept = import_paths(project, [folder / "S4PW2.txt"], options=ImportOptions(as_new="S4PW2 v2"))
    assert kept.added == ["S4PW2 v2"] and open_document(project, "S4PW2 v2").participant == "S4PW2"
    with pytest.raises(InvalidInputError, match="exactly one transcript"):
        import_paths(project, [folder], options=ImportOptions(as_new="x"))


def test_replace_only_when_there_are_no_codings(project: Project, folder: Path) -> None:
    import_paths(project, [folder])
    new_text = S4PW2 + "\nInterviewer: Thanks.\n"
    (folder / "S4PW2.txt").write_text(new_text, encoding="utf-8")
    replaced = import_paths(project, [folder / "S4PW2.txt"], options=ImportOptions(replace=True))
    assert replaced.replaced == ["S4PW2"] and open_document(project, "S4PW2").text == new_text
    assert len(open_document(project, "S4PW2").turns) == 3 and table(project, Document) == 2
    csv_file = folder.parent / "codings.csv"
    csv_file.write_text(
        "document,code,valence,phrase\nS4PW2,Wards,barrier,like a visitor\n", encoding="utf-8"
    )
    apply_codings_csv(project, csv_file, create_codes=True)
    (folder / "S4PW2.txt").write_text(S4PW2, encoding="utf-8")
    refused = import_paths(project, [folder / "S4PW2.txt"], options=ImportOptions(replace=True))
    assert refused.replaced == [] and "1 codings" in refused.changed[0]
    assert open_document(project, "S4PW2").text == new_text


def test_bad_files_are_reported_and_the_rest_imported(project: Project, folder: Path) -> None:
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 64)
    (folder / "S9PW1.docx").write_bytes(b"PK\x03\x04 this is no word document")
    (folder / "notes.pdf").write_bytes(b"%PDF")
    report = import_paths(project, [folder, folder / "nowhere.txt"])
    assert sorted(report.added) == ["S3PW1", "S4PW2"]
    failed = "\n".join(report.failed)
    for name in ("empty.txt", "binary.txt", "S9PW1.docx", "nowhere.txt"):
        assert name in failed
    assert report.skipped == [str(folder / "notes.pdf")]
    assert any("notes.pdf" in str(w) and "skipped" in str(w) for w in report.warnings)
    with project.read() as s:  # nothing of the failed files is stored, not even their case
        assert s.scalar(select(Participant).where(Participant.label == "S9PW1")) is None
        assert s.scalar(select(Case).where(Case.name == "Site 9")) is None


def test_a_failure_while_storing_leaves_nothing_half_stored(
    project: Project, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object) -> None:
        raise InvalidInputError("disk full while writing segments")

    monkeypatch.setattr(transcript_writer, "insert_segments", fail)
    report = import_paths(project, [folder / "S3PW1.txt"])
    assert report.added == [] and "disk full" in report.failed[0]
    assert count_rows(project) == {"documents": 0, "words": 0, "participants": 0, "cases": 0}
    assert table(project, Segment) == 0


def test_unknown_speaker_and_missing_participant_warnings(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "focus group 2.txt"
    path.write_text("Interviewer: Hello.\n\nR: Hi.\n\nMod: Next?\n\nR: Yes.\n", encoding="utf-8")
    report = import_paths(project, [path])
    assert report.added == ["focus group 2"]
    messages = [str(w) for w in report.warnings]
    assert any(
        m.startswith("focus group 2.txt:5: speaker 'Mod' (1 turn) has no role") for m in messages
    )
    assert any("no participant id" in m for m in messages)
    assert open_document(project, "focus group 2").participant is None


def test_participant_from_turns_and_docx(project: Project, tmp_path: Path) -> None:
    d = docx.Document()
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Site", "Site 5"
    for label, text in (("Interviewer:", " How were things?"), ("S5PWC:", " Busy. Good.")):
        p = d.add_paragraph()
        p.add_run(label).bold = True
        p.add_run(text)
    d.save(str(tmp_path / "coordinator interview.docx"))
    report = import_paths(project, [tmp_path / "coordinator interview.docx"])
    assert report.added == ["coordinator interview"] and report.warnings == []
    doc = open_document(project, "coordinator interview")
    assert (doc.participant, doc.case) == ("S5PWC", "Site 5")
    assert [doc.text[s.start : s.end] for s in doc.sentences] == [
        "How were things?",
        "Busy.",
        "Good.",
    ]


def test_cases_and_codings_csvs_in_the_same_run(project: Project, folder: Path) -> None:
    (folder / "sites.csv").write_text(
        "case,fidelity,group\nSite 3,13,high\nSite 4,6,low\n", encoding="utf-8"
    )
    (folder / "codings.csv").write_text(
        "document,code,valence,phrase,coder,memo\n"
        "S3PW1,Context/Culture,facilitator,We did role plays.,ana,first\n"
        "S4PW2,Ward relationships,barrier,visitor - like I'd wandered in,ana,\n"  # loose match
        'S3PW1,Training,facilitator,"Dr. Shah ran it... and it was eight days.",,\n',
        encoding="utf-8",
    )
    report = import_paths(project, [folder], options=ImportOptions(create_codes=True))
    assert report.ok, report.failed
    notes = "\n".join(report.notes)
    assert "sites.csv: 2 cases created" in notes
    assert "3 codings applied; 1 phrase matched only after" in notes
    assert "Ward relationships" in notes and "Framework modified-parihs" in notes
    rows = list_codings(project)
    assert sorted((r.document, "/".join(r.code_path), r.text) for r in rows) == [
        ("S3PW1", "Context/Culture", "We did role plays."),
        ("S3PW1", "Training", "Dr. Shah ran it... and it was eight days."),
        ("S4PW2", "Ward relationships", "visitor – like I’d wandered in"),
    ]
    assert {r.coder for r in rows} == {"ana", "tester"}


def test_codings_file_errors_name_lines_and_store_nothing(project: Project, folder: Path) -> None:
    import_paths(project, [folder])
    bad = folder.parent / "bad.csv"
    bad.write_text(
        "document,code,valence,phrase\n"
        "S3PW1,Training,facilitator,We did role plays.\n"
        "S3PW1,Training,sideways,We did role plays.\n"
        "S9PW9,Training,,anything\n"
        "S4PW2,Training,,not in the text at all\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputError) as e:
        apply_codings_csv(project, bad, create_codes=True)
    message = str(e.value)
    assert "3 rows could not be applied" in message
    for line in ("bad.csv:3:", "bad.csv:4:", "bad.csv:5:"):
        assert line in message
    assert list_codings(project) == []
    with project.read() as s:  # the code the good row would have created is not there either
        from qualcode.store.models import Code

        assert s.scalar(select(Code).where(Code.name == "Training")) is None


def test_cli_import_then_codings_json(tmp_path: Path, folder: Path) -> None:
    (folder / "codings.csv").write_text(
        "document,code,valence,phrase\nS4PW2,Context/Culture,barrier,like a visitor\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "x.db")
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "--db",
            db,
            "--coder",
            "cli",
            "import",
            str(folder / "S3PW1.txt"),
            str(folder / "S4PW2.txt"),
            str(folder / "codings.csv"),
            "--speaker-labels",
            "Mod=interviewer",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 documents imported" in result.stdout
    listed = runner.invoke(cli, ["--db", db, "codings", "--json"])
    assert listed.exit_code == 0
    [row] = json.loads(listed.stdout)
    assert (row["document"], row["text"], row["valence"], row["case"]) == (
        "S4PW2",
        "like a visitor",
        "barrier",
        "Site 4",
    )
    assert json.loads(Project.open(db).setting("import.speaker_labels")) == {"Mod": "interviewer"}
    (folder / "empty.txt").write_bytes(b"")
    failed = runner.invoke(cli, ["--db", db, "import", str(folder)])
    assert failed.exit_code == 1 and "empty.txt: the file is empty" in failed.output
    assert "2 already imported" in failed.stdout


def test_cli_rejects_a_bad_pattern_before_doing_anything(tmp_path: Path, folder: Path) -> None:
    db = str(tmp_path / "y.db")
    result = CliRunner().invoke(
        cli, ["--db", db, "import", str(folder), "--participant-pattern", "S(?P<x>\\d+)"]
    )
    assert isinstance(result.exception, InvalidInputError)
    assert "uses {site}" in str(result.exception)
    assert count_rows(Project.open(db))["documents"] == 0


def test_replace_parses_stored_text_again_with_new_settings(
    project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "P07 interview.txt"
    path.write_text("Carer: How was it?\n\nP07: Fine.\n", encoding="utf-8")
    first = import_paths(project, [path])
    assert any("no speaker turns found" in str(w) for w in first.warnings)
    assert open_document(project, "P07 interview").participant is None
    again = import_paths(
        project,
        [path],
        options=ImportOptions(
            participant_pattern=r"P(?P<n>\d+)",
            case_template="",
            replace=True,
            speaker_labels={"Carer": "interviewer"},
        ),
    )
    assert again.replaced == ["P07 interview"] and again.warnings == []
    doc = open_document(project, "P07 interview")
    assert doc.participant == "P07" and doc.case is None
    assert [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns] == [
        ("Carer", "How was it?"),
        ("P07", "Fine."),
    ]
    assert table(project, Document) == 1


def test_same_text_twice_in_one_run_is_stored_once(project: Project, tmp_path: Path) -> None:
    (tmp_path / "S3PW1.txt").write_text(S3PW1, encoding="utf-8")
    (tmp_path / "S3PW1 copy.txt").write_text(S3PW1, encoding="utf-8")
    report = import_paths(project, [tmp_path / "S3PW1.txt", tmp_path / "S3PW1 copy.txt"])
    assert report.added == ["S3PW1"] and report.unchanged == ["S3PW1 copy.txt as 'S3PW1'"]
    assert table(project, Document) == 1


def _segments(project: Project) -> list[tuple[object, ...]]:
    with project.read() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(
                    Document.name,
                    Segment.kind,
                    Segment.seq,
                    Segment.start,
                    Segment.end,
                    Segment.speaker,
                )
                .join(Document, Document.id == Segment.document_id)
                .order_by(Document.name, Segment.kind, Segment.seq)
            )
        ]


def test_chunks_of_files_segment_exactly_as_one_file_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    samples = sorted(
        Path(__file__).resolve().parents[1].joinpath("sample_transcripts").glob("*.txt")
    )[:6]
    assert len(samples) == 6
    together = Project.open(tmp_path / "together.db", coder="t")
    import_paths(together, samples)
    monkeypatch.setattr(transcript_store, "CHUNK_WORDS", 1)  # every file its own chunk
    alone = Project.open(tmp_path / "alone.db", coder="t")
    import_paths(alone, samples)
    rows = _segments(together)
    assert len(rows) > 500 and rows == _segments(alone)


def test_a_storing_failure_inside_a_chunk_spares_the_other_files(
    project: Project, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = transcript_writer.insert_segments
    (folder / "S4PW3.txt").write_text(S4PW2.replace("S4PW2", "S4PW3") + "More.\n", encoding="utf-8")

    def fail_once(conn: object, document_id: int, rows: list[tuple[object, ...]]) -> None:
        if any(r[4] == "S4PW2" for r in rows):
            raise InvalidInputError("disk full while writing segments")
        real(conn, document_id, rows)

    monkeypatch.setattr(transcript_writer, "insert_segments", fail_once)
    done: list[str] = []
    report = import_paths(project, [folder], progress=lambda _n, _t, label: done.append(label))
    assert sorted(report.added) == ["S3PW1", "S4PW3"]
    assert len(report.failed) == 1 and "disk full" in report.failed[0]
    assert sorted(done) == ["S3PW1.txt", "S4PW2.txt", "S4PW3.txt"]  # progress for every file
    with project.read() as s:
        assert s.scalar(select(Participant).where(Participant.label == "S4PW2")) is None
    monkeypatch.setattr(transcript_writer, "insert_segments", real)
    again = import_paths(project, [folder])  # the failed file is new again, not "unchanged"
    assert again.added == ["S4PW2"]
