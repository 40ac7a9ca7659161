"""The agreement table as a workbook: an ``Agreement`` sheet and an ``About`` sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qualcode.export.agreement_table import heading, table_rows
from qualcode.export.chart_common import atomic_output

TITLES = (
    "Code",
    "Path",
    "Units",
    "Percent agreement",
    "Cohen's kappa",
    "Krippendorff's alpha",
    "Note",
)
WIDTHS = (28, 40, 10, 12, 12, 12, 50)


def write_agreement_xlsx(result: dict[str, Any], out: str | Path) -> Path:
    """Write ``out`` atomically; figures are numbers (blank where they do not apply)."""
    out = Path(out)
    wb = Workbook()
    ws = wb.active
    ws.title = "Agreement"
    ws.append(TITLES)
    for c, width in enumerate(WIDTHS, 1):
        cell = ws.cell(row=1, column=c)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E2F3")
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    for row in table_rows(result):
        ws.append(list(row))
    last = ws.max_row
    for c in range(1, len(TITLES) + 1):
        ws.cell(row=last, column=c).font = Font(bold=True)
    for r in range(2, last + 1):
        ws.cell(row=r, column=4).number_format = "0.0"
        for c in (5, 6):
            ws.cell(row=r, column=c).number_format = "0.000"
    about = wb.create_sheet("About")
    about.column_dimensions["A"].width = 100
    for line in (
        heading(result),
        f"Coders: {', '.join(result['coders'])}",
        f"Unit: {result['unit']}",
        result["definition"],
        *result.get("notes", []),
    ):
        about.append([line])
        about.cell(row=about.max_row, column=1).alignment = Alignment(wrap_text=True)
    with atomic_output(out) as tmp:
        wb.save(tmp)
    return out
