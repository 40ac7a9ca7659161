"""What a framework matrix shows: rows by case or participant, which codes, which codings.

A :class:`MatrixSpec` is plain data the CLI, the TUI and the exports share. Case
attribute filters are written in the same rule language as group rules
(``fidelity >= 10 and locality == 'urban'``, see :mod:`qualcode.analysis.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.analysis.rules import Evaluator, Node, parse_expression
from qualcode.errors import InvalidInputError
from qualcode.store.values import VALENCES

ROW_TYPES = ("case", "participant")
NO_VALENCE = "none"
VALENCE_FILTERS = (*VALENCES, NO_VALENCE)

Value = int | float | str


@dataclass(frozen=True)
class MatrixSpec:
    """Which rows, columns and codings a matrix shows.

    Codes and documents are given as ids (the service layer resolves names);
    domains, cases, groups and coders by name (any case).
    """

    by: str = "case"
    domains: tuple[str, ...] = ()
    code_ids: tuple[int, ...] = ()
    roll_up: bool = True
    max_depth: int | None = None
    headings: bool = False
    valences: tuple[str, ...] = ()
    coders: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    document_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.by not in ROW_TYPES:
            raise InvalidInputError(f"Rows are by 'case' or 'participant', not {self.by!r}.")
        bad = [v for v in self.valences if v not in VALENCE_FILTERS]
        if bad:
            raise InvalidInputError(
                f"Valence filter {bad[0]!r} is not one of {', '.join(VALENCE_FILTERS)}."
            )
        for text in self.where:
            parse_where(text)
        if self.max_depth is not None and self.max_depth < 0:
            raise InvalidInputError("The column depth starts at 0 (the domains).")

    def describe(
        self, document_names: dict[int, str] | None = None, code_names: dict[int, str] | None = None
    ) -> list[str]:
        """The filters in words, for title pages and headers."""
        out = [f"Rows: by {self.by}"]
        if self.domains:
            out.append("Domains: " + ", ".join(self.domains))
        if self.code_ids:
            names = code_names or {}
            out.append("Codes: " + ", ".join(names.get(i, str(i)) for i in self.code_ids))
        out.append(
            "Construct columns include their child codes"
            if self.roll_up
            else "Each column counts its own code only"
        )
        if self.max_depth is not None:
            out.append(f"Columns down to level {self.max_depth}")
        for label, values in (
            ("Valence", self.valences),
            ("Coders", self.coders),
            ("Case groups", self.groups),
            ("Cases", self.cases),
            ("Case attributes", self.where),
        ):
            if values:
                out.append(f"{label}: " + ", ".join(values))
        if self.document_ids:
            names = document_names or {}
            out.append("Documents: " + ", ".join(names.get(i, str(i)) for i in self.document_ids))
        return out


def parse_where(text: str) -> Node:
    """A case-attribute filter in the project's rule language (as group rules use)."""
    return parse_expression(text, label="--where")


def case_matches(text: str, node: Node, attributes: dict[str, Value], case: str) -> bool:
    """True only when the filter holds (a missing attribute leaves it unknown: no match)."""
    return Evaluator(text, attributes, case=case, label="--where").eval(node) is True
