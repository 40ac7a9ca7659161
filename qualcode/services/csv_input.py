"""Reading a user's CSV file: UTF-8 (with or without BOM), errors that name the file and line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from qualcode.errors import InvalidInputError


def read_csv_rows(path: Path) -> list[list[str]]:
    """All rows of a CSV; a clear error for an unreadable, non-UTF-8 or malformed file."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InvalidInputError(f"{path}: cannot read ({e.strerror}).") from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise InvalidInputError(f"{path}:{line}: not UTF-8. Save the CSV as UTF-8.") from e
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise InvalidInputError(f"{path}: not a readable CSV ({e}).") from e
