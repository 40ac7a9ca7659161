"""The agreement table as a Word document: heading, definitions, one table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.shared import Pt

from qualcode.export.agreement_table import figure, heading, table_rows
from qualcode.export.chart_common import atomic_output
from qualcode.export.docx_tools import HEADER_FILL, repeat_header_row, shade_cell

TITLES = ("Code", "Units", "Percent", "Cohen's κ", "Krippendorff's α", "Note")


def write_agreement_docx(result: dict[str, Any], out: str | Path) -> Path:
    """Write ``out`` atomically."""
    out = Path(out)
    doc = Document()
    doc.styles["Normal"].font.size = Pt(10)
    doc.add_paragraph(style="Title").add_run(heading(result))
    doc.add_paragraph(result["definition"])
    for line in result.get("notes", []):
        doc.add_paragraph(line, style="List Bullet")
    table = doc.add_table(rows=1, cols=len(TITLES))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, TITLES):
        cell.text = title
        cell.paragraphs[0].runs[0].bold = True
        shade_cell(cell, HEADER_FILL)
    repeat_header_row(table.rows[0])
    rows = table_rows(result)
    for n, (_code, path, units, pct, kappa, alpha, note) in enumerate(rows, 1):
        cells = table.add_row().cells
        label = path or _code
        values = (
            label,
            "" if units is None else str(units),
            figure(pct, 1),
            figure(kappa),
            figure(alpha),
            note,
        )
        for cell, value in zip(cells, values):
            cell.text = value
            if n == len(rows):
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    with atomic_output(out) as tmp:
        doc.save(str(tmp))
    return out
