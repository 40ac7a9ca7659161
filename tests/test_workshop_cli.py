"""``qualcode workshop serve`` in a real subprocess: the identifier gate, the link, the QR code."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the workshop extra (uvicorn) is not installed")
httpx = pytest.importorskip("httpx", reason="httpx is needed for the HTTP tests")

from sqlalchemy import select

from qualcode.services.frameworks import apply_framework
from qualcode.services.project import Project
from qualcode.services.workshop import IdentifierGateError, identifier_gate
from qualcode.store.models import AuditEntry
from tests.conftest import add_document

LEAKY = (
    "Interviewer: Who helped?\n\n"
    "S4PW1: Dr Patel got me into the team meeting. Email me at jo.bloggs@example.com."
)
CLEAN = "Interviewer: Who helped?\n\nS4PW1: The ward manager got me into the team meeting."


def env() -> dict[str, str]:
    e = dict(os.environ, QUALCODE_CODER="analyst", PYTHONIOENCODING="utf-8")
    e.pop("QUALCODE_DB", None)
    return e


def make(path: Path, text: str) -> Path:
    project = Project.open(path)
    apply_framework(project, "modified-parihs")
    add_document(project, "S4PW1", text, participant="S4PW1", case="Site 4")
    project.engine.dispose()
    return path


def test_the_gate_refuses_certain_identifiers_unless_a_reason_is_given(tmp_path: Path) -> None:
    project = Project.open(make(tmp_path / "leaky.db", LEAKY))
    with pytest.raises(IdentifierGateError) as err:
        identifier_gate(project)
    message = str(err.value)
    assert "S4PW1:3:" in message and "'jo.bloggs@example.com'" in message
    assert "--allow-identifiers" in message
    result = identifier_gate(project, "Consultant's name is public; email removed after")
    assert result.overridden and len(result.certain) == 2
    with project.read() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.operation == "workshop identifiers allowed")
        ).one()
    detail = json.loads(entry.detail)
    assert detail["reason"].startswith("Consultant's name") and detail["certain"] == 2
    clean = Project.open(make(tmp_path / "clean.db", CLEAN))
    assert not identifier_gate(clean).overridden


def test_serve_refuses_to_start_with_certain_identifiers(tmp_path: Path) -> None:
    db = make(tmp_path / "leaky.db", LEAKY)
    done = subprocess.run(
        [sys.executable, "-m", "qualcode", "--db", str(db), "workshop", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        env=env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "2 certain identifying detail(s)" in done.stderr and "jo.bloggs" in done.stderr
    assert "http://" not in done.stdout


def test_serve_prints_the_link_and_a_qr_code_and_serves_until_interrupted(tmp_path: Path) -> None:
    db = make(tmp_path / "leaky.db", LEAKY)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qualcode",
            "--db",
            str(db),
            "workshop",
            "serve",
            "--port",
            "0",
            "--allow-identifiers",
            "names are public",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env(),
    )
    stopped = False
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and "/?token=" in url
        qr = proc.stdout.readline()
        assert set(qr.strip()) <= set("█▀▄ ") and len(qr.strip()) > 20
        base, token = url.split("/?token=")
        page = httpx.get(url, timeout=20)
        assert page.status_code == 200
        assert '<span class="case">Site 4</span>' in page.text and "<h2>Context</h2>" in page.text
        assert httpx.get(base + "/", timeout=20).status_code == 403
        assert httpx.get(base + "/?token=" + token[:-1], timeout=20).status_code == 403
        with httpx.stream(
            "GET", base + "/events", headers={"X-Workshop-Token": token}, timeout=20
        ) as events:  # a page is open when the analyst stops
            lines = events.iter_lines()
            assert next(line for line in lines if line.startswith("event:")) == "event: hello"
            proc.send_signal(signal.SIGINT)
            stopped = True
            rest = list(lines)  # the stream ends at once, cleanly (no read timeout)
            assert not any(line.startswith("event:") for line in rest)
    finally:
        if not stopped:
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err and "ERROR" not in err
    assert "Starting with 2 certain identifying detail(s) left, as allowed: names are public" in err
    assert "every comment is saved" in err and proc.returncode == 0
