"""Benchmark: intercoder agreement on a generated double-coded project.

Generates (in a temporary SQLite file) 500 transcripts of about 3,000 words each
(1.5M words), their speaker turns and sentences, 30 codes, and 30,000 codings by two
coders: the second coder follows the first most of the time, shifts some boundaries,
drops some codings and adds others. Then prints the time of `compute_agreement` by
sentence, by turn and by character (median of 3 runs, wall and CPU).

Targets: by sentence < 2 s, by character < 5 s.

    python bench/bench_agreement.py [--documents 500] [--words 3000] [--codings 30000]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_matrix import WORDS  # the same synthetic vocabulary as the matrix benchmark

from qualcode.services.agreement import compute_agreement
from qualcode.services.project import Project
from qualcode.store.models import Code, Coder, Coding, Document, Segment


def transcript(rnd: random.Random, words: int) -> tuple[str, list[tuple[str, int, int]]]:
    """A text of turns made of sentences, and its (kind, start, end) segments."""
    parts, segs, pos, n = [], [], 0, 0
    while n < words:
        turn_start = pos
        label = "Interviewer: " if len(parts) % 2 == 0 else "S1PW1: "
        parts.append(label)
        pos += len(label)
        for _ in range(rnd.randint(1, 6)):
            k = rnd.randint(6, 24)
            sentence = " ".join(rnd.choice(WORDS) for _ in range(k)).capitalize() + ". "
            segs.append(("sentence", pos, pos + len(sentence) - 1))
            parts.append(sentence)
            pos += len(sentence)
            n += k
        segs.append(("turn", turn_start, pos - 1))
        parts.append("\n\n")
        pos += 2
    return "".join(parts), segs


def generate(db: Path, documents: int, words: int, codings: int) -> Project:
    rnd = random.Random(14)
    project = Project.open(db, coder="ann")
    with project.transaction("generate") as s:
        s.execute(
            insert(Code),
            [{"name": f"Code {i + 1}", "origin": "inductive", "sort_order": i} for i in range(30)],
        )
        code_ids = list(s.scalars(select(Code.id)))
        s.execute(insert(Coder), [{"name": "ann"}, {"name": "ben"}])
        ann, ben = (s.scalar(select(Coder.id).where(Coder.name == n)) for n in ("ann", "ben"))
        texts = []
        for d in range(documents):
            text, segs = transcript(rnd, words)
            texts.append((text, segs))
            s.execute(
                insert(Document),
                [
                    {
                        "name": f"T{d + 1:03d}",
                        "text": text,
                        "word_count": len(text.split()),
                        "sha256": hashlib.sha256(text.encode()).hexdigest(),
                    }
                ],
            )
        doc_ids = list(s.scalars(select(Document.id).order_by(Document.id)))
        seg_rows = []
        for did, (_text, segs) in zip(doc_ids, texts):
            for seq, (kind, a, b) in enumerate(segs, 1):
                seg_rows.append(
                    {"document_id": did, "kind": kind, "seq": seq, "start": a, "end": b}
                )
        s.execute(insert(Segment), seg_rows)
        rows = []
        while len(rows) < codings:
            i = rnd.randrange(documents)
            text, segs = texts[i]
            sentences = [x for x in segs if x[0] == "sentence"]
            j = rnd.randrange(len(sentences) - 3)
            start, end = sentences[j][1], sentences[j + rnd.randint(0, 2)][2]
            code = rnd.choice(code_ids)
            rows.append(
                {
                    "document_id": doc_ids[i],
                    "code_id": code,
                    "coder_id": ann,
                    "start": start,
                    "end": end,
                }
            )
            r = rnd.random()
            if r < 0.7:  # the second coder agrees, boundaries a little off
                rows.append(
                    {
                        "document_id": doc_ids[i],
                        "code_id": code,
                        "coder_id": ben,
                        "start": start + rnd.randint(0, 20),
                        "end": end,
                    }
                )
            elif r < 0.85:  # same place, another code
                rows.append(
                    {
                        "document_id": doc_ids[i],
                        "code_id": rnd.choice(code_ids),
                        "coder_id": ben,
                        "start": start,
                        "end": end,
                    }
                )
            else:  # somewhere else altogether
                k = rnd.randrange(len(sentences))
                rows.append(
                    {
                        "document_id": doc_ids[i],
                        "code_id": code,
                        "coder_id": ben,
                        "start": sentences[k][1],
                        "end": sentences[k][2],
                    }
                )
        seen: set[tuple[int, ...]] = set()
        unique = []  # a coder codes a span with a code once (the store's unique constraint)
        for row in rows:
            key = tuple(row[k] for k in ("coder_id", "document_id", "code_id", "start", "end"))
            if key not in seen:
                seen.add(key)
                unique.append(row)
        s.execute(insert(Coding), unique[:codings])
    return project


def timed(fn, repeat: int = 3) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds (CPU shows the cost on a busy shared machine)."""
    walls, cpus, value = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        value = fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--documents", type=int, default=500)
    ap.add_argument("--words", type=int, default=3000)
    ap.add_argument("--codings", type=int, default=30000)
    ap.add_argument("--keep", type=Path, help="Write the project here (kept).")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="qualcode-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        db = folder / "agreement.db"
        db.unlink(missing_ok=True)
        t = time.perf_counter()
        project = generate(db, args.documents, args.words, args.codings)
        print(
            f"generated {args.documents} documents x ~{args.words} words, {args.codings} "
            f"codings by 2 coders, 30 codes in {time.perf_counter() - t:.1f} s"
        )
        print("                 wall     cpu")
        for unit, target in (("sentence", 2.0), ("turn", None), ("char", 5.0)):
            secs, cpu, result = timed(
                lambda unit=unit: compute_agreement(project, ["ann", "ben"], unit)
            )
            o = result.overall  # type: ignore[attr-defined]
            goal = f"target < {target:g} s {'OK' if secs < target else 'MISSED'}" if target else ""
            print(
                f"by {unit:<9} {secs:6.3f} s {cpu:6.3f} s  ({o.units} decisions, pooled "
                f"kappa {o.kappa:.3f}, alpha {o.alpha:.3f})  {goal}"
            )
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
