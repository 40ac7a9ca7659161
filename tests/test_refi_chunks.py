"""Big REFI-QDA imports commit in consistent chunks; an interrupted one is named and completed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode.errors import InvalidInputError
from qualcode.exchange import refi_store_text
from qualcode.exchange.refi_commit import PENDING_PREFIX
from qualcode.exchange.refi_import import import_qdpx
from qualcode.services.project import Project
from qualcode.store.models import AuditEntry, Coding, Document, Setting
from tests.refi_support import table_counts
from tests.refi_writers import qc_project

DOCS = {f"doc{i}.txt": "".join(f"Line {j} of document {i}.\n" for j in range(6)) for i in range(5)}
CODED = {name: [(j, f"code{j % 3}") for j in range(1, 5)] for name in DOCS}


@pytest.fixture
def qdpx(tmp_path: Path) -> Path:
    return qc_project(tmp_path / "big.qdpx", DOCS, CODED)


def _rows(project: Project) -> tuple[list[tuple[str, str]], list[tuple[str, int, int]]]:
    with project.read() as s:
        docs = sorted(tuple(r) for r in s.execute(select(Document.name, Document.text)))
        names = {r.id: r.name for r in s.execute(select(Document.id, Document.name))}
        codings = sorted((names[c.document_id], c.start, c.end) for c in s.scalars(select(Coding)))
    return docs, codings


def test_chunked_import_stores_the_same_as_one_transaction(qdpx: Path, tmp_path: Path) -> None:
    one = Project.open(tmp_path / "one.db", coder="importer")
    single = import_qdpx(one, qdpx, segment=False)
    many = Project.open(tmp_path / "many.db", coder="importer")
    chunked = import_qdpx(many, qdpx, segment=False, chunk_codings=8)
    assert single.chunks == 1 and chunked.chunks == 2 + 3  # codebook, 3 chunks of <= 8, notes
    assert _rows(one) == _rows(many) and len(_rows(many)[1]) == 20
    assert chunked.created == single.created
    assert "committed in 5 steps" in "\n".join(chunked.summary_lines())
    with many.read() as s:
        parts = [
            json.loads(a.detail).get("part")
            for a in s.scalars(
                select(AuditEntry).where(AuditEntry.operation == "import REFI-QDA project")
            )
        ]
        assert parts == [f"{i}/5" for i in range(1, 6)]
        assert s.scalar(select(Setting).where(Setting.key.startswith(PENDING_PREFIX))) is None


def test_strict_import_is_always_one_transaction(qdpx: Path, tmp_path: Path) -> None:
    project = Project.open(tmp_path / "strict.db", coder="importer")
    report = import_qdpx(project, qdpx, segment=False, chunk_codings=8, strict=True)
    assert report.chunks == 1 and len(_rows(project)[1]) == 20


def test_interrupted_import_is_consistent_named_and_completed(
    qdpx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk in the third step (fault injected): earlier steps stay, whole documents only."""
    project = Project.open(tmp_path / "cut.db", coder="importer")
    real = refi_store_text.TextStoring.store_document
    calls = {"n": 0}

    def failing(self: refi_store_text.TextStoring, loaded: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real(self, loaded)  # type: ignore[arg-type]

    monkeypatch.setattr(refi_store_text.TextStoring, "store_document", failing)
    with pytest.raises(InvalidInputError, match="stopped after 2 of 5 sources") as err:
        import_qdpx(project, qdpx, segment=False, chunk_codings=8)
    assert "run the same import again" in str(err.value)
    docs, codings = _rows(project)
    assert [d for d, _ in docs] == ["doc0", "doc1"] and len(codings) == 8  # each with its codings
    with project.read() as s:
        (marker,) = s.scalars(select(Setting).where(Setting.key.startswith(PENDING_PREFIX)))
        assert json.loads(marker.value) == {"file": "big.qdpx", "sources": 5, "done": 2}
    monkeypatch.undo()
    other = qc_project(tmp_path / "other.qdpx", {"x.txt": "Other text.\n"}, {"x.txt": [(0, "c")]})
    side = import_qdpx(project, other, segment=False)
    assert any("earlier import of big.qdpx stopped after 2 of 5" in w for w in side.warnings)
    again = import_qdpx(project, qdpx, segment=False, chunk_codings=8)
    assert again.resumed == 2 and again.matched["document"] == 2
    assert "completed an earlier import" in "\n".join(again.summary_lines())
    one = Project.open(tmp_path / "ref.db", coder="importer")
    import_qdpx(one, qdpx, segment=False)
    import_qdpx(one, other, segment=False)
    assert _rows(project) == _rows(one)
    assert table_counts(project)["settings"] == table_counts(one)["settings"]
