"""A large import segments in a second process: the same stored rows as in one process."""

from __future__ import annotations

import re
import shutil
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from qualcode.cli.main import cli
from qualcode.ingest import segment
from qualcode.services import segment_child, transcript_store
from qualcode.services.importing import ImportOptions, ImportReport, import_paths
from qualcode.services.project import Project
from qualcode.store import progress
from qualcode.store.models import Document

SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts"
ROWS = (
    'SELECT d.name, s.kind, s.seq, s.start, s."end", s.speaker, s.is_participant, s.role, '
    "s.timecode_ms FROM segments s JOIN documents d ON d.id = s.document_id "
    "ORDER BY d.name, s.kind, s.seq"
)
# how SQLAlchemy writes a time on SQLite
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}"
DOCS = "SELECT name, text, sha256, word_count, participant_id, case_id FROM documents ORDER BY id"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The sample interviews, a copy of one under another name, and one unreadable file."""
    d = tmp_path / "in"
    shutil.copytree(SAMPLES, d, ignore=shutil.ignore_patterns("*.csv", "layouts*"))
    shutil.copy(d / "S2PW1.txt", d / "S2PW1 copy.txt")  # same text: reported unchanged
    (d / "S3PW9.docx").write_bytes(b"not a word file")  # fails to read
    return d


def run(tmp_path: Path, name: str, folder: Path, **options: object) -> tuple[ImportReport, list]:
    """Import ``folder`` into a new project; the report and the progress labels."""
    project = Project.open(tmp_path / f"{name}.db", coder="t")
    done: list[str] = []
    report = import_paths(
        project,
        [folder],
        progress=lambda _n, _t, label: done.append(label),
        options=ImportOptions(**options),  # type: ignore[arg-type]
    )
    project.close()
    return report, done


def stored(tmp_path: Path, name: str) -> tuple[list[tuple], list[tuple]]:
    con = sqlite3.connect(tmp_path / f"{name}.db")
    try:
        return con.execute(ROWS).fetchall(), con.execute(DOCS).fetchall()
    finally:
        con.close()


def one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    for least in ("CHILD_MIN_BYTES", "LOADED_MIN_BYTES", "ONE_SHOT_MIN_BYTES"):
        monkeypatch.setattr(segment_child, least, 10**15)


def two_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    for least in ("CHILD_MIN_BYTES", "LOADED_MIN_BYTES", "ONE_SHOT_MIN_BYTES"):
        monkeypatch.setattr(segment_child, least, 0)
    monkeypatch.setattr(segment_child, "spare_core", lambda: True)


# How many chunks this process parses before the rest go to the child to read: one
# (most files read by the child), or all (the child only segments).
AHEAD = pytest.mark.parametrize("ahead", [1, 100])


def compare(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    folder: Path,
    ahead: int = 100,
    **options: object,
):
    """Import ``folder`` in one process, then with the child; both runs' results."""
    monkeypatch.setattr(transcript_store, "CHUNK_WORDS", 2_000)  # several chunks in flight
    monkeypatch.setattr(transcript_store, "CHUNK_BYTES", 20_000)
    monkeypatch.setattr(transcript_store, "AHEAD_CHUNKS", ahead)
    one_process(monkeypatch)
    alone = run(tmp_path, "alone", folder, **options)
    two_processes(monkeypatch)
    segment.clear_cache()  # so this process loading spaCy would show
    sent = segment_child.SegmentChild.send_paths
    read_there: list[Path] = []

    def send_paths(self: segment_child.SegmentChild, *args: object) -> None:
        read_there.extend(args[-1])  # type: ignore[arg-type]
        sent(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(segment_child.SegmentChild, "send_paths", send_paths)
    child = run(tmp_path, "child", folder, **options)
    if ahead == 1:  # the files past the first chunk are read by the child
        assert len(read_there) > 10
    assert stored(tmp_path, "alone") == stored(tmp_path, "child")
    assert alone[0].to_json() == child[0].to_json() and alone[1] == child[1]
    return alone, child


@AHEAD
def test_the_child_stores_exactly_what_one_process_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: Path, ahead: int
) -> None:
    (alone, done), _child = compare(tmp_path, monkeypatch, folder, ahead)
    assert not segment.is_loaded()  # the sentences came from the child
    rows, docs = stored(tmp_path, "child")
    assert len(docs) == 16 and len(rows) > 1_000
    assert alone.unchanged == ["S2PW1.txt as 'S2PW1 copy'"] and len(alone.failed) == 1
    # progress: once per file, in the folder's order, stored or not
    assert done == sorted(p.name for p in folder.iterdir())


def test_the_pipeline_warning_is_reported_once_from_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    (alone, _), _child = compare(
        tmp_path, monkeypatch, folder, 1, spacy_model="xx_not_installed_pipeline"
    )
    spacy = [w for w in alone.warnings if w.file == "spaCy"]
    assert len(spacy) == 1 and "xx_not_installed_pipeline" in spacy[0].message


@pytest.mark.parametrize(
    "target",
    [
        "math:sqrt",  # raises on every chunk (the child goes on)
        "qualcode.no_such_module:work",  # the child ends at once
    ],
)
@AHEAD
def test_a_failing_child_falls_back_to_this_process_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: Path, target: str, ahead: int
) -> None:
    monkeypatch.setattr(segment_child, "TARGET", target)
    compare(tmp_path, monkeypatch, folder, ahead)
    assert segment.is_loaded()  # segmented here after all


def test_a_child_that_cannot_start_leaves_the_job_to_this_process(
    monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    two_processes(monkeypatch)
    monkeypatch.setattr(sys, "executable", "")
    assert segment_child.start_segmenter(None, [folder]) is None
    one_process(monkeypatch)
    assert segment_child.start_segmenter(None, [folder]) is None  # too small to pay


def test_new_documents_figures_are_what_a_recount_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    one_process(monkeypatch)
    run(tmp_path, "figures", folder)
    project = Project.open(tmp_path / "figures.db", coder="t")
    with project.engine.connect() as conn:
        stored_figures = {
            r[0]: tuple(r[1:])
            for r in conn.exec_driver_sql(
                "SELECT document_id, chars, spoken_chars, coded_chars, codings "
                "FROM document_progress"
            )
        }
        recount = {i: tuple(p) for i, p in progress.measure(conn).items()}
    project.close()
    assert len(stored_figures) == 16 and stored_figures == recount
    assert all(chars > spoken > 0 for chars, spoken, _, _ in stored_figures.values())


def test_rows_written_directly_hold_times_as_the_orm_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    one_process(monkeypatch)
    run(tmp_path, "times", folder)
    con = sqlite3.connect(tmp_path / "times.db")
    stamps = [r[0] for r in con.execute("SELECT imported_at FROM documents")]
    stamps += [r[0] for r in con.execute("SELECT at FROM audit_log")]
    con.close()
    assert len(stamps) == 32 and all(re.fullmatch(STAMP, s) for s in stamps)
    project = Project.open(tmp_path / "times.db", coder="t")
    with project.read() as s:
        assert all(isinstance(d.imported_at, datetime) for d in s.scalars(select(Document)))
    project.close()


def test_the_command_starts_the_child_first_and_stores_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    one_process(monkeypatch)
    run(tmp_path, "alone", folder)
    monkeypatch.setattr(segment_child, "ONE_SHOT_MIN_BYTES", 0)  # only the command's
    monkeypatch.setattr(segment_child, "spare_core", lambda: True)
    segment.clear_cache()
    started: list[bool] = []
    start = segment_child.start_segmenter

    def spy(*args: object, **kwargs: object) -> segment_child.SegmentChild | None:
        child = start(*args, **kwargs)  # type: ignore[arg-type]
        started.append(child is not None)
        return child

    monkeypatch.setattr(segment_child, "start_segmenter", spy)
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "child.db"), "import", str(folder), "--framework", "none"]
    )
    assert result.exit_code == 1 and "S3PW9.docx" in result.output  # the unreadable file
    assert started == [True] and not segment.is_loaded()
    assert stored(tmp_path, "alone") == stored(tmp_path, "child")


def test_thresholds_keep_small_jobs_in_one_process(
    monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    monkeypatch.setattr(segment_child, "spare_core", lambda: True)
    size = segment_child._bytes([folder])
    assert size == sum(p.stat().st_size for p in folder.iterdir() if p.suffix != ".csv")
    monkeypatch.setattr(segment_child, "ONE_SHOT_MIN_BYTES", size)
    monkeypatch.setattr(segment_child, "CHILD_MIN_BYTES", size + 1)
    segment.clear_cache()
    assert segment_child.start_segmenter(None, [folder]) is None
    child = segment_child.start_segmenter(None, [folder], one_shot=True)
    assert child is not None
    child.close()
