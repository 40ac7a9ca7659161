"""Turns, sentences and participant ids for imported documents, as transcript import finds them.

Uses the project's remembered import settings (speaker labels, participant
pattern, spaCy pipeline). Computed before the import transaction opens (spaCy
is slow to load); stored inside it. If the ingest layer is not available the
documents are stored without segments and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qualcode.store.project import Project


@dataclass
class Prepared:
    """What transcript parsing found in one text."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    participant: Any = None  # qualcode.ingest.participants.ParticipantId | None
    case_name: str | None = None


def prepare(
    project: Project, named_texts: list[tuple[str, str]], *, segments: bool = True
) -> tuple[list[Prepared] | None, list[str]]:
    """One ``Prepared`` per (name, text); None when the ingest layer is not available.

    ``segments=False`` finds participant ids only (no turns or sentences stored).
    """
    if not named_texts:
        return [], []
    try:  # the ingest layer may be missing: the documents are then stored without segments
        from qualcode.ingest.options import options_from_settings
        from qualcode.ingest.participants import (
            ParticipantPattern,
            identify_participant,
        )
        from qualcode.ingest.segment import load_pipeline, sentence_spans
        from qualcode.ingest.turns import SpeakerLabels, parse_turns
    except ImportError:
        return None, []
    options = options_from_settings(project)
    pattern = ParticipantPattern(options.participant_pattern, options.case_template)
    labels = SpeakerLabels().with_extra(options.speaker_labels)
    nlp, warning = load_pipeline(options.spacy_model) if segments else (None, None)
    warnings = [warning] if warning else []
    out: list[Prepared] = []
    for name, text in named_texts:
        parsed = parse_turns(text, labels, pattern)
        turns = parsed.turns
        pid, _ = identify_participant(name, parsed.participant_ids, pattern)
        case_name = pattern.case_name(pid) if pid is not None else None
        if not segments:
            out.append(Prepared([], pid, case_name))
            continue
        try:
            sentences = sentence_spans(text, [(t.start, t.end) for t in turns], nlp)
        except ValueError as e:  # e.g. one turn longer than spaCy's max_length
            warnings.append(f"{name}: not split into sentences ({str(e).splitlines()[0][:80]})")
            sentences = []
        rows = [
            {
                "kind": "turn",
                "seq": i,
                "start": t.start,
                "end": t.end,
                "speaker": t.speaker,
                "is_participant": t.is_participant,
                "role": t.role,
            }
            for i, t in enumerate(turns, 1)
        ]
        rows += [
            {
                "kind": "sentence",
                "seq": i,
                "start": a,
                "end": b,
                "speaker": turns[ti].speaker,
                "is_participant": turns[ti].is_participant,
                "role": turns[ti].role,
            }
            for i, (a, b, ti) in enumerate(sentences, 1)
        ]
        out.append(Prepared(rows, pid, case_name))
    return out, warnings
