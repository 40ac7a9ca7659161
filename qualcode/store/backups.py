"""Copies of a SQLite project made with SQLite's online backup API, and the rolling set.

The online backup reads one consistent snapshot of the database *including* the
work still in its ``-wal`` file, and does not stop other people coding meanwhile
(in WAL mode a reader never blocks a writer). A plain file copy of the ``.db``
alone can miss the last sitting's work. Each copy is a single self-contained
file (rollback-journal mode), checked with ``quick_check``, owner-only (0600),
and appears under its final name only when complete.

Automatic backups go to ``<project folder>/<project name>-backups/`` (or
``$QUALCODE_BACKUP_DIR``); the newest ``$QUALCODE_BACKUP_KEEP`` (default 10)
automatic ones are kept. Backups made by hand are never deleted.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from qualcode.store.files import OWNER_ONLY, create_owner_only, owner_only, remove_with_sides

DIR_ENV = "QUALCODE_BACKUP_DIR"
KEEP_ENV = "QUALCODE_BACKUP_KEEP"
DEFAULT_KEEP = 10
AUTO = "auto"
STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class BackupFile:
    """One backup of a project, as found in the backups folder."""

    path: Path
    made_at: datetime
    automatic: bool
    reason: str
    size: int


def backup_dir(db_path: Path) -> Path:
    """Where a project's backups go (``$QUALCODE_BACKUP_DIR`` or next to the project)."""
    configured = os.environ.get(DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    return db_path.parent / f"{db_path.stem}-backups"


def keep_count() -> int:
    """How many automatic backups are kept (``$QUALCODE_BACKUP_KEEP``, default 10, at least 1)."""
    raw = os.environ.get(KEEP_ENV, "")
    try:
        return max(1, int(raw)) if raw.strip() else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP


def online_copy(src: Path, dest: Path) -> None:
    """Copy the SQLite database ``src`` (with its WAL) to a new owner-only file ``dest``."""
    tmp = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    remove_with_sides(tmp)
    try:
        with owner_only():
            create_owner_only(tmp)
            source = sqlite3.connect(src)
            target = sqlite3.connect(tmp)
            try:
                source.execute("PRAGMA busy_timeout=10000")
                source.backup(target)  # all pages in one step: one consistent snapshot
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                problem = target.execute("PRAGMA quick_check").fetchone()[0]
                if problem != "ok":
                    raise sqlite3.DatabaseError(f"the copy does not check out: {problem}")
            finally:
                target.close()
                source.close()
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, OWNER_ONLY)
        os.replace(tmp, dest)
    finally:
        remove_with_sides(tmp)


def new_backup_path(db_path: Path, reason: str, *, automatic: bool) -> Path:
    """A fresh name in the backups folder: ``<name>-<YYYYmmdd-HHMMSS>-<auto|manual>-<why>.db``."""
    folder = backup_dir(db_path)
    with owner_only():
        folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime(STAMP)
    kind = AUTO if automatic else "manual"
    base = f"{db_path.stem}-{stamp}-{kind}" + (f"-{_slug(reason)}" if reason else "")
    path, n = folder / f"{base}.db", 1
    while path.exists():
        n += 1
        path = folder / f"{base}-{n}.db"
    return path


def _slug(reason: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in reason.lower()).strip("-") or "backup"


def auto_backup(db_path: Path, reason: str) -> Path:
    """Take an automatic backup and drop the oldest automatic ones beyond the kept number."""
    dest = new_backup_path(db_path, reason, automatic=True)
    online_copy(db_path, dest)
    rotate(db_path)
    return dest


def list_backups(db_path: Path) -> list[BackupFile]:
    """This project's backups in its backups folder, oldest first."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    found = []
    prefix = f"{db_path.stem}-"
    for path in folder.glob(f"{prefix}*.db"):
        parts = path.stem[len(prefix) :].split("-", 3)
        if len(parts) < 3:
            continue
        try:
            made = datetime.strptime(f"{parts[0]}-{parts[1]}", STAMP)
        except ValueError:
            continue
        found.append(
            BackupFile(
                path,
                made,
                parts[2] == AUTO,
                parts[3] if len(parts) > 3 else "",
                path.stat().st_size,
            )
        )
    return sorted(found, key=lambda b: (b.made_at, b.path.name))


def rotate(db_path: Path) -> list[Path]:
    """Delete the oldest automatic backups so ``keep_count()`` remain; returns those deleted."""
    autos = [b for b in list_backups(db_path) if b.automatic]
    gone = [b.path for b in autos[: max(0, len(autos) - keep_count())]]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone
