"""Finding a source's text wherever the producer put it, safely.

Producers point at a source's text in different ways (REFI-QDA 1.5, section 8.3,
and what real exports do):

- ``internal://<guid>.txt`` (the standard; NVivo, ATLAS.ti, MAXQDA, QualCoder):
  a file in the archive's ``sources/`` folder;
- a bare ``board_2017.txt`` or ``sources/board_2017.txt`` (qualitative-coding
  "qc" writes the document's own file name without a scheme): also read from
  the archive's ``sources/`` folder, never from outside it;
- ``relative:///AR/John.txt``: a file outside the export, relative to a folder
  the user names (``--sources-dir``, default the export's own folder), never
  above that folder;
- ``absolute:///C:/PROJECT/x.docx`` (QualCoder writes this for linked files):
  read only when the user allows it (``--allow-absolute``); each one is listed.

A source whose plain text cannot be had falls back to its rich text (``.docx``,
via python-docx) or its PDF (via pypdf, when installed); a text extracted here
is not the text the producer counted positions in, so codings on it are listed
as skipped rather than placed on guessed offsets.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from qualcode.exchange.refi_xml import RefiPackage, archive_name

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", re.S)
_WINDOWS_RE = re.compile(r"^/?[A-Za-z]:[/\\]")


@dataclass(frozen=True)
class SourceAccess:
    """What the user allows the import to read besides the archive itself."""

    sources_dir: Path | None = None  # for relative:// paths (default: the export's folder)
    allow_absolute: bool = False  # read absolute:// paths


@dataclass
class Fetched:
    """A source file's bytes and where they came from, or why they could not be had."""

    data: bytes | None
    where: str  # "sources/x.txt", or the outside file's path
    problem: str | None = None
    absolute: Path | None = None  # set when an absolute:// path was read
    missing: bool = False  # the path was fine but no file is there


@dataclass
class SourceFinder:
    """Reads the files that sources point at, inside the archive or (if allowed) outside it."""

    pkg: RefiPackage
    export_path: Path
    access: SourceAccess = field(default_factory=SourceAccess)

    def fetch(self, path: str) -> Fetched:
        m = _SCHEME_RE.match(path.strip())
        scheme, rest = (m.group(1).lower(), m.group(2)) if m else ("", path.strip())
        if scheme in ("", "internal"):
            return self._inside(path, rest)
        if scheme == "relative":
            return self._relative(rest)
        if scheme in ("absolute", "file"):
            return self._absolute(rest)
        return Fetched(None, path, f"the path {path!r} uses an unknown scheme '{scheme}://'")

    def _inside(self, path: str, rest: str) -> Fetched:
        name = archive_name(rest)
        if name is None:
            return Fetched(
                None, path, f"the path {path!r} points outside the export's sources/ folder"
            )
        where = f"sources/{name}"
        if not self.pkg.has_source_folder():
            return Fetched(
                None,
                where,
                f"{where} is not with the file (a bare .qde without its sources/ folder)",
                missing=True,
            )
        data = self.pkg.read_source(name)
        if data is None:
            return Fetched(
                None,
                where,
                f"{where} is not in the {'archive' if self.pkg.is_archive else 'folder'}",
                missing=True,
            )
        return Fetched(data, where)

    def _relative(self, rest: str) -> Fetched:
        base = (self.access.sources_dir or self.export_path.parent).resolve()
        rel = rest.replace("\\", "/").lstrip("/")
        parts = PurePosixPath(rel).parts
        if not rel or ".." in parts or _WINDOWS_RE.match(rel):
            return Fetched(None, rest, f"the relative path {rest!r} would leave {base}")
        target = (base / Path(*parts)).resolve()
        if not target.is_relative_to(base):
            return Fetched(None, str(target), f"relative://{rest} leads outside {base} (a link?)")
        if not target.is_file():
            return Fetched(
                None,
                str(target),
                f"{target} does not exist (relative paths are read "
                "from --sources-dir, default the export's folder)",
                missing=True,
            )
        return Fetched(self.pkg.read_file(target), str(target))

    def _absolute(self, rest: str) -> Fetched:
        if _WINDOWS_RE.match(rest):
            win = PureWindowsPath(rest.lstrip("/"))
            return Fetched(
                None,
                str(win),
                f"it is on another computer ({win}); copy the file into "
                "--sources-dir and export again with relative paths, or "
                "export with the sources inside",
                missing=True,
            )
        target = Path("/" + rest.lstrip("/"))
        if not self.access.allow_absolute:
            return Fetched(
                None,
                str(target),
                f"it is stored outside the export at {target}; pass --allow-absolute to read it",
            )
        if not target.is_file():
            return Fetched(None, str(target), f"{target} does not exist", missing=True)
        return Fetched(self.pkg.read_file(target), str(target), absolute=target)


def docx_text(data: bytes) -> str:
    """The paragraphs and table rows of a .docx, one per line (python-docx)."""
    # python-docx is loaded only for the rare rich-text-only source
    from docx import Document as open_docx
    from docx.table import Table

    doc = open_docx(io.BytesIO(data))
    lines: list[str] = []
    for block in doc.iter_inner_content():
        if isinstance(block, Table):
            lines += ["\t".join(c.text for c in row.cells) for row in block.rows]
        else:
            lines.append(block.text)
    return "\n".join(lines)


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF (pypdf), pages separated by a blank line."""
    try:
        # pypdf is optional (qualcode[pdf]) and loaded only for PDF-only sources
        from pypdf import PdfReader
    except ImportError as e:
        raise ValueError(
            "PDF text extraction needs the optional pypdf package (pip install 'qualcode[pdf]')"
        ) from e
    reader = PdfReader(io.BytesIO(data))
    return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)


def extract_text(data: bytes, where: str) -> str:
    """Text from a rich-text or PDF file; ValueError says why when it cannot be read."""
    suffix = Path(where).suffix.lower()
    try:
        if suffix == ".docx" or data.startswith(b"PK\x03\x04"):
            return docx_text(data)
        if suffix == ".pdf" or data.startswith(b"%PDF"):
            return pdf_text(data)
    except ValueError:
        raise
    except Exception as e:  # a damaged file from elsewhere: say so, never crash
        raise ValueError(f"{where} could not be read ({type(e).__name__}: {str(e)[:80]})") from e
    raise ValueError(
        f"{where} is a {suffix or 'file'} without a plain-text version; only .docx "
        "and PDF files can be turned into text"
    )
