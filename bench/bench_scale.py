"""Benchmark: the figures people feel, on projects of 50 / 500 / 2,000 transcripts.

Projects are generated with a seed (synthetic interviews of about 3,100 words, one
case and participant per transcript, two case attributes, modified PARIHS applied,
about 32 codings per transcript) by writing straight through the store, and cached
under ``bench/out/`` (delete them to rebuild). Each figure is measured on a fresh
copy of the cached project.

The machine is shared and loaded, so every size also prints a yardstick measured in
the same run (a fixed pure-Python workload and ``python -c pass`` for commands); read
the ratios. Targets: one coding < 2 ms median (p95 < 5 ms); codings CSV import of
65k codings at 2,000 transcripts < 5 s; ``code list``/``case list`` < 0.3 s;
``matrix --by case`` < 0.5 s; ``export chart --format docx`` < 3 s at 500 and < 12 s
at 2,000, memory < 250 MB; ``codings --json`` memory flat in project size; ``import``
of the transcripts as a command (500 and 2,000) at most 1.67x spaCy's sentencizer alone
as a command on the same files.

    python bench/bench_scale.py [--sizes 50,500,2000] [--codings 200]
    python bench/bench_scale.py --listings   # only the listing commands, median of 3 runs
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualcode.analysis.leaks import find_leaks
from qualcode.ingest import segment
from qualcode.ingest.turns import parse_turns
from qualcode.services.codebook import code_paths
from qualcode.services.coding import add_coding
from qualcode.services.codings_file import apply_codings_csv
from qualcode.services.frameworks import apply_framework
from qualcode.services.leaks import scanned_texts
from qualcode.services.project import Project
from qualcode.store.engine import close_engine, make_engine, migrate
from qualcode.store.models import (
    Case,
    CaseAttribute,
    Code,
    Coder,
    Coding,
    Document,
    Participant,
    Segment,
)

OUT = ROOT / "bench" / "out"
VERSION = 2  # bump when the generated project changes
WORDS = str.split(
    "peer support ward staff discharge handover supervision coordinator training boundaries "
    "community team travel phone budget leadership culture feedback role flexible "
    "experience story trust manager meeting weekly person home people really think know "
    "felt time first month week back never always something nurse doctor bus estate "
    "referral recovery hope listen together plan door note rural town hours group friend "
    "family money housing letter office"
)
CODINGS_PER_DOC = 32


def _interview(rng: random.Random, words: int, label: str) -> str:
    out, count, turn = [], 0, 0
    while count < words:
        turn += 1
        speaker = "Interviewer" if turn % 2 else label
        sents = []
        for _ in range(rng.randint(1, 2) if speaker == "Interviewer" else rng.randint(3, 9)):
            k = rng.randint(6, 22)
            sent = " ".join(rng.choices(WORDS, k=k))
            sents.append(sent[0].upper() + sent[1:] + rng.choice(".?.!."))
            count += k
        out.append(f"{speaker}: " + " ".join(sents))
    return "[Synthetic interview.]\n\n" + "\n\n".join(out) + "\n"


def _segments(doc_id: int, text: str) -> list[dict]:
    """Turns (label excluded) and sentences, as the importer stores them."""
    rows, pos, sseq = [], text.index("\n\n") + 2, 0
    for tseq, turn in enumerate(text[pos:].rstrip("\n").split("\n\n"), 1):
        label, _, body = turn.partition(": ")
        start = pos + len(label) + 2
        is_part = label != "Interviewer"
        rows.append(
            {
                "document_id": doc_id,
                "kind": "turn",
                "seq": tseq,
                "start": start,
                "end": start + len(body),
                "speaker": label,
                "is_participant": is_part,
            }
        )
        a = start
        for i, ch in enumerate(body):
            if ch in ".?!":
                sseq += 1
                rows.append(
                    {
                        "document_id": doc_id,
                        "kind": "sentence",
                        "seq": sseq,
                        "start": a,
                        "end": start + i + 1,
                        "speaker": label,
                        "is_participant": is_part,
                    }
                )
                a = start + i + 2
        pos += len(turn) + 2
    return rows


def generate(db: Path, n: int) -> None:
    rng = random.Random(18)
    project = Project.open(db, coder="analyst", create=True)
    apply_framework(project, "modified-parihs")
    with project.transaction("generate") as s:
        code_ids = list(s.scalars(select(Code.id).where(Code.codable)))
        coder = s.scalar(select(Coder).where(Coder.name == "analyst")) or Coder(name="analyst")
        s.add(coder)
        s.flush()
        groups = ("high", "low", "outlier")
        s.execute(
            insert(Case),
            [
                {"name": f"Site {c + 1}", "group_name": groups[c % 3], "group_source": "manual"}
                for c in range(n)
            ],
        )
        case_ids = list(s.scalars(select(Case.id).order_by(Case.id)))
        s.execute(
            insert(CaseAttribute),
            [
                row
                for cid in case_ids
                for row in (
                    {
                        "case_id": cid,
                        "name": "fidelity",
                        "value_type": "number",
                        "number_value": rng.randint(4, 14),
                    },
                    {
                        "case_id": cid,
                        "name": "locality",
                        "value_type": "text",
                        "text_value": rng.choice(("urban", "town", "rural")),
                    },
                )
            ],
        )
        s.execute(
            insert(Participant),
            [{"label": f"P{cid:04d}", "case_id": cid, "role": "PW"} for cid in case_ids],
        )
        parts = dict(s.execute(select(Participant.case_id, Participant.id)).all())
        for lo in range(0, n, 100):
            docs = []
            for cid in case_ids[lo : lo + 100]:
                label = f"P{cid:04d}"
                text = _interview(rng, 3100, label)
                docs.append(
                    {
                        "name": label,
                        "text": text,
                        "participant_id": parts[cid],
                        "source_file": f"{label}.txt",
                        "word_count": len(text.split()),
                        "sha256": hashlib.sha256(text.encode()).hexdigest(),
                    }
                )
            s.execute(insert(Document), docs)
        segs: list[dict] = []
        codings: list[dict] = []
        for did, text in s.execute(select(Document.id, Document.text)):
            doc_segs = _segments(did, text)
            segs += doc_segs
            sentences = [r for r in doc_segs if r["kind"] == "sentence"]
            seen: set[tuple[int, int, int]] = set()  # a coding is unique per code and span
            while len(seen) < CODINGS_PER_DOC:
                a = rng.randrange(len(sentences) - 3)
                key = (
                    rng.choice(code_ids),
                    sentences[a]["start"],
                    sentences[a + rng.randint(0, 2)]["end"],
                )
                if key in seen:
                    continue
                seen.add(key)
                codings.append(
                    {
                        "document_id": did,
                        "code_id": key[0],
                        "coder_id": coder.id,
                        "start": key[1],
                        "end": key[2],
                        "valence": rng.choice(("facilitator", "barrier", "neutral", None)),
                    }
                )
            if len(segs) > 50_000:
                s.execute(insert(Segment), segs)
                segs = []
        if segs:
            s.execute(insert(Segment), segs)
        s.execute(insert(Coding), codings)
    project.engine.dispose()


def cached(n: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"scale-{n}-v{VERSION}.db"
    if not db.exists():
        t = time.perf_counter()
        tmp = db.with_suffix(".tmp.db")
        tmp.unlink(missing_ok=True)
        generate(tmp, n)
        tmp.rename(db)
        print(f"  (generated {n} transcripts in {time.perf_counter() - t:.1f} s, cached in {db})")
    at_head(db)
    return db


def at_head(db: Path) -> None:
    """Upgrade a project cached by an older schema once, so that no timed run pays for it."""
    engine = make_engine(f"sqlite:///{db}")
    try:
        migrate(engine, backup=False)
    finally:
        close_engine(engine)


def fresh_copy(db: Path, folder: Path) -> Path:
    out = folder / "project.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(db, out)
    return out


def yardstick() -> float:
    """Seconds for a fixed pure-Python workload (median of 5): the machine's speed right now."""

    def work() -> None:
        rng = random.Random(1)
        data = [rng.random() for _ in range(60_000)]
        sorted(data)
        "".join(str(x) for x in data[:20_000])

    times = []
    for _ in range(5):
        t = time.perf_counter()
        work()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


_PEAK = """import atexit, runpy, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("PEAK_KB " + line.split()[1] + "\\n")
atexit.register(peak)
sys.argv = ["qualcode", *sys.argv[1:]]
runpy.run_module("qualcode", run_name="__main__", alter_sys=True)
"""


# spaCy's sentencizer alone as a whole command: what a one-off script over the folder
# does (load spaCy, build the blank English pipeline + sentencizer, read every file,
# segment it), to set beside ``qualcode import`` run on the same folder.
_SENTENCIZER = """import sys
from pathlib import Path
import spacy
nlp = spacy.blank("en")
nlp.add_pipe("sentencizer")
texts = (p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt")))
print(sum(1 for _doc in nlp.pipe(texts, batch_size=64)))
"""


def sentencizer_command(files: Path) -> tuple[float, float]:
    """Wall and CPU seconds of spaCy's sentencizer alone as a whole command over ``files``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _SENTENCIZER, str(files)], check=True, capture_output=True
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def _tree_rss_kb(pid: int) -> int:
    """Resident KB of ``pid`` and every process below it (0 once it has gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [
                    int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split()
                ]
        except (OSError, ValueError):
            continue
    return total


class TreePeak(threading.Thread):
    """The largest resident memory of a process and its children at once, sampled."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_kb = pid, every, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every):
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))


def run_command(args: list[str], db: Path, stdout_path: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of ``python -m qualcode ARGS`` as a child process.

    The peak is the larger of the command's own high-water mark (VmHWM; a forked
    child's rusage would also count the benchmark's memory from before it started the
    command) and the most that the command and the processes it started (an export's
    scan process, an import's segmenting process) held at once, sampled every 20 ms.
    """
    env = dict(os.environ, QUALCODE_DB=str(db), QUALCODE_CODER="analyst")
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        t = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", _PEAK, *args],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.PIPE,
        )
        sampler = TreePeak(proc.pid)
        sampler.start()
        _, err_bytes = proc.communicate()
        secs = time.perf_counter() - t
        sampler.done.set()
        sampler.join()
    finally:
        if stdout_path:
            out.close()  # type: ignore[union-attr]
    err = err_bytes.decode()
    if proc.returncode != 0:
        raise SystemExit(f"qualcode {' '.join(args)} failed: {err}")
    kb = [int(line.split()[1]) for line in err.splitlines() if line.startswith("PEAK_KB ")]
    own = kb[-1] if kb else 0
    peak = max(own, sampler.peak_kb)
    return secs, (peak / 1024 if peak else float("nan"))


def python_startup() -> float:
    times = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


CODING_CPU_MS: list[float] = []  # the last bench_codings' CPU time per coding


def coding_cpu_row() -> None:
    """The one-coding figure in this process's CPU time: on a loaded machine the wall-clock
    p95 is mostly time spent waiting for a core (another process's time slice)."""
    cpu = sorted(CODING_CPU_MS)
    CODING_CPU_MS.clear()
    if cpu:
        print(
            f"  {'  the same, CPU time, median / p95':<38} {statistics.median(cpu):6.2f} / "
            f"{cpu[int(len(cpu) * 0.95) - 1]:.2f} ms"
        )


def bench_codings(db: Path, count: int) -> tuple[float, float]:
    """Median and p95 ms of one coding applied by document name and code path, committed."""

    project = Project.open(db, coder="analyst")
    with project.read() as s:
        docs = s.execute(select(Document.name, Document.word_count)).all()
    rng = random.Random(5)
    codes = [
        "Context/Culture",
        "Facilitation/Facilitator role",
        "Innovation/Usability",
        "Recipients/Motivation",
    ]
    with project.read() as s:
        known = {"/".join(p) for p in code_paths(s).values()}
    codes = [c for c in codes if c in known] or sorted(known)[:4]
    add_coding(project, docs[0].name, 0, 5, codes[0])  # warm up (mappers, statements)
    times = []
    for _ in range(count):
        name, _ = rng.choice(docs)
        with project.read() as s:
            turns = s.execute(
                select(Segment.start, Segment.end)
                .join(Document, Document.id == Segment.document_id)
                .where(Document.name == name, Segment.kind == "turn")
            ).all()
        # A coding stays inside one speaker's turn (labels excluded): pick a turn, then a span.
        turn = rng.choice([t for t in turns if t.end - t.start > 2])
        start = rng.randrange(turn.start, turn.end - 1)
        end = min(start + rng.randint(20, 300), turn.end)
        t, cpu = time.perf_counter(), time.process_time()
        add_coding(project, name, start, end, rng.choice(codes), valence="barrier")
        times.append((time.perf_counter() - t) * 1000)
        CODING_CPU_MS.append((time.process_time() - cpu) * 1000)
    project.engine.dispose()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def codings_csv(db: Path, path: Path, rows: int) -> int:
    """A codings CSV of ``rows`` phrases (12 words from random places) for the import figure."""
    rng = random.Random(9)
    con = sqlite3.connect(db)
    docs = con.execute("select name, text from documents").fetchall()
    con.close()
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["document", "code", "valence", "phrase", "coder"])
        for i in range(rows):
            name, text = docs[i % len(docs)]
            words = text.split(" ")
            a = rng.randrange(5, len(words) - 14)
            w.writerow([name, "Context/Culture", "barrier", " ".join(words[a : a + 12]), "csv"])
    return rows


def bench_import_command(src: Path, folder: Path, yard: float) -> None:
    """``qualcode import FOLDER`` on the project's transcripts, beside the sentencizer alone.

    The transcripts are written out as .txt files. The sentencizer alone is timed as a
    whole command over the same files (``sentencizer_command``), and, stricter, over
    the same speaker turns in this process with its load not counted. Target: the
    import at most 1/0.6 = 1.67x the sentencizer alone as a command (see
    ``bench_import_command`` for why that is the baseline the target was set against).
    """
    files = folder / "transcripts"
    shutil.rmtree(files, ignore_errors=True)
    files.mkdir()
    con = sqlite3.connect(src)
    texts = [t for (t,) in con.execute("select text from documents order by id")]
    con.close()
    for i, text in enumerate(texts):
        (files / f"T{i:05d}.txt").write_text(text, encoding="utf-8")
    turns = [text[t.start : t.end] for text in texts for t in parse_turns(text).turns]
    target = folder / "import.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    secs, _ = run_command(["import", str(files), "--framework", "none"], target)
    as_command, _ = sentencizer_command(files)
    nlp = segment.blank_pipeline()
    t = time.perf_counter()
    for _doc in nlp.pipe(turns, batch_size=256):
        pass
    alone = time.perf_counter() - t
    row(f"qualcode import ({len(texts)} transcripts)", secs, yard, "target <= 1.67x alone")
    row(
        "  spaCy sentencizer alone, as a command",
        as_command,
        yard,
        "",
        f"import {secs / as_command:.2f}x",
    )
    row(
        "  the same turns in this process",
        alone,
        yard,
        "(load not counted)",
        f"import {secs / alone:.2f}x",
    )


FIGURES: dict[str, dict[int, float]] = {}  # figure -> size -> seconds, for the growth table
SIZE = [0]  # the size being measured


def bench_first_exports(src: Path, folder: Path, yard: float) -> None:
    """The chart as .docx and as .xlsx, each first on a fresh copy (scan included), then again.

    Targets: the first .docx export < 3 s at 500 and < 12 s at 2,000; memory < 250 MB for
    both formats. The .xlsx has no time target (openpyxl's per-cell work sets its pace).
    """
    targets = {
        "docx": "target < 3 s (500) / < 12 s (2,000), < 250 MB",
        "xlsx": "target < 250 MB",
    }
    for fmt in ("docx", "xlsx"):
        db = fresh_copy(src, folder)
        out = str(folder / f"first.{fmt}")
        for when in ("first", "second"):
            secs, mb = run_command(["export", "chart", out, "--format", fmt], db)
            row(
                f"export chart --format {fmt} ({when})",
                secs,
                yard,
                targets[fmt],
                f"{mb:6.0f} MB peak",
            )


def bench_scan_alone(src: Path, folder: Path, yard: float) -> None:
    """The identifier scan alone (what the first export's gate runs), in this process."""
    project = Project.open(fresh_copy(src, folder), coder="analyst")
    docs = scanned_texts(project)
    project.engine.dispose()
    find_leaks(docs[:1])  # spaCy loaded, as in a command that has started
    words = sum(len(t.split()) for _, t in docs)
    t = time.perf_counter()
    found = find_leaks(docs)
    secs = time.perf_counter() - t
    row(
        f"identifier scan alone ({words / 1e6:.2f}M words)",
        secs,
        yard,
        "",
        f"{words / secs / 1e6:.2f}M words/s, {len(found)} found",
    )


def row(what: str, secs: float, yard: float, target: str = "", extra: str = "") -> None:
    key = re.sub(r" \(\d[^)]*\)", "", what)  # "(1600 rows)" differs by size; "(first)" not
    FIGURES.setdefault(key, {})[SIZE[0]] = secs
    print(
        f"  {what:<38} {secs * 1000:9.1f} ms  {secs / yard:7.1f}x yardstick  {extra:<14} {target}"
    )


def bench_size(n: int, folder: Path, count: int) -> None:
    src = cached(n)
    SIZE[0] = n
    yard = yardstick()
    start_py = python_startup()
    print(
        f"\n{n} transcripts   yardstick {yard * 1000:.1f} ms (pure Python), "
        f"python -c pass {start_py * 1000:.0f} ms"
    )
    db = fresh_copy(src, folder)
    med, p95 = bench_codings(db, count)
    FIGURES.setdefault("one coding (median)", {})[n] = med / 1000
    print(
        f"  {'one coding (service), median / p95':<38} {med:6.2f} / {p95:.2f} ms  "
        f"{med / 1000 / yard:7.3f}x yardstick (median)   target < 2 / < 5 ms"
    )
    coding_cpu_row()
    db = fresh_copy(src, folder)
    csv_path = folder / "codings.csv"
    rows = codings_csv(db, csv_path, CODINGS_PER_DOC * n)
    project = Project.open(db, coder="analyst")
    t = time.perf_counter()
    report = apply_codings_csv(project, csv_path)
    secs = time.perf_counter() - t
    project.engine.dispose()
    row(
        f"codings CSV import ({rows} rows)",
        secs,
        yard,
        "target < 5 s (65k rows)",
        f"{report.applied} applied",
    )
    db = fresh_copy(src, folder)
    for args, target in (
        (["code", "list"], "target < 0.3 s"),
        (["case", "list"], "target < 0.3 s"),
        (["matrix", "--by", "case"], "target < 0.5 s"),
    ):
        secs, _ = run_command(args, db)
        row("qualcode " + " ".join(args), secs, yard, target)
    # First export scans for identifiers; the next ones reuse the gate's remembered scan.
    bench_first_exports(src, folder, yard)
    bench_scan_alone(src, folder, yard)
    secs, mb = run_command(["codings", "--json"], db, folder / "codings.json")
    row("qualcode codings --json", secs, yard, "memory flat in size", f"{mb:6.0f} MB peak")
    if n >= 500:
        bench_import_command(src, folder, yard)
    print(f"  yardstick again: {yardstick() * 1000:.1f} ms")


def print_growth() -> None:
    """How each figure grows with the project: seconds per size and the factor per step."""
    sizes = sorted({n for by_size in FIGURES.values() for n in by_size})
    if len(sizes) < 2:
        return
    steps = list(zip(sizes, sizes[1:], strict=False))
    head = "".join(f"{n:>10}" for n in sizes) + "".join(f"{f'{b}/{a}':>11}" for a, b in steps)
    factors = ", ".join(f"{b / a:g}x" for a, b in steps)
    print(f"\ngrowth (seconds at each size; time factor per step, size factors {factors})")
    print(f"  {'figure':<46}{head}")
    for what, by_size in FIGURES.items():
        cells = "".join(f"{by_size[n]:10.3f}" if n in by_size else f"{'-':>10}" for n in sizes)
        grow = "".join(
            f"{by_size[b] / by_size[a]:10.1f}x" if a in by_size and b in by_size else f"{'-':>11}"
            for a, b in steps
        )
        print(f"  {what:<46}{cells}{grow}")


LISTINGS = (
    (["code", "list"], "target < 0.3 s"),
    (["case", "list"], "target < 0.3 s"),
    (["matrix", "--by", "case"], "target < 0.5 s"),
)


def bench_listings(n: int, folder: Path) -> None:
    """The listing commands alone, each the median of 3 runs, beside the yardsticks.

    A quicker check than a whole size: these commands read the project without writing,
    so one fresh copy serves every run.
    """
    yard = yardstick()
    start_py = python_startup()
    print(
        f"\n{n} transcripts   yardstick {yard * 1000:.1f} ms (pure Python), "
        f"python -c pass {start_py * 1000:.0f} ms"
    )
    db = fresh_copy(cached(n), folder)
    for args, target in LISTINGS:
        secs = statistics.median(run_command(args, db)[0] for _ in range(3))
        row("qualcode " + " ".join(args), secs, yard, target, f"{secs / start_py:.1f}x py start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="50,500,2000", help="Comma-separated transcript counts.")
    ap.add_argument("--codings", type=int, default=200, help="Codings timed one by one per size.")
    ap.add_argument(
        "--listings", action="store_true", help="Only code list, case list and matrix --by case."
    )
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="qualcode-scale-"))
    try:
        for n in (int(x) for x in args.sizes.split(",")):
            if args.listings:
                bench_listings(n, folder)
            else:
                bench_size(n, folder, args.codings)
        print_growth()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
