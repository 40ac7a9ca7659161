"""Start-up stays light: heavy libraries load only when a command or screen needs them.

Each check runs in a fresh interpreter, since this test process has imported everything.
The last test keeps the rule that every import inside a function says why it is there.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.matrix_data import build_chart_project

PACKAGE = Path(__file__).resolve().parents[1] / "qualcode"

# Heavy for start-up: each takes from 0.03 s (lxml) to over 1 s (spaCy) to import.
HEAVY = ("spacy", "docx", "openpyxl", "lxml", "textual", "alembic", "pypdf", "numpy", "uvicorn")


def loaded_after(code: str) -> list[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.splitlines()[-1])


def heavy_in(modules: list[str], heavy: tuple[str, ...]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & set(heavy))


def test_cli_module_loads_no_heavy_library() -> None:
    modules = loaded_after("import qualcode.cli.main")
    assert heavy_in(modules, (*HEAVY, "sqlalchemy", "starlette")) == []
    # Services, exporters, REFI-QDA exchange and screens load with the commands that use them.
    assert [m for m in modules if m.startswith(("qualcode.services", "qualcode.export"))] == []
    assert [m for m in modules if m.startswith(("qualcode.exchange", "qualcode.tui"))] == []
    # each command's module loads with that command (see COMMAND_MODULES) ...
    assert [m for m in modules if m.startswith("qualcode.cli.commands_")] == []
    # ... and none of them, all loaded (as --help does), brings a heavy library either
    every = loaded_after("from qualcode.cli.main import load_commands; load_commands()")
    assert "qualcode.cli.commands_import" in every
    assert heavy_in(every, (*HEAVY, "sqlalchemy", "starlette")) == []
    assert [m for m in every if m.startswith(("qualcode.services", "qualcode.export"))] == []


def test_help_loads_no_heavy_library() -> None:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "qualcode", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "Usage:" in out.stdout
    imported = [
        line.rsplit("|", 1)[-1].strip()
        for line in out.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    ]
    assert "qualcode.cli.main" in imported
    assert heavy_in(imported, (*HEAVY, "sqlalchemy")) == []


@pytest.mark.parametrize(
    "args", [["case", "list"], ["code", "list"], ["matrix", "--by", "case"]], ids=" ".join
)
def test_listings_on_a_sqlite_project_load_no_sqlalchemy(args: list[str], tmp_path: Path) -> None:
    """Read-only listings of a SQLite project at the schema head skip SQLAlchemy and Alembic."""
    db = tmp_path / "chart.db"
    build_chart_project(db).close()
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "qualcode", "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "Site 3" in out.stdout or "Context" in out.stdout
    imported = [
        line.rsplit("|", 1)[-1].strip()
        for line in out.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    ]
    assert "qualcode.store.readonly" in imported
    assert heavy_in(imported, (*HEAVY, "sqlalchemy")) == []


def test_workbench_module_loads_no_exporter_or_language_library() -> None:
    modules = loaded_after("import qualcode.tui.app")
    assert "textual" in modules
    assert heavy_in(modules, ("spacy", "docx", "openpyxl", "lxml", "alembic", "numpy")) == []
    assert [m for m in modules if m.startswith(("qualcode.export", "qualcode.exchange"))] == []


def test_welcome_screen_opens_before_the_database_layer_loads() -> None:
    modules = loaded_after("import qualcode.tui.welcome_app, qualcode.tui.screens.welcome")
    assert heavy_in(modules, (*HEAVY[:4], "sqlalchemy", "alembic")) == []


# Files whose imports inside functions are still to be reviewed (rewritten elsewhere now).


def _function_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if in_function and isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append(child)
            walk(child, inside)

    walk(tree, False)
    return sorted(found, key=lambda n: n.lineno)


def unexplained_imports(path: Path) -> list[int]:
    """Lines of imports inside functions with no reason next to them.

    A reason is a comment on the import's first line or the line above it; an import
    directly below an explained one (a block) shares its reason.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    missing: list[int] = []
    previous_end, previous_ok = -2, False
    for node in _function_imports(ast.parse("\n".join(lines))):
        above = lines[node.lineno - 2].strip()
        ok = "#" in lines[node.lineno - 1] or above.startswith("#") or "#" in above
        ok = ok or (node.lineno == previous_end + 1 and previous_ok)
        if not ok:
            missing.append(node.lineno)
        previous_end, previous_ok = node.end_lineno or node.lineno, ok
    return missing


def test_every_import_inside_a_function_says_why() -> None:
    if not PACKAGE.is_dir():
        pytest.skip(f"{PACKAGE} not present (an installed copy without sources)")
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if "migrations" in path.parts:
            continue
        missing += [f"qualcode/{rel}:{line}" for line in unexplained_imports(path)]
    assert missing == [], (
        "Import at the top of the module, or say in a comment why it must wait "
        "(start-up time, an optional extra, a cycle): " + ", ".join(missing)
    )


def test_the_reason_check_finds_an_unexplained_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n"
        "    import json\n"
        "    return json\n"
        "\n"
        "def g():\n"
        "    # lazy: only g needs it\n"
        "    import csv\n"
        "    import io\n"
        "    return csv, io\n",
        encoding="utf-8",
    )
    assert unexplained_imports(sample) == [2]
