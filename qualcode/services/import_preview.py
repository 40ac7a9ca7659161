"""Checking files before they are imported: what each would become, stored nowhere.

The workbench's import screen shows this report before anything is written: per
file, its kind (transcript, cases table, codings table, REFI-QDA project), the
participant and case a transcript would be filed under, the speakers found with
their roles and turns, lines that could not be placed (unknown speaker labels),
and every warning with its line. The speaker map (``{label: role}``) the user
fixes here is passed back as ``ImportOptions.speaker_labels`` when importing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from qualcode.errors import QualcodeError
from qualcode.ingest.participants import ParticipantPattern
from qualcode.ingest.readers import SUPPORTED_SUFFIXES, read_transcript
from qualcode.ingest.turns import SpeakerLabels
from qualcode.services.import_check import check_file
from qualcode.services.importing import ImportOptions, _csv_kind
from qualcode.services.project import Project
from qualcode.store.models import Document

REFI_SUFFIXES = (".qdpx", ".qde", ".qdc")
TABLE_SUFFIXES = (".csv",)

Progress = Callable[[int, int, str], None]


def importable_suffixes() -> tuple[str, ...]:
    """Every file ending the importer takes today (transcripts, tables, REFI-QDA)."""
    return tuple(dict.fromkeys((*SUPPORTED_SUFFIXES, *TABLE_SUFFIXES, *REFI_SUFFIXES)))


def is_importable(path: Path) -> bool:
    return path.suffix.lower() in importable_suffixes() and not path.name.startswith(("~$", "."))


def files_in(paths: Iterable[str | Path]) -> list[Path]:
    """Files and folders given -> the importable files, folders walked, in name order."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(
                (
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and is_importable(p)
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                ),
                key=lambda p: str(p).lower(),
            )
        elif path.is_file():
            out.append(path)
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class SpeakerInfo:
    """One speaker label of a transcript: its role and how many turns it has."""

    label: str
    role: str  # interviewer | participant | other | unknown
    turns: int


@dataclass
class FileCheck:
    """What importing one file would do (nothing is stored while checking)."""

    path: Path
    kind: str  # transcript | cases | codings | refi | unsupported
    status: str = "new"  # new | already imported | changed | error
    layout: str = ""
    participant: str | None = None
    case: str | None = None
    words: int = 0
    turns: int = 0
    speakers: list[SpeakerInfo] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def ok(self) -> bool:
        return self.status != "error"


def check_files(
    project: Project,
    paths: Iterable[str | Path],
    options: ImportOptions | None = None,
    *,
    progress: Progress | None = None,
) -> list[FileCheck]:
    """Read and parse every file as the importer would, and say what it would become."""

    options = options or ImportOptions()
    pattern = ParticipantPattern(options.participant_pattern, options.case_template)
    labels = SpeakerLabels().with_extra(options.speaker_labels)
    with project.read() as s:
        stored = {name: sha for name, sha in s.execute(select(Document.name, Document.sha256))}
    files = files_in(paths)
    out: list[FileCheck] = []
    for i, path in enumerate(files, start=1):
        out.append(_check_one(path, pattern, labels, stored))
        if progress:
            progress(i, len(files), path.name)
    return out


def _check_one(
    path: Path, pattern: ParticipantPattern, labels: object, stored: dict[str, str]
) -> FileCheck:
    suffix = path.suffix.lower()
    if suffix in REFI_SUFFIXES:
        return FileCheck(
            path, "refi", layout="REFI-QDA project" if suffix != ".qdc" else "REFI-QDA codebook"
        )
    if suffix in TABLE_SUFFIXES:
        return _check_table(path)
    if suffix not in SUPPORTED_SUFFIXES:
        return FileCheck(
            path,
            "unsupported",
            "error",
            warnings=[f"{path.name}: {suffix or 'no extension'} files are not imported."],
        )
    try:
        return _check_transcript(path, pattern, labels, stored)
    except QualcodeError as e:
        return FileCheck(path, "transcript", "error", warnings=[str(e)])


def _check_table(path: Path) -> FileCheck:
    kind = _csv_kind(path)
    if kind == "cases":
        return FileCheck(path, "cases", layout="cases table (one row per case)")
    if kind == "codings":
        return FileCheck(path, "codings", layout="codings table (applied after transcripts)")
    return FileCheck(
        path,
        "table",
        "error",
        warnings=[
            f"{path.name}:1: a CSV to import must be a cases table (first "
            "column 'case') or a codings table."
        ],
    )


def _check_transcript(
    path: Path, pattern: ParticipantPattern, labels: object, stored: dict[str, str]
) -> FileCheck:
    """The transcript check (layouts, speakers and roles, unplaced lines) as the screen shows it."""

    check = check_file(path, labels, pattern)  # type: ignore[arg-type]
    if check.error:
        return FileCheck(path, "transcript", "error", warnings=[check.error, *check.fix])
    src = read_transcript(path)
    text = src.text
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    status = "new"
    if path.stem in stored:
        status = "already imported" if stored[path.stem] == sha else "changed"
    speakers = [SpeakerInfo(s.speaker, s.role or "unknown", s.turns) for s in check.speakers]
    unplaced = [
        f"unknown speaker '{s.speaker}' ({s.turns} turn{'s' * (s.turns != 1)}): "
        "say who it is in the speaker map"
        for s in check.speakers
        if s.role is None
    ]
    unplaced += [f"{u.where}: {u.reason}: {u.text[:60]}" for u in check.unplaced]
    return FileCheck(
        path,
        "transcript",
        status,
        layout=f"{check.layout_name or check.layout or 'no layout'}, {src.file_format}",
        participant=check.participant,
        case=check.case,
        words=len(text.split()),
        turns=check.turns,
        speakers=speakers,
        unplaced=unplaced,
        warnings=[*check.warnings, *check.fix],
    )


def _unknown_labels(messages: list[str]) -> list[str]:
    out = []
    for m in messages:
        start = m.find("'")
        end = m.find("'", start + 1)
        if start >= 0 and end > start:
            out.append(m[start + 1 : end])
    return out


def summary(checks: list[FileCheck]) -> str:
    """One line: how many files of each kind, and how many need a look."""
    kinds: dict[str, int] = {}
    for c in checks:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    problems = sum(1 for c in checks if c.warnings or not c.ok)
    words = {
        "transcript": ("transcript", "transcripts"),
        "cases": ("cases table", "cases tables"),
        "codings": ("codings table", "codings tables"),
        "refi": ("REFI-QDA file", "REFI-QDA files"),
    }
    parts = [f"{n} {words.get(k, (k, k))[n != 1]}" for k, n in kinds.items()]
    return (", ".join(parts) or "no files") + f"; {problems} to look at."
