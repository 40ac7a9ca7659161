"""The same import warning about many files is said once; every warning stays in ``--json``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from qualcode.cli.main import cli
from qualcode.ingest.readers import IngestWarning
from qualcode.ingest.turn_build import unknown_speaker_notices
from qualcode.ingest.turns import Turn
from qualcode.ingest.warning_groups import NAMED, grouped_lines, kind_of


def _no_role(i: int) -> IngestWarning:
    return IngestWarning(f"T{i:02d}.txt", f"speaker 'P{i:02d}' ({10 + i} turns) has no role.", 5)


def test_a_kind_is_the_message_without_its_quoted_parts_and_numbers() -> None:
    assert kind_of(_no_role(1)) == kind_of(_no_role(2))
    assert kind_of(_no_role(1)) != kind_of(IngestWarning("T01.txt", "the file is empty"))


def test_the_no_role_warnings_of_different_speakers_are_one_kind() -> None:
    """The real message: an apostrophe ("speaker's") between two quoted labels, and
    "1 turn" beside "30 turns"."""
    turns = [
        Turn(start=i * 10, end=i * 10 + 9, speaker=label, is_participant=None)
        for i, label in enumerate(["Jordan", "Jordan", "Sam", "Respondent3"])
    ]
    notices = unknown_speaker_notices(turns)
    kinds = {kind_of(IngestWarning("S7PW2.txt", n.message, 2)) for n in notices}
    assert len(notices) == 3 and len(kinds) == 1
    other = IngestWarning("S7PW2.txt", "no speaker turns found; stored as one block.", 1)
    assert kind_of(other) not in kinds


def test_rare_kinds_are_kept_whole_and_in_order() -> None:
    odd = IngestWarning("B.txt", "a line could not be placed", 9)
    warnings = [_no_role(1), odd, _no_role(2), _no_role(3), _no_role(4)]
    same_kind = [_no_role(i) for i in range(1, 5)]  # four: not worth a counting line
    assert grouped_lines(warnings) == [str(w) for w in [*same_kind, odd]]


def test_a_kind_many_files_share_is_shown_thrice_then_counted() -> None:
    odd = IngestWarning("B.txt", "a line could not be placed", 9)
    warnings = [_no_role(i) for i in range(20)] + [odd]
    warnings.insert(5, IngestWarning("T04.txt", "speaker 'Q' (2 turns) has no role.", 40))
    lines = grouped_lines(warnings)
    assert lines[:3] == [str(_no_role(i)) for i in range(3)]
    assert lines[3].startswith("… and 18 more warnings like these, in 17 files: T03.txt, T04.txt,")
    named = lines[3].split(": ", 1)[1].split(" (")[0].split(", ")
    assert named[:NAMED] == [f"T{i:02d}.txt" for i in range(3, 3 + NAMED)] and named[-1] == "…"
    assert lines[4:] == [str(odd)]
    assert not lines[3].endswith(")")  # the workbench: no command-line advice
    assert grouped_lines(warnings, "`--json` lists every warning")[3].endswith(
        "T12.txt, … (`--json` lists every warning)"
    )


def test_the_command_folds_them_and_json_keeps_every_one(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    for i in range(6):
        (folder / f"T{i}.txt").write_text(
            f"Interviewer: How was it?\nX{i}: Fine, thank you.\n", encoding="utf-8"
        )
    runner = CliRunner()
    shown = runner.invoke(cli, ["--db", str(tmp_path / "a.db"), "import", str(folder)])
    assert shown.exit_code == 0, shown.output
    said = [line for line in shown.stderr.splitlines() if line.startswith("warning: ")]
    assert len(said) == 8  # two kinds, each 3 in full and one counting line
    assert sum("… and 3 more warnings like these, in 3 files" in line for line in said) == 2
    assert sum(line.endswith("(`--json` lists every warning)") for line in said) == 2
    assert "12 warnings, 0 failed files." in shown.stdout
    listed = runner.invoke(cli, ["--db", str(tmp_path / "b.db"), "import", str(folder), "--json"])
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)["warnings"]) == 12
