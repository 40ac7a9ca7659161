"""The matrix tally gives exactly what counting each coding into each of its cells gives.

A seeded random set of codings (several columns per code as roll-ups do, documents
left out of the matrix, documents with no participant, codings with no valence) is
counted by ``tally_rows`` and by a plain reference loop; cells, their order, coding
ids, speakers, valences (in first-seen order) and the total must all agree.
"""

from __future__ import annotations

import gc
import random
from pathlib import Path

import pytest

from qualcode.analysis.matrix import build_matrix
from qualcode.analysis.matrix_spec import NO_VALENCE, MatrixSpec
from qualcode.analysis.matrix_tally import Place, summed, tally_rows
from tests.matrix_data import build_chart_project


def reference(rows, places, columns_of):  # type: ignore[no-untyped-def]
    """Each coding into each of its cells, one at a time, in coding id order."""
    cells: dict[tuple[int, int], dict] = {}
    counted = 0
    for coding_id, code_id, document_id, valence in rows:
        place = places.get(document_id)
        if place is None:
            continue
        counted += 1
        for ci in columns_of.get(code_id, ()):
            cell = cells.setdefault((place.row, ci), {"ids": [], "pids": set(), "vals": {}})
            cell["ids"].append(coding_id)
            if place.participant_id is not None:
                cell["pids"].add(place.participant_id)
            name = valence or NO_VALENCE
            cell["vals"][name] = cell["vals"].get(name, 0) + 1
    return cells, counted


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tally_matches_counting_each_coding(seed: int) -> None:
    rng = random.Random(seed)
    places = {
        doc: Place(rng.randrange(12), rng.choice([None, 100 + doc]))
        for doc in range(40)
        if rng.random() > 0.15  # some documents belong to rows that are filtered out
    }
    columns_of = {
        code: tuple(rng.sample(range(9), rng.choice([0, 1, 1, 2, 3]))) for code in range(15)
    }
    rows = [
        (
            coding_id,
            rng.randrange(17),
            rng.randrange(45),
            rng.choice([None, "barrier", "facilitator"]),
        )
        for coding_id in sorted(rng.sample(range(1, 10_000), 3000))
    ]
    tallies, counted = tally_rows(rows, places, columns_of)
    want, want_counted = reference(rows, places, columns_of)
    assert counted == want_counted > 0
    assert list(tallies) == list(want)  # the same cells, made in the same order
    for key, hits in tallies.items():
        ids, people, valences = summed(hits)
        assert ids == want[key]["ids"]
        assert people == want[key]["pids"]
        assert list(valences.items()) == list(want[key]["vals"].items())


def test_building_leaves_the_garbage_collector_as_it_was(tmp_path: Path) -> None:
    project = build_chart_project(tmp_path / "gc.db")
    was = gc.isenabled()
    try:
        for state in (True, False):
            (gc.enable if state else gc.disable)()
            with project.read() as s:
                m = build_matrix(s, MatrixSpec())
            assert m.codings > 0
            assert gc.isenabled() is state
    finally:
        (gc.enable if was else gc.disable)()
