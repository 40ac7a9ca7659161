"""The agreement table as CSV: a row per code, a pooled row; empty where a figure does not apply."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from qualcode.export.agreement_table import COLUMNS, table_rows
from qualcode.export.chart_common import atomic_output


def write_agreement_csv(result: dict[str, Any], out: str | Path) -> Path:
    """Write ``out`` atomically; the definitions go in a trailing comment row."""
    out = Path(out)
    with atomic_output(out) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        write_rows(result, fh)
    return out


def write_rows(result: dict[str, Any], fh: Any) -> None:
    """The CSV text to any file object (also what ``--format csv`` prints)."""
    writer = csv.writer(fh)
    writer.writerow(("unit", "coders", *COLUMNS))
    coders = ";".join(result["coders"])
    for row in table_rows(result):
        writer.writerow((result["unit"], coders, *("" if v is None else v for v in row)))
    writer.writerow((f"# {result['definition']}",))
