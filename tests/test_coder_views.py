"""Per-coder views: the pattern table and its quotes from one coder's codings only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode.analysis.patterns import PresenceRule
from qualcode.errors import InvalidInputError
from qualcode.services.coding import add_coding
from qualcode.services.patterns import find_project_patterns, pattern_quotes
from qualcode.services.project import Project
from qualcode.store.models import Document
from tests.patterns_data import build_project, study_spec
from tests.test_cli import run


@pytest.fixture
def study(tmp_path: Path) -> Project:
    project = build_project(tmp_path / "study.db", study_spec())
    with project.read() as s:
        doc = s.scalar(select(Document.name).where(Document.name.like("H1P1%")))
    add_coding(project, doc, 0, 8, "Geography", valence="barrier", coder="ben")
    return project


def _category(result, path: str) -> str:  # type: ignore[no-untyped-def]
    return next(
        r.category for r in result.rows if "/".join(r.path) == path and r.valence == "barrier"
    )


def test_patterns_by_coder(study: Project) -> None:
    everyone = find_project_patterns(study, PresenceRule(by_valence=True))
    assert _category(everyone, "Geography") != "low"  # ben's coding puts it in a high case
    tester = find_project_patterns(study, PresenceRule(by_valence=True, coders=("tester",)))
    assert _category(tester, "Geography") == "low"
    assert "Only codings by tester" in tester.presence.headline()
    bens = find_project_patterns(study, PresenceRule(by_valence=True, coders=("ben",)))
    geo = next(r for r in bens.rows if r.name == "Geography" and r.valence == "barrier")
    quotes = pattern_quotes(study, bens, [geo], per_case=None, cases="all")
    cases = quotes[geo.key]
    assert list(cases) == ["H1"] and len(cases["H1"]) == 1
    with pytest.raises(InvalidInputError, match="No coder 'zoe'"):
        find_project_patterns(study, PresenceRule(coders=("zoe",)))


def test_cli_patterns_coder(study: Project) -> None:
    db = study.engine.url.database
    study.engine.dispose()
    out = run(Path(db), "patterns", "--by-valence", "--coder", "tester", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["rules"]["presence"]["coders"] == ["tester"]
    geo = next(c for c in data["codes"] if c["path"] == ["Geography"] and c["valence"] == "barrier")
    assert geo["category"] == "low" and "H1" not in geo["present_in"]
    everyone = json.loads(run(Path(db), "patterns", "--by-valence", "--format", "json").stdout)
    geo_all = next(
        c for c in everyone["codes"] if c["path"] == ["Geography"] and c["valence"] == "barrier"
    )
    assert "H1" in geo_all["present_in"] and "coders" not in everyone["rules"]["presence"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_matrix_coder_filter_in_the_workbench(tmp_path: Path) -> None:
    from textual.widgets import Static

    from qualcode.tui.app import QualcodeApp
    from qualcode.tui.settings import TuiSettings
    from qualcode.tui.workers import settle
    from tests.matrix_data import build_chart_project

    project = build_chart_project(tmp_path / "chart.db")
    with project.read() as s:
        doc = s.scalar(select(Document.name).order_by(Document.id))
    add_coding(project, doc, 0, 5, "Context/Culture", coder="zed")
    app = QualcodeApp(project, settings=TuiSettings(), start_mode="matrix", poll_seconds=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        total = screen.matrix.codings
        seen = []
        for _ in range(4):
            await pilot.press("c")
            await settle(pilot)
            await settle(pilot)
            seen.append((screen.spec.coders, screen.matrix.codings))
        head = str(screen.query_one("#matrix-head", Static).render())
        zed = next(n for coders, n in seen if coders == ("zed",))
        assert zed == 1 and all(n < total for coders, n in seen if coders)
        assert sum(n for coders, n in seen if coders) == total  # each coding by one coder
        assert ((), total) in seen  # the cycle comes back to everyone
        assert ("Coder:" in head) == bool(screen.spec.coders)
