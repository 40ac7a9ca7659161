"""The read-only listings (cases, codes, the matrix) over a DB-API connection.

One implementation for both ways of reading a project: the command line hands these
functions the read-only SQLite connection of :mod:`qualcode.store.readonly` when it can
(no SQLAlchemy loaded), else the connection under a project's read session
(:meth:`qualcode.store.project.Project.read_rows`); :func:`qualcode.services.cases.list_cases`,
:func:`qualcode.services.codebook.list_codes` and the charting service go the second way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qualcode.analysis.code_tree import CodeInfo, code_infos
from qualcode.analysis.matrix import Matrix, matrix_from_rows
from qualcode.analysis.matrix_spec import MatrixSpec
from qualcode.store.sql import fetch
from qualcode.store.values import attribute_value

__all__ = ["CaseInfo", "case_infos", "code_list", "matrix_of", "plain_spec"]

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


_CASE_DOCUMENTS = (
    "SELECT coalesce(participants.case_id, documents.case_id), count(*) FROM documents "
    "LEFT OUTER JOIN participants ON documents.participant_id = participants.id "
    "GROUP BY coalesce(participants.case_id, documents.case_id)"
)
_CASE_ATTRIBUTES = (
    "SELECT case_id, name, value_type, number_value, text_value FROM case_attributes "
    "ORDER BY case_id, name"
)


def case_infos(conn: Any) -> list[CaseInfo]:
    """Every case with attributes, participants and documents (four queries, not per case)."""
    docs = dict(fetch(conn, _CASE_DOCUMENTS))
    attrs: dict[int, dict[str, Value]] = {}
    for case_id, name, kind, number, text in fetch(conn, _CASE_ATTRIBUTES):
        attrs.setdefault(case_id, {})[name] = attribute_value(kind, number, text)  # type: ignore[assignment]
    labels: dict[int, list[str]] = {}
    for case_id, label in fetch(
        conn, "SELECT case_id, label FROM participants WHERE case_id IS NOT NULL"
    ):
        labels.setdefault(case_id, []).append(label)
    return [
        CaseInfo(
            cid,
            name,
            attrs.get(cid, {}),
            group,
            source,
            reason,
            tuple(sorted(labels.get(cid, ()))),
            docs.get(cid, 0),
        )
        for cid, name, group, source, reason in fetch(
            conn,
            "SELECT id, name, group_name, group_source, group_reason FROM cases ORDER BY name",
        )
    ]


def code_list(conn: Any) -> list[CodeInfo]:
    """All codes depth-first (framework roots first, then inductive), with coding counts."""
    return code_infos(conn)


def plain_spec(
    *,
    by: str = "case",
    domains: Sequence[str] = (),
    code_ids: Sequence[int] = (),
    roll_up: bool = True,
    max_depth: int | None = None,
    headings: bool = False,
    valences: Sequence[str] = (),
    coders: Sequence[str] = (),
    groups: Sequence[str] = (),
    cases: Sequence[str] = (),
    where: Sequence[str] = (),
    document_ids: Sequence[int] = (),
) -> MatrixSpec:
    """A MatrixSpec from the options as typed, codes and documents already resolved to ids."""
    return MatrixSpec(
        by=by,
        domains=tuple(domains),
        code_ids=tuple(code_ids),
        roll_up=roll_up,
        max_depth=max_depth,
        headings=headings,
        valences=tuple(v.lower() for v in valences),
        coders=tuple(coders),
        groups=tuple(groups),
        cases=tuple(cases),
        where=tuple(where),
        document_ids=tuple(document_ids),
    )


def matrix_of(conn: Any, spec: MatrixSpec) -> Matrix:
    """The framework matrix (a few grouped queries, whatever the size of the project)."""
    return matrix_from_rows(conn, spec)
