"""Writing an imported project: one transaction, or consistent chunks for a big file.

A 150,000-coding project takes many seconds to store, and SQLite lets one writer
in at a time: a colleague coding meanwhile would wait that long, or fail. So a big
import (more than ``CHUNK_CODINGS`` codings, without ``--strict``) commits in steps
that each leave the project consistent: first the codebook, coders and cases; then
documents *with their codings*, a chunk at a time; then notes and memos. Other
writers get in between steps.

Everything is read and checked before the first step, so what can be imported is
known (and reported) up front; only a crash, a kill or a full disk can stop it
midway. A marker setting (``refi.import.pending.<file hash>``) records how far it
got: importing the same file again completes it (what is stored is recognised by
GUID, text and range, never doubled), and every import names an interrupted one.
``--strict`` promises all or nothing, so a strict import is always one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInputError, QualcodeError
from qualcode.exchange.refi_positions import PositionConvention
from qualcode.exchange.refi_read import RefiProjectData
from qualcode.exchange.refi_report import RefiImportReport
from qualcode.exchange.refi_store import LoadedSource, RefiStore
from qualcode.store.models import Setting

CHUNK_CODINGS = 5_000  # codings per write transaction of a big import (well under a second)
PENDING_PREFIX = "refi.import.pending."


class Project(Protocol):
    """What storing needs of a project handle (the service layer's ``Project`` has it)."""

    coder_name: str

    def transaction(
        self, operation: str | None = None, **detail: Any
    ) -> AbstractContextManager[Session]: ...


def _codings(ls: LoadedSource) -> int:
    return len(ls.source.whole_codings) + sum(len(s.codings) for s in ls.source.selections)


def chunks(loaded: list[LoadedSource], size: int) -> Iterator[list[LoadedSource]]:
    """Sources in order, in groups of about ``size`` codings (a source is never split)."""
    group: list[LoadedSource] = []
    count = 0
    for ls in loaded:
        if group and count + _codings(ls) > size:
            yield group
            group, count = [], 0
        group.append(ls)
        count += _codings(ls)
    if group:
        yield group


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1024 * 1024):
            h.update(block)
    return h.hexdigest()


def _note_pending(s: Session, key: str, report: RefiImportReport) -> None:
    """Warn about interrupted imports; note when this one resumes an interrupted one."""
    for row in s.scalars(select(Setting).where(Setting.key.startswith(PENDING_PREFIX))):
        try:
            info = json.loads(row.value)
        except ValueError:
            continue
        if row.key == key:
            report.resumed = int(info.get("done", 0))
        else:
            report.warn(
                f"an earlier import of {info.get('file')} stopped after {info.get('done')} "
                f"of {info.get('sources')} sources; import that file again to complete it"
            )


def store_project(
    project: Project,
    path: Path,
    data: RefiProjectData,
    loaded: list[LoadedSource],
    note_texts: dict[str, str],
    convention: PositionConvention,
    report: RefiImportReport,
    *,
    strict: bool,
    chunk_codings: int = CHUNK_CODINGS,
) -> None:
    """Store everything read from the file (see the module notes for when it is chunked)."""
    total = sum(_codings(ls) for ls in loaded)
    detail = {"file": str(path), "producer": data.origin, "positions": convention.label}

    def put_sources(store: RefiStore, group: list[LoadedSource]) -> None:
        for ls in group:
            doc = store.store_document(ls)
            if not ls.extracted:
                store.store_codings(ls, doc, convention)

    def finish(store: RefiStore) -> None:
        store.fix_codable()
        store.store_notes(note_texts)
        if strict and report.omitted:
            raise InvalidInputError(report.strict_refusal())

    if strict or total <= chunk_codings:
        with project.transaction("import REFI-QDA project", **detail) as s:
            key = PENDING_PREFIX + file_digest(path)[:16]
            _note_pending(s, key, report)
            store = RefiStore(s, data, report, project.coder_name)
            _start(store)
            put_sources(store, loaded)
            finish(store)
            _clear(s, key)
        return
    _store_in_chunks(
        project, path, data, loaded, report, detail, chunk_codings, put_sources, finish
    )


def _start(store: RefiStore) -> None:
    store.store_users()
    store.store_project_meta()
    store.store_codes()
    store.store_cases()


def _clear(s: Session, key: str) -> None:
    row = s.get(Setting, key)
    if row is not None:
        s.delete(row)


def _store_in_chunks(
    project: Project,
    path: Path,
    data: RefiProjectData,
    loaded: list[LoadedSource],
    report: RefiImportReport,
    detail: dict[str, str],
    size: int,
    put_sources: Callable[[RefiStore, list[LoadedSource]], None],
    finish: Callable[[RefiStore], None],
) -> None:
    key = PENDING_PREFIX + file_digest(path)[:16]
    groups = list(chunks(loaded, size))
    steps = len(groups) + 2
    marker = {"file": path.name, "sources": len(loaded), "done": 0}
    report.chunks = steps
    with project.transaction("import REFI-QDA project", part=f"1/{steps}", **detail) as s:
        _note_pending(s, key, report)
        store = RefiStore(s, data, report, project.coder_name)
        _start(store)
        s.merge(Setting(key=key, value=json.dumps(marker)))
    try:
        for i, group in enumerate(groups, 2):
            with project.transaction("import REFI-QDA project", part=f"{i}/{steps}", **detail) as s:
                store.s = s
                put_sources(store, group)
                marker["done"] += len(group)
                s.merge(Setting(key=key, value=json.dumps(marker)))
        with project.transaction("import REFI-QDA project", part=f"{steps}/{steps}", **detail) as s:
            store.s = s
            finish(store)
            _clear(s, key)
    except (QualcodeError, SQLAlchemyError, OSError) as e:
        reason = str(e).splitlines()[0][:200]
        raise InvalidInputError(
            f"{path.name}: the import stopped after {marker['done']} of {len(loaded)} sources "
            f"({reason}). What was stored is consistent (each document with its codings); run "
            "the same import again to complete it: what is already stored is recognised, not "
            "doubled."
        ) from e
