"""How transcripts are read, and the settings a project remembers for its next import.

Here, below the service layer, so that REFI-QDA import segments a document exactly as
transcript import does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from qualcode.ingest.participants import DEFAULT_CASE_TEMPLATE, DEFAULT_PARTICIPANT_PATTERN
from qualcode.store.project import Project

SETTING_PREFIX = "import."


@dataclass
class ImportOptions:
    """How transcripts are read; the pattern settings are remembered by the project."""

    participant_pattern: str = DEFAULT_PARTICIPANT_PATTERN
    case_template: str = DEFAULT_CASE_TEMPLATE
    speaker_labels: dict[str, str] = field(default_factory=dict)  # extra label -> role
    spacy_model: str | None = None
    replace: bool = False  # re-import stored documents that have no codings
    as_new: str | None = None  # store a single transcript under this name
    framework: str | None = "auto"  # auto: the default framework if codings need a codebook
    create_codes: bool = False  # codings CSVs may create inductive codes they name
    # REFI-QDA projects: where relative:// sources are, whether absolute:// ones may be read,
    # and whether a file with anything that cannot be imported is refused whole
    sources_dir: str | None = None
    allow_absolute: bool = False
    strict: bool = False


REMEMBERED = ("participant_pattern", "case_template", "speaker_labels", "spacy_model")


def options_from_settings(project: Project, **overrides: Any) -> ImportOptions:
    """The project's remembered import settings, with ``overrides`` on top."""
    opts = ImportOptions()
    for key in REMEMBERED:
        raw = project.setting(SETTING_PREFIX + key)
        if raw:
            setattr(opts, key, json.loads(raw) if key == "speaker_labels" else raw)
    given = {k: v for k, v in overrides.items() if v is not None}
    if "speaker_labels" in given:
        given["speaker_labels"] = {**opts.speaker_labels, **given["speaker_labels"]}
    return replace(opts, **given)
