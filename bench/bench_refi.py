"""REFI-QDA export and import speed on a generated project.

Generates (in a temporary folder) the modified PARIHS codebook, N documents of
5,000 words (with emoji, so positions are not plain byte counts) and M codings
per document, then prints the time and file size of ``export_qdpx``, the time of
``import_qdpx`` into an empty project (without and with sentence segmentation),
the longest write transaction of the import (how long a colleague's coding
would wait on the write lock) and the peak RSS. Target on a 2-core machine: at least 2,000 codings/s for both
export and unsegmented import (300 documents / 30,000 codings in about 15 s or less).

    python bench/bench_refi.py [--documents 300] [--codings 100] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select

from qualcode.exchange.refi_export import export_qdpx
from qualcode.exchange.refi_import import import_qdpx
from qualcode.services.frameworks import apply_framework
from qualcode.services.project import Project
from qualcode.store.models import Code, Coding, Document

WORDS = [
    "peer",
    "support",
    "ward",
    "staff",
    "were",
    "welcoming",
    "😊",
    "nobody",
    "got",
    "back",
    "to",
    "me",
    "the",
    "value",
    "of",
    "lived",
    "experience",
    "Életünk",
    "része",
    "team",
    "meetings",
    "access",
]


def build(folder: Path, documents: int, codings: int) -> Project:
    rnd = random.Random(1)
    project = Project.open(folder / "source.db", coder="alice")
    apply_framework(project, "modified-parihs")
    with project.transaction("bench data") as s:
        codes = list(s.scalars(select(Code.id).where(Code.codable)))
        coder = project.coder_id(s)
        for i in range(documents):
            text = "Interviewer: Tell me more.\n\nS3PW1: " + " ".join(
                rnd.choice(WORDS) for _ in range(5000)
            )
            doc = Document(
                name=f"S{i % 9 + 1}PW{i}",
                text=text,
                word_count=5000,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
            )
            s.add(doc)
            s.flush()
            for _ in range(codings):
                a = rnd.randrange(0, len(text) - 300)
                s.add(
                    Coding(
                        document_id=doc.id,
                        code_id=rnd.choice(codes),
                        coder_id=coder,
                        start=a,
                        end=a + rnd.randrange(1, 300),
                        valence=rnd.choice((None, "facilitator", "barrier")),
                    )
                )
    return project


def timed_transactions(project: Project) -> list[float]:
    """Durations of the project's write transactions from now on (open to commit)."""
    held: list[float] = []
    inner = project.transaction

    @contextmanager
    def timed(*args: object, **kwargs: object) -> Iterator[object]:
        t = time.perf_counter()
        with inner(*args, **kwargs) as s:  # type: ignore[arg-type]
            yield s
        held.append(time.perf_counter() - t)

    project.transaction = timed  # type: ignore[method-assign]
    return held


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=300)
    ap.add_argument("--codings", type=int, default=100, help="codings per document")
    ap.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="qualcode-refi-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        project = build(folder, args.documents, args.codings)
        total = args.documents * args.codings
        t = time.perf_counter()
        export_qdpx(project, folder / "out.qdpx")
        took = time.perf_counter() - t
        size = (folder / "out.qdpx").stat().st_size / 1024 / 1024
        print(
            f"export_qdpx: {args.documents} documents, {total} codings in {took:.2f} s "
            f"({total / took:,.0f} codings/s), {size:.1f} MiB"
        )
        for segment in (False, True):
            target = Project.open(folder / f"import-{segment}.db", coder="bob")
            held = timed_transactions(target)
            t = time.perf_counter()
            report = import_qdpx(target, folder / "out.qdpx", segment=segment)
            took = time.perf_counter() - t
            print(
                f"import_qdpx (segment={segment}): {report.created['coding']} codings in "
                f"{took:.2f} s ({total / took:,.0f} codings/s); write lock held "
                f"{max(held):.2f} s in the longest of {len(held)} transactions"
            )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {rss:.0f} MiB")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
