"""Benchmark: cross-case pattern matching on a generated project.

Generates (in a temporary SQLite file) 200 cases with 5 participants and one
document each, 200 codes (some nested) and 100,000 codings with valences; puts
60 cases in the high group, 60 in the low group, 20 outliers and leaves 60
ungrouped. Then prints:

- the presence query alone (one GROUP BY over the codings), per code and per
  code × valence, with and without roll-up;
- pattern matching in-process (groups + query + classification), target < 0.2 s,
  and then the per-case counts that a table or an export shows for every row;
- the whole ``qualcode patterns --format json`` command in a subprocess, target < 1 s
  (with Python's bytecode cache in a temporary folder, as an installed package has it).

Each figure is the best of several runs; a yardstick (a fixed Python loop, ~50 ms on an
idle machine of this class) and the load average are printed, since other work on a shared
machine inflates every figure.

    python bench/bench_patterns.py [--cases 200] [--codes 200] [--codings 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert

from qualcode.analysis.patterns import PresenceRule
from qualcode.analysis.presence import coded_documents
from qualcode.services.patterns import find_project_patterns
from qualcode.services.project import Project
from qualcode.store.models import (
    Case,
    CaseAttribute,
    Code,
    Coding,
    Document,
    Participant,
)

PER_CASE = 5
DOC_CHARS = 4000
VALENCES = ("facilitator", "barrier", "neutral", None)


def build(path: Path, n_cases: int, n_codes: int, n_codings: int, seed: int = 11) -> Project:
    rng = random.Random(seed)
    project = Project.open(path, coder="bench")
    text = ("Interviewer: a question.\n\nS1PW1: " + "word " * (DOC_CHARS // 5))[:DOC_CHARS]
    digest = hashlib.sha256(text.encode()).hexdigest()
    with project.transaction("bench data") as s:
        coder_id = project.coder_id(s)
        groups = ["high"] * 60 + ["low"] * 60 + ["outlier"] * 20
        groups += [None] * (n_cases - len(groups))
        for i in range(n_cases):
            group = groups[i] if i < len(groups) else None
            s.add(
                Case(
                    id=i + 1,
                    name=f"Site {i + 1}",
                    group_name=group,
                    group_source="manual" if group else None,
                )
            )
        s.flush()
        s.execute(
            insert(CaseAttribute),
            [
                {
                    "case_id": i + 1,
                    "name": "fidelity",
                    "value_type": "number",
                    "number_value": float(rng.randint(3, 14)),
                }
                for i in range(n_cases)
            ],
        )
        codes = []
        for c in range(n_codes):
            parent = codes[rng.randrange(len(codes))]["id"] if c >= 20 and c % 4 == 0 else None
            codes.append(
                {
                    "id": c + 1,
                    "name": f"Code {c + 1}",
                    "parent_id": parent,
                    "origin": "inductive",
                    "sort_order": c,
                }
            )
        s.execute(insert(Code), codes)
        n_docs = n_cases * PER_CASE
        s.execute(
            insert(Participant),
            [
                {
                    "id": d + 1,
                    "label": f"S{d // PER_CASE + 1}PW{d % PER_CASE + 1}",
                    "case_id": d // PER_CASE + 1,
                }
                for d in range(n_docs)
            ],
        )
        s.execute(
            insert(Document),
            [
                {
                    "id": d + 1,
                    "name": f"doc{d + 1}",
                    "text": text,
                    "sha256": digest,
                    "word_count": DOC_CHARS // 5,
                    "participant_id": d + 1,
                }
                for d in range(n_docs)
            ],
        )
        # Codes are used unevenly (some everywhere, some rarely) as in real projects.
        weights = [1.0 / (1 + c % 25) for c in range(n_codes)]
        code_ids = rng.choices(range(1, n_codes + 1), weights=weights, k=n_codings)
        rows = []
        for k in range(n_codings):
            start = rng.randrange(0, DOC_CHARS - 200)
            rows.append(
                {
                    "document_id": rng.randrange(n_docs) + 1,
                    "code_id": code_ids[k],
                    "coder_id": coder_id,
                    "start": start,
                    "end": start + rng.randint(20, 200),
                    "valence": rng.choice(VALENCES),
                }
            )
        s.execute(insert(Coding), rows)
    return project


def timed(fn, repeat: int = 7) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    """Best wall time of ``repeat`` runs (the least disturbed by other work), and the value."""
    times, value = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), value


def machine_load() -> str:
    """A yardstick for noisy shared machines: a fixed pure-Python loop, and the load average."""
    t0 = time.perf_counter()
    total = 0
    for i in range(1_000_000):
        total += i
    loop = time.perf_counter() - t0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"yardstick: 1M-step Python loop {loop * 1000:.0f} ms, load average {load:.1f} on "
        f"{os.cpu_count()} CPUs"
    )


def command_time(db: Path | None, args: list[str], pycache: Path, repeat: int = 5) -> float:
    """Best wall time of a ``qualcode`` command (or, with ``db`` None, of ``python ARGS``)."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(pycache), QUALCODE_CODER="bench")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("QUALCODE_DB", None)
    cmd = [sys.executable, *(["-m", "qualcode", "--db", str(db)] if db else []), *args]
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)  # warm the cache
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--codes", type=int, default=200)
    ap.add_argument("--codings", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, help="Keep the generated project in this folder.")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="qualcode-bench-patterns-"))
    try:
        db = folder / "bench.db"
        t0 = time.perf_counter()
        project = build(db, args.cases, args.codes, args.codings)
        project.engine.dispose()  # fold the write-ahead log in, as a later session would find it
        project = Project.open(db, coder="bench")
        print(
            f"Generated {args.cases} cases, {args.cases * PER_CASE} documents, {args.codes} "
            f"codes, {args.codings:,} codings in {time.perf_counter() - t0:.1f} s"
        )
        for by_valence in (False, True):
            for roll_up in (False, True):
                with project.read() as s:
                    t, coded = timed(
                        lambda s=s, v=by_valence, r=roll_up: coded_documents(
                            s, by_valence=v, roll_up=r
                        )
                    )
                label = ("code × valence" if by_valence else "code") + (
                    ", roll-up" if roll_up else ""
                )
                print(
                    f"  presence query ({label}): {t * 1000:.0f} ms, "
                    f"{len(coded.documents):,} code{' × valence' if by_valence else ''} "  # type: ignore[attr-defined]
                    "lists"
                )
        print(machine_load())
        for by_valence in (False, True):
            t, result = timed(
                lambda v=by_valence: find_project_patterns(project, PresenceRule(by_valence=v))
            )
            cats = {
                c: len(result.by_category(c))
                for c in ("shared", "high", "low", "outlier", "none")  # type: ignore[attr-defined]
            }
            verdict = "OK" if t < 0.2 else "SLOW"
            print(
                f"Pattern matching in-process ({'per valence' if by_valence else 'per code'}): "
                f"{t * 1000:.0f} ms (target < 200 ms: {verdict}); categories {cats}"
            )
            t0 = time.perf_counter()
            cells = sum(len(row.counts) for row in result.rows)  # type: ignore[attr-defined]
            print(
                f"  then per-case counts of every row, as a table shows them: "
                f"{(time.perf_counter() - t0) * 1000:.0f} ms, {cells:,} code×case cells"
            )
        project.engine.dispose()
        pycache = folder / "pycache"
        for extra in ([], ["--by-valence"]):
            t = command_time(db, ["patterns", "--format", "json", *extra], pycache)
            verdict = "OK" if t < 1.0 else "SLOW"
            print(
                f"qualcode patterns --format json {' '.join(extra)}: {t:.2f} s "
                f"(target < 1 s: {verdict})"
            )
        base = command_time(db, ["--help"], pycache)
        print(f"  for comparison, qualcode --help: {base:.2f} s (interpreter + CLI start-up)")
        floor = command_time(None, ["-c", "import sqlalchemy.orm"], pycache)
        print(
            f"  and python -c 'import sqlalchemy.orm': {floor:.2f} s (interpreter + SQLAlchemy "
            "with the collector on; qualcode keeps it off during start-up)"
        )
        print(machine_load())
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(db, args.keep / "bench_patterns.db")
            print(f"Kept the project at {args.keep / 'bench_patterns.db'}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
