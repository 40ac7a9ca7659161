"""Cases (sites) with typed attributes, and participants attached to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInputError, NotFoundError
from qualcode.services.csv_input import read_csv_rows
from qualcode.services.project import Project
from qualcode.store.models import Case, CaseAttribute, Document, Participant, attribute_value

Value = int | float | str


@dataclass(frozen=True)
class CaseInfo:
    id: int
    name: str
    attributes: dict[str, Value]
    group: str | None
    group_source: str | None
    group_reason: str | None
    participants: tuple[str, ...]
    documents: int


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


def get_or_create_case(s: Session, name: str) -> tuple[Case, bool]:
    name = " ".join(name.split())
    if not name:
        raise InvalidInputError("A case needs a name.")
    case = s.scalar(select(Case).where(func.lower(Case.name) == name.lower()))
    if case is not None:
        return case, False
    case = Case(name=name)
    s.add(case)
    s.flush()
    return case, True


def resolve_case(s: Session, name: str) -> Case:
    case = s.scalar(select(Case).where(func.lower(Case.name) == name.strip().lower()))
    if case is None:
        names = ", ".join(s.scalars(select(Case.name).order_by(Case.name))) or "none yet"
        raise NotFoundError(f"No case {name!r} (cases: {names}).")
    return case


def set_attribute(s: Session, case: Case, name: str, value: Value) -> None:
    name = name.strip()
    if not name:
        raise InvalidInputError("An attribute needs a name (name=value).")
    attr = next((a for a in case.attributes if a.name.lower() == name.lower()), None)
    if attr is None:
        attr = CaseAttribute(name=name)
        case.attributes.append(attr)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        attr.value_type, attr.number_value, attr.text_value = "number", float(value), None
    else:
        attr.value_type, attr.number_value, attr.text_value = "text", None, str(value)


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
            raise InvalidInputError(f"{item!r}: attributes are written name=value, e.g. fidelity=12.")
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


CASE_COLUMNS = ("case", "site", "name", "case_name")


def is_case_table(header: list[str]) -> bool:
    return bool(header) and header[0].strip().lower().lstrip("\ufeff") in CASE_COLUMNS


def import_cases_csv(project: Project, path: str | Path) -> CaseImportReport:
    """Import a CSV with one row per case: first column the case name, then attributes.

    All rows are stored in one transaction: a bad row stops the import with its line
    number and nothing is changed.
    """
    path = Path(path)
    rows = read_csv_rows(path)
    if not rows or not is_case_table(rows[0]):
        raise InvalidInputError(f"{path}:1: the first column must be headed 'case' "
                                "(one row per case, then one column per attribute).")
    header = [h.strip() for h in rows[0]]
    if len(set(h.lower() for h in header)) != len(header):
        raise InvalidInputError(f"{path}:1: duplicate column names in the header.")
    report = CaseImportReport()
    with project.transaction("import cases", file=str(path)) as s:
        for lineno, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise InvalidInputError(f"{path}:{lineno}: {len(row)} cells but the header has "
                                        f"{len(header)}. Fix the row (quote cells with commas).")
            if not row[0].strip():
                raise InvalidInputError(f"{path}:{lineno}: the case name (first cell) is empty.")
            case, created = get_or_create_case(s, row[0])
            (report.cases_created if created else report.cases_updated).append(case.name)
            for key, cell in zip(header[1:], row[1:], strict=True):
                if cell.strip() == "":
                    continue
                set_attribute(s, case, key, parse_value(cell))
    return report


def list_cases(project: Project) -> list[CaseInfo]:
    """Every case with attributes, participants and documents (four queries, not per case)."""
    with project.read() as s:
        docs = dict(s.execute(select(func.coalesce(Participant.case_id, Document.case_id), func.count())
                              .select_from(Document)
                              .outerjoin(Participant, Document.participant_id == Participant.id)
                              .group_by(func.coalesce(Participant.case_id, Document.case_id))).all())
        attrs: dict[int, dict[str, float | int | str | None]] = {}
        for case_id, name, kind, number, text in s.execute(
                select(CaseAttribute.case_id, CaseAttribute.name, CaseAttribute.value_type,
                       CaseAttribute.number_value, CaseAttribute.text_value)
                .order_by(CaseAttribute.case_id, CaseAttribute.name)):
            attrs.setdefault(case_id, {})[name] = attribute_value(kind, number, text)
        labels: dict[int, list[str]] = {}
        for case_id, label in s.execute(select(Participant.case_id, Participant.label)
                                        .where(Participant.case_id.is_not(None))):
            labels.setdefault(case_id, []).append(label)
        return [CaseInfo(c.id, c.name, attrs.get(c.id, {}), c.group_name, c.group_source,
                         c.group_reason, tuple(sorted(labels.get(c.id, ()))), docs.get(c.id, 0))
                for c in s.execute(select(Case.id, Case.name, Case.group_name, Case.group_source,
                                          Case.group_reason).order_by(Case.name))]
