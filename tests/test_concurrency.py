"""Several processes coding one project at once lose nothing and never report a locked database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from qualcode.services.codebook import create_code
from qualcode.services.project import Project
from qualcode.store.models import Coder, Coding
from tests.conftest import add_document

WORKERS = 4
EACH = 15
TEXT = " ".join(f"word{i}" for i in range(400))

WORKER = """
import sys
from qualcode.services.coding import add_coding
from qualcode.services.project import Project

url, who, each = sys.argv[1], sys.argv[2], int(sys.argv[3])
project = Project.open(url, coder=who)
sys.stdout.write("ready\\n")
sys.stdout.flush()
sys.stdin.readline()  # every worker starts together
for i in range(each):
    add_coding(project, "Shared", i * 10, i * 10 + 8, "Culture" if i % 2 else "Leadership",
               memo=f"{who} {i}")
print("done")
"""


def test_workers_coding_at_once_lose_nothing(project: Project) -> None:
    add_document(project, "Shared", TEXT)
    create_code(project, "Culture")
    create_code(project, "Leadership")
    url = project.engine.url.render_as_string(hide_password=False)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, f"coder{n}", str(EACH)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(WORKERS)
    ]
    for p in procs:  # wait until each has opened the project
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [p.communicate(timeout=300) for p in procs]
    for (out, err), p in zip(results, procs):
        assert "locked" not in err.lower() and p.returncode == 0, err
        assert out.strip().endswith("done")
    with project.read() as s:
        per_coder = dict(
            s.execute(
                select(Coder.name, func.count(Coding.id))
                .join(Coding, Coding.coder_id == Coder.id)
                .group_by(Coder.name)
            ).all()
        )
    assert per_coder == {f"coder{n}": EACH for n in range(WORKERS)}
