"""Importing REFI-QDA projects (.qdpx, or a bare .qde) and codebooks (.qdc).

Everything is read and checked first (archive safety, XML, every source's text,
the position convention); then one transaction stores it. Any error leaves the
project exactly as it was. What the file holds that qualcode cannot use (pictures,
audio, video, sets, links, graphs, a source whose text cannot be had and the
codings on it) is listed in the report, not an error: everything else is
imported, and ``report.omitted`` says something was left out (``strict=True``
refuses the file instead).
"""

from __future__ import annotations

import re
from pathlib import Path

from qualcode.errors import InvalidInputError
from qualcode.exchange.refi_commit import CHUNK_CODINGS, store_project
from qualcode.exchange.refi_positions import PlainText, Selection, choose_convention
from qualcode.exchange.refi_read import (
    RefiProjectData,
    RefiTextSource,
    read_codebook,
    read_project,
)
from qualcode.exchange.refi_report import RefiImportReport, plural
from qualcode.exchange.refi_segments import prepare
from qualcode.exchange.refi_sources import SourceAccess, SourceFinder, extract_text
from qualcode.exchange.refi_store import LoadedSource, RefiStore
from qualcode.exchange.refi_xml import ArchiveLimits, open_package, parse_xml
from qualcode.store.project import Project

__all__ = ["RefiImportReport", "SourceAccess", "import_qdc", "import_qdpx"]


_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _control_problem(text: str) -> str | None:
    """Why a text cannot be stored (NUL and other control characters), with where."""
    bad = _CONTROL_RE.search(text)
    if bad is None:
        return None
    count = len(_CONTROL_RE.findall(text))
    line = text.count("\n", 0, bad.start()) + 1
    more = f" and {count - 1} more" if count > 1 else ""
    return (
        f"control character U+{ord(bad.group()):04X} at character {bad.start()} (line {line})"
        f"{more}: the text is damaged or not text; fix it and import again"
    )


def _clean(plain: PlainText) -> PlainText:
    """Vertical tab (Word's manual line break) and form feed become line breaks, one for one."""
    if "\x0b" in plain.raw or "\x0c" in plain.raw:
        return PlainText(plain.raw.replace("\x0b", "\n").replace("\x0c", "\n"), plain.had_bom)
    return plain


def _unreadable(report: RefiImportReport, src: RefiTextSource, why: str, missing: bool) -> None:
    lost = len(src.whole_codings) + sum(len(s.codings) for s in src.selections)
    if src.selections:
        why += (
            f"; its {plural(len(src.selections), 'selection')} "
            f"({plural(lost, 'coding')}) {'is' if len(src.selections) == 1 else 'are'} "
            "not imported"
        )
    report.unreadable.append((src.name, src.guid, why))
    if missing:
        report.missing_sources.append(src.name)
    report.skipped["source that could not be read"] += 1
    if lost:
        report.skipped["coding on a source not imported"] += lost


def _load_one(
    finder: SourceFinder, src: RefiTextSource, report: RefiImportReport
) -> LoadedSource | None:
    """The source's text: its plain text, else its rich text or PDF; None (reported) if neither."""
    if src.inline_text is not None:
        plain = PlainText(src.inline_text)
        problem = _control_problem(plain.text)
        if problem:
            _unreadable(report, src, f"its text has a {problem}", False)
            return None
        return LoadedSource(src, _clean(plain))
    problems: list[str] = []
    missing = True
    looked: list[str] = []
    for path, extracted in (
        (src.plain_text_path, False),
        (src.rich_text_path, True),
        (src.pdf_path, True),
    ):
        if not path:
            continue
        got = finder.fetch(path)
        if got.data is None:
            if got.missing and got.where.startswith("sources/"):
                looked.append(got.where)
            else:
                problems.append(got.problem or f"{path} cannot be read")
            missing = missing and got.missing
            continue
        if got.absolute is not None:
            report.absolute_files.append(str(got.absolute))
        if extracted:
            try:
                raw = extract_text(got.data, got.where)
            except ValueError as e:
                problems.append(str(e))
                missing = False
                continue
            plain, warning = PlainText(raw), None
        else:
            plain, warning = PlainText.from_bytes(got.data)
        problem = _control_problem(plain.text)
        if problem:
            problems.append(f"{got.where} has a {problem}")
            missing = False
            continue
        if warning:
            report.warn(f"{got.where} ({src.name}): {warning}")
        loaded = LoadedSource(src, _clean(plain), extracted=extracted)
        if extracted:
            report.extracted.append((src.name, got.where))
        return loaded
    if looked:
        where = (
            "with the file (a bare .qde without its sources/ folder)"
            if not finder.pkg.has_source_folder()
            else "in the export"
            if finder.pkg.is_archive
            else "beside the file"
        )
        problems.insert(0, f"its text is not {where} (looked for {', '.join(looked)})")
    if not problems:
        problems.append("it names no file for its text")
        missing = False
    _unreadable(report, src, "; ".join(dict.fromkeys(problems)), missing)
    return None


def _load_sources(
    finder: SourceFinder, data: RefiProjectData, report: RefiImportReport
) -> list[LoadedSource]:
    """Every text source with its text; one that cannot be read is reported and left out."""
    loaded = [_load_one(finder, src, report) for src in data.sources]
    return [ls for ls in loaded if ls is not None]


def _note_texts(
    finder: SourceFinder, data: RefiProjectData, report: RefiImportReport
) -> dict[str, str]:
    out: dict[str, str] = {}
    for note in data.notes:
        if note.inline_text is not None:
            text = note.inline_text.replace("\r\n", "\n")
        else:
            got = finder.fetch(note.plain_text_path) if note.plain_text_path else None
            if got is None or got.data is None:
                if note.plain_text_path:
                    report.warn(
                        f"the text of note {note.name!r} is not in the file; imported its "
                        "title only"
                    )
                continue
            text = PlainText.from_bytes(got.data)[0].text
        if _CONTROL_RE.search(text):
            report.warn(f"note {note.name!r} had control characters; they were removed")
            text = _CONTROL_RE.sub("", text)
        out[note.guid] = text
    return out


def read_package(
    path: Path,
    limits: ArchiveLimits | None,
    report: RefiImportReport,
    access: SourceAccess | None = None,
) -> tuple[RefiProjectData, list[LoadedSource], dict[str, str]]:
    """Read and check a .qdpx/.qde/.qdc: the project, its readable sources, note texts.

    Nothing is stored; import and merge both start from this.
    """
    access = access or SourceAccess()
    with open_package(path, limits) as pkg:
        root = parse_xml(pkg.xml, pkg.label if pkg.is_archive else str(path))
        if root.tag == "CodeBook":
            return read_codebook(root, str(path)), [], {}
        where = f"{path.name}:project.qde" if pkg.is_archive else str(path)
        data = read_project(root, where)
        finder = SourceFinder(pkg, path, access)
        return data, _load_sources(finder, data, report), _note_texts(finder, data, report)


def import_qdpx(
    project: Project,
    path: str | Path,
    *,
    limits: ArchiveLimits | None = None,
    segment: bool = True,
    access: SourceAccess | None = None,
    strict: bool = False,
    chunk_codings: int = CHUNK_CODINGS,
) -> RefiImportReport:
    """Import a REFI-QDA project (.qdpx archive or bare .qde) as one user operation.

    A big file is committed in consistent chunks of about ``chunk_codings`` codings
    so other writers are not locked out (see ``refi_commit``); with ``strict`` it is
    always one transaction.

    Everything that can be imported is; what cannot (a source whose text is not to be
    had, codings on it, media) is listed in the report and ``report.omitted`` is true.
    ``strict=True`` refuses the whole file instead when anything would be left out.
    ``access`` says where ``relative://`` sources are and whether ``absolute://`` ones
    may be read. ``segment=False`` stores new documents without turns and sentences
    (much faster for large texts; participant ids are still found).
    """
    path = Path(path)
    report = RefiImportReport(file=path.name)
    data, loaded, note_texts = read_package(path, limits, report, access)
    report.kind, report.producer, report.project_name = data.kind, data.origin, data.name
    report.skipped.update(data.skipped)
    if data.kind == "codebook":
        return _store_codebook(project, path, data, report, strict)
    for ls in loaded:
        if ls.extracted:
            lost = len(ls.source.whole_codings) + sum(len(s.codings) for s in ls.source.selections)
            if lost:
                report.skipped["coding on a text extracted here (positions unknown)"] += lost
    counted = [ls for ls in loaded if not ls.extracted]
    choice = choose_convention(
        [
            (ls.plain, [Selection(s.start, s.end, s.name) for s in ls.source.selections])
            for ls in counted
        ],
        data.origin,
    )
    has_selections = any(ls.source.selections for ls in counted)
    report.convention = choice.describe() if has_selections else None
    prepared, seg_warnings = prepare(
        project, [(ls.source.name, ls.plain.text) for ls in loaded], segments=segment
    )
    for ls, prep in zip(loaded, prepared or [None] * len(loaded), strict=True):
        ls.prepared = prep
    report.segmented = (prepared is not None) if segment else None
    for w in seg_warnings:
        report.warn(w)
    store_project(
        project,
        path,
        data,
        loaded,
        note_texts,
        choice.convention,
        report,
        strict=strict,
        chunk_codings=chunk_codings,
    )
    return report


def _store_codebook(
    project: Project,
    path: Path,
    data: RefiProjectData,
    report: RefiImportReport,
    strict: bool = False,
) -> RefiImportReport:
    if not data.codes:
        raise InvalidInputError(f"{path}: the codebook has no codes.")
    with project.transaction("import REFI-QDA codebook", file=str(path), producer=data.origin) as s:
        RefiStore(s, data, report, project.coder_name).store_codes()
        if strict and report.omitted:
            raise InvalidInputError(report.strict_refusal())
    return report


def import_qdc(project: Project, path: str | Path, *, strict: bool = False) -> RefiImportReport:
    """Import a REFI-QDA codebook (.qdc): codes, folders, nesting, colours, descriptions."""
    path = Path(path)
    report = RefiImportReport(file=path.name, kind="codebook")
    with open_package(path) as pkg:
        if pkg.is_archive:
            raise InvalidInputError(
                f"{path}: this is a zip archive (a .qdpx project), not a "
                "codebook; import it as a project."
            )
        data = read_codebook(parse_xml(pkg.xml, str(path)), str(path))
    report.producer = data.origin
    report.skipped.update(data.skipped)
    return _store_codebook(project, path, data, report, strict)
