"""Presence counts checked against a brute-force count over the same random project."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from qualcode.analysis.patterns import PresenceRule, count_codings
from qualcode.analysis.presence import coded_documents
from qualcode.services.patterns import find_project_patterns
from qualcode.services.project import Project
from qualcode.store.models import Case, Code, Coding, Document, Participant

VALENCES = ("facilitator", "barrier", "neutral", None)


@pytest.fixture
def random_project(tmp_path: Path) -> Project:
    """8 cases; documents with a participant, with only a case, or with neither; nested codes."""
    rng = random.Random(5)
    project = Project.open(tmp_path / "random.db", coder="tester")
    with project.transaction("random data") as s:
        coder = project.coder_id(s)
        s.execute(
            insert(Case),
            [
                {
                    "id": i,
                    "name": f"Site {i}",
                    "group_name": ("high", "low", "outlier", None)[i % 4],
                }
                for i in range(1, 9)
            ],
        )
        s.execute(
            insert(Participant),
            [{"id": p, "label": f"P{p}", "case_id": 1 + p % 8} for p in range(1, 21)],
        )
        docs = []
        for d in range(1, 41):
            participant = d if d <= 20 else (d - 20 if d <= 30 else None)  # two docs for some
            case = 1 + d % 8 if participant is None and d <= 36 else None  # 37-40: no case
            docs.append(
                {
                    "id": d,
                    "name": f"doc{d}",
                    "text": "x" * 500,
                    "sha256": f"{d:064x}",
                    "word_count": 1,
                    "participant_id": participant,
                    "case_id": case,
                }
            )
        s.execute(insert(Document), docs)
        codes = [
            {
                "id": c,
                "name": f"Code {c}",
                "origin": "inductive",
                "sort_order": c,
                "parent_id": (c // 3 if c > 3 else None),
            }
            for c in range(1, 13)
        ]
        s.execute(insert(Code), codes)
        rows, seen = [], set()
        while len(rows) < 600:
            start = rng.randrange(400)
            row = {
                "document_id": rng.randint(1, 40),
                "code_id": rng.randint(1, 12),
                "coder_id": coder,
                "start": start,
                "end": start + 10,
                "valence": rng.choice(VALENCES),
            }
            key = (row["document_id"], row["code_id"], start)
            if key not in seen:  # one coding per coder, code and span
                seen.add(key)
                rows.append(row)
        s.execute(insert(Coding), rows)
    return project


def brute_force(
    project: Project, by_valence: bool, roll_up: bool
) -> dict[tuple[int, str | None], dict[int, tuple[int, int]]]:
    """Codings and distinct participants per code (× valence) × case, one coding at a time."""
    with project.read() as s:
        parent = dict(s.execute(select(Code.id, Code.parent_id)).all())
        where = {
            d: (p_case if p_case is not None else d_case, p if p is not None else -d)
            for d, p, d_case, p_case in s.execute(
                select(
                    Document.id, Document.participant_id, Document.case_id, Participant.case_id
                ).outerjoin(Participant, Participant.id == Document.participant_id)
            )
        }
        codings = s.execute(select(Coding.code_id, Coding.document_id, Coding.valence)).all()
    refs: dict[tuple[int, str | None], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    people: dict[tuple[int, str | None], dict[int, set[int]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for code, doc, valence in codings:
        case, who = where[doc]
        if case is None:
            continue
        targets = [code]
        while roll_up and parent[targets[-1]] is not None:
            targets.append(parent[targets[-1]])
        for target in targets:
            key = (target, valence if by_valence else None)
            refs[key][case] += 1
            people[key][case].add(who)
    return {
        key: {case: (n, len(people[key][case])) for case, n in cells.items()}
        for key, cells in refs.items()
    }


@pytest.mark.parametrize("by_valence", [False, True])
@pytest.mark.parametrize("roll_up", [False, True])
def test_counts_match_a_brute_force_count(
    random_project: Project, by_valence: bool, roll_up: bool
) -> None:
    with random_project.read() as s:
        got = count_codings(s, by_valence=by_valence, roll_up=roll_up)
    got_plain = {
        key: {case: (c.refs, c.participants) for case, c in cells.items()}
        for key, cells in got.items()
        if cells
    }
    assert got_plain == brute_force(random_project, by_valence, roll_up)


@pytest.mark.parametrize("by_valence", [False, True])
def test_portable_query_gives_the_same_documents(random_project: Project, by_valence: bool) -> None:
    with random_project.read() as s:
        fast = coded_documents(s, by_valence=by_valence)
        plain = coded_documents(s, by_valence=by_valence, portable=True)
    assert fast.documents.keys() == plain.documents.keys()
    assert all(sorted(fast.documents[k]) == sorted(plain.documents[k]) for k in fast.documents)
    assert sum(len(v) for v in plain.documents.values()) == 600  # one entry per coding


@pytest.mark.parametrize(("min_refs", "min_participants"), [(1, 1), (2, 1), (1, 2), (3, 2)])
def test_present_cases_follow_the_thresholds(
    random_project: Project, min_refs: int, min_participants: int
) -> None:
    expected = brute_force(random_project, True, False)
    with random_project.read() as s:
        coded = coded_documents(s, by_valence=True)
    checked = 0
    for key, cells in expected.items():
        want = {
            case for case, (n, who) in cells.items() if n >= min_refs and who >= min_participants
        }
        assert coded.present_cases(key, min_refs, min_participants) == want, key
        checked += len(want)
    assert checked > 0


def test_rows_show_the_counts_of_their_present_cases(random_project: Project) -> None:
    result = find_project_patterns(random_project, PresenceRule(by_valence=True))
    expected = brute_force(random_project, True, False)
    names = {i: f"Site {i}" for i in range(1, 9)}
    for row in result.rows:
        cells = expected.get(row.key, {})
        assert {case: (c.refs, c.participants) for case, c in row.counts.items()} == {
            names[case]: value for case, value in cells.items()
        }
        grouped = {names[i] for i in range(1, 9) if i % 4 != 3}  # Site 3, 7: no group
        assert set(row.present_in) == {names[case] for case in cells} & grouped
    # The uncased documents' codings are reported, not silently dropped.
    assert any("not attached to any case" in w for w in result.warnings)
