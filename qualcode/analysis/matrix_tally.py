"""Counting codings into matrix cells: where each document's codings go, and one pass over them.

Split from :mod:`qualcode.analysis.matrix` so the counting reads on its own: documents
are placed on rows once (:func:`document_places`), then every coding is read once, in
id order, into flat hits per (row, column) (:func:`tally_codings`), each cell summed once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from qualcode.analysis.matrix_spec import NO_VALENCE, MatrixSpec
from qualcode.store.sql import fetch

if TYPE_CHECKING:  # the matrix module imports this one; its row and column types are hints here
    from qualcode.analysis.matrix import MatrixColumn, MatrixRow


class Owner(NamedTuple):
    """Who a document's codings belong to: its participant, and that participant's case
    (else the document's own case)."""

    participant_id: int | None
    case_id: int | None


def document_owners(conn: Any) -> dict[int, Owner]:
    """document id -> its owner.

    Two scans of covering indexes: the documents' (large) text is never read.
    """
    part_case = dict(fetch(conn, "SELECT id, case_id FROM participants"))
    doc_case = dict(fetch(conn, "SELECT id, case_id FROM documents"))
    out = {}
    for did, pid in fetch(conn, "SELECT id, participant_id FROM documents"):
        case = part_case.get(pid) if pid is not None else None
        out[did] = Owner(pid, case if case is not None else doc_case.get(did))
    return out


class Place(NamedTuple):
    """Where one document's codings are counted: a row index, and who spoke (if known)."""

    row: int
    participant_id: int | None


def document_places(
    conn: Any, spec: MatrixSpec, rows: list[MatrixRow], cases: list[MatrixRow]
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
    for did, owner in document_owners(conn).items():
        if filtered and owner.case_id not in chosen_cases:
            continue
        key = owner.case_id if spec.by == "case" else owner.participant_id
        places[did] = Place(row_of.get(key, catch_all), owner.participant_id)
    return places


Hits = list[Any]  # a cell's codings, flat: coding id, participant id, valence, ... in id order


def summed(hits: Hits) -> tuple[list[int], set[int], dict[str, int]]:
    """A cell's coding ids (in id order), participant ids and codings per valence."""
    people = set(hits[1::3])
    people.discard(None)
    valences: dict[str, int] = {}
    for valence in hits[2::3]:
        valences[valence] = valences.get(valence, 0) + 1
    return hits[0::3], people, valences


def columns_of_code(columns: list[MatrixColumn]) -> dict[int, tuple[int, ...]]:
    """code id -> the column indexes its codings count in (its own and any roll-ups)."""
    out: dict[int, list[int]] = {}
    for ci, col in enumerate(columns):
        for member in col.member_ids:
            out.setdefault(member, []).append(ci)
    return {code: tuple(cis) for code, cis in out.items()}


def tally_codings(
    conn: Any,
    query: str,
    places: dict[int, Place],
    columns_of: dict[int, tuple[int, ...]],
) -> tuple[dict[tuple[int, int], Hits], int]:
    """(row, column) -> the cell's hits (see :func:`summed`), and how many codings were counted.

    One pass over four narrow columns of the codings (a covering index scan; no
    transcript text), in id order so each cell's coding ids come out sorted; each cell
    gathers flat hits and is summed up once at the end (no tally object and no call of
    ours per coding). This shape (no GROUP BY with string aggregation to split again, no per-cell sort)
    protects ``matrix by case`` / ``matrix by participant`` in bench/bench_matrix.py
    and ``qualcode matrix --by case`` in bench/bench_scale.py.
    """
    return tally_rows(fetch(conn, query), places, columns_of)


def tally_rows(
    rows: Iterable[tuple[int, int, int, str | None]],
    places: dict[int, Place],
    columns_of: dict[int, tuple[int, ...]],
) -> tuple[dict[tuple[int, int], Hits], int]:
    """The loop of :func:`tally_codings` over rows of (coding id, code id, document id,
    valence) in coding id order; cells are made in the order of their first coding."""
    hits: dict[tuple[int, int], list[Any]] = {}
    counted = 0
    place_of, columns, hits_of = places.get, columns_of.get, hits.get  # the loop runs 64k times
    for coding_id, code_id, document_id, valence in rows:
        place = place_of(document_id)
        if place is None:
            continue
        counted += 1
        row, participant = place
        valence = valence or NO_VALENCE
        for ci in columns(code_id, ()):
            found = hits_of((row, ci))
            if found is None:
                hits[(row, ci)] = [coding_id, participant, valence]
            else:
                found.append(coding_id)
                found.append(participant)
                found.append(valence)
    return hits, counted


def keep_used_rows(
    rows: list[MatrixRow], tallies: dict[tuple[int, int], Hits]
) -> tuple[list[MatrixRow], dict[tuple[int, int], Hits]]:
    """Only the rows that hold codings, with the cells renumbered to match."""
    keep = sorted({ri for ri, _ in tallies})
    new_index = {old: new for new, old in enumerate(keep)}
    return [rows[i] for i in keep], {(new_index[ri], ci): t for (ri, ci), t in tallies.items()}
