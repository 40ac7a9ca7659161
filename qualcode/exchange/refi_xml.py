"""Reading untrusted .qdpx archives and QDA-XML safely.

A .qdpx comes from someone else's machine. We never extract it to disk; we read
the entries we need into memory, and refuse the archive when it has an entry
whose name points outside it (``../evil``, ``/etc/x``, ``C:\\x``), too many
entries, or more uncompressed data than the limits allow (sizes are checked
from the headers and again while reading, since headers can lie). XML is parsed
with defusedxml and no DTD at all is accepted: REFI-QDA never needs one, and a
DTD is how entity-expansion bombs and external entities get in.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from qualcode.errors import InvalidInputError

MiB = 1024 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """Ceilings for one import; generous for real projects, fatal for zip bombs."""

    max_entries: int = 20_000
    max_total_uncompressed: int = 8 * 1024 * MiB  # declared size of all entries (media included)
    max_read: int = 512 * MiB  # what we actually read: the .qde plus the text sources
    max_xml: int = 256 * MiB
    # one source or note file: counted while it is unpacked (headers can lie), so a bomb is
    # stopped after this much, never inflated whole; a transcript is well under 1 MiB
    max_source: int = 64 * MiB


def parse_xml(data: bytes, where: str) -> Element:
    """Parse QDA-XML; namespaces are dropped from tags (producers differ in them)."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        raise InvalidInputError(
            f"{where}: the XML declares a DTD or entities ({type(e).__name__}). "
            "REFI-QDA files never need them, so the file is refused for safety; "
            "export it again from the program that made it."
        ) from e
    except ParseError as e:
        line, col = getattr(e, "position", (0, 0))
        raise InvalidInputError(
            f"{where}: malformed XML at line {line}, column {col + 1} "
            f"({str(e).split(':')[0]}). The file is damaged or is not a "
            "REFI-QDA export."
        ) from e
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.rsplit("}", 1)[1]
    return root


_DRIVE_RE = re.compile(r"^[A-Za-z]:")


def _unsafe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (
        name.startswith(("/", "\\"))
        or bool(_DRIVE_RE.match(name))
        or ".." in parts
        or "\x00" in name
    )


def internal_name(path: str | None) -> str | None:
    """``internal://abc.txt`` -> ``abc.txt``; None for external or unsafe paths."""
    if not path or not path.lower().startswith("internal://"):
        return None
    return archive_name(path[len("internal://") :])


def archive_name(path: str) -> str | None:
    """A name inside the archive's ``sources/`` folder (``sources/`` prefix dropped); None if unsafe.

    Producers write ``internal://x.txt``, ``internal://sources/x.txt``, a bare ``x.txt``
    (qualitative-coding) or ``sources/x.txt``; none of them may leave the folder.
    """
    name = path.replace("\\", "/").lstrip("/")
    if name.lower().startswith("sources/"):
        name = name[len("sources/") :]
    parts = name.split("/")
    if not name or _unsafe(name) or any(p in ("", ".", "..") for p in parts):
        return None
    return name


@dataclass
class RefiPackage:
    """The .qde XML of an export, and access to its source files by name."""

    label: str
    xml: bytes
    is_archive: bool
    _zip: zipfile.ZipFile | None = None
    _sources: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    _folder: Path | None = None
    _limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    _read: int = 0

    def has_source_folder(self) -> bool:
        return self.is_archive or self._folder is not None

    def read_source(self, name: str) -> bytes | None:
        """The bytes of ``sources/<name>`` (any case of folder and name); None if absent."""
        if self._zip is not None:
            info = self._sources.get(name.lower())
            if info is None:
                return None
            return self._read_entry(info, self._limits.max_source)
        if self._folder is not None:
            match = self._folder
            for part in name.split("/"):
                wanted = part.lower()
                match = next((p for p in match.iterdir() if p.name.lower() == wanted), None)
                if match is None:
                    return None
            if not match.is_file() or not match.resolve().is_relative_to(self._folder.resolve()):
                return None
            return self.read_file(match)
        return None

    def read_file(self, path: Path) -> bytes:
        """A file outside the archive, read in chunks under the same limits as an entry."""
        cap = self._limits.max_source
        chunks, size = [], 0
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(MiB):
                    size += len(chunk)
                    if size > cap:
                        raise InvalidInputError(
                            f"{self.label}: {path} is larger than {cap // MiB} MiB; "
                            "a source's text is never that large, so the "
                            "file is refused."
                        )
                    self._charge(len(chunk), path.name)
                    chunks.append(chunk)
        except OSError as e:
            raise InvalidInputError(f"{self.label}: cannot read {path} ({e.strerror or e}).") from e
        return b"".join(chunks)

    def _charge(self, n: int, what: str) -> None:
        self._read += n
        if self._read > self._limits.max_read:
            raise InvalidInputError(
                f"{self.label}: more than {self._limits.max_read // MiB} MiB of "
                f"text to read (at {what}); refusing it as a possible zip bomb."
            )

    def _read_entry(self, info: zipfile.ZipInfo, cap: int | None = None) -> bytes:
        assert self._zip is not None
        cap = self._limits.max_read if cap is None else cap
        chunks, size = [], 0
        try:
            with self._zip.open(info) as fh:
                while chunk := fh.read(MiB):
                    size += len(chunk)
                    if size > cap:
                        raise InvalidInputError(
                            f"{self.label}: {info.filename} unpacks to more than "
                            f"{cap // MiB} MiB; refusing the file as a possible "
                            "zip bomb (nothing was imported)."
                        )
                    self._charge(len(chunk), info.filename)
                    chunks.append(chunk)
        except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as e:
            raise InvalidInputError(f"{self.label}: cannot read {info.filename} ({e}).") from e
        return b"".join(chunks)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_zip(path: Path, limits: ArchiveLimits) -> RefiPackage:
    label = path.name
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise InvalidInputError(f"{path}: not a readable .qdpx (zip) file ({e}).") from e
    try:
        infos = zf.infolist()
        if len(infos) > limits.max_entries:
            raise InvalidInputError(
                f"{label}: {len(infos)} entries in the archive (the limit is "
                f"{limits.max_entries}); refusing it."
            )
        total = 0
        for info in infos:
            if _unsafe(info.filename):
                raise InvalidInputError(
                    f"{label}: the entry {info.filename!r} points outside the "
                    "archive; refusing the file."
                )
            total += info.file_size
        if total > limits.max_total_uncompressed:
            raise InvalidInputError(
                f"{label}: the archive unpacks to {total // MiB} MiB (the limit is "
                f"{limits.max_total_uncompressed // MiB} MiB); refusing it."
            )
        files = {
            i.filename.replace("\\", "/"): i for i in infos if not i.is_dir()
        }  # some Windows zips
        qde_name = _find_qde(list(files), label)
        prefix = qde_name.rpartition("/")[0]
        sources: dict[str, zipfile.ZipInfo] = {}
        for norm, info in files.items():
            lowered = norm.lower()
            base = f"{prefix}/sources/".lower() if prefix else "sources/"
            if lowered.startswith(base) and len(lowered) > len(base):
                sources[lowered[len(base) :]] = info
        qde = files[qde_name]
        pkg = RefiPackage(label, b"", True, zf, sources, None, limits)
        pkg.xml = pkg._read_entry(qde, limits.max_xml)
        return pkg
    except BaseException:
        zf.close()
        raise


def _find_qde(names: list[str], label: str) -> str:
    """The single root ``*.qde`` (``project.qde`` preferred), or one inside a single top folder."""
    for depth in (0, 1):
        found = [n for n in names if n.lower().endswith(".qde") and n.count("/") == depth]
        if len(found) == 1:
            return found[0]
        named = [n for n in found if n.lower().rpartition("/")[2] == "project.qde"]
        if len(named) == 1:
            return named[0]
        if len(found) > 1:
            raise InvalidInputError(
                f"{label}: several project files ({', '.join(found)}); a .qdpx holds one."
            )
    raise InvalidInputError(
        f"{label}: no project.qde inside; this is not a REFI-QDA project export."
    )


def open_package(path: str | Path, limits: ArchiveLimits | None = None) -> RefiPackage:
    """Open a .qdpx archive, or a bare .qde/.qdc XML file (with a ``sources/`` folder beside it, if any)."""
    path = Path(path)
    limits = limits or ArchiveLimits()
    if not path.is_file():
        raise InvalidInputError(f"{path}: no such file.")
    if zipfile.is_zipfile(path):
        return _open_zip(path, limits)
    size = path.stat().st_size
    if size > limits.max_xml:
        raise InvalidInputError(
            f"{path.name}: {size // MiB} MiB of XML is over the {limits.max_xml // MiB} MiB limit."
        )
    folder = next(
        (p for p in path.parent.iterdir() if p.is_dir() and p.name.lower() == "sources"), None
    )
    return RefiPackage(path.name, path.read_bytes(), False, None, {}, folder, limits)
