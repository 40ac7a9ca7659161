"""Benchmark: ``qualcode import FOLDER`` as a whole command beside spaCy's sentencizer alone.

The scale projects' transcripts (``bench_scale.cached``: 50 / 500 / 2,000 synthetic
interviews) are written out as .txt files and imported into a new project by the
command in a child process. Beside it, spaCy's sentencizer alone, two ways:

- as a whole command (``bench_scale.sentencizer_command``): a process that loads
  spaCy, builds the blank English pipeline + sentencizer, reads the files and
  segments them. This is the baseline of the target. The figures that set it
  (sentencizer alone 3.1-3.4 s at 500 interviews, 8.2-9.7 s at 2,000: four times the
  words in less than three times the time) hold about 1.3 s that does not grow with
  the words, which is spaCy's load: they were whole commands too;
- stricter, the same speaker turns in this process, spaCy's load not counted.

Rounds alternate the three so that a shared machine's changing speed affects them
alike; the medians are printed as wall seconds and CPU seconds (user + system time,
less sensitive to other people's load), beside the yardstick.
Target: the import at most 1.67x the sentencizer alone as a command (0.6x its speed).

    python bench/bench_import_command.py [--sizes 50,500,2000] [--rounds 3] [--root DIR]

``--root`` runs the command from another checkout (e.g. the code before a change).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_scale import cached, sentencizer_command, yardstick

from qualcode.ingest import segment
from qualcode.ingest.turns import parse_turns

TARGET = 1 / 0.6


def write_transcripts(src: Path, folder: Path) -> list[str]:
    """The project's transcripts as .txt files in ``folder``; returns their speaker turns."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    con = sqlite3.connect(src)
    texts = [t for (t,) in con.execute("select text from documents order by id")]
    con.close()
    for i, text in enumerate(texts):
        (folder / f"T{i:05d}.txt").write_text(text, encoding="utf-8")
    return [text[t.start : t.end] for text in texts for t in parse_turns(text).turns]


def run_import(files: Path, db: Path, root: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``python -m qualcode import FILES`` into a new project."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = dict(os.environ, QUALCODE_DB=str(db), QUALCODE_CODER="analyst")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "qualcode", "import", str(files), "--framework", "none"],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"qualcode import failed: {proc.stderr.decode()[-2000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def sentencizer_alone(nlp: object, turns: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of the blank pipeline + sentencizer over ``turns``."""
    t, c = time.perf_counter(), time.process_time()
    for _doc in nlp.pipe(turns, batch_size=256):  # type: ignore[attr-defined]
        pass
    return time.perf_counter() - t, time.process_time() - c


def bench_size(n: int, folder: Path, rounds: int, root: Path) -> None:
    files = folder / f"transcripts-{n}"
    turns = write_transcripts(cached(n), files)
    nlp = segment.blank_pipeline()
    command, as_command, alone, yards = [], [], [], []
    for _ in range(rounds):
        yards.append(yardstick())
        as_command.append(sentencizer_command(files))
        alone.append(sentencizer_alone(nlp, turns))
        command.append(run_import(files, folder / "import.db", root))
    yard = statistics.median(yards)
    cmd_wall, cmd_cpu = (statistics.median(x) for x in zip(*command, strict=True))
    print(f"\n{n} transcripts ({len(turns)} turns)   yardstick {yard * 1000:.1f} ms")
    print(f"  {'qualcode import (command)':<42} {cmd_wall:6.2f} s wall {cmd_cpu:6.2f} s CPU")
    for what, runs, target in (
        ("spaCy sentencizer alone, as a command", as_command, f"target <= {TARGET:.2f}x"),
        ("the same turns in this process (no load)", alone, "(stricter)"),
    ):
        wall, cpu = (statistics.median(x) for x in zip(*runs, strict=True))
        print(
            f"  {what:<42} {wall:6.2f} s wall {cpu:6.2f} s CPU"
            f"   import {cmd_wall / wall:.2f}x wall, {cmd_cpu / cpu:.2f}x CPU  {target}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="50,500,2000", help="Comma-separated transcript counts.")
    ap.add_argument("--rounds", type=int, default=3, help="Alternating rounds per size.")
    ap.add_argument("--root", type=Path, default=ROOT, help="Checkout to run the command from.")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="qualcode-import-"))
    try:
        for n in (int(x) for x in args.sizes.split(",")):
            bench_size(n, folder, args.rounds, args.root.resolve())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
