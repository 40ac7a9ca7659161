"""The command line imports only the module(s) of the command given.

``COMMAND_MODULES`` in ``qualcode.cli.main`` names, for each top-level command, every
module that defines it or adds a subcommand to it. These tests fail if a command (or a
subcommand added from another module) is missing from it, and check in a fresh process
that running one command leaves the other command modules unloaded.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from qualcode.cli.main import COMMAND_MODULES, cli, load_commands

ROOT = Path(__file__).resolve().parents[1]


def _modules(command: click.Command) -> set[str]:
    found = {command.callback.__module__} if command.callback is not None else set()
    for sub in getattr(command, "commands", {}).values():
        found |= _modules(sub)
    return found


def test_every_command_and_subcommand_is_mapped_to_its_modules() -> None:
    load_commands()
    assert set(cli.commands) == set(COMMAND_MODULES)
    for name, command in cli.commands.items():
        mapped = {f"qualcode.cli.{m}" for m in COMMAND_MODULES[name]}
        assert _modules(command) <= mapped, name


def test_one_command_loads_only_its_own_modules() -> None:
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from qualcode.cli.main import cli\n"
        "result = CliRunner().invoke(cli, ['export', '--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m.startswith('qualcode.cli.commands_')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    loaded = set(ast.literal_eval(out))
    assert loaded == {f"qualcode.cli.{m}" for m in COMMAND_MODULES["export"]}


def test_help_lists_every_command_and_an_unknown_one_is_suggested() -> None:
    runner = CliRunner()
    listing = runner.invoke(cli, ["--help"]).output
    for name in COMMAND_MODULES:
        assert f"  {name} " in listing, name
    wrong = runner.invoke(cli, ["matrx"])
    assert wrong.exit_code != 0
    assert "matrix" in wrong.output  # click's "Did you mean" needs every name loaded
