"""The open project, as the command line and the workbench reach it (see :mod:`qualcode.store.project`)."""

from __future__ import annotations

from qualcode.store.project import CODER_ENV, Project, default_coder_name, on_busy

__all__ = ["CODER_ENV", "Project", "default_coder_name", "on_busy"]
