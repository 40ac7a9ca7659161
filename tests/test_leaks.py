"""Catching identifying details left in pseudonymised transcripts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from qualcode.analysis.leaks import find_leaks
from qualcode.services.leaks import allowed_words, allow_words, check_leaks
from qualcode.services.project import Project
from tests.conftest import add_document

LEAKY = ("Interviewer: How was it?\n\n"
         "S4PW1: Honestly, my coordinator Janet was great. I saw Dr Patel on the ward.\n"
         "You can email me at jo.bloggs@example.org or ring 07700 900123.\n"
         "The office is at LS1 4AB. His NHS number was 943 476 5919.\n"
         "We met at [hospital] with [PWC] on Monday. The PowerPoint was long.")


def test_certain_patterns_and_possible_names() -> None:
    found = find_leaks([("S4PW1", LEAKY)])
    certain = {(f.kind, f.text) for f in found if f.confidence == "certain"}
    assert ("title and name", "Dr Patel") in certain
    assert ("email address", "jo.bloggs@example.org") in certain
    assert ("phone number", "07700 900123") in certain
    assert ("postcode", "LS1 4AB") in certain
    assert ("NHS number", "943 476 5919") in certain
    possible = [f for f in found if f.confidence == "possible"]
    assert [f.text for f in possible] == ["Janet"]
    janet = possible[0]
    assert (janet.line, janet.column) == (3, LEAKY.split("\n")[2].index("Janet") + 1)
    assert "[Janet]" in janet.context
    # sentence starts, placeholders, speaker labels, days and PowerPoint are not reported
    assert not {"Honestly", "Interviewer", "Monday", "Power", "PWC"} & {f.text for f in found}


def test_word_seen_in_lower_case_is_not_a_name() -> None:
    text = "S1PW1: we went for a walk. Then Walk was the name of the group, ok."
    assert [f.text for f in find_leaks([("d", text)])] == []


def test_allow_list_is_kept_in_the_project(project: Project) -> None:
    add_document(project, "S4PW1", LEAKY, participant="S4PW1", case="Site 4")
    assert "Janet" in {f.text for f in check_leaks(project)}
    allow_words(project, ["Janet"])
    assert allowed_words(project) == ["Janet"]
    assert "Janet" not in {f.text for f in check_leaks(project)}


def test_cli_exits_3_when_something_certain_is_found(project: Project, tmp_path: Path) -> None:
    add_document(project, "S4PW1", LEAKY, participant="S4PW1", case="Site 4")
    env = dict(os.environ)
    env.pop("QUALCODE_DB", None)
    res = subprocess.run([sys.executable, "-m", "qualcode", "--db", str(tmp_path / "project.db"),
                          "check-names", "--json"], capture_output=True, text=True, env=env,
                         timeout=120)
    assert res.returncode == 3
    kinds = {f["kind"] for f in json.loads(res.stdout)}
    assert {"email address", "possible name"} <= kinds
