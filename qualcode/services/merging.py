"""``qualcode import --merge``: bring a colleague's coding (a .qdpx) into this project.

The file is read and checked by the REFI-QDA reader exactly as for an import; the
merge itself (:mod:`qualcode.exchange.refi_merge`) runs in one transaction, so a file
that cannot be placed leaves the project as it was.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import InvalidInputError
from qualcode.exchange.refi_import import read_package
from qualcode.exchange.refi_merge import Merger, MergeReport
from qualcode.exchange.refi_positions import Selection, choose_convention
from qualcode.exchange.refi_report import RefiImportReport
from qualcode.services.project import Project


def merge_qdpx(project: Project, path: str | Path, *, coder: str | None = None) -> MergeReport:
    """Add the file's codings to the matching documents under their coders' names."""
    path = Path(path)
    if not path.exists():
        raise InvalidInputError(f"{path}: no such file.")
    read_report = RefiImportReport(file=path.name)
    data, loaded, _notes = read_package(path, None, read_report)
    if data.kind == "codebook":
        raise InvalidInputError(
            f"{path}: this is a codebook with no codings; import it with "
            "`qualcode import` instead of merging."
        )
    report = MergeReport(file=path.name, producer=data.origin)
    if not loaded:
        raise InvalidInputError(f"{path}: the file has no text sources to merge codings from.")
    choice = choose_convention(
        [
            (ls.plain, [Selection(s.start, s.end, s.name) for s in ls.source.selections])
            for ls in loaded
        ],
        data.origin,
    )
    report.convention = choice.describe()
    with project.transaction("merge REFI-QDA codings", file=str(path), producer=data.origin) as s:
        merger = Merger(s, data, report, project.uuid, coder)
        placed = merger.place_documents([(ls.source, ls.plain) for ls in loaded])
        merger.match_codes()
        merger.add_codings(placed, choice.convention)
    return report
