"""Where the data shipped with qualcode lives: the framework files and the demo transcripts.

In a source checkout (and an editable install) they are the top-level ``frameworks/`` and
``sample_transcripts/`` folders; a wheel or sdist install carries the same folders inside
the package as ``qualcode/_bundled/...`` (see the build mapping in ``pyproject.toml``).
Both are found here, so nothing else needs to know how qualcode was installed.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["bundled_folder"]


def bundled_folder(name: str) -> Path | None:
    """The shipped folder ``name`` (``frameworks`` or ``sample_transcripts``), or None."""
    installed = Path(str(files("qualcode").joinpath("_bundled", name)))
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parent.parent / name
    return checkout if checkout.is_dir() else None
