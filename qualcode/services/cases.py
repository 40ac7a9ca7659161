"""Cases (sites) with typed attributes, and participants attached to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInputError, NotFoundError
from qualcode.services.csv_input import read_csv_rows
from qualcode.services.listings import CaseInfo, case_infos
from qualcode.services.project import Project
from qualcode.store.cases import Value, get_or_create_case, set_attribute
from qualcode.store.models import Case, Participant


@dataclass
class CaseImportReport:
    cases_created: list[str] = field(default_factory=list)
    cases_updated: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_value(raw: str) -> Value:
    """'12' -> 12, '7.5' -> 7.5, '76%' -> 76, anything else stays text."""
    text = raw.strip()
    num = text[:-1].strip() if text.endswith("%") else text
    try:
        return int(num)
    except ValueError:
        pass
    try:
        value = float(num)
    except ValueError:
        return text
    return value if value == value and abs(value) != float("inf") else text


def resolve_case(s: Session, name: str) -> Case:
    case = s.scalar(select(Case).where(func.lower(Case.name) == name.strip().lower()))
    if case is None:
        names = ", ".join(s.scalars(select(Case.name).order_by(Case.name))) or "none yet"
        raise NotFoundError(f"No case {name!r} (cases: {names}).")
    return case


def set_case(project: Project, name: str, assignments: dict[str, str] | None = None) -> CaseInfo:
    """Create a case if needed and set attributes from ``name=value`` strings (typed)."""
    with project.transaction("set case", case=name, attributes=assignments) as s:
        case, _ = get_or_create_case(s, name)
        for key, raw in (assignments or {}).items():
            set_attribute(s, case, key, parse_value(raw))
        s.flush()
    return next(c for c in list_cases(project) if c.id == case.id)


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``["fidelity=12", "locality=urban"]`` -> dict; a clear error for a bad item."""
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise InvalidInputError(
                f"{item!r}: attributes are written name=value, e.g. fidelity=12."
            )
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


CASE_COLUMNS = ("case", "site", "name", "case_name")


def is_case_table(header: list[str]) -> bool:
    return bool(header) and header[0].strip().lower().lstrip("\ufeff") in CASE_COLUMNS


def import_cases_csv(project: Project, path: str | Path) -> CaseImportReport:
    """Import a CSV with one row per case: first column the case name, then attributes.

    All rows are stored in one transaction: a bad row stops the import with its line
    number and nothing is changed. A case named twice, or text in a column whose
    other cells are numbers, is such a bad row (the file is checked before anything
    is stored).
    """
    path = Path(path)
    rows = read_csv_rows(path)
    if not rows or not is_case_table(rows[0]):
        raise InvalidInputError(
            f"{path}:1: the first column must be headed 'case' "
            "(one row per case, then one column per attribute)."
        )
    header = [h.strip() for h in rows[0]]
    if len(set(h.lower() for h in header)) != len(header):
        raise InvalidInputError(f"{path}:1: duplicate column names in the header.")
    _check_case_rows(path, header, rows)
    report = CaseImportReport()
    with project.transaction("import cases", file=str(path)) as s:
        for lineno, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise InvalidInputError(
                    f"{path}:{lineno}: {len(row)} cells but the header has "
                    f"{len(header)}. Fix the row (quote cells with commas)."
                )
            if not row[0].strip():
                raise InvalidInputError(f"{path}:{lineno}: the case name (first cell) is empty.")
            case, created = get_or_create_case(s, row[0])
            (report.cases_created if created else report.cases_updated).append(case.name)
            for key, cell in zip(header[1:], row[1:], strict=True):
                if cell.strip() == "":
                    continue
                if key.lower() == "participants":  # as the cases screen exports it
                    _attach_participants(s, case, cell, f"{path}:{lineno}")
                    continue
                set_attribute(s, case, key, parse_value(cell))
    return report


def _check_case_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Refuse a case named twice and text among a column's numbers, naming the lines."""
    seen: dict[str, int] = {}
    numbers: dict[int, int] = {}  # column -> first line with a number
    texts: dict[int, tuple[int, str]] = {}  # column -> first line with text
    for lineno, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row) or len(row) != len(header):
            continue
        name = " ".join(row[0].split()).lower()
        if name in seen:
            raise InvalidInputError(
                f"{path}:{lineno}: case {row[0].strip()!r} is already on "
                f"line {seen[name]}; keep one row per case (merge the two)."
            )
        seen[name] = lineno
        for col, cell in enumerate(row[1:], start=1):
            if not cell.strip():
                continue
            if isinstance(parse_value(cell), str):
                texts.setdefault(col, (lineno, cell.strip()))
            else:
                numbers.setdefault(col, lineno)
    for col, (lineno, cell) in sorted(texts.items()):
        if col in numbers:
            raise InvalidInputError(
                f"{path}:{lineno}: column {header[col]!r} holds numbers (line {numbers[col]}) "
                f"but {cell!r} here; write a number, or leave the cell empty if it is unknown."
            )


def _attach_participants(s: Session, case: Case, cell: str, where: str) -> None:
    """``S3PW1 S3PWC`` in a participants cell: those (already imported) participants join."""
    for label in cell.replace(",", " ").split():
        row = s.scalar(select(Participant).where(func.lower(Participant.label) == label.lower()))
        if row is None:
            raise InvalidInputError(
                f"{where}: no participant {label!r} in the project. Import "
                "their transcript first, or remove it from the cell."
            )
        row.case_id = case.id


def list_cases(project: Project) -> list[CaseInfo]:
    """Every case with attributes, participants and documents (four queries, not per case)."""
    with project.read_rows() as conn:
        return case_infos(conn)
