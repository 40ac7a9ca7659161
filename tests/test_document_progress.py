"""The stored coded share of each document always equals the one counted from its rows.

Every way codings, turns or a document's text change is tried here, and after each the
stored figures (``document_progress``) are compared with a fresh count of the codings
and turns (:func:`qualcode.store.progress.measure`), with nothing left noted as stale.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from sqlalchemy import select

from qualcode.exchange.refi_export import export_qdpx
from qualcode.exchange.refi_import import import_qdpx
from qualcode.services.codebook import create_code, delete_code
from qualcode.services.coding import add_coding, remove_coding, update_coding
from qualcode.services.codings_file import apply_codings_csv
from qualcode.services.documents import list_documents
from qualcode.services.history import History
from qualcode.services.importing import ImportOptions, import_paths
from qualcode.services.merging import merge_qdpx
from qualcode.services.project import Project
from qualcode.store.engine import make_engine, migrate
from qualcode.store.models import Document, DocumentProgress, DocumentProgressStale, Segment
from qualcode.store.progress import (
    Progress,
    after_upgrade,
    existing_triggers,
    measure,
    trigger_names,
)
from tests.conftest import add_document

T1 = "Interviewer: How were the wards?\n\nS3PW1: Staff knew who we were. The bus took an hour.\n"
T2 = "Interviewer: And supervision?\n\nS4PW1: We had none for months.\n"
SPOKEN = len("How were the wards?") + len("Staff knew who we were. The bus took an hour.")


def stored(project: Project) -> dict[int, Progress]:
    with project.read() as s:
        rows = s.execute(select(DocumentProgress)).scalars().all()
        return {
            r.document_id: Progress(r.chars, r.spoken_chars, r.coded_chars, r.codings) for r in rows
        }


def assert_current(project: Project) -> dict[int, Progress]:
    """The stored figures equal a fresh count, for every document, and none is noted stale."""
    with project.read() as s:
        counted = measure(s.connection())
        assert s.execute(select(DocumentProgressStale.document_id)).scalars().all() == []
    assert stored(project) == counted
    listed = {
        d.id: Progress(d.chars, d.spoken_chars, d.coded_chars, d.codings)
        for d in list_documents(project)
    }
    assert listed == counted
    return counted


def add_turns(project: Project, doc_id: int, text: str) -> None:
    """Speaker turns without their labels, as the importer stores them."""
    with project.transaction("test turns") as s:
        pos = 0
        for seq, line in enumerate((ln for ln in text.splitlines() if ln), start=1):
            at = text.index(line, pos)
            label = line.index(": ") + 2
            s.add(
                Segment(
                    document_id=doc_id, kind="turn", seq=seq, start=at + label, end=at + len(line)
                )
            )
            pos = at + len(line)


def two_documents(project: Project) -> tuple[int, int]:
    d1 = add_document(project, "S3PW1", T1, participant="S3PW1", case="Site 3")
    d2 = add_document(project, "S4PW1", T2)
    add_turns(project, d1, T1)
    create_code(project, "Culture")
    create_code(project, "Resources")
    return d1, d2


def test_add_edit_remove_undo_and_deleting_a_code(project: Project) -> None:
    d1, d2 = two_documents(project)
    assert assert_current(project)[d1].coded_chars == 0
    staff = T1.index("Staff")
    c1 = add_coding(project, d1, staff, staff + 14, "Culture")
    assert assert_current(project)[d1] == Progress(len(T1), SPOKEN, 14, 1)
    # a coding over the speaker label counts only the words said
    c2 = add_coding(project, d2, 0, T2.index("And"), "Resources")
    assert assert_current(project)[d2].coded_chars == T2.index("And")  # no turns: whole text
    update_coding(project, c1.id, start=staff, end=staff + 20)
    assert assert_current(project)[d1].coded_chars == 20
    update_coding(project, c1.id, valence="barrier", memo="valence only")
    assert_current(project)
    remove_coding(project, c2.id)
    assert assert_current(project)[d2] == Progress(len(T2), len(T2), 0, 0)
    history = History(project)
    bus = T1.index("The bus")
    row = history.add_coding(d1, bus, bus + 7, "Resources")
    assert assert_current(project)[d1] == Progress(len(T1), SPOKEN, 27, 2)
    history.undo()
    assert assert_current(project)[d1].codings == 1
    history.redo()
    assert assert_current(project)[d1].codings == 2
    history.remove_coding(row.id)
    history.undo()
    assert assert_current(project)[d1].codings == 2
    delete_code(project, "Resources", force=True)  # its codings go by cascade
    assert assert_current(project)[d1] == Progress(len(T1), SPOKEN, 20, 1)
    with project.transaction("remove document") as s:
        s.delete(s.get(Document, d1))
    assert set(assert_current(project)) == {d2}


def test_codings_csv_import(project: Project, tmp_path: Path) -> None:
    d1, _ = two_documents(project)
    path = tmp_path / "codings.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["document", "code", "phrase"])
        w.writerow(["S3PW1", "Culture", "Staff knew who we were."])
        w.writerow(["S4PW1", "Resources", "We had none for months."])
        w.writerow(["S3PW1", "Resources", "Staff knew"])
    report = apply_codings_csv(project, path)
    assert report.applied == 3
    figures = assert_current(project)
    assert figures[d1].codings == 2 and figures[d1].coded_chars == len("Staff knew who we were.")


def test_refi_import_and_merge_of_a_colleague_s_project(project: Project, tmp_path: Path) -> None:
    d1, _ = two_documents(project)
    add_coding(project, d1, T1.index("Staff"), T1.index("were.") + 5, "Culture")
    export_qdpx(project, tmp_path / "mine.qdpx")
    theirs = Project.open(tmp_path / "theirs.db", coder="ben")
    import_qdpx(theirs, tmp_path / "mine.qdpx", segment=False)
    assert sum(p.codings for p in assert_current(theirs).values()) == 1
    add_coding(theirs, "S4PW1", T2.index("We"), T2.index("months") + 6, "Resources")
    export_qdpx(theirs, tmp_path / "theirs.qdpx")
    report = merge_qdpx(project, tmp_path / "theirs.qdpx")
    assert report.codings_new == 1
    assert sum(p.codings for p in assert_current(project).values()) == 2


def test_import_and_replace_parse_the_text_again(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "P07 interview.txt"
    path.write_text("Carer: How was it?\n\nP07: Fine, mostly.\n", encoding="utf-8")
    import_paths(project, [path])
    before = assert_current(project)
    (doc_id,) = before
    assert before[doc_id].spoken_chars > 30  # no speaker turns found: the whole text
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
    assert again.replaced == ["P07 interview"]
    after = assert_current(project)
    assert after[doc_id].spoken_chars == len("How was it?") + len("Fine, mostly.")


def test_upgrade_counts_existing_projects(tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    project = Project.open(db)
    d1, _ = two_documents(project)
    add_coding(project, d1, T1.index("Staff"), T1.index("were.") + 5, "Culture")
    project.engine.dispose()
    with sqlite3.connect(db) as raw:  # as a project from the release before looked
        for name in trigger_names():
            raw.execute(f"DROP TRIGGER {name}")
        raw.execute("DROP TABLE document_progress")
        raw.execute("DROP TABLE document_progress_stale")
        raw.execute("UPDATE alembic_version SET version_num = '0006'")
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine, backup=False)
    engine.dispose()
    project = Project.open(db)
    with project.read() as s:
        assert existing_triggers(s.connection()) == set(trigger_names())
    assert assert_current(project)[d1] == Progress(len(T1), SPOKEN, 23, 1)


def test_triggers_come_back_after_a_table_rebuild(tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    project = Project.open(db)
    d1, _ = two_documents(project)
    add_coding(project, d1, T1.index("Staff"), T1.index("were.") + 5, "Culture")
    project.engine.dispose()
    # What a later migration rebuilding the codings table (SQLite batch mode) does: the
    # table's triggers go, and a coding written meanwhile is noted nowhere.
    with sqlite3.connect(db) as raw:
        for name in trigger_names():
            if name.startswith("progress_codings_"):
                raw.execute(f"DROP TRIGGER {name}")
        raw.execute(
            'INSERT INTO codings (document_id, code_id, coder_id, start, "end", memo, created_at,'
            " updated_at) SELECT document_id, code_id, coder_id, start + 6, \"end\", '',"
            " created_at, updated_at FROM codings"
        )
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:  # what every schema upgrade ends with
        after_upgrade(conn)
        assert existing_triggers(conn) == set(trigger_names())
    engine.dispose()
    assert assert_current(Project.open(db))[d1] == Progress(len(T1), SPOKEN, 23, 2)


def test_a_write_that_skipped_the_recount_is_counted_when_listed(tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    project = Project.open(db)
    d1, _ = two_documents(project)
    project.engine.dispose()
    with sqlite3.connect(db) as raw:  # the triggers note it; nothing recounts it
        raw.execute(
            'INSERT INTO codings (document_id, code_id, coder_id, start, "end", memo, created_at,'
            " updated_at) SELECT ?, id, 1, ?, ?, '', '2026-01-01', '2026-01-01' FROM codes"
            " WHERE name = 'Culture'",
            (d1, T1.index("Staff"), T1.index("Staff") + 5),
        )
    (doc,) = [d for d in list_documents(Project.open(db)) if d.id == d1]
    assert (doc.codings, doc.coded_chars) == (1, 5)
    assert stored(Project.open(db))[d1].codings == 0  # stored figure is stale, not shown
