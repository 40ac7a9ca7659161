"""Benchmark: framework matrix build and chart exports on a generated project.

Generates (in a temporary SQLite file) 50 cases, 300 documents, 100 codes (the
modified PARIHS framework plus inductive codes, some nested) and 20,000 codings
with valences and two coders, a summary in a third of the cells, then prints the
time to build the matrix (by case and by participant), to open one cell, and to
export the chart as .docx, .xlsx, .csv and .html.

Targets: matrix under 0.5 s, .docx under 5 s.

    python bench/bench_matrix.py [--documents 300] [--codings 20000] [--keep DIR]
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

from qualcode.analysis.matrix_spec import MatrixSpec
from qualcode.services import charting
from qualcode.services.frameworks import apply_framework
from qualcode.services.project import Project
from qualcode.store.models import (
    Case,
    CaseAttribute,
    CellSummary,
    Code,
    Coder,
    Coding,
    Document,
    Participant,
    Segment,
)

WORDS = [
    "ward",
    "staff",
    "peer",
    "support",
    "worker",
    "discharge",
    "home",
    "team",
    "meeting",
    "supervision",
    "training",
    "manager",
    "trust",
    "referral",
    "travel",
    "rural",
    "town",
    "bus",
    "hours",
    "note",
    "door",
    "relationship",
    "role",
    "experience",
    "recovery",
    "hope",
    "listen",
    "together",
    "plan",
]


def generate(db: Path, documents: int, codings: int, cases: int = 50, codes: int = 100) -> Project:
    rnd = random.Random(7)
    project = Project.open(db, coder="analyst")
    apply_framework(project, "modified-parihs")
    with project.transaction("generate") as s:
        framework_codes = s.scalars(select(Code.id).where(Code.codable)).all()
        parents: list[int] = []
        n_inductive = codes - len(s.scalars(select(Code.id)).all())
        for i in range(n_inductive):
            parent = rnd.choice(parents) if parents and i % 4 == 3 else None
            code = Code(
                name=f"Inductive {i + 1}", origin="inductive", parent_id=parent, sort_order=i
            )
            s.add(code)
            s.flush()
            if parent is None:
                parents.append(code.id)
        code_ids = list(framework_codes) + list(
            s.scalars(select(Code.id).where(Code.origin == "inductive"))
        )
        coders = []
        for name in ("analyst", "second"):
            coder = s.scalar(select(Coder).where(Coder.name == name)) or Coder(name=name)
            s.add(coder)
            s.flush()
            coders.append(coder.id)
        groups = ("high", "low", "outlier")
        case_ids = []
        for c in range(cases):
            case = Case(name=f"Site {c + 1}", group_name=groups[c % 3], group_source="manual")
            s.add(case)
            s.flush()
            case_ids.append(case.id)
            s.add_all(
                [
                    CaseAttribute(
                        case_id=case.id,
                        name="fidelity",
                        value_type="number",
                        number_value=rnd.randint(4, 14),
                    ),
                    CaseAttribute(
                        case_id=case.id,
                        name="locality",
                        value_type="text",
                        text_value=rnd.choice(("urban", "town", "rural")),
                    ),
                ]
            )
        doc_rows, seg_rows = [], []
        for d in range(documents):
            case_id = case_ids[d % cases]
            label = f"S{case_id}PW{d // cases + 1}"
            part = Participant(label=label, case_id=case_id, role="PW")
            s.add(part)
            s.flush()
            turns = [
                " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(20, 90))) + "."
                for _ in range(60)
            ]
            text = "\n\n".join(turns)
            doc_rows.append(
                {
                    "name": label,
                    "text": text,
                    "participant_id": part.id,
                    "case_id": case_id,
                    "word_count": len(text.split()),
                    "sha256": hashlib.sha256(text.encode()).hexdigest(),
                }
            )
        s.execute(insert(Document), doc_rows)
        docs = s.execute(select(Document.id, Document.text)).all()
        for did, text in docs:
            pos = 0
            for seq, turn in enumerate(text.split("\n\n"), 1):
                seg_rows.append(
                    {
                        "document_id": did,
                        "kind": "turn",
                        "seq": seq,
                        "start": pos,
                        "end": pos + len(turn),
                        "speaker": "P",
                        "is_participant": True,
                    }
                )
                pos += len(turn) + 2
        s.execute(insert(Segment), seg_rows)
        rows = []
        for _ in range(codings):
            did, text = rnd.choice(docs)
            start = rnd.randrange(0, len(text) - 400)
            rows.append(
                {
                    "document_id": did,
                    "code_id": rnd.choice(code_ids),
                    "coder_id": rnd.choice(coders),
                    "start": start,
                    "end": start + rnd.randint(60, 380),
                    "valence": rnd.choice(("facilitator", "barrier", "neutral", None)),
                }
            )
        s.execute(insert(Coding), rows)
        summaries = []
        for case_id in case_ids:
            for code_id in code_ids:
                if rnd.random() < 0.33:
                    summaries.append(
                        {
                            "row_type": "case",
                            "row_id": case_id,
                            "code_id": code_id,
                            "text": " ".join(rnd.choice(WORDS) for _ in range(40)),
                            "status": rnd.choice(("draft", "reviewed")),
                            "coder_id": coders[0],
                        }
                    )
        s.execute(insert(CellSummary), summaries)
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
    ap.add_argument("--documents", type=int, default=300)
    ap.add_argument("--codings", type=int, default=20000)
    ap.add_argument("--keep", type=Path, help="Write the project and exports here (kept).")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="qualcode-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        run(folder, args)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path, args: argparse.Namespace) -> None:
    db = folder / "bench.db"
    db.unlink(missing_ok=True)
    t = time.perf_counter()
    project = generate(db, args.documents, args.codings)
    print(
        f"generated {args.documents} documents, {args.codings} codings, 50 cases, 100 codes "
        f"in {time.perf_counter() - t:.1f} s"
    )
    print("                      wall     cpu")
    for by in ("case", "participant"):
        secs, cpu, m = timed(lambda by=by: charting.matrix(project, MatrixSpec(by=by)))
        print(
            f"matrix by {by:<11} {secs:6.3f} s {cpu:6.3f} s  ({len(m.rows)} rows × "
            f"{len(m.columns)} columns, {len(m.cells)} cells, {m.codings} codings)  "
            "target < 0.5 s"
        )
    secs, cpu, _ = timed(
        lambda: charting.matrix(project, MatrixSpec(valences=("barrier",), groups=("high",)))
    )
    print(f"matrix filtered      {secs:6.3f} s {cpu:6.3f} s  (barriers, high group)")
    m = charting.matrix(project, MatrixSpec())
    ri, ci = max(m.cells, key=lambda k: m.cells[k].count)
    secs, cpu, detail = timed(lambda: charting.matrix_cell_detail(project, m, ri, ci))
    print(f"open busiest cell    {secs:6.3f} s {cpu:6.3f} s  ({len(detail.quotes)} quotes)")
    for fmt, spec in (
        ("docx", MatrixSpec(domains=("Context", "Facilitation"))),
        ("docx", MatrixSpec()),
        ("xlsx", MatrixSpec()),
        ("csv", MatrixSpec()),
        ("html", MatrixSpec()),
    ):
        out = folder / f"chart-{'all' if not spec.domains else 'cf'}.{fmt}"
        secs, cpu, _ = timed(
            lambda spec=spec, out=out: charting.export_chart(project, spec, out), repeat=1
        )
        what = "Context+Facilitation" if spec.domains else "all 97 code columns"
        note = "  target < 5 s" if fmt == "docx" else ""
        print(
            f"export {fmt:<5} {what:<21} {secs:6.2f} s {cpu:6.2f} s  "
            f"{out.stat().st_size / 1e6:5.1f} MB{note}"
        )


if __name__ == "__main__":
    main()
