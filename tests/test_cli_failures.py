"""Foreseeable failures at the command line: one line that says what to do, exit 1, no
traceback, and nothing stored. (A project kept busy too long: see test_races.py.)

Disk-full and read-only cases run the command in a private mount namespace
(``unshare``) over a tiny tmpfs or a read-only bind mount; they are skipped where
the system does not allow that.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.services.codebook import create_code
from qualcode.services.project import Project
from tests.conftest import add_document

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_transcripts"
TEXT = "S4PW1: We were never invited to the ward meetings. The bus took two hours."
CODING = ("coding", "add", "S4PW1", "Ward relationships", "--range", "7-50")


def run(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QUALCODE_CODER="tester", PYTHONIOENCODING="utf-8")
    env.pop("QUALCODE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "qualcode", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def one_line_error(out: subprocess.CompletedProcess[str], *words: str) -> str:
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    line = out.stderr.strip().splitlines()[-1]
    assert line.startswith("error: "), out.stderr
    for word in words:
        assert word in line, line
    return line


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "study.db"
    project = Project.open(path, coder="ann")
    add_document(project, "S4PW1", TEXT)
    create_code(project, "Ward relationships")
    project.close()
    return path


# -- a private mount namespace ----------------------------------------------------------------
def _unshare() -> list[str]:
    return ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]


def in_namespace(mounts: str, commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """Run qualcode commands after ``mounts`` (shell), in a mount namespace of their own.

    Each command's output is separated by a marker line so each can be checked.
    """
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    probe = subprocess.run(
        [*_unshare(), "sh", "-c", "mount -t tmpfs tmpfs /mnt"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot make a private mount namespace here: {probe.stderr.strip()}")
    exe = shlex.quote(sys.executable)
    script = [mounts]
    for i, cmd in enumerate(commands):
        args = " ".join(shlex.quote(a) for a in cmd)
        script.append(
            f"QUALCODE_CODER=tester {exe} -m qualcode {args}; rc=$?; "
            f"echo '@@{i} '$rc; echo '@@{i}' >&2"
        )
    done = subprocess.run(
        [*_unshare(), "sh", "-c", "\n".join(script)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "QUALCODE_DB"},
    )
    results, out, err = [], done.stdout, done.stderr
    for i in range(len(commands)):
        o, _, out = out.partition(f"@@{i} ")
        rc, _, out = out.partition("\n")
        e, _, err = err.partition(f"@@{i}\n")
        results.append(subprocess.CompletedProcess(commands[i], int(rc or 99), o, e))
    return results


def test_disk_full_stops_an_import_with_a_summary(tmp_path: Path) -> None:
    mnt = tmp_path / "small"
    mnt.mkdir()
    p = str(mnt / "p.db")
    files = sorted(str(f) for f in SAMPLES.glob("*.txt"))
    imp, check, docs = in_namespace(
        f"mount -t tmpfs -o size=700k tmpfs {mnt}",
        [["--db", p, "import", *files], ["--db", p, "check"], ["--db", p, "documents", "--json"]],
    )
    line = one_line_error(imp, "import stopped after", f"of {len(files)} files", "disk", "full")
    imported = int(imp.stdout.split(" documents imported")[0].split()[-1])
    assert 0 < imported < len(files)
    assert f"Not imported ({len(files) - imported})" in imp.stdout
    assert "stored" in line
    assert check.returncode == 0 and "is sound" in check.stdout
    assert docs.stdout.count('"name"') == imported  # what the summary said, and nothing half-stored


def test_disk_full_while_creating_leaves_no_project(tmp_path: Path) -> None:
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    (out,) = in_namespace(
        f"mount -t tmpfs -o size=200k tmpfs {mnt} && echo x > {mnt}/keep",
        [["--db", str(mnt / "p.db"), "import", str(SAMPLES / "S4PW1.txt")]],
    )
    one_line_error(out, "disk", "full", "Nothing of this action was stored")


def test_read_only_project_file(db: Path) -> None:
    before = digest(db)
    (read, write) = in_namespace(
        f"mount --bind {db} {db} && mount -o remount,bind,ro {db}",
        [["--db", str(db), "codings"], ["--db", str(db), *CODING]],
    )
    assert read.returncode == 0  # reading still works
    one_line_error(write, "cannot be written", "read-only", "Nothing of this action was stored")
    assert digest(db) == before


def test_read_only_folder(db: Path) -> None:
    before = digest(db)
    folder = db.parent
    (write, create) = in_namespace(
        f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder}",
        [
            ["--db", str(db), *CODING],
            ["--db", str(folder / "new.db"), "import", str(SAMPLES / "S4PW1.txt")],
        ],
    )
    one_line_error(write, str(db), "permission")
    one_line_error(create, str(folder / "new.db"), "read-only")
    assert digest(db) == before and not (folder / "new.db").exists()


def test_truncated_project(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    before = digest(db)
    one_line_error(run(db, *CODING), "damaged", "qualcode check", "qualcode restore")
    assert digest(db) == before


def test_corrupt_project(db: Path) -> None:
    size = db.stat().st_size
    with db.open("r+b") as fh:  # every page after the first (the schema's) is overwritten
        fh.seek(4096)
        fh.write(b"\x00\xff" * ((size - 4096) // 2))
    before = digest(db)
    for args in (CODING, ("codings",)):
        one_line_error(run(db, *args), "damaged", "qualcode restore")
    assert digest(db) == before


def test_unknown_url_scheme(tmp_path: Path) -> None:
    one_line_error(run("foo://host/study", "codings"), "unknown database kind 'foo'")
    one_line_error(run("postgresql://u@h:port/db", "codings"), "not a database URL")


def test_missing_driver() -> None:
    one_line_error(
        run("mysql://u@localhost/study", "codings"),
        "driver",
        "not installed",
        "pip install mysqlclient",
    )


def test_server_down() -> None:
    if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2") is None:
        pytest.skip("no PostgreSQL driver installed (psycopg)")
    one_line_error(
        run("postgresql://u@127.0.0.1:1/study", "codings"),
        "Cannot reach the database server",
        "running",
    )


def test_nesting_too_deep(db: Path) -> None:
    where = "(" * 5000 + "fidelity >= 1" + ")" * 5000
    before = digest(db)
    one_line_error(run(db, "matrix", "--where", where), "nested too deeply")
    assert digest(db) == before


def test_empty_file_is_not_taken_for_a_new_project(tmp_path: Path) -> None:
    empty = tmp_path / "study.db"
    empty.touch()
    for args in (("codings",), ("import", str(SAMPLES / "S4PW1.txt"))):
        one_line_error(run(empty, *args), "empty file (0 bytes)", "qualcode restore", "delete")
    assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study.db"]


def test_a_driver_error_raised_outside_sqlalchemy_is_explained() -> None:
    """Plain-SQL reads hand the driver's own error up; it still gets the one-line advice."""
    psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL driver is not installed")
    from qualcode.services.failures import explain

    err = psycopg.OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    message = explain(err, "the project")
    assert message is not None and "Cannot reach the database server" in message
    assert "Traceback" not in message
