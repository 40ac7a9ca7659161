"""The framework chart's codings in long format (one row per coding), for R, Python or a pivot table.

Columns: case, participant, document, code_path, valence, quote, start, end, coder.
UTF-8, comma-separated, quotes kept verbatim (line breaks inside quoted fields);
``start``/``end`` are character offsets into the stored transcript (end exclusive).
"""

from __future__ import annotations

import csv
from pathlib import Path

from qualcode.export.chart_common import (
    LONG_COLUMNS,
    Chart,
    Progress,
    atomic_output,
    no_progress,
)


def write_chart_csv(chart: Chart, out: str | Path, *, progress: Progress = no_progress) -> Path:
    """Write the long-format codings of the chart to ``out``, atomically."""
    out = Path(out)
    total = len(chart.quotes) or 1
    with atomic_output(out) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(LONG_COLUMNS)
        for n, row in enumerate(chart.long_rows(), 1):
            writer.writerow(row)
            if n % 5000 == 0:
                progress(n, total, "Writing codings")
    progress(total, total, f"Saved {out.name}")
    return out
