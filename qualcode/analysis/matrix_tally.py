"""Counting codings into matrix cells: where each document's codings go, and one pass over them.

Split from :mod:`qualcode.analysis.matrix` so the counting reads on its own: documents
are placed on rows once (:func:`document_places`), then every coding is read once, in
id order, into a :class:`Tally` per (row, column) (:func:`tally_codings`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.matrix_spec import NO_VALENCE, MatrixSpec
from qualcode.store.models import Document, Participant

if TYPE_CHECKING:  # the matrix module imports this one; its row and column types are hints here
    from qualcode.analysis.matrix import MatrixColumn, MatrixRow


class Owner(NamedTuple):
    """Who a document's codings belong to: its participant, and that participant's case
    (else the document's own case)."""

    participant_id: int | None
    case_id: int | None


def document_owners(s: Session) -> dict[int, Owner]:
    """document id -> its owner.

    Two scans of covering indexes: the documents' (large) text is never read.
    """
    part_case = dict(s.execute(select(Participant.id, Participant.case_id)).all())
    doc_case = dict(s.execute(select(Document.id, Document.case_id)).all())
    out = {}
    for did, pid in s.execute(select(Document.id, Document.participant_id)):
        case = part_case.get(pid) if pid is not None else None
        out[did] = Owner(pid, case if case is not None else doc_case.get(did))
    return out


class Place(NamedTuple):
    """Where one document's codings are counted: a row index, and who spoke (if known)."""

    row: int
    participant_id: int | None


def document_places(
    s: Session, spec: MatrixSpec, rows: list[MatrixRow], cases: list[MatrixRow]
) -> dict[int, Place]:
    """document id -> its place in the matrix; documents of filtered-out cases are left out.

    A document with no case (or, by participant, no participant) goes to one catch-all
    row at index ``len(rows)``; :func:`qualcode.analysis.matrix.build_matrix` adds that row only if it is used.
    """
    filtered = bool(spec.cases or spec.groups or spec.where)
    chosen_cases = {r.id for r in cases}
    row_of = {r.id: i for i, r in enumerate(rows)}
    catch_all = len(rows)
    places = {}
    for did, owner in document_owners(s).items():
        if filtered and owner.case_id not in chosen_cases:
            continue
        key = owner.case_id if spec.by == "case" else owner.participant_id
        places[did] = Place(row_of.get(key, catch_all), owner.participant_id)
    return places


@dataclass(slots=True)
class Tally:
    """What one cell gathers while the codings are read, in coding id order."""

    coding_ids: list[int] = field(default_factory=list)
    participant_ids: set[int] = field(default_factory=set)
    valences: dict[str, int] = field(default_factory=dict)


def columns_of_code(columns: list[MatrixColumn]) -> dict[int, tuple[int, ...]]:
    """code id -> the column indexes its codings count in (its own and any roll-ups)."""
    out: dict[int, list[int]] = {}
    for ci, col in enumerate(columns):
        for member in col.member_ids:
            out.setdefault(member, []).append(ci)
    return {code: tuple(cis) for code, cis in out.items()}


ROWS_PER_FETCH = 2000
_UNPLACED: list[Tally] = []  # the cells of a document left out of the matrix: none


def tally_rows(
    rows: Iterable[tuple[int, int, int, str | None]],
    places: dict[int, Place],
    columns_of: dict[int, tuple[int, ...]],
) -> tuple[dict[tuple[int, int], Tally], int]:
    """(row, column) -> tally, and how many codings were counted, from rows of (coding id,
    code id, document id, valence) in coding id order.

    Where a document's codings of one code land (its cells, and who spoke) is worked
    out once per (document, code); each coding then costs one look-up and an append
    per cell. Cells are made in the order of their first coding, so each cell's coding
    ids, and the cells themselves, come out in coding id order.
    """
    tallies: dict[tuple[int, int], Tally] = {}
    cells_of: dict[tuple[int, int], list[Tally]] = {}
    get = cells_of.get
    counted = 0
    for coding_id, code_id, document_id, valence in rows:
        cells = get((document_id, code_id))
        if cells is None:
            cells = cells_of[(document_id, code_id)] = _cells(
                places.get(document_id), columns_of.get(code_id, ()), tallies
            )
        if cells is _UNPLACED:
            continue
        counted += 1
        name = valence or NO_VALENCE
        for tally in cells:
            tally.coding_ids.append(coding_id)
            counts = tally.valences
            counts[name] = counts.get(name, 0) + 1
    return tallies, counted


def _cells(
    place: Place | None, columns: tuple[int, ...], tallies: dict[tuple[int, int], Tally]
) -> list[Tally]:
    """The tallies one (document, code) pair counts into, made when first needed."""
    if place is None:
        return _UNPLACED
    out = []
    for ci in columns:
        tally = tallies.get((place.row, ci))
        if tally is None:
            tally = tallies[(place.row, ci)] = Tally()
        if place.participant_id is not None:
            tally.participant_ids.add(place.participant_id)
        out.append(tally)
    return out


def tally_codings(
    s: Session,
    query: Any,
    places: dict[int, Place],
    columns_of: dict[int, tuple[int, ...]],
) -> tuple[dict[tuple[int, int], Tally], int]:
    """(row, column) -> tally, and how many codings were counted.

    One pass over four narrow columns of the codings (a covering index scan; no
    transcript text), in id order so each cell's coding ids come out sorted, read as
    plain Core rows a batch at a time (no ORM loading per coding, and rows die young
    instead of piling up for the garbage collector to scan). This shape (no GROUP BY
    with string aggregation to split again, no per-cell sort) protects ``matrix by
    case`` / ``matrix by participant`` in bench/bench_matrix.py, ``qualcode matrix --by
    case`` in bench/bench_scale.py and the matrix (F4) in bench/bench_workbench.py.
    """
    batches = s.connection().execute(query).partitions(ROWS_PER_FETCH)
    return tally_rows(chain.from_iterable(batches), places, columns_of)


def keep_used_rows(
    rows: list[MatrixRow], tallies: dict[tuple[int, int], Tally]
) -> tuple[list[MatrixRow], dict[tuple[int, int], Tally]]:
    """Only the rows that hold codings, with the cells renumbered to match."""
    keep = sorted({ri for ri, _ in tallies})
    new_index = {old: new for new, old in enumerate(keep)}
    return [rows[i] for i in keep], {(new_index[ri], ci): t for (ri, ci), t in tallies.items()}
