"""Exporting a project to REFI-QDA: ``.qdpx`` (whole project) and ``.qdc`` (codebook).

The .qdpx holds ``project.qde`` and ``sources/<guid>.txt`` (UTF-8, no BOM, the
stored text exactly, so positions are Python ``str`` indices = code points,
end exclusive). GUIDs are stable (see ``refi_guids``). Each coding is one
``PlainTextSelection`` with one ``Coding``; its memo and valence travel in the
selection's description (see ``refi_extensions``). The file is written to a
temporary name and moved into place, so a failed export leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.analysis.code_tree import codes_in_session
from qualcode.errors import InvalidInputError
from qualcode.exchange.refi_guids import GuidMaker
from qualcode.exchange.refi_report import plural
from qualcode.exchange.refi_write import (
    CODEBOOK_NS,
    codebook_element,
    el,
    producer,
    xml_bytes,
)
from qualcode.exchange.refi_write_project import Progress, ProjectWriter
from qualcode.store.project import Project

ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # fixed, so the same project gives the same bytes


@dataclass
class ExportReport:
    """What an export wrote (``summary_lines()`` for printing)."""

    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        parts = [plural(n, what) for what, n in self.counts.items() if n]
        lines = [f"Wrote {self.path}: " + (", ".join(parts) or "an empty project")]
        return lines + [f"  warning: {w}" for w in self.warnings]


def _atomic_write(out_path: Path, write: Callable[[Path], None]) -> None:
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_qdc(project: Project, out_path: str | Path) -> ExportReport:
    """The codebook alone (.qdc): the code tree with colours and definitions."""
    out_path = Path(out_path)
    guids = GuidMaker(project.uuid)
    with project.read() as s:
        codes = codes_in_session(s)
    if not codes:
        raise InvalidInputError(
            "The project has no codes to export. Apply a framework or add codes first."
        )
    root = el(None, "CodeBook", {"xmlns": CODEBOOK_NS, "origin": producer()})
    codebook_element(root, codes, guids)
    data = xml_bytes(root)
    _atomic_write(out_path, lambda tmp: tmp.write_bytes(data))
    return ExportReport(out_path, {"code": len(codes)})


def export_qdpx(
    project: Project, out_path: str | Path, progress: Progress | None = None
) -> ExportReport:
    """The whole project as a .qdpx: codes, coders, cases, documents, codings, memos.

    ``progress(done, total)`` is called after each document is written.
    """
    out_path = Path(out_path)
    report = ExportReport(out_path)

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf, project.read() as s:

            def write_source(name: str, text: str) -> None:
                zf.writestr(
                    zipfile.ZipInfo(f"sources/{name}", ZIP_TIME),
                    text.encode("utf-8"),
                    zipfile.ZIP_DEFLATED,
                )

            writer = ProjectWriter(project, s)
            xml = writer.build(write_source, progress)
            zf.writestr(zipfile.ZipInfo("project.qde", ZIP_TIME), xml, zipfile.ZIP_DEFLATED)
            report.counts.update(writer.counts)
            report.warnings += writer.report_warnings

    _atomic_write(out_path, write)
    return report


__all__ = ["ExportReport", "export_qdc", "export_qdpx"]
