"""The demo project: the study's sample transcripts, cases and first-pass codings.

It is built in a side file and moved into place only when complete, so an
interrupted build never leaves a half-made demo that later runs would open.
``--fresh`` only ever deletes a database that is itself a demo project.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from qualcode.bundled import bundled_folder
from qualcode.errors import ConflictError, InvalidInputError, NotFoundError
from qualcode.framework_files import DEFAULT_FRAMEWORK
from qualcode.services.frameworks import apply_framework
from qualcode.services.importing import (
    ImportOptions,
    ImportReport,
    Progress,
    import_paths,
)
from qualcode.services.leaks import allow_words
from qualcode.services.project import Project
from qualcode.store.models import Case, Code, Coding, Document, Setting

DEMO_DB = "qualcode-demo.db"
DEMO_NAME = "Peer support implementation (demo)"
GROUP_COLUMN = "group"
DEMO_ALLOWED = ["Tesco"]


@dataclass(frozen=True)
class DemoSummary:
    location: str
    built: bool
    documents: int
    words: int
    codes: int
    codings: int
    cases: int

    def lines(self) -> list[str]:
        verb = "Built" if self.built else "Opened the existing"
        return [
            f"{verb} demo project at {self.location}:",
            (
                f"  {self.documents} documents ({self.words:,} words), {self.codes} codes, "
                f"{self.codings} codings, {self.cases} cases."
            ),
        ]


def sample_dir() -> Path:
    """The shipped ``sample_transcripts/`` folder, or a clear error."""
    folder = bundled_folder("sample_transcripts")
    if folder is None:
        raise NotFoundError(
            "the demo's sample transcripts are missing from this installation. "
            "Reinstall qualcode (pip install --force-reinstall qualcode)."
        )
    return folder


def demo_files(folder: Path) -> list[Path]:
    """sites.csv, then every transcript, then every codings-*.csv."""
    sites = folder / "sites.csv"
    if not sites.is_file():
        raise NotFoundError(f"{sites}: missing; the demo needs the sites table.")
    transcripts = sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in (".txt", ".docx") and not p.name.startswith("~$")
    )
    return [sites, *transcripts, *sorted(folder.glob("codings-*.csv"))]


def open_or_build_demo(
    db: str | os.PathLike[str] = DEMO_DB,
    *,
    fresh: bool = False,
    coder: str | None = None,
    progress: Progress | None = None,
) -> tuple[Project, DemoSummary]:
    """Open the demo project at ``db``, building it first if absent (or ``fresh``)."""
    is_url = "://" in str(db)
    path = Path(db).expanduser() if not is_url else None
    exists = path.exists() if path else _url_has_project(str(db))
    if exists and fresh:
        _remove_demo(str(db), path)
        exists = False
    if exists:
        project = Project.open(str(db), coder=coder, create=False)
        return project, summarise(project, built=False)
    if path is None:
        project = Project.open(str(db), coder=coder)
        build_demo(project, progress=progress)
        return project, summarise(project, built=True)
    side = path.with_name(path.name + ".building")
    _remove_files(side)
    try:
        project = Project.open(side, coder=coder)
        build_demo(project, progress=progress)
        project.engine.dispose()
        _settle_wal(side)
        os.replace(side, path)
    except BaseException:
        _remove_files(side)
        raise
    project = Project.open(path, coder=coder, create=False)
    return project, summarise(project, built=True)


def build_demo(project: Project, *, progress: Progress | None = None) -> ImportReport:
    """Framework, cases, transcripts, codings, case groups and the project name."""

    files = demo_files(sample_dir())
    apply_framework(project, DEFAULT_FRAMEWORK)
    report = import_paths(
        project,
        files,
        progress=progress,
        options=ImportOptions(framework="none", create_codes=True),
    )
    if report.failed or report.changed:
        problems = "\n  ".join(report.failed + report.changed)
        raise InvalidInputError(f"The demo could not be built from {sample_dir()}:\n  {problems}")
    with project.transaction("demo groups") as s:
        for case in s.scalars(select(Case)):
            group = next((a.value for a in case.attributes if a.name.lower() == GROUP_COLUMN), None)
            if group not in (None, ""):
                case.group_name, case.group_source = str(group), "attribute"
                case.group_reason = f"'{GROUP_COLUMN}' column of sites.csv"
        s.merge(Setting(key="project.name", value=DEMO_NAME))
    # Checked by eye: a supermarket named in S2PW2, not a person or a place that identifies.
    allow_words(project, DEMO_ALLOWED)
    return report


def summarise(project: Project, *, built: bool) -> DemoSummary:
    with project.read() as s:

        def count(model: type) -> int:
            return s.scalar(select(func.count()).select_from(model)) or 0

        words = s.scalar(select(func.coalesce(func.sum(Document.word_count), 0))) or 0
        return DemoSummary(
            project.location, built, count(Document), words, count(Code), count(Coding), count(Case)
        )


def _url_has_project(url: str) -> bool:
    try:
        Project.open(url, create=False).engine.dispose()
    except Exception:
        return False
    return True


def _remove_demo(db: str, path: Path | None) -> None:
    """Delete an existing demo (only a demo) so it can be rebuilt."""
    try:
        project = Project.open(db, create=False)
        name = project.name
        project.engine.dispose()
    except Exception as e:
        raise ConflictError(
            f"{db}: exists and is not a qualcode demo project; not deleting it. "
            "Give another --db for the demo."
        ) from e
    if name != DEMO_NAME:
        raise ConflictError(
            f"{db}: is the project {name!r}, not the demo; --fresh will not "
            "delete it. Give another --db for the demo."
        )
    if path is None:
        raise ConflictError(
            f"{db}: --fresh rebuilds only a demo in a SQLite file; drop the "
            "database yourself to rebuild it."
        )
    _remove_files(path)


def _settle_wal(path: Path) -> None:
    """Fold the write-ahead log into the database file, so the one file can be moved."""

    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def _remove_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        target = path.with_name(path.name + suffix)
        if target.exists():
            target.unlink()
