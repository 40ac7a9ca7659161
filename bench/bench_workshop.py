"""Benchmark: the workshop page on a generated project (the matrix benchmark's data).

Prints, over a real uvicorn server on 127.0.0.1: the time to serve the whole matrix
page, its live part (what every open page fetches after a change), one cell and
the pattern table (medians: shared results), the first fetch after a change (the
one that rebuilds); the cost of one change check (what the server runs about once
a second while a page is open); and how long a comment takes to reach another
page's event stream.

Targets: the first live matrix part after a change under 2 s, later ones under 0.1 s; a change check under 5 ms; a comment seen by
another page well within 2 s.

    python bench/bench_workshop.py [--documents 300] [--codings 20000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_matrix import generate
from qualcode.services import charting, workshop
from qualcode.web.server import serve_in_thread


def timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--codings", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = generate(Path(tmp) / "bench.db", args.documents, args.codings)
        m = charting.matrix(project)
        print(f"{len(m.rows)} cases × {len(m.columns)} code columns, {m.codings} codings")
        print(
            f"change check (median of 200): "
            f"{timed(lambda: workshop.change_marker(project), 200) * 1000:.2f} ms"
        )
        row, col = m.rows[0], m.columns[1]
        with serve_in_thread(project, poll_interval=1.0) as running:
            base, token = running.url.split("/?token=")
            with httpx.Client(
                base_url=base, headers={"X-Workshop-Token": token}, timeout=60
            ) as http:
                for label, path in (
                    ("matrix page", "/"),
                    ("matrix live part", "/?fragment=1"),
                    ("one domain", "/?domain=Context&fragment=1"),
                    ("one cell", f"/cell/case/{row.id}/{col.code_id}"),
                    ("pattern table", "/patterns"),
                ):
                    size = len(http.get(path).content)
                    print(
                        f"{label:18} {timed(lambda p=path: http.get(p)) * 1000:8.1f} ms "
                        f"({size / 1024:.0f} KiB)"
                    )

                def cold() -> None:
                    charting.add_workshop_comment(
                        project, "case", row.id, col.code_id, "cold", author="bench"
                    )
                    http.get("/?fragment=1")

                print(
                    f"{'first after change':18} {timed(cold, 3) * 1000:8.1f} ms "
                    "(matrix rebuilt once, then shared by every page)"
                )
                with http.stream("GET", "/events") as events:
                    lines = events.iter_lines()
                    next(line for line in lines if line.startswith("event: hello"))
                    seen = []
                    for n in range(5):
                        start = time.perf_counter()
                        charting.add_workshop_comment(
                            project, "case", row.id, col.code_id, f"bench {n}", author="bench"
                        )
                        next(line for line in lines if line.startswith("event: change"))
                        seen.append(time.perf_counter() - start)
                print(
                    f"comment written elsewhere -> event on an open page: median "
                    f"{statistics.median(seen):.2f} s, worst {max(seen):.2f} s "
                    "(polling once a second)"
                )


if __name__ == "__main__":
    main()
