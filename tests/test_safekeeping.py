"""Backups, restore, check and the WAL: the project file alone holds all committed work."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.services.codebook import create_code
from qualcode.services.coding import add_coding
from qualcode.services.project import Project
from qualcode.services.safekeeping import backup, check, restore
from qualcode.store.backups import auto_backup, list_backups
from tests.conftest import add_document

TEXT = "S4PW1: We were never invited to the ward meetings. The bus took two hours."


def run(
    db: Path | str, *args: str, input: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ, QUALCODE_CODER="tester", PYTHONIOENCODING="utf-8", **(env or {}))
    full.pop("QUALCODE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "qualcode", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=full,
        input=input,
        timeout=120,
    )


def count(db: Path, table: str = "codings") -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def coded(tmp_path: Path) -> Path:
    db = tmp_path / "study.db"
    project = Project.open(db, coder="ann")
    add_document(project, "S4PW1", TEXT)
    create_code(project, "Ward relationships")
    add_coding(project, "S4PW1", 7, 50, "Ward relationships")
    project.close()
    return db


def test_a_cli_command_leaves_all_its_work_in_the_db_file(coded: Path, tmp_path: Path) -> None:
    """A plain copy of the .db alone (no -wal) after the command has the new coding."""
    assert (
        run(coded, "coding", "add", "S4PW1", "Ward relationships", "--range", "51-74").returncode
        == 0
    )
    assert not Path(f"{coded}-wal").exists() or Path(f"{coded}-wal").stat().st_size == 0
    alone = tmp_path / "copy.db"
    shutil.copyfile(coded, alone)
    assert count(alone) == 2


def test_backup_while_another_connection_has_work_in_the_wal(coded: Path, tmp_path: Path) -> None:
    project = Project.open(coded, coder="bob")
    add_coding(project, "S4PW1", 51, 74, "Ward relationships")  # committed, still in the WAL
    plain = tmp_path / "plain.db"
    shutil.copyfile(coded, plain)
    assert count(plain) == 1  # what a plain copy of the one file misses
    # another writer is mid-transaction while the backup runs: it is not blocked
    writer = sqlite3.connect(coded)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM codings")
    dest = backup(coded, tmp_path / "copy.db")
    writer.rollback()
    writer.close()
    assert count(dest) == 2
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert check(dest).ok
    with pytest.raises(Exception, match="exists already"):
        backup(coded, dest)
    project.close()


def test_backup_command_and_the_rolling_set(
    coded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = run(coded, "backup")
    assert made.returncode == 0, made.stderr
    assert "Backed up to" in made.stdout and "study-backups" in made.stdout
    monkeypatch.setenv("QUALCODE_BACKUP_KEEP", "3")
    for _ in range(5):
        auto_backup(coded, "after-import")
    found = list_backups(coded)
    assert sum(b.automatic for b in found) == 3  # the oldest automatic ones are dropped
    assert sum(not b.automatic for b in found) == 1  # a backup made by hand is kept
    folder = coded.parent / "study-backups"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(b.path.stat().st_mode) == 0o600 for b in found)
    listing = run(coded, "backup", "--list", env={"QUALCODE_BACKUP_KEEP": "3"})
    assert "newest 3 automatic" in listing.stdout and listing.stdout.count("study-2") == 4


def test_restore_asks_first_and_keeps_the_replaced_project(coded: Path, tmp_path: Path) -> None:
    saved = backup(coded, tmp_path / "saved.db")
    assert run(coded, "coding", "rm", "1").returncode == 0
    assert count(coded) == 0
    refused = run(coded, "restore", str(saved))
    assert refused.returncode == 2 and "add --yes" in refused.stderr
    assert count(coded) == 0
    assert run(coded, "restore", str(saved), input="n\n").returncode != 0
    done = run(coded, "restore", str(saved), "--yes")
    assert done.returncode == 0, done.stderr
    assert count(coded) == 1
    kept = next(tmp_path.glob("study.replaced-*.db"))
    assert count(kept) == 0 and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert str(kept) in done.stdout
    assert run(coded, "codings").returncode == 0


def test_restore_refuses_a_file_that_is_not_a_sound_backup(coded: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all")
    out = run(coded, "restore", str(junk), "--yes")
    assert out.returncode == 1 and "not a sound qualcode backup" in out.stderr
    assert count(coded) == 1 and not list(tmp_path.glob("study.replaced-*"))
    with pytest.raises(Exception, match="no such backup"):
        restore(coded, tmp_path / "absent.db")


def test_check_explains_a_sound_and_a_damaged_project(coded: Path, tmp_path: Path) -> None:
    good = run(coded, "check")
    assert good.returncode == 0 and "is sound" in good.stdout and "1 codings" in good.stdout
    auto_backup(coded, "after-import")
    damaged = tmp_path / "study.db"
    size = damaged.stat().st_size
    with damaged.open("r+b") as fh:  # overwrite the middle of the file
        fh.seek(size // 2)
        fh.write(b"\xff" * 4096)
    bad = run(coded, "check")
    assert bad.returncode == 1
    assert "damaged" in bad.stdout and "qualcode restore" in bad.stdout
    assert "Traceback" not in bad.stderr


def test_check_names_broken_references_in_plain_words(coded: Path) -> None:
    con = sqlite3.connect(coded)
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("DELETE FROM codes")
    con.commit()
    con.close()
    out = run(coded, "check")
    assert out.returncode == 1
    assert "1 codings point at codes that no longer exist" in out.stdout


def test_check_warns_about_a_project_others_can_read(coded: Path) -> None:
    coded.chmod(0o644)
    out = run(coded, "check")
    assert out.returncode == 0 and "chmod 600" in out.stdout


def test_a_server_database_is_backed_up_with_its_own_tools(tmp_path: Path) -> None:
    out = run("postgresql://u@localhost/study", "backup")
    assert out.returncode == 1 and "pg_dump" in out.stderr and "Traceback" not in out.stderr
