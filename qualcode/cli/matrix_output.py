"""The matrix on the command line: a count table that fits the terminal, JSON, and a CSV grid."""

from __future__ import annotations

import csv
from typing import Any, TextIO

from qualcode.analysis.matrix import Matrix

STATUS_MARK = {"empty": " ", "draft": "d", "reviewed": "r"}


def matrix_json(m: Matrix) -> dict[str, Any]:
    """Rows, columns and every non-empty cell (counts, coding ids, summary)."""
    cells = []
    for (ri, ci), c in sorted(m.cells.items()):
        s = c.summary
        cells.append(
            {
                "row": m.rows[ri].label,
                "row_id": m.rows[ri].id,
                "code_path": list(m.columns[ci].path),
                "code_id": m.columns[ci].code_id,
                "count": c.count,
                "participants": list(c.participants),
                "coding_ids": list(c.coding_ids),
                "valences": c.valences,
                "status": c.status,
                "summary": c.summary_text,
                "author": s.author if s else None,
                "updated_at": s.updated_at.isoformat() if s else None,
                "workshop_comments": c.comments,
            }
        )
    return {
        "by": m.spec.by,
        "codings": m.codings,
        "rows": [
            {
                "label": r.label,
                "id": r.id,
                "case": r.case,
                "group": r.group,
                "role": r.role,
                "attributes": r.attributes,
            }
            for r in m.rows
        ],
        "columns": [
            {
                "code_id": c.code_id,
                "path": list(c.path),
                "domain": c.domain,
                "depth": c.depth,
                "rolls_up": c.rolls_up,
                "member_ids": sorted(c.member_ids),
            }
            for c in m.columns
        ],
        "cells": cells,
    }


def matrix_csv(m: Matrix, out: TextIO) -> None:
    """A wide grid of counts: one row per matrix row, one column per code path."""
    writer = csv.writer(out)
    lead = ["case"] + (["participant"] if m.spec.by == "participant" else []) + ["group"]
    writer.writerow(lead + [c.path_str for c in m.columns])
    for ri, row in enumerate(m.rows):
        first = [row.case or row.label] + ([row.label] if m.spec.by == "participant" else [])
        writer.writerow(
            first + [row.group or ""] + [m.cell(ri, ci).count for ci in range(len(m.columns))]
        )


def matrix_table(m: Matrix, width: int = 100) -> str:
    """Counts with numbered columns (a legend above), in blocks that fit ``width``."""
    if not m.columns or not m.rows:
        return "The matrix is empty: no codes or no cases match (see `qualcode code list`)."
    label_w = min(24, max(len(r.label) for r in m.rows) + 2)
    col_w = max(5, len(str(len(m.columns))) + 3, len(str(m.max_count)) + 3)
    per_block = max(1, (width - label_w) // col_w)
    lines = [f"Rows by {m.spec.by}; {m.codings} codings. Columns:"]
    lines += [
        f"  {i + 1:>3}  {c.path_str}{' (+ child codes)' if c.rolls_up else ''}"
        for i, c in enumerate(m.columns)
    ]
    lines.append("Cells: codings; 'd' draft summary, 'r' reviewed summary.")
    for start in range(0, len(m.columns), per_block):
        block = range(start, min(start + per_block, len(m.columns)))
        lines.append("")
        lines.append(" " * label_w + "".join(f"{ci + 1:>{col_w - 1}} " for ci in block))
        for ri, row in enumerate(m.rows):
            label = row.label if len(row.label) < label_w else row.label[: label_w - 2] + "…"
            cells = []
            for ci in block:
                c = m.cell(ri, ci)
                text = (str(c.count) if c.count else "·") + STATUS_MARK[c.status]
                cells.append(f"{text:>{col_w}}")
            lines.append(f"{label:<{label_w}}" + "".join(cells))
    return "\n".join(lines)
