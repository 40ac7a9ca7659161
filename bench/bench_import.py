"""Import throughput and memory on a generated corpus (~1,000,000 words, ~300 transcripts).

Prints end-to-end import words/s, peak RSS after 1/4, 1/2 and all of the corpus
(memory should stay flat as the corpus grows), and, over the same speaker turns,
the words/s of spaCy's blank pipeline + sentencizer alone, measured two ways each
round: around a whole-corpus import, and side by side in slices so that a shared
machine's changing speed affects both alike. Target: import at least 0.6x the
sentencizer-only figure by both.

    python bench/bench_import.py [--words 1000000] [--docx-share 0.3] [--rounds 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualcode.ingest import segment
from qualcode.ingest.readers import read_transcript
from qualcode.ingest.turns import parse_turns
from qualcode.services.importing import count_rows, import_paths
from qualcode.services.project import Project

TARGET_RATIO = 0.6
FALLBACK_WORDS = [
    "support",
    "ward",
    "staff",
    "peer",
    "worker",
    "team",
    "training",
    "meeting",
    "service",
    "discharge",
    "recovery",
    "manager",
    "role",
    "lived",
    "experience",
    "community",
    "hospital",
    "nurse",
    "family",
    "group",
    "supervision",
]
QUESTIONS = (
    "How did {} work for you?",
    "Could you tell me more about {}?",
    "What made {} easier or harder?",
    "Was there anything about {} you would change?",
)


def vocabulary() -> list[str]:
    """Words of the sample transcripts (realistic lengths and frequencies)."""
    words: list[str] = []
    for path in (ROOT / "sample_transcripts").glob("*.txt"):
        words += re.findall(r"[A-Za-z’']+", path.read_text(encoding="utf-8"))
    return [w.lower() for w in words if len(w) > 1] or FALLBACK_WORDS


def sentence(rng: random.Random, vocab: list[str]) -> str:
    n = max(3, int(rng.gauss(16, 7)))
    words = [rng.choice(vocab) for _ in range(n)]
    if rng.random() < 0.05:
        words[0:1] = ["Dr.", "Shah"]
    for i in range(3, n - 1, rng.randint(5, 12)):
        words[i] += ","
    end = rng.choices((".", "?", "!", "...", "…"), (80, 8, 2, 6, 4))[0]
    text = " ".join(words)
    return text[0].upper() + text[1:] + end


def transcript(rng: random.Random, vocab: list[str], label: str, words: int) -> list[str]:
    """Paragraphs: a bracketed preamble, then alternating turns with continuation paragraphs."""
    paras = [f"[Interview with {label}. Pseudonymised transcript.]"]
    count = 0
    while count < words:
        q = "Interviewer: " + rng.choice(QUESTIONS).format(" ".join(rng.sample(vocab, 2)))
        paras.append(q)
        for k in range(rng.choices((1, 2, 3), (60, 30, 10))[0]):
            body = " ".join(sentence(rng, vocab) for _ in range(rng.randint(2, 7)))
            paras.append(f"{label}: {body}" if k == 0 else body)
            count += len(body.split())
        count += len(q.split())
    return paras


def generate(folder: Path, total_words: int, docx_share: float) -> list[Path]:
    import docx

    rng, vocab = random.Random(7), vocabulary()
    n_docs = max(4, round(total_words / 3300))
    per_doc = total_words // n_docs
    files = []
    for i in range(n_docs):
        site, role = 1 + i % 9, "PWC" if i % 10 == 9 else "PW"
        label = f"S{site}{role}{i // 9 + 1}"
        paras = transcript(rng, vocab, label, per_doc)
        if rng.random() < docx_share:
            d = docx.Document()
            table = d.add_table(rows=2, cols=2)
            table.cell(0, 0).text, table.cell(0, 1).text = "Participant", label
            table.cell(1, 0).text, table.cell(1, 1).text = "Site", f"Site {site}"
            for para in paras:
                d.add_paragraph(para)
            path = folder / f"{label}.docx"
            d.save(str(path))
        else:
            path = folder / f"{label}.txt"
            path.write_text("\n\n".join(paras) + "\n", encoding="utf-8")
        files.append(path)
    return files


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def current_rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=1_000_000)
    ap.add_argument("--docx-share", type=float, default=0.3)
    ap.add_argument("--rounds", type=int, default=3, help="Imports to time (median ratio).")
    ap.add_argument("--keep", type=Path, help="Generate into this folder and keep it.")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="qualcode-import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        run(work, args.words, args.docx_share, max(1, args.rounds))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


class Clock:
    """Wall and CPU seconds of a block; CPU time is the fair figure on a shared machine."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Self:
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._w
        self.cpu += time.process_time() - self._c


def run(work: Path, total_words: int, docx_share: float, rounds: int) -> None:
    corpus = work / "corpus"
    corpus.mkdir(exist_ok=True)
    for old in work.glob("bench-*.db*"):  # a kept folder: every import starts on a new project
        old.unlink()
    with Clock() as c:
        files = generate(corpus, total_words, docx_share)
    n_docx = sum(f.suffix == ".docx" for f in files)
    print(f"corpus: {len(files)} transcripts ({n_docx} .docx) generated in {c.wall:.1f} s")
    with Clock() as c:
        cold_pipeline()
    print(f"spaCy blank pipeline loaded in {c.wall:.2f} s (not counted below)")

    print(
        f"\n{'stage':<6} {'docs':>6} {'words':>10} {'words/s CPU':>12} {'words/s wall':>13} "
        f"{'peak RSS MB':>12} {'RSS MB':>8}"
    )
    _, words = import_corpus(work / "bench-0.db", files, show_stages=True)
    slices = [files[i::SLICES] for i in range(SLICES)]
    turns = [slice_turns(s) for s in slices]  # what the import feeds spaCy (gathered untimed)

    all_turns = [t for ts in turns for t in ts]
    print(
        f"\n{'round':<6} {'method':<7} {'import CPU w/s':>15} {'alone CPU w/s':>14} "
        f"{'ratio CPU':>10} {'import wall w/s':>16} {'alone wall w/s':>15} {'ratio wall':>11}"
    )
    whole_ratios, slice_ratios, pairs = [], [], []
    for i in range(1, rounds + 1):
        before = sentencizer_only(all_turns)
        imported, _ = import_corpus(work / f"bench-w{i}.db", files)
        after = sentencizer_only(all_turns)
        alone = Clock()
        alone.cpu, alone.wall = (before.cpu + after.cpu) / 2, (before.wall + after.wall) / 2
        whole_ratios.append(alone.cpu / imported.cpu)
        print_round(i, "whole", words, imported, alone)
        imported, alone, pair_ratios = interleaved_round(work / f"bench-s{i}.db", slices, turns)
        slice_ratios.append(alone.cpu / imported.cpu)
        pairs += pair_ratios
        print_round(i, "slices", words, imported, alone)
    print(
        f"\n{words:,} words, {len(all_turns):,} turns. Alone = spacy.blank('en') + sentencizer "
        "over the same turns in one\nprocess; both start with cold caches. Two methods each "
        "round: 'whole' imports the corpus\ninto a new project with the sentencizer alone run "
        f"before and after it; 'slices' imports it in\n{SLICES} slices, each next to a "
        "sentencizer-only run over the same slice (alternately before\nand after), so that a "
        "shared machine's changing speed falls on both alike. CPU time is\nthe fair measure on "
        "a shared machine; wall time is what a user waits on an idle one."
    )
    print(
        f"for information, each slice's ratio (about a second each, so noisy): "
        f"{' '.join(f'{r:.2f}' for r in sorted(pairs))}"
    )
    whole, sliced = statistics.median(whole_ratios), statistics.median(slice_ratios)
    print(
        f"median ratio (CPU): whole {whole:.3f}, slices {sliced:.3f}  target >= {TARGET_RATIO} "
        f"(both): {'OK' if min(whole, sliced) >= TARGET_RATIO else 'BELOW TARGET'}"
    )


def print_round(i: int, method: str, words: int, imported: Clock, alone: Clock) -> None:
    print(
        f"{i:<6} {method:<7} {words / imported.cpu:>15,.0f} {words / alone.cpu:>14,.0f} "
        f"{alone.cpu / imported.cpu:>10.2f} {words / imported.wall:>16,.0f} "
        f"{words / alone.wall:>15,.0f} {alone.wall / imported.wall:>11.2f}"
    )


def sentencizer_only(turns: list[str]) -> Clock:
    """The sentencizer alone over ``turns``, on a new (cache-cold) pipeline."""
    nlp = segment.blank_pipeline()
    with Clock() as clock:
        for _doc in nlp.pipe(turns, batch_size=256):
            pass
    return clock


SLICES = 6


def slice_turns(files: list[Path]) -> list[str]:
    out = []
    for path in files:
        src = read_transcript(path)
        out += [src.text[t.start : t.end] for t in parse_turns(src.text).turns]
    return out


def interleaved_round(
    db: Path, slices: list[list[Path]], turns: list[list[str]]
) -> tuple[Clock, Clock, list[float]]:
    """Import slice by slice into one new project, each slice next to its sentencizer-only run."""
    cold_pipeline()
    nlp = segment.blank_pipeline()
    project = Project.open(db, coder="bench")
    imported, alone = Clock(), Clock()
    pairs = []
    for i, (batch, texts) in enumerate(zip(slices, turns, strict=True)):
        before = (imported.cpu, alone.cpu)
        steps = [("import", batch), ("alone", texts)]
        for what, data in steps if i % 2 == 0 else steps[::-1]:
            if what == "import":
                with imported:
                    report = import_paths(project, data)
                if report.failed:
                    raise SystemExit("import failed:\n" + "\n".join(report.failed))
            else:
                with alone:
                    for _doc in nlp.pipe(data, batch_size=256):
                        pass
        pairs.append((alone.cpu - before[1]) / (imported.cpu - before[0]))
    project.engine.dispose()
    return imported, alone, pairs


def cold_pipeline() -> object:
    """The import's cached pipeline, rebuilt so that its caches start cold."""
    segment.clear_cache()
    return segment.load_pipeline()[0]


def import_corpus(db: Path, files: list[Path], show_stages: bool = False) -> tuple[Clock, int]:
    """Import in three steps (1/4, 1/2, all), printing memory after each when asked."""
    cold_pipeline()
    project = Project.open(db, coder="bench")
    quarters = [
        files[: len(files) // 4],
        files[len(files) // 4 : len(files) // 2],
        files[len(files) // 2 :],
    ]
    clock, words = Clock(), 0
    for name, batch in zip(("1/4", "1/2", "all"), quarters, strict=True):
        with clock:
            report = import_paths(project, batch)
        if report.failed:
            raise SystemExit("import failed:\n" + "\n".join(report.failed))
        words += report.words
        if show_stages:
            print(
                f"{name:<6} {count_rows(project)['documents']:>6} {words:>10,} "
                f"{words / clock.cpu:>12,.0f} {words / clock.wall:>13,.0f} "
                f"{peak_rss_mb():>12.1f} {current_rss_mb():>8.1f}"
            )
    project.engine.dispose()
    return clock, words


if __name__ == "__main__":
    main()
