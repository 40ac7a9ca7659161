"""Finding or making a case, and setting one typed attribute, inside an open session.

Shared by every way cases arrive (the cases table, transcript import, REFI-QDA files),
so a case named "site 3" in one and "Site 3" in another is one case.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInputError
from qualcode.store.models import Case, CaseAttribute

Value = int | float | str


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
