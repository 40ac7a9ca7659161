"""Starting a project from the workbench's welcome screen: a file, a name, a framework."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import distinct, func, select

from qualcode.errors import ConflictError, InvalidInputError
from qualcode.framework_files import find_framework
from qualcode.services.frameworks import apply_framework
from qualcode.services.project import Project
from qualcode.store.engine import DEFAULT_DB
from qualcode.store.models import (
    Case,
    CaseAttribute,
    Code,
    Coding,
    Document,
    Framework,
    Participant,
)


def project_file(path: str | os.PathLike[str] | None) -> Path:
    """Where the project goes: a folder gets ``qualcode.db``, a bare name gets ``.db``."""
    raw = str(path or "").strip() or DEFAULT_DB
    out = Path(raw).expanduser()
    if out.is_dir():
        out = out / DEFAULT_DB
    elif not out.suffix:
        out = out.with_suffix(".db")
    return out.resolve()


def create_project(
    path: str | os.PathLike[str] | None, name: str, framework: str | None, coder: str | None = None
) -> Project:
    """A new project file with its name and (if given) a framework applied.

    Everything is checked before the file is made; if applying the framework
    fails, the new file is removed again, so nothing half-made is left behind.
    """

    out = project_file(path)
    if out.exists():
        raise ConflictError(f"{out}: a file is already there. Open it, or choose another name.")
    if not out.parent.is_dir():
        raise InvalidInputError(f"{out}: folder {out.parent} does not exist. Create it first.")
    spec = find_framework(framework) if framework else None
    project = Project.open(out, coder=coder)
    try:
        os.chmod(out, 0o600)  # a project holds interview data: owner-only
        project.set_setting("project.name", " ".join(name.split()) or out.stem)
        if spec is not None:
            apply_framework(project, spec)
    except BaseException:
        project.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(str(out) + suffix).unlink(missing_ok=True)
        raise
    return project


@dataclass(frozen=True)
class SetupStatus:
    """How far the project's set-up has got (the workbench's checklist)."""

    documents: int
    participants: int
    frameworks: tuple[str, ...]
    codes: int
    cases: int
    cases_with_attributes: int
    attributes: tuple[str, ...]
    grouped: int
    codings: int


def setup_status(project: Project) -> SetupStatus:
    def count(q: object) -> int:
        return int(s.scalar(q) or 0)  # type: ignore[arg-type]

    with project.read() as s:
        return SetupStatus(
            count(select(func.count()).select_from(Document)),
            count(select(func.count()).select_from(Participant)),
            tuple(s.scalars(select(Framework.name).order_by(Framework.id))),
            count(select(func.count()).select_from(Code)),
            count(select(func.count()).select_from(Case)),
            count(select(func.count(distinct(CaseAttribute.case_id)))),
            tuple(s.scalars(select(CaseAttribute.name).distinct().order_by(CaseAttribute.name))),
            count(select(func.count()).select_from(Case).where(Case.group_name.is_not(None))),
            count(select(func.count()).select_from(Coding)),
        )
