"""The cover search stops at its budget and every output says so."""

from __future__ import annotations

import pytest

from qualcode.analysis.qca import CaseInput, parse_condition, run_qca, to_json
from qualcode.analysis.qca_covers import (
    COMPLETE,
    PARTIAL,
    UNPROVEN,
    cover_search,
    covers,
    prime_implicants,
)
from qualcode.cli.qca_text import qca_text
from qualcode.export.qca_report import qca_tables

# A cyclic function (no essential implicant): two covers of three terms each.
CYCLIC = {0, 1, 2, 5, 6, 7}


def test_search_within_budget_is_complete() -> None:
    found = cover_search(CYCLIC, prime_implicants(CYCLIC, 3), 3)
    assert found.status == COMPLETE and found.complete
    assert len(found.covers) == 2 and all(len(c) == 3 for c in found.covers)


def test_search_out_of_steps_says_unproven_and_still_covers() -> None:
    primes = prime_implicants(CYCLIC, 3)
    found = cover_search(CYCLIC, primes, 3, budget=1)
    assert found.status == UNPROVEN and not found.complete
    (cover,) = found.covers
    assert all(any(covers(p, t) for p in cover) for t in CYCLIC)


def test_search_out_of_steps_after_a_cover_is_partial() -> None:
    primes = prime_implicants(CYCLIC, 3)
    for budget in range(1, 40):
        found = cover_search(CYCLIC, primes, 3, budget=budget)
        if found.status == PARTIAL:
            assert 1 <= len(found.covers) < 2
            return
    pytest.fail("no budget stopped the search between the first and the second cover")


def test_search_out_of_time_stops() -> None:
    found = cover_search(CYCLIC, prime_implicants(CYCLIC, 3), 3, seconds=-1.0)
    assert found.status == UNPROVEN


@pytest.mark.parametrize("status", [PARTIAL, UNPROVEN])
def test_every_output_names_a_stopped_search(status: str) -> None:
    data = [
        CaseInput(f"c{t}", {"a": t >> 2 & 1, "b": t >> 1 & 1, "c": t & 1, "y": int(t in CYCLIC)})
        for t in range(8)
    ]
    conds = [parse_condition(f"{x.upper()}: {x} == 1") for x in "abc"]
    result = run_qca(data, conds, parse_condition("Y: y == 1"))
    assert result.search == {"complex": COMPLETE, "parsimonious": COMPLETE}
    assert "SEARCH STOPPED" not in qca_text(result)
    result.search["complex"] = status
    assert to_json(result)["search"]["complex"] == status
    text = qca_text(result)
    assert "SEARCH STOPPED" in text
    word = "fewest terms, but other models" if status == PARTIAL else "NOT proven"
    assert word in text
    tables = {t.title: t for t in qca_tables(result)}
    complex_note = next(t.note for title, t in tables.items() if "omplex" in title)
    assert "SEARCH STOPPED" in complex_note
    pars_note = next(t.note for title, t in tables.items() if "arsimonious" in title)
    assert "SEARCH STOPPED" not in pars_note
