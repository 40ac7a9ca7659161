"""Time to list every QCA model (fewest prime implicants) on random truth tables.

For each number of conditions, random tables (a share of configurations observed,
half of those showing the outcome) are solved: complex, parsimonious and an
intermediate solution with every condition expected present. Prints the median and
worst seconds and the most models met (at most 100 are listed). Target: under 2 s per
table up to 7 conditions on these dense tables (far more rows than a case study has).

Then a few dense tables at 8 and 10 conditions, where listing every minimal cover is
exponential: the search stops at its budget (qca_covers.SEARCH_BUDGET steps or
SEARCH_SECONDS per kind of solution). Prints seconds and how each search ended
(complete / partial: fewest terms proven, not every model listed / unproven: greedy cover).
Target: every table finishes within 3 x SEARCH_SECONDS plus fitting, and says so when cut.

    python bench/bench_qca.py [--tables 10] [--max-k 7] [--seed 1] [--dense 2]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualcode.analysis.qca import CaseInput, parse_condition, run_qca
from qualcode.analysis.qca_covers import SEARCH_BUDGET, SEARCH_SECONDS


def table(rng: random.Random, k: int) -> list[CaseInput]:
    configs = rng.sample(range(2**k), max(1, int(2**k * rng.uniform(0.2, 0.6))))
    out = []
    for c in configs:
        attrs: dict[str, int | float | str] = {f"x{i}": (c >> (k - 1 - i)) & 1 for i in range(k)}
        attrs["y"] = int(rng.random() < 0.5)
        out.append(CaseInput(f"c{c}", attrs))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", type=int, default=10)
    ap.add_argument("--max-k", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dense", type=int, default=2, help="tables at 8 and 10 conditions")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    y = parse_condition("Y: y == 1")
    print(f"{'k':>3} {'median s':>9} {'worst s':>8} {'most models':>12}")
    for k in range(3, args.max_k + 1):
        conds = [parse_condition(f"X{i}: x{i} == 1") for i in range(k)]
        times, most = [], 0
        for _ in range(args.tables):
            data = table(rng, k)
            start = time.perf_counter()
            r = run_qca(data, conds, y, expectations=[f"X{i}=1" for i in range(k)])
            times.append(time.perf_counter() - start)
            most = max(most, len(r.complex), len(r.parsimonious), len(r.intermediate))
        print(f"{k:>3} {statistics.median(times):>9.3f} {max(times):>8.3f} {most:>12}", flush=True)
    dense(rng, y, args.dense)


def dense(rng: random.Random, y: object, tables: int) -> None:
    """8 and 10 conditions: seconds, and whether each kind's search finished."""
    print(f"\nsearch limit: {SEARCH_BUDGET:,} steps or {SEARCH_SECONDS:g} s per kind")
    print(f"{'k':>3} {'rows':>5} {'seconds':>8}  complex / parsimonious / intermediate")
    for k in (8, 10):
        conds = [parse_condition(f"X{i}: x{i} == 1") for i in range(k)]
        for _ in range(tables):
            data = table(rng, k)
            start = time.perf_counter()
            r = run_qca(data, conds, y, expectations=[f"X{i}=1" for i in range(k)])
            took = time.perf_counter() - start
            ends = " / ".join(
                f"{r.search.get(kind, '-')} ({len(getattr(r, kind))})"
                for kind in ("complex", "parsimonious", "intermediate")
            )
            print(f"{k:>3} {len(data):>5} {took:>8.2f}  {ends}", flush=True)


if __name__ == "__main__":
    main()
