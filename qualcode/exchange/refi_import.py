"""Importing REFI-QDA projects (.qdpx, or a bare .qde) and codebooks (.qdc).

Everything is read and checked first (archive safety, XML, every source's text,
the position convention); then one transaction stores it. Any error leaves the
project exactly as it was. What the file holds that qualcode cannot (pictures,
audio, video, sets, links, graphs) is listed in the report, not an error.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import InvalidInputError
from qualcode.exchange.refi_positions import PlainText, Selection, choose_convention
from qualcode.exchange.refi_read import RefiProjectData, read_codebook, read_project
from qualcode.exchange.refi_report import RefiImportReport
from qualcode.exchange.refi_segments import prepare
from qualcode.exchange.refi_store import LoadedSource, RefiStore
from qualcode.exchange.refi_xml import (
    ArchiveLimits,
    RefiPackage,
    internal_name,
    open_package,
    parse_xml,
)
from qualcode.services.project import Project

__all__ = ["RefiImportReport", "import_qdc", "import_qdpx"]


def _load_sources(pkg: RefiPackage, data: RefiProjectData,
                  report: RefiImportReport) -> list[LoadedSource]:
    """Every text source with its text; a missing file in an archive is an error."""
    loaded: list[LoadedSource] = []
    for src in data.sources:
        if src.inline_text is not None:
            loaded.append(LoadedSource(src, PlainText(src.inline_text)))
            continue
        lost = len(src.whole_codings) + sum(len(s.codings) for s in src.selections)
        path = src.plain_text_path
        name = internal_name(path)
        if name is None:
            if path and path.lower().startswith(("relative://", "absolute://")):
                report.skipped["text source stored outside the export"] += 1
            elif path:
                raise InvalidInputError(f"{pkg.label}: source {src.name!r} has an unusable text path "
                                        f"{path!r}; nothing was imported.")
            else:
                report.skipped["source with no plain-text version"] += 1
            if lost:
                report.skipped["coding on a source not imported"] += lost
            continue
        raw = pkg.read_source(name)
        if raw is None:
            if pkg.is_archive:
                raise InvalidInputError(f"{pkg.label}: source {src.name!r} needs sources/{name}, which "
                                        "is not in the archive; nothing was imported. Export the "
                                        "project again with its sources.")
            report.missing_sources.append(src.name)
            if lost:
                report.skipped["coding on a source not imported"] += lost
            continue
        plain, warning = PlainText.from_bytes(raw)
        if warning:
            report.warn(f"sources/{name} ({src.name}): {warning}")
        loaded.append(LoadedSource(src, plain))
    return loaded


def _note_texts(pkg: RefiPackage, data: RefiProjectData, report: RefiImportReport) -> dict[str, str]:
    out: dict[str, str] = {}
    for note in data.notes:
        if note.inline_text is not None:
            out[note.guid] = note.inline_text.replace("\r\n", "\n")
            continue
        name = internal_name(note.plain_text_path)
        raw = pkg.read_source(name) if name else None
        if raw is None:
            if note.plain_text_path:
                report.warn(f"the text of note {note.name!r} is not in the file; imported its title only")
            continue
        out[note.guid] = PlainText.from_bytes(raw)[0].text
    return out


def _read(path: Path, limits: ArchiveLimits | None, report: RefiImportReport
          ) -> tuple[RefiProjectData, list[LoadedSource], dict[str, str]]:
    with open_package(path, limits) as pkg:
        root = parse_xml(pkg.xml, pkg.label if pkg.is_archive else str(path))
        if root.tag == "CodeBook":
            return read_codebook(root, str(path)), [], {}
        where = f"{path.name}:project.qde" if pkg.is_archive else str(path)
        data = read_project(root, where)
        return data, _load_sources(pkg, data, report), _note_texts(pkg, data, report)


def import_qdpx(project: Project, path: str | Path, *, limits: ArchiveLimits | None = None,
                segment: bool = True) -> RefiImportReport:
    """Import a REFI-QDA project (.qdpx archive or bare .qde) in one transaction.

    ``segment=False`` stores new documents without turns and sentences (much faster
    for large texts; participant ids are still found).
    """
    path = Path(path)
    report = RefiImportReport(file=path.name)
    data, loaded, note_texts = _read(path, limits, report)
    report.kind, report.producer, report.project_name = data.kind, data.origin, data.name
    report.skipped.update(data.skipped)
    if data.kind == "codebook":
        return _store_codebook(project, path, data, report)
    choice = choose_convention([(ls.plain, [Selection(s.start, s.end, s.name) for s in ls.source.selections])
                                for ls in loaded], data.origin)
    has_selections = any(ls.source.selections for ls in loaded)
    report.convention = choice.describe() if has_selections else None
    prepared, seg_warnings = prepare(project, [(ls.source.name, ls.plain.text) for ls in loaded],
                                     segments=segment)
    for ls, prep in zip(loaded, prepared or [None] * len(loaded), strict=True):
        ls.prepared = prep
    report.segmented = (prepared is not None) if segment else None
    for w in seg_warnings:
        report.warn(w)
    with project.transaction("import REFI-QDA project", file=str(path), producer=data.origin,
                             positions=choice.convention.label) as s:
        store = RefiStore(s, data, report, project.coder_name)
        store.store_users()
        store.store_project_meta()
        store.store_codes()
        store.store_cases()
        for ls in loaded:
            doc = store.store_document(ls)
            store.store_codings(ls, doc, choice.convention)
        store.fix_codable()
        store.store_notes(note_texts)
    return report


def _store_codebook(project: Project, path: Path, data: RefiProjectData,
                    report: RefiImportReport) -> RefiImportReport:
    if not data.codes:
        raise InvalidInputError(f"{path}: the codebook has no codes.")
    with project.transaction("import REFI-QDA codebook", file=str(path), producer=data.origin) as s:
        RefiStore(s, data, report, project.coder_name).store_codes()
    return report


def import_qdc(project: Project, path: str | Path) -> RefiImportReport:
    """Import a REFI-QDA codebook (.qdc): codes, folders, nesting, colours, descriptions."""
    path = Path(path)
    report = RefiImportReport(file=path.name, kind="codebook")
    with open_package(path) as pkg:
        if pkg.is_archive:
            raise InvalidInputError(f"{path}: this is a zip archive (a .qdpx project), not a "
                                    "codebook; import it as a project.")
        data = read_codebook(parse_xml(pkg.xml, str(path)), str(path))
    report.producer = data.origin
    report.skipped.update(data.skipped)
    return _store_codebook(project, path, data, report)
