"""Benchmark: how well and how fast the identifier check works.

Prints, on the planted set in ``tests/leak_corpus.py`` (interview transcripts with
known identifiers of every kind the check looks for):

- recall (planted identifiers found, certain or possible) and the share of findings
  that are false alarms (target: recall >= 90%, false alarms < 10%);
- recall counting certain findings only (what the export gate stops on);
- every missed identifier and every false alarm, so a change can be judged;
- findings on the sample transcripts (``sample_transcripts/``, pseudonymised: every
  finding there is a false alarm or a place to check);
- the check's speed on the planted set and on the sample transcripts, each repeated to
  about 100,000 words.

    python bench/bench_leaks.py [--words 100000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualcode.analysis.leaks import find_leaks
from qualcode.ingest.readers import read_transcript
from tests.leak_corpus import planted_documents, score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=100_000)
    args = parser.parse_args()

    docs, planted = planted_documents()
    findings = find_leaks(docs)
    recall, false_share, missed, false = score(findings, planted)
    certain = [f for f in findings if f.confidence == "certain"]
    certain_recall = score(certain, planted)[0]
    kinds = sorted({f.kind for f in findings})
    print(f"planted set: {len(docs)} transcripts, {len(planted)} planted identifiers")
    print(f"  recall              {recall:6.1%}  (target >= 90%)")
    print(f"  false alarms        {false_share:6.1%}  of {len(findings)} findings (target < 10%)")
    print(f"  recall, certain     {certain_recall:6.1%}  (what stops an export)")
    print(f"  kinds found: {', '.join(kinds)}")
    for p in missed:
        print(f"  missed: {p.document} {p.text!r}")
    for f in false:
        print(f"  false alarm: {f.document}:{f.line}:{f.column} {f.kind} {f.text!r}")

    samples = [
        (p.stem, read_transcript(p).text)
        for p in sorted((ROOT / "sample_transcripts").iterdir())
        if p.suffix in (".txt", ".docx")
    ]
    sample_findings = find_leaks(samples)
    words = sum(len(t.split()) for _, t in samples)
    print(
        f"sample transcripts: {len(samples)} files, {words:,} words, "
        f"{len(sample_findings)} findings "
        f"({sum(f.confidence == 'certain' for f in sample_findings)} certain)"
    )
    for f in sample_findings:
        print(f"  {f.document}:{f.line}:{f.column} {f.confidence} {f.kind} {f.text!r}")

    find_leaks(docs)  # warm: spaCy loaded
    for label, corpus in (("planted set", docs), ("sample transcripts", samples)):
        corpus_words = sum(len(t.split()) for _, t in corpus)
        copies = max(1, args.words // corpus_words)
        big = [(f"{name}-{i}", text) for i in range(copies) for name, text in corpus]
        t0 = time.perf_counter()
        find_leaks(big)
        took = time.perf_counter() - t0
        print(
            f"speed, {label}: {copies * corpus_words:,} words in {took:.2f} s "
            f"({copies * corpus_words / took:,.0f} words/s)"
        )


if __name__ == "__main__":
    main()
