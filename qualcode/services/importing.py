"""Importing transcripts (and the case, codings and REFI-QDA files that come with them).

Each transcript is one transaction: its document, participant, case and segments
are stored together or not at all, so a bad file is reported and skipped while
the others go in. The SHA-256 of the stored text makes importing the same content
again a no-op; a file whose name matches a stored document but whose text differs
is reported, never stored beside it. How a transcript is prepared and stored (fast
enough to keep pace with spaCy's sentencizer) is in ``transcript_store``.

Order within one run: cases CSVs, REFI-QDA projects, transcripts, then codings
CSVs (which point at documents and codes the earlier steps created).
"""

from __future__ import annotations

import csv
import gc
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from qualcode.errors import InvalidInputError, ProjectBusyError, QualcodeError
from qualcode.framework_files import DEFAULT_FRAMEWORK
from qualcode.ingest.options import (  # the import options, as callers know them from here
    REMEMBERED,
    SETTING_PREFIX,
    ImportOptions,
    options_from_settings,
)
from qualcode.ingest.participants import (
    ParticipantPattern,
)
from qualcode.ingest.readers import SUPPORTED_SUFFIXES, IngestWarning
from qualcode.ingest.warning_groups import grouped_lines
from qualcode.services.cases import import_cases_csv, is_case_table
from qualcode.services.codings_file import apply_codings_csv, is_codings_table
from qualcode.services.failures import NOT_STORED, explain
from qualcode.services.frameworks import apply_framework
from qualcode.services.project import Project
from qualcode.services.segment_child import SegmentChild
from qualcode.services.transcript_store import TranscriptImporter
from qualcode.store.models import Case, Code, Document, Participant, Setting

__all__ = [
    "REMEMBERED",
    "SETTING_PREFIX",
    "ImportOptions",
    "ImportReport",
    "ImportStopped",
    "import_paths",
    "options_from_settings",
    "remember_options",
]

Progress = Callable[[int, int, str], None]
UNSUPPORTED_HINTS = {
    ".doc": "save it as .docx",
    ".pdf": "export it as .docx or .txt",
    ".rtf": "save it as .docx or .txt",
    ".odt": "save it as .docx",
    ".md": "rename it to .txt if it is a plain-text transcript",
}


def remember_options(project: Project, options: ImportOptions, keys: Iterable[str]) -> None:
    """Store the given import settings in the project so later imports reuse them."""

    keys = [k for k in keys if k in REMEMBERED]
    if not keys:
        return
    with project.transaction("import settings", **{k: getattr(options, k) for k in keys}) as s:
        for key in keys:
            value = getattr(options, key)
            s.merge(
                Setting(
                    key=SETTING_PREFIX + key,
                    value=json.dumps(value) if key == "speaker_labels" else value or "",
                )
            )


@dataclass
class ImportReport:
    """What one import run did, file by file, for the summary at the end."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    words: int = 0
    participants: set[str] = field(default_factory=set)
    cases: set[str] = field(default_factory=set)
    participants_created: int = 0
    cases_created: int = 0
    warnings: list[IngestWarning] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    finished: set[Path] = field(default_factory=set)  # files dealt with (stored or reported)
    omitted: list[str] = field(default_factory=list)  # REFI-QDA files imported with omissions

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary_lines(self) -> list[str]:
        docs = len(self.added) + len(self.replaced)
        lines = [
            f"{docs} document{'s' * (docs != 1)} imported ({self.words:,} words)"
            + (f", {len(self.replaced)} replaced" if self.replaced else "")
            + f"; {len(self.participants)} participants, {len(self.cases)} cases"
            + (
                f" ({self.participants_created} new participants, {self.cases_created} new cases)"
                if self.participants_created or self.cases_created
                else ""
            )
            + "."
        ]
        if self.unchanged:
            lines.append(f"{len(self.unchanged)} already imported with the same text (unchanged).")
        if self.changed:
            lines.append(f"{len(self.changed)} changed since import, not stored:")
            lines += [f"  {c}" for c in self.changed]
        lines += self.notes
        if self.skipped:
            lines.append(f"{len(self.skipped)} files skipped.")
        if self.omitted:
            lines.append(f"Imported with omissions (listed above): {', '.join(self.omitted)}.")
        lines.append(
            f"{len(self.warnings)} warning{'s' * (len(self.warnings) != 1)}, "
            f"{len(self.failed)} failed file{'s' * (len(self.failed) != 1)}."
        )
        return lines

    def warning_lines(self, every: str = "") -> list[str]:
        """The warnings to show a person: the same warning about many files said once
        (see ``warning_groups``), ``every`` saying where to read them all;
        :meth:`to_json` keeps every one."""
        return grouped_lines(self.warnings, every)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "failed": self.failed,
            "skipped": self.skipped,
            "words": self.words,
            "participants": sorted(self.participants),
            "cases": sorted(self.cases),
            "participants_created": self.participants_created,
            "cases_created": self.cases_created,
            "warnings": [str(w) for w in self.warnings],
            "notes": self.notes,
            "omitted": self.omitted,
        }


@dataclass
class _Plan:
    cases: list[Path] = field(default_factory=list)
    refi: list[Path] = field(default_factory=list)
    transcripts: list[Path] = field(default_factory=list)
    codings: list[Path] = field(default_factory=list)

    def total(self) -> int:
        return len(self.cases) + len(self.refi) + len(self.transcripts) + len(self.codings)


class ImportStopped(QualcodeError):
    """The project could not be written any more (disk full, read-only, locked): the import
    stopped. ``report`` says what was stored before; ``not_imported`` lists the rest."""

    def __init__(self, message: str, report: ImportReport, not_imported: list[str]) -> None:
        super().__init__(message)
        self.report = report
        self.not_imported = not_imported


def import_paths(
    project: Project,
    paths: Iterable[str | Path],
    *,
    progress: Progress | None = None,
    options: ImportOptions | None = None,
    segmenter: SegmentChild | None = None,
) -> ImportReport:
    """Import files and folders (see the module notes); returns what happened to each.

    ``segmenter``: a child process for the sentences, started by the caller before it
    loaded anything heavy (see ``segment_child``); the import closes it.

    If the project cannot be written any more (a full disk, a read-only file, a lock
    held too long), the import stops and :class:`ImportStopped` carries what was
    stored before (each file is one transaction, so nothing is half-stored).
    """
    try:
        with no_full_collections():
            return _import_paths(project, paths, progress, options, segmenter)
    finally:
        if segmenter is not None:
            segmenter.close()


def _import_paths(
    project: Project,
    paths: Iterable[str | Path],
    progress: Progress | None,
    options: ImportOptions | None,
    segmenter: SegmentChild | None = None,
) -> ImportReport:
    options = options or ImportOptions()
    ParticipantPattern(options.participant_pattern, options.case_template)  # fail before work
    report = ImportReport()
    plan = _plan(paths, report)
    if options.as_new and len(plan.transcripts) != 1:
        raise InvalidInputError("--as-new NAME names one document: give exactly one transcript.")
    try:
        return _run_plan(project, plan, report, progress, options, segmenter)
    except (OperationalError, ProjectBusyError, OSError) as e:
        why = explain(e, project.location)
        if why is None:
            raise
        files = [*plan.cases, *plan.refi, *plan.transcripts, *plan.codings]
        left = [str(f) for f in files if f not in report.finished]
        why = why.replace(f"{NOT_STORED} ", "").replace(NOT_STORED, "")
        raise ImportStopped(
            f"import stopped after {len(files) - len(left)} of {len(files)} "
            f"files (those are stored, the rest are not): {why}",
            report,
            left,
        ) from e


def _run_plan(
    project: Project,
    plan: _Plan,
    report: ImportReport,
    progress: Progress | None,
    options: ImportOptions,
    segmenter: SegmentChild | None = None,
) -> ImportReport:
    total, done = plan.total(), 0

    def step(label: str | Path) -> None:
        nonlocal done
        done += 1
        if isinstance(label, Path):
            report.finished.add(label)
            label = label.name
        if progress:
            progress(done, total, label)

    if options.framework not in (None, "auto", "none"):
        _apply_framework(project, options.framework, report)
    for path in plan.cases:
        _guard(report, path, lambda p=path: _import_cases(project, p, report))
        step(path)
    for path in plan.refi:
        _guard(report, path, lambda p=path: _import_refi(project, p, report, options))
        step(path)
    TranscriptImporter(project, options, report, segmenter).import_files(
        plan.transcripts, lambda path: step(path)
    )
    if plan.codings and options.framework == "auto" and _has_no_codes(project):
        _apply_framework(
            project,
            DEFAULT_FRAMEWORK,
            report,
            "the project had no codebook; use --framework none to skip this",
        )
    for path in plan.codings:
        _guard(
            report, path, lambda p=path: _import_codings(project, p, report, options.create_codes)
        )
        step(path)
    return report


@contextmanager
def no_full_collections() -> Iterator[None]:
    """Keep the garbage collector's full passes off the objects that exist before an import.

    An import allocates many short-lived rows, which trigger full collections that
    walk every object of the process (spaCy's and SQLAlchemy's included): about 3%
    of a large import's time. Frozen objects are only skipped, never freed early;
    new objects are collected as usual, so memory stays flat.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _guard(report: ImportReport, path: Path, work: Callable[[], None]) -> None:
    """Run one file's import; a user-facing error marks the file failed, others go on."""
    try:
        work()
    except QualcodeError as e:
        message = str(e)
        report.failed.append(message if path.name in message else f"{path}: {message}")


def _plan(paths: Iterable[str | Path], report: ImportReport) -> _Plan:
    plan, seen = _Plan(), set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts)
            )
        elif path.exists():
            files = [path]
        else:
            report.failed.append(f"{path}: no such file or folder.")
            continue
        for file in files:
            key = file.resolve()
            if key in seen:
                continue
            seen.add(key)
            _classify(file, plan, report)
    return plan


def _classify(path: Path, plan: _Plan, report: ImportReport) -> None:
    suffix = path.suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        plan.transcripts.append(path)
    elif suffix in (".qdpx", ".qdc", ".qde"):
        plan.refi.append(path)
    elif suffix == ".csv":
        kind = _csv_kind(path)
        if kind == "cases":
            plan.cases.append(path)
        elif kind == "codings":
            plan.codings.append(path)
        else:
            report.failed.append(
                f"{path}:1: a CSV to import must be a cases table (first column "
                "'case') or a codings table (columns document,code,valence,"
                "phrase,...)."
            )
    else:
        hint = UNSUPPORTED_HINTS.get(suffix, "import .txt, .docx, .csv, .qdpx, .qde or .qdc files")
        report.skipped.append(str(path))
        report.warnings.append(
            IngestWarning(
                str(path), f"skipped: {suffix or 'no extension'} files are not imported ({hint})."
            )
        )


def _csv_kind(path: Path) -> str | None:

    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            header = next(csv.reader(fh), [])
    except OSError:
        return None
    if is_case_table(header):
        return "cases"
    return "codings" if is_codings_table(header) else None


def _import_cases(project: Project, path: Path, report: ImportReport) -> None:

    r = import_cases_csv(project, path)
    report.notes.append(
        f"{path.name}: {len(r.cases_created)} cases created, {len(r.cases_updated)} updated."
    )
    report.warnings += [IngestWarning(path.name, w) for w in r.warnings]


def _import_refi(
    project: Project, path: Path, report: ImportReport, options: ImportOptions
) -> None:
    try:
        # lazy: the REFI-QDA reader loads lxml; only .qdpx files need it
        from qualcode.exchange import refi_import
    except ImportError as e:
        raise InvalidInputError(
            f"{path}: REFI-QDA import is not available in this version of qualcode."
        ) from e
    if path.suffix.lower() == ".qdc":
        result = refi_import.import_qdc(project, path, strict=options.strict)
    else:
        sources_dir = Path(options.sources_dir) if options.sources_dir else None
        if sources_dir is not None and not sources_dir.is_dir():
            raise InvalidInputError(f"--sources-dir {sources_dir}: no such folder.")
        access = refi_import.SourceAccess(sources_dir, options.allow_absolute)
        result = refi_import.import_qdpx(project, path, access=access, strict=options.strict)
    report.notes += [f"{path.name}: {line}" for line in result.summary_lines()]
    if result.omitted:
        report.omitted.append(path.name)


def _import_codings(
    project: Project, path: Path, report: ImportReport, create_codes: bool = False
) -> None:

    r = apply_codings_csv(project, path, create_codes=create_codes)
    report.notes += r.summary_lines()


def _has_no_codes(project: Project) -> bool:
    with project.read() as s:
        return not s.scalar(select(func.count()).select_from(Code))


def _apply_framework(project: Project, key: str, report: ImportReport, why: str = "") -> None:

    r = apply_framework(project, key)
    report.notes.append(
        f"Framework {r.framework}: {len(r.created)} codes created, "
        f"{len(r.updated)} updated" + (f" ({why})." if why else ".")
    )


def count_rows(project: Project) -> dict[str, int]:
    """Documents, words, participants and cases stored (for summaries and tests)."""
    with project.read() as s:
        return {
            "documents": s.scalar(select(func.count()).select_from(Document)) or 0,
            "words": s.scalar(select(func.coalesce(func.sum(Document.word_count), 0))) or 0,
            "participants": s.scalar(select(func.count()).select_from(Participant)) or 0,
            "cases": s.scalar(select(func.count()).select_from(Case)) or 0,
        }
