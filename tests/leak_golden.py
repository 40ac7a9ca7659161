"""The documents whose findings were recorded before the scanner was made faster.

``tests/data/leak_findings_golden.json`` holds the findings the line-by-line scanner
gave on them; the faster scanner must give exactly the same. Regenerate only when a
rule is meant to change: ``python -m tests.leak_golden``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from qualcode.analysis.leaks import find_leaks
from qualcode.ingest.readers import read_transcript
from tests.leak_corpus import planted_documents

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "leak_findings_golden.json"
LEAKY = (
    "Interviewer: How was it?\n\n"
    "S4PW1: Honestly, my coordinator Janet was great. I saw Dr Patel on the ward.\n"
    "You can email me at jo.bloggs@example.org or ring 07700 900123.\n"
    "The office is at LS1 4AB. His NHS number was 943 476 5919.\n"
    "We met at [hospital] with [PWC] and Zanzibarro on Monday. The PowerPoint was long."
)
RUNS: dict[str, dict[str, Any]] = {
    "plain": {},
    "key": {"key_names": ["Zanzibarro Quell", "Janet Smith", "Kieran"]},
    "allow": {"allow": ["Janet", "Will", "Zanzibarro"], "key_names": ["Siobhan O'Brien"]},
}


def golden_documents() -> list[tuple[str, str]]:
    """Planted transcripts, a leaky one, and every sample transcript."""
    samples = ROOT / "sample_transcripts"
    return (
        planted_documents()[0]
        + [("leaky", LEAKY)]
        + [
            (p.stem, read_transcript(p).text)
            for p in sorted(samples.iterdir())
            if p.suffix in (".txt", ".docx")
        ]
    )


def current_findings() -> dict[str, list[dict[str, Any]]]:
    """The scanner's findings for each run, as plain data."""
    docs = golden_documents()
    return {
        name: [dataclasses.asdict(f) for f in find_leaks(docs, **kw)] for name, kw in RUNS.items()
    }


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(current_findings(), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {GOLDEN}")
