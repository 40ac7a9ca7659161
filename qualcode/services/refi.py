"""REFI-QDA exports behind the identifier check (the exchange layer writes the files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qualcode.exchange.refi_export import export_qdc, export_qdpx
from qualcode.services.leaks import PseudonymKey, export_gate
from qualcode.services.project import Project


def export_qdpx_checked(
    project: Project,
    out: str | Path,
    *,
    allow_identifiers: str | None = None,
    key: PseudonymKey | None = None,
    progress: Any = None,
) -> Any:
    """The whole project as a .qdpx (owner-only), after the identifier check."""

    export_gate(
        project, "REFI-QDA project (qdpx)", out, allow_identifiers=allow_identifiers, key=key
    )
    return export_qdpx(project, out, progress)


def export_qdc_checked(
    project: Project,
    out: str | Path,
    *,
    allow_identifiers: str | None = None,
    key: PseudonymKey | None = None,
) -> Any:
    """The codebook as a .qdc (owner-only), after the identifier check."""

    export_gate(
        project, "REFI-QDA codebook (qdc)", out, allow_identifiers=allow_identifiers, key=key
    )
    return export_qdc(project, out)
