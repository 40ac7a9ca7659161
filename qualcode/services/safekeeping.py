"""Keeping a project safe: backups, restoring one, checking the file, closing cleanly.

These work on the project *file* rather than through :class:`Project` where they
must still work when the project cannot be opened (a damaged file, a restore).
PostgreSQL projects are backed up with the server's own tools (``pg_dump``).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from qualcode.errors import InvalidInputError, NotFoundError
from qualcode.services.failures import explain
from qualcode.services.project import Project
from qualcode.store.backups import (
    BackupFile,
    auto_backup,
    backup_dir,
    keep_count,
    list_backups,
    new_backup_path,
    online_copy,
)
from qualcode.store.engine import SQLITE_HEADER, resolve_url, sqlite_path
from qualcode.store.files import create_owner_only, owner_only

PG_ADVICE = (
    "this project is on a database server: back it up with the server's tools, e.g. "
    "`pg_dump --format=custom --file=study.dump DBNAME`, and restore with `pg_restore`."
)

TABLE_WORDS = {
    "codings": "codings",
    "codes": "codes",
    "documents": "documents",
    "segments": "sentence and turn markers",
    "cases": "cases",
    "participants": "participants",
    "memos": "memos",
    "cell_summaries": "chart summaries",
    "case_attributes": "case attributes",
    "participant_attributes": "participant attributes",
    "cell_summary_revisions": "chart summary history",
    "workshop_comments": "workshop comments",
}


def project_file(db: str | os.PathLike[str] | None) -> Path:
    """The SQLite file of ``--db``; other databases are refused with advice."""
    path = sqlite_path(resolve_url(db))
    if path is None:
        raise InvalidInputError(f"{resolve_url(db)}: {PG_ADVICE}")
    return path


def backup(
    db: str | os.PathLike[str] | None,
    dest: str | os.PathLike[str] | None = None,
) -> Path:
    """Copy the project (with its latest work) to ``dest`` (a new file or a folder).

    Safe while others code: SQLite's online backup reads one consistent snapshot.
    Without ``dest`` the copy goes to the backups folder as a manual backup.
    """
    src = _existing_project(project_file(db))
    if dest is None:
        target = new_backup_path(src, "", automatic=False)
    else:
        target = Path(dest).expanduser()
        if target.is_dir():
            target = target / f"{src.stem}-{datetime.now():%Y%m%d-%H%M%S}.db"
        if target.exists():
            raise InvalidInputError(
                f"{target} exists already; give a new file name (a backup never overwrites a file)."
            )
        if not target.parent.is_dir():
            raise InvalidInputError(f"{target.parent}: no such folder. Create it first.")
        if target.resolve() == src.resolve():
            raise InvalidInputError("The backup must go to another file than the project.")
    online_copy(src, target)
    return target


def automatic_backup(project: Project, reason: str) -> tuple[Path | None, str | None]:
    """An automatic backup after a sitting (import, workbench); none for server databases.

    Returns (the backup, None) or (None, why it could not be made): a failed backup
    must not turn a finished sitting into an error, but must be said.
    """
    path = sqlite_path(str(project.engine.url))
    if path is None or not path.exists():
        return None, None
    try:
        return auto_backup(path, reason), None
    except (OSError, sqlite3.Error) as e:
        why = explain(e, str(backup_dir(path))) or str(e)
        return None, f"the automatic backup could not be made: {why}"


def backups(db: str | os.PathLike[str] | None) -> tuple[Path, int, list[BackupFile]]:
    """The backups folder, how many automatic backups are kept, and the backups there."""
    path = project_file(db)
    return backup_dir(path), keep_count(), list_backups(path)


@dataclass
class RestoreResult:
    project: Path
    restored_from: Path
    replaced_kept_as: Path | None


def restore(db: str | os.PathLike[str] | None, source: str | os.PathLike[str]) -> RestoreResult:
    """Replace the project's content with a backup; the replaced project is kept aside.

    The backup is checked before anything is touched. The copy goes through SQLite's
    backup API into the project file, so its ``-wal`` stays consistent with it.
    The caller must have the user's confirmation first.
    """
    target = project_file(db)
    src = Path(source).expanduser()
    if not src.is_file():
        raise NotFoundError(f"{src}: no such backup file. See `qualcode backup --list`.")
    report = check_file(src)
    if not report.ok or report.revision is None:
        raise InvalidInputError(
            f"{src} is not a sound qualcode backup: {report.headline} "
            "Nothing was changed; pick another backup."
        )
    kept = None
    if target.exists() and target.stat().st_size:
        kept = target.with_name(f"{target.stem}.replaced-{datetime.now():%Y%m%d-%H%M%S}.db")
        try:
            online_copy(target, kept)
        except sqlite3.DatabaseError:  # the project is damaged: keep its bytes as they are
            _copy_bytes(target, kept)

    with owner_only():
        source_con = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True)
        if target.exists() and not target.stat().st_size:
            target.unlink()
        dest_con = sqlite3.connect(target)
        try:
            dest_con.execute("PRAGMA busy_timeout=10000")
            source_con.backup(dest_con)
            dest_con.execute("PRAGMA journal_mode=WAL")
            dest_con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            dest_con.close()
            source_con.close()
    return RestoreResult(target, src, kept)


def _copy_bytes(src: Path, dest: Path) -> None:
    create_owner_only(dest)
    with src.open("rb") as fin, dest.open("wb") as fout:
        while chunk := fin.read(1 << 20):
            fout.write(chunk)


def _existing_project(path: Path) -> Path:
    if not path.exists():
        raise NotFoundError(f"{path}: no project here. Check --db.")
    return path


@dataclass
class CheckReport:
    """What ``qualcode check`` found, in plain words."""

    path: Path
    ok: bool
    headline: str
    details: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)
    revision: str | None = None

    def lines(self) -> list[str]:
        return [self.headline, *[f"  {d}" for d in self.details], *self.advice]


def check(db: str | os.PathLike[str] | None) -> CheckReport:
    """Run SQLite's ``integrity_check`` and ``foreign_key_check`` and explain the result."""
    path = _existing_project(project_file(db))
    report = check_file(path)
    if not report.ok:
        report.advice += _restore_advice(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        report.advice.append(
            f"Note: {path.name} can be read by other users of this computer "
            f"(mode {mode:o}); `chmod 600 {path}` makes it yours alone."
        )
    return report


def check_file(path: Path) -> CheckReport:
    """Check any SQLite file (a project or a backup) without changing it."""
    with path.open("rb") as fh:
        head = fh.read(16)
    if head != SQLITE_HEADER:
        what = "is empty (0 bytes)" if not head else "is not a SQLite database"
        return CheckReport(path, False, f"{path} {what}: it holds no project.")
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        con.execute("PRAGMA busy_timeout=10000")
        problems = [r[0] for r in con.execute("PRAGMA integrity_check(20)")]
        broken = con.execute("PRAGMA foreign_key_check").fetchall()
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        revision = (
            (con.execute("SELECT version_num FROM alembic_version").fetchone() or [None])[0]
            if "alembic_version" in tables
            else None
        )
        counts = (
            {
                t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in ("documents", "codes", "codings")
                if t in tables
            }
            if problems == ["ok"]
            else {}
        )
    except sqlite3.DatabaseError as e:
        return CheckReport(path, False, f"{path} is damaged and cannot be read ({e}).")
    finally:
        con.close()
    if problems != ["ok"]:
        return CheckReport(
            path,
            False,
            f"{path} is damaged: SQLite found {len(problems)}"
            f"{'+' if len(problems) >= 20 else ''} problems in the file.",
            [f"{p}" for p in problems[:5]],
            revision=revision,
        )
    if broken:
        by_table: dict[tuple[str, str], int] = {}
        for table, _rowid, parent, _fk in broken:
            by_table[(table, parent)] = by_table.get((table, parent), 0) + 1
        details = [
            f"{n} {TABLE_WORDS.get(t, t)} point at {TABLE_WORDS.get(p, p)} that no longer exist"
            for (t, p), n in by_table.items()
        ]
        return CheckReport(
            path,
            False,
            f"{path}: the file is readable, but {len(broken)} links between records are broken.",
            details,
            revision=revision,
        )
    if revision is None:
        return CheckReport(
            path,
            False,
            f"{path} is a sound SQLite file but not a qualcode project (no schema revision).",
        )
    summary = ", ".join(f"{n:,} {t}" for t, n in counts.items())
    return CheckReport(
        path,
        True,
        f"{path} is sound: SQLite's integrity and reference checks found no problems ({summary}).",
        revision=revision,
    )


def _restore_advice(path: Path) -> list[str]:
    found = list_backups(path)
    if not found:
        return [
            "Nothing has been changed. Keep a copy of this file as it is. There is no backup "
            f"in {backup_dir(path)}; if you have a copy elsewhere, `qualcode restore COPY` "
            "puts it back (the damaged file is kept aside)."
        ]
    newest = found[-1]
    return [
        "Nothing has been changed. Keep a copy of this file as it is, then put back the "
        f"newest backup ({newest.made_at:%Y-%m-%d %H:%M}): `qualcode restore {newest.path}` "
        "(the damaged file is kept aside). Work done since that backup must be redone."
    ]


def close(project: Project) -> None:
    """At exit: fold the WAL into the project file so the ``.db`` alone holds everything."""
    project.close()
