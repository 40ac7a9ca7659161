"""QCA tables for a paper's appendix: truth table, models, necessity, calibration.

The same tables go to Word (one table per heading) and to Excel (one sheet each),
so a reader finds in both exactly what the text report shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualcode.analysis.qca import MAX_SOLUTIONS, QcaResult, calibration_rows
from qualcode.export.chart_common import atomic_output

KINDS = (
    ("complex", "Complex solution"),
    ("intermediate", "Intermediate solution"),
    ("parsimonious", "Parsimonious solution"),
)


@dataclass(frozen=True)
class Table:
    title: str
    note: str
    headers: list[str]
    rows: list[list[Any]]


def _num(value: float | None) -> float | str:
    return "—" if value is None else round(value, 3)


def qca_tables(result: QcaResult) -> list[Table]:
    """Every table of the report, in order."""
    labels = [c.label for c in result.conditions]
    y = result.outcome_label
    setup = (
        f"Conditions: {'; '.join(c.text for c in result.conditions)}. Outcome: {y}"
        f"{' (absence of ' + result.outcome.text + ')' if result.negated else ''}. "
        f"Consistency threshold {result.threshold:g}; minimum {result.min_cases} case(s) "
        f"per row; contradictions: {result.contradictions}."
    )
    tables = [
        Table(
            "Truth table",
            setup,
            [*labels, y, "n", "Consistency", "Coverage", "Cases"],
            [
                [
                    *r.values,
                    r.output,
                    r.n,
                    _num(r.consistency),
                    _num(r.coverage),
                    ", ".join(r.cases),
                ]
                for r in result.truth_table
            ],
        )
    ]
    rule = (
        "Fewest prime implicants, then fewest literals (prefer fewer literals)."
        if result.prefer_fewer_literals
        else "Every cover with the fewest prime implicants."
    )
    for kind, title in KINDS:
        models = getattr(result, kind)
        if kind == "intermediate" and result.expectations is None:
            continue
        note = rule
        if kind == "intermediate" and result.expectations is not None:
            note += (
                " Directional expectations: "
                + ", ".join(
                    f"{lab}={'-' if e is None else e}"
                    for lab, e in zip(labels, result.expectations, strict=True)
                )
                + "."
            )
        if search := result.search_note(kind):
            note = f"{search} {note}"
        if result.more_models.get(kind):
            note += f" More models exist: the first {MAX_SOLUTIONS} are listed."
        essential = set(result.essential(kind))
        rows: list[list[Any]] = []
        for i, m in enumerate(models, 1):
            for t in m.terms:
                rows.append(
                    [
                        f"M{i}",
                        t.expression,
                        "yes" if t.expression in essential else "",
                        _num(t.consistency),
                        _num(t.raw_coverage),
                        _num(t.unique_coverage),
                        ", ".join(t.cases),
                    ]
                )
            rows.append(
                [
                    f"M{i}",
                    f"{m.expression} -> {y}",
                    "",
                    _num(m.consistency),
                    _num(m.coverage),
                    "",
                    f"{len(m.remainders)} remainder(s) used",
                ]
            )
        tables.append(
            Table(
                title,
                note,
                [
                    "Model",
                    "Term",
                    "In every model",
                    "Consistency",
                    "Raw coverage",
                    "Unique coverage",
                    "Cases",
                ],
                rows,
            )
        )
    tables.append(
        Table(
            f"Necessity for {y}",
            "Relevance of necessity (RoN) as Schneider and Wagemann (2012) define it.",
            ["Condition", "Consistency", "Coverage", "RoN", "Cases"],
            [
                [
                    n.expression,
                    _num(n.consistency),
                    _num(n.coverage),
                    _num(n.relevance),
                    ", ".join(n.cases),
                ]
                for n in result.necessity
            ],
        )
    )
    cal = calibration_rows(result)
    heads = [c["label"] for c in cal[0]["cells"]] if cal else [*labels, y]
    tables.append(
        Table(
            "Calibration",
            "Raw value, then set membership (1 in, 0 out).",
            ["Case", *[h for lab in heads for h in (f"{lab} raw", lab)]],
            [
                [
                    row["case"],
                    *[
                        v
                        for c in row["cells"]
                        for v in (c["raw"], "" if c["membership"] is None else c["membership"])
                    ],
                ]
                for row in cal
            ],
        )
    )
    return tables


def write_qca(result: QcaResult, out: str | Path, *, project_name: str = "") -> Path:
    """Write the tables to ``out`` (.docx or .xlsx, by its suffix), all or nothing."""
    out = Path(out)
    tables = qca_tables(result)
    with atomic_output(out) as tmp:
        if out.suffix.lower() == ".docx":
            _docx(tables, tmp, project_name)
        else:
            _xlsx(tables, tmp)
    return out


def _docx(tables: list[Table], path: Path, project_name: str) -> None:
    # python-docx only when a Word file is asked for.
    from qualcode.export.docx_tools import landscape_document, repeat_header_row

    doc = landscape_document()
    doc.add_heading(
        f"Qualitative Comparative Analysis{': ' + project_name if project_name else ''}", level=1
    )
    for t in tables:
        doc.add_heading(t.title, level=2)
        doc.add_paragraph(t.note)
        table = doc.add_table(rows=1, cols=len(t.headers))
        table.style = "Table Grid"
        for cell, head in zip(table.rows[0].cells, t.headers, strict=True):
            cell.text = head
            cell.paragraphs[0].runs[0].bold = True
        repeat_header_row(table.rows[0])
        for row in t.rows:
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = str(value)
    doc.save(str(path))


def _xlsx(tables: list[Table], path: Path) -> None:
    # openpyxl only when a workbook is asked for.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for t in tables:
        ws = wb.create_sheet(t.title[:31].replace("~", "not "))
        ws.append([t.note])
        ws.append(t.headers)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in t.rows:
            ws.append(row)
        ws.freeze_panes = "A3"
    wb.save(str(path))
