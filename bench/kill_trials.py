"""Kill -9 trials: a real ``qualcode`` process is killed at a random moment while it
creates a project, upgrades one from an older schema, imports, codes or exports; then
the project must open, pass SQLite's integrity_check, and still hold everything that
another connection could see committed just before the kill.

    python bench/kill_trials.py [--trials 100] [--seed 1] [--keep DIR]

Prints, per phase, how many trials were killed mid-run (the rest finished before the
kill came) and how many passed each check. Exit status 1 if any trial failed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_transcripts"
PHASES = ("create", "upgrade", "import", "coding", "export")


@dataclass
class Tally:
    trials: int = 0
    killed: int = 0  # the kill came while the process was still running
    opened: int = 0
    intact: int = 0  # integrity_check and foreign_key_check clean
    kept: int = 0  # nothing committed before the kill was lost
    stages: Counter[str] = field(default_factory=Counter)  # where the kills landed
    failures: list[str] = field(default_factory=list)


def qualcode(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "qualcode", "--db", str(db), *args]


def env() -> dict[str, str]:
    e = dict(os.environ, QUALCODE_CODER="kill-trials", PYTHONIOENCODING="utf-8")
    e.pop("QUALCODE_DB", None)
    return e


def state(db: Path) -> tuple[set, set]:
    """Committed documents (name, sha, segments) and codings, as another connection sees them."""
    if not db.exists() or not db.stat().st_size:
        return set(), set()
    con = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "codings" not in names:
            return set(), set()
        docs = set(
            con.execute(
                "SELECT d.name, d.sha256, (SELECT count(*) FROM segments s "
                "WHERE s.document_id = d.id) FROM documents d"
            )
        )
        codings = set(
            con.execute(
                'SELECT c.coder_id, d.name, c.code_id, c.start, c."end" '
                "FROM codings c JOIN documents d ON d.id = c.document_id"
            )
        )
        return docs, codings
    except sqlite3.DatabaseError:
        return set(), set()
    finally:
        con.close()


def run_and_kill(
    cmd: list[str], at: float, db: Path, trigger: Callable[[], bool] | None = None
) -> tuple[bool, tuple[set, set]]:
    """Start ``cmd``, SIGKILL it after ``at`` seconds (counted from when ``trigger()`` first
    holds, if given); returns (killed mid-run, committed state read just before the kill)."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env(), cwd=ROOT
    )
    if trigger is not None:
        while proc.poll() is None and not trigger():
            time.sleep(0.002)
    try:
        proc.wait(timeout=at)
        return False, state(db)
    except subprocess.TimeoutExpired:
        before = state(db)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True, before


def revision(db: Path) -> str | None:
    con = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.DatabaseError:
        return None
    finally:
        con.close()


def verify(
    db: Path,
    before: tuple[set, set],
    tally: Tally,
    label: str,
    expect: Callable[[tuple[set, set]], str | None] | None = None,
) -> None:
    """Open the project, check it, and compare with what was committed before the kill."""
    from qualcode.services.project import Project
    from qualcode.services.safekeeping import check_file

    if not db.exists():
        tally.opened += 1  # nothing was created: nothing to open, nothing lost
        tally.intact += 1
        tally.kept += not before[0] and not before[1]
        return
    raw = check_file(db)
    try:
        project = Project.open(db, create=False)
        project.close()
        tally.opened += 1
    except Exception as e:
        tally.failures.append(f"{label}: does not open: {e}")
        return
    after_check = check_file(db)
    if (raw.ok or raw.revision is None) and after_check.ok:
        tally.intact += 1
    else:
        tally.failures.append(f"{label}: {raw.headline} / {after_check.headline}")
    after = state(db)
    lost = (before[0] - after[0], before[1] - after[1])
    problem = expect(after) if expect else None
    if not lost[0] and not lost[1] and problem is None:
        tally.kept += 1
    else:
        tally.failures.append(
            f"{label}: lost {len(lost[0])} documents, {len(lost[1])} codings"
            + (f"; {problem}" if problem else "")
        )


def timed(cmd: list[str]) -> float:
    started = time.monotonic()
    subprocess.run(cmd, check=True, capture_output=True, env=env(), cwd=ROOT)
    return time.monotonic() - started


def copy_project(src: Path, dest: Path) -> None:
    from qualcode.store.backups import online_copy

    online_copy(src, dest)


class Trials:
    def __init__(self, work: Path, rng: random.Random) -> None:
        self.work, self.rng = work, rng
        self.transcripts = sorted(str(p) for p in SAMPLES.glob("*.txt"))
        self.base = work / "base.db"  # every sample imported, with cases and codings
        subprocess.run(
            qualcode(self.base, "import", "--create-codes", str(SAMPLES)),
            check=True,
            capture_output=True,
            env=env(),
            cwd=ROOT,
        )
        self.empty = work / "empty.db"
        subprocess.run(
            qualcode(self.empty, "framework", "apply"), capture_output=True, env=env(), cwd=ROOT
        )
        if not self.empty.exists():
            from qualcode.services.project import Project

            Project.open(self.empty).close()
        self.old = work / "old.db"
        self._make_old()
        self.cost = {
            "create": timed(qualcode(work / "t-create.db", "import", self.transcripts[0])),
            "upgrade": self._time_upgrade(),
            "import": self._time_import(),
            "coding": 3.0,  # a run of `coding add` processes, one after another
            "export": max(
                timed(qualcode(self.base, "export", "chart", str(work / "t.docx"))),
                timed(qualcode(self.base, "export", "qdpx", str(work / "t.qdpx"))),
            ),
        }
        self.n = 0

    def _make_old(self) -> None:
        """The base project taken back to schema 0003 (before the one-coding rule), with a
        duplicate coding, as an earlier release would have left it."""
        from alembic import command
        from alembic.config import Config

        import qualcode.store.engine as engine_mod
        from qualcode.store.engine import make_engine

        copy_project(self.base, self.old)
        engine = make_engine(f"sqlite:///{self.old}")
        cfg = Config()
        cfg.set_main_option("script_location", str(Path(engine_mod.__file__).parent / "migrations"))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0003")
            conn.exec_driver_sql(
                'INSERT INTO codings (document_id, code_id, coder_id, start, "end", valence, memo, '
                'created_at, updated_at) SELECT document_id, code_id, coder_id, start, "end", '
                "valence, 'duplicate', created_at, updated_at FROM codings LIMIT 1"
            )
        engine.dispose()

    def _time_upgrade(self) -> float:
        probe = self.work / "t-upgrade.db"
        copy_project(self.old, probe)
        return timed(qualcode(probe, "codings", "--json"))

    def _time_import(self) -> float:
        probe = self.work / "t-import.db"
        copy_project(self.empty, probe)
        return timed(qualcode(probe, "import", *self.transcripts))

    def moment(self, phase: str) -> float:
        return self.rng.uniform(0.05, self.cost[phase] * 1.1)

    def create(self, tally: Tally) -> None:
        db = self.work / f"create-{self.n}.db"
        building = lambda: any(self.work.glob(f".{db.name}.creating-*"))  # noqa: E731
        if self.n % 2:  # aim at the moment the schema is built
            at, trigger = self.rng.uniform(0, 0.3), building
        else:
            at, trigger = self.moment("create"), None
        killed, before = run_and_kill(qualcode(db, "import", self.transcripts[0]), at, db, trigger)
        tally.killed += killed
        tally.stages[
            "finished"
            if not killed
            else "while building the schema"
            if building() and not db.exists()
            else "before the project file was begun"
            if not db.exists()
            else "after the project file appeared"
        ] += 1
        verify(
            db,
            before,
            tally,
            f"create #{self.n}",
            None if killed else lambda s: None if len(s[0]) == 1 else "document missing",
        )
        again = subprocess.run(
            qualcode(db, "import", self.transcripts[0]),
            capture_output=True,
            text=True,
            env=env(),
            cwd=ROOT,
        )
        if again.returncode != 0:
            tally.failures.append(f"create #{self.n}: importing again failed: {again.stderr}")
        left = list(self.work.glob(f".{db.name}.creating-*"))
        if left:
            tally.failures.append(f"create #{self.n}: half-built files left: {left}")

    def upgrade(self, tally: Tally) -> None:
        db = self.work / f"upgrade-{self.n}.db"
        copy_project(self.old, db)
        committed = state(db)
        distinct = (committed[0], committed[1])  # the duplicate folds into its twin
        backed_up = lambda: any(  # noqa: E731
            (self.work / f"upgrade-{self.n}-backups").glob("*before-upgrade*")
        )
        if self.n % 2:  # aim at the upgrade itself, which follows the automatic backup
            at, trigger = self.rng.uniform(0, 0.4), backed_up
        else:
            at, trigger = self.moment("upgrade"), None
        killed, _ = run_and_kill(qualcode(db, "codings", "--json"), at, db, trigger)
        tally.killed += killed
        tally.stages[
            "finished"
            if not killed
            else "upgraded before the kill"
            if revision(db) != "0003"
            else "left at the old schema"
        ] += 1
        verify(db, distinct, tally, f"upgrade #{self.n}")

    def import_(self, tally: Tally) -> None:
        db = self.work / f"import-{self.n}.db"
        copy_project(self.empty, db)
        killed, before = run_and_kill(
            qualcode(db, "import", *self.transcripts), self.moment("import"), db
        )
        tally.killed += killed
        tally.stages[
            "finished"
            if not killed
            else "before the first document"
            if not before[0]
            else f"after {len(before[0])} of {len(self.transcripts)} documents"
            if len(before[0]) < len(self.transcripts)
            else "after the last document"
        ] += 1
        reference = state(self.base)[0]
        verify(
            db,
            before,
            tally,
            f"import #{self.n}",
            lambda s: None if s[0] <= reference else "a document is half-stored",
        )

    def coding(self, tally: Tally) -> None:
        db = self.work / f"coding-{self.n}.db"
        copy_project(self.base, db)
        deadline = time.monotonic() + self.moment("coding")
        killed, before, k = False, state(db), 0
        while not killed:
            k += 1
            start = self.rng.randrange(0, 2000)
            cmd = qualcode(
                db,
                "coding",
                "add",
                "S4PW1",
                "Culture",
                "--range",
                f"{start}-{start + self.rng.randrange(5, 200)}",
                "--memo",
                f"k{k}",
            )
            left = deadline - time.monotonic()
            if left <= 0:
                break
            killed, before = run_and_kill(cmd, left, db)
        tally.killed += killed
        tally.stages["during a `coding add`" if killed else "finished"] += 1
        verify(db, before, tally, f"coding #{self.n}")

    def export(self, tally: Tally) -> None:
        db = self.work / f"export-{self.n}.db"
        copy_project(self.base, db)
        before = state(db)
        out = self.work / (f"export-{self.n}" + (".docx" if self.n % 2 else ".qdpx"))
        kind = "chart" if self.n % 2 else "qdpx"
        killed, _ = run_and_kill(qualcode(db, "export", kind, str(out)), self.moment("export"), db)
        tally.killed += killed
        tally.stages[f"during `export {kind}`" if killed else "finished"] += 1
        verify(
            db,
            before,
            tally,
            f"export #{self.n}",
            lambda s: None if s == before else "the project changed",
        )

    def run(self, phase: str, tally: Tally) -> None:
        self.n += 1
        tally.trials += 1
        getattr(self, "import_" if phase == "import" else phase)(tally)


def main(argv: list[str] | None = None) -> dict[str, Tally]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep it.")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="qualcode-kill-"))
    work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    started = time.monotonic()
    trials = Trials(work, random.Random(args.seed))
    tallies = {p: Tally() for p in PHASES}
    for i in range(args.trials):
        phase = PHASES[i % len(PHASES)]
        trials.run(phase, tallies[phase])
    print(
        f"kill -9 trials: {args.trials} in {time.monotonic() - started:.0f} s "
        f"(seed {args.seed}; a run takes about "
        + ", ".join(f"{p} {trials.cost[p]:.1f} s" for p in PHASES)
        + ")"
    )
    print(
        f"{'phase':8} {'trials':>6} {'killed mid-run':>14} {'opens':>6} {'integrity ok':>12} "
        f"{'nothing lost':>12}"
    )
    total = Tally()
    for phase, t in tallies.items():
        print(f"{phase:8} {t.trials:6} {t.killed:14} {t.opened:6} {t.intact:12} {t.kept:12}")
        for name in ("trials", "killed", "opened", "intact", "kept"):
            setattr(total, name, getattr(total, name) + getattr(t, name))
        total.failures += t.failures
    print(
        f"{'all':8} {total.trials:6} {total.killed:14} {total.opened:6} {total.intact:12} "
        f"{total.kept:12}"
    )
    for phase, t in tallies.items():
        print(f"  {phase}: " + ", ".join(f"{n} {stage}" for stage, n in t.stages.most_common()))
    for failure in total.failures:
        print(f"FAILED {failure}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return tallies


if __name__ == "__main__":
    result = main()
    sys.exit(1 if any(t.failures for t in result.values()) else 0)
