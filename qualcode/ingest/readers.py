"""Reading transcript files (.txt, .docx) into the one text that gets stored.

The stored text is what every coding's character offsets point into, so it is
kept verbatim except for two normalisations: newlines become ``\\n`` and a
.docx becomes plain text (paragraphs separated by a blank line, table rows as
lines with cells joined by a tab). Anything that cannot be read faithfully is
refused with a message naming the file and what to do; a guessed legacy
encoding is accepted with a warning.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.errors import InvalidInputError

TEXT_SUFFIXES = (".txt",)
CUE_SUFFIXES = (".vtt", ".srt")  # caption files: read as text, parsed cue by cue
DOCX_SUFFIXES = (".docx",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + CUE_SUFFIXES + DOCX_SUFFIXES

# C0 controls that never occur in a plain-text transcript (tab, newline, form feed and
# carriage return are fine; vertical tab is Word's manual line break and becomes "\n").
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SNIFF_BYTES = 4096
# A line (or a .docx paragraph) longer than this is not a transcript: about 170,000 words.
MAX_LINE_BYTES = 1_000_000
_MAGIC_HINTS = (
    (b"PK\x03\x04", "it is a zip package (a .docx, .xlsx or .odt renamed?)"),
    (b"%PDF", "it is a PDF; export the transcript as .docx or .txt"),
    (b"\xd0\xcf\x11\xe0", "it is an old Word .doc; save it as .docx"),
    (b"{\\rtf", "it is an RTF file; save it as .docx or .txt"),
)


@dataclass(frozen=True)
class IngestWarning:
    """Something the user should check, pointing at a file and a line or paragraph."""

    file: str
    message: str
    line: int | None = None
    unit: str = "line"

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        if self.unit == "line":
            return f"{self.file}:{self.line}: {self.message}"
        return f"{self.file} ({self.unit} {self.line}): {self.message}"


@dataclass(frozen=True)
class TableText:
    """A .docx table inside the stored text: where it starts and its cells row by row."""

    start: int
    paragraph: int  # 1-based block number, as warnings count paragraphs
    rows: tuple[tuple[str, ...], ...]
    merged_rows: tuple[int, ...] = ()


@dataclass
class SourceText:
    """A transcript file read into text, ready to be parsed and stored."""

    path: Path
    text: str
    file_format: str
    encoding: str | None
    warnings: list[IngestWarning] = field(default_factory=list)
    block_starts: tuple[int, ...] | None = None  # .docx: where each paragraph/table begins
    tables: tuple[TableText, ...] = ()  # .docx: body tables, cell by cell

    def warning_at(self, offset: int, message: str) -> IngestWarning:
        """A warning located at a character offset of the stored text."""
        if self.block_starts is not None:
            return IngestWarning(
                self.path.name, message, bisect_right(self.block_starts, offset), "paragraph"
            )
        return IngestWarning(self.path.name, message, self.text.count("\n", 0, offset) + 1)


def read_transcript(path: str | Path) -> SourceText:
    """Read a .txt or .docx transcript; InvalidInputError names the file and the problem."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in DOCX_SUFFIXES:
        return read_docx(path)
    if suffix in TEXT_SUFFIXES:
        return read_txt(path)
    if suffix in CUE_SUFFIXES:
        src = read_txt(path)
        src.file_format = suffix[1:]
        return src
    raise InvalidInputError(
        f"{path}: {suffix or 'files without an extension'} cannot be imported "
        "as a transcript; use .txt, .docx, .vtt or .srt."
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as e:
        raise InvalidInputError(f"{path}: no such file.") from e
    except IsADirectoryError as e:
        raise InvalidInputError(f"{path}: is a folder, not a file.") from e
    except OSError as e:
        raise InvalidInputError(f"{path}: cannot read ({e.strerror}).") from e


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(8)
    except FileNotFoundError as e:
        raise InvalidInputError(f"{path}: no such file.") from e
    except IsADirectoryError as e:
        raise InvalidInputError(f"{path}: is a folder, not a file.") from e
    except OSError as e:
        raise InvalidInputError(f"{path}: cannot read ({e.strerror}).") from e


def read_txt(path: str | Path) -> SourceText:
    """Read a plain-text transcript in UTF-8, UTF-16 or (with a warning) Windows-1252."""
    path = Path(path)
    data = _read_bytes(path)
    text, encoding, warnings = decode_bytes(data, path)
    return SourceText(path, text, "txt", encoding, warnings)


def decode_bytes(data: bytes, path: Path) -> tuple[str, str, list[IngestWarning]]:
    """Decode a text file's bytes: BOM, then UTF-16 by NUL pattern, UTF-8, then cp1252."""
    if not data.strip():
        raise InvalidInputError(f"{path}: the file is empty. Nothing was imported from it.")
    warnings: list[IngestWarning] = []
    _check_line_lengths(data, path)
    encoding, body = _sniff_encoding(data)
    if encoding is None:
        nul = data.find(b"\x00")
        if nul != -1:
            raise InvalidInputError(
                f"{path}: this is not a text file (binary data: a NUL byte at "
                f"byte {nul}{_magic_hint(data)}). Import .txt or .docx "
                "transcripts."
            )
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding, warning = _decode_per_line(data, path)
            warnings.append(warning)
    else:
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as e:
            raise InvalidInputError(
                f"{path}: looks like {encoding.upper()} but byte {e.start} "
                "cannot be decoded. Re-save the file as UTF-8."
            ) from e
    text = normalise_newlines(text)
    bad = _CONTROL_RE.search(text)
    if bad is not None:
        count = len(_CONTROL_RE.findall(text))
        line = text.count("\n", 0, bad.start()) + 1
        what = (
            "this does not look like a text file (binary data?)"
            if count >= 3 and count * 100 > len(text)
            else "a stray control character in the text"
        )
        raise InvalidInputError(
            f"{path}:{line}: {what}: U+{ord(bad.group()):04X}"
            f"{f' and {count - 1} more' if count > 1 else ''}"
            f"{_magic_hint(data)}. Remove it, or re-save the transcript as "
            "plain text."
        )
    if not text.strip():
        raise InvalidInputError(f"{path}: the file has no text. Nothing was imported from it.")
    return text, encoding, warnings


def _decode_per_line(data: bytes, path: Path) -> tuple[str, str, IngestWarning]:
    """Decode each line as UTF-8, else Windows-1252 (else Latin-1), naming the lines that were not.

    A UTF-8 file with a few pasted Windows-1252 bytes keeps its UTF-8 lines intact
    (decoding the whole file as Windows-1252 would garble every accent and quote in it).
    """
    lines = data.split(b"\n")
    out: list[str] = []
    bad: list[int] = []
    first_byte = 0
    utf8_lines = 0
    legacy = "Windows-1252"
    for number, raw in enumerate(lines, start=1):
        try:
            out.append(raw.decode("utf-8"))
            utf8_lines += any(b > 0x7F for b in raw)
            continue
        except UnicodeDecodeError as e:
            if not bad:
                first_byte = raw[e.start]
            bad.append(number)
        try:
            out.append(raw.decode("cp1252"))
        except UnicodeDecodeError:
            out.append(raw.decode("latin-1"))
            legacy = "Latin-1"
    shown = ", ".join(map(str, bad[:10])) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
    if utf8_lines:
        message = (
            f"not UTF-8 on line{'s' * (len(bad) != 1)} {shown} (byte 0x{first_byte:02X}); "
            f"read those lines as {legacy} and the rest as UTF-8. Check accented letters "
            "and quotes there, or save the file as UTF-8."
        )
        encoding = "utf-8+cp1252" if legacy == "Windows-1252" else "utf-8+latin-1"
    else:
        message = (
            f"not UTF-8 (byte 0x{first_byte:02X}); read as {legacy}. Check accented "
            "letters and quotes, or save the file as UTF-8."
        )
        encoding = "cp1252" if legacy == "Windows-1252" else "latin-1"
    return "\n".join(out), encoding, IngestWarning(path.name, message, bad[0])


def _check_line_lengths(data: bytes, path: Path) -> None:
    """Refuse a line no transcript has (before decoding or segmenting it)."""
    start = 0
    number = 1
    while start <= len(data):
        end = data.find(b"\n", start)
        end = len(data) if end == -1 else end
        if end - start > MAX_LINE_BYTES:
            raise InvalidInputError(
                f"{path}:{number}: line {number} is {end - start:,} bytes long (the limit is "
                f"{MAX_LINE_BYTES:,}); this is not a transcript's line. Check that it is the "
                "right file, or split the text into paragraphs."
            )
        start = end + 1
        number += 1


def _sniff_encoding(data: bytes) -> tuple[str | None, bytes]:
    """Encoding from a byte-order mark or a UTF-16 NUL pattern; (None, data) if neither."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return name, data if name == "utf-8-sig" else data[len(bom) :]
    sample = data[:_SNIFF_BYTES]
    half = len(sample) // 2
    if half >= 2:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > half * 0.3 and even < half * 0.05:
            return "utf-16-le", data
        if even > half * 0.3 and odd < half * 0.05:
            return "utf-16-be", data
    return None, data


def _magic_hint(data: bytes) -> str:
    for magic, hint in _MAGIC_HINTS:
        if data.startswith(magic):
            return f"; {hint}"
    return ""


def normalise_newlines(text: str) -> str:
    """``\\r\\n``, ``\\r`` and vertical tab (Word's manual line break) become ``\\n``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x0b" in text:
        text = text.replace("\x0b", "\n")
    return text


def read_docx(path: str | Path) -> SourceText:
    """Read a .docx body in order: paragraphs, and tables row by row (cells joined by tab)."""
    path = Path(path)
    head = _read_head(path)
    if not head.strip(b"\x00 \t\r\n"):
        raise InvalidInputError(f"{path}: the file is empty. Nothing was imported from it.")
    if not head.startswith(b"PK\x03\x04"):
        hint = _magic_hint(head) or "; it may be damaged or another format renamed"
        raise InvalidInputError(
            f"{path}: not a .docx (not a Word package{hint}). Open it in Word "
            "or LibreOffice and save it as .docx."
        )
    # lazy: docx_body loads python-docx and lxml; only .docx transcripts need them
    from qualcode.ingest.docx_body import DocxFormatError, read_body

    try:
        raw, raw_tables = read_body(path)
    except (DocxFormatError, OSError) as e:
        raise InvalidInputError(
            f"{path}: cannot read this .docx ({str(e)[:160]}). It may be "
            "damaged: open it in Word or LibreOffice and save it again."
        ) from e
    kept = {i: n for n, i in enumerate(i for i, b in enumerate(raw) if b.strip())}
    blocks = [normalise_newlines(raw[i]) for i in kept]
    if not blocks:
        raise InvalidInputError(f"{path}: the document has no text. Nothing was imported from it.")
    for n, block in enumerate(blocks, start=1):
        if len(block) > MAX_LINE_BYTES:
            raise InvalidInputError(
                f"{path} (paragraph {n}): {len(block):,} characters in one paragraph (the limit "
                f"is {MAX_LINE_BYTES:,}); this is not a transcript's paragraph. Check that it is "
                "the right file, or split the text into paragraphs."
            )
    starts, pos = [], 0
    for block in blocks:
        starts.append(pos)
        pos += len(block) + 2
    tables = tuple(
        TableText(
            starts[kept[t.block]],
            kept[t.block] + 1,
            tuple(tuple(normalise_newlines(c) for c in row) for row in t.rows),
            tuple(t.merged_rows),
        )
        for t in raw_tables
        if t.block in kept
    )
    text = "\n\n".join(blocks)
    bad = _CONTROL_RE.search(text)
    if bad is not None:  # e.g. a NUL from a broken field code; stored text must be clean
        n = bisect_right(starts, bad.start())
        raise InvalidInputError(
            f"{path} (paragraph {n}): control character "
            f"U+{ord(bad.group()):04X} in the text. Remove it in Word and "
            "save again."
        )
    return SourceText(path, text, "docx", None, [], tuple(starts), tables)
