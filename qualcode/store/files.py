"""Owner-only files, and creating a project file all at once.

Interview transcripts are sensitive: the project database, its ``-wal``/``-shm``
files and every backup are created readable by their owner only (0600). SQLite
gives the ``-wal`` and ``-shm`` files the mode of the database file itself.

A new project is built under a temporary name and linked into place only when
its schema is complete, so a crash while creating leaves no project file that
cannot be opened (and an empty file found where a project should be is never
mistaken for a new project).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

OWNER_ONLY = 0o600
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


@contextmanager
def owner_only() -> Iterator[None]:
    """Files created inside this block are readable and writable by their owner only."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def create_owner_only(path: Path) -> None:
    """Create an empty file with mode 0600; fails if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    os.close(fd)


def remove_with_sides(path: Path) -> None:
    """Delete a SQLite file and its -wal/-shm/-journal companions, if present."""
    for p in (path, *(Path(f"{path}{s}") for s in SIDE_SUFFIXES)):
        if p.exists():  # (unlinking a missing file on a read-only file system fails)
            p.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_builds(path: Path) -> None:
    """Remove half-built project files left by a creating process that was killed."""
    for tmp in path.parent.glob(f".{path.name}.creating-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _pid_alive(int(pid)):
            remove_with_sides(tmp)


def create_atomically(path: Path, build: Callable[[Path], None]) -> bool:
    """Build a new SQLite file with ``build(tmp)`` and link it in as ``path``.

    Returns False when another process created ``path`` meanwhile (its file is kept
    and ours discarded). ``build`` must close every connection to ``tmp`` (so the WAL
    is checkpointed into the file) before it returns.
    """
    _remove_stale_builds(path)
    tmp = path.with_name(f".{path.name}.creating-{os.getpid()}")
    remove_with_sides(tmp)
    try:
        with owner_only():
            try:
                create_owner_only(tmp)
            except OSError as e:  # named by the project's path, not the build file's
                raise OSError(e.errno, e.strerror, str(path)) from None
            build(tmp)
        for side in SIDE_SUFFIXES[:2]:
            wal = Path(f"{tmp}{side}")
            if wal.exists() and wal.stat().st_size and side == "-wal":
                raise RuntimeError(f"{wal}: not checkpointed before linking the new project")
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: check, then rename
            if path.exists():
                return False
            os.replace(tmp, path)
        return True
    finally:
        remove_with_sides(tmp)
