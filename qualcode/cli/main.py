"""The ``qualcode`` command: a thin layer over the service layer.

Every operation is scriptable; list commands take ``--json``. Heavy modules
(spaCy, python-docx, exporters, Textual) are imported inside the commands that
need them, so plain commands start fast.
"""

from __future__ import annotations

import gc
import importlib
import json
import sys
from typing import Any

import click

from qualcode.cli.leaving import leave
from qualcode.errors import QualcodeError


class CliState:
    """Global options, and the project opened on first use."""

    def __init__(self, db: str | None, coder: str | None) -> None:
        self.db = db
        self.coder = coder
        self._project: Any = None

    def project(self, *, create: bool = False) -> Any:
        if self._project is None:
            # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
            from qualcode.services.project import Project
            from qualcode.store.engine import set_busy_notifier

            set_busy_notifier(lambda message: click.echo(message, err=True))
            self._project = Project.open(self.db, coder=self.coder, create=create)
            ctx = click.get_current_context(silent=True)
            if ctx is not None:  # fold the WAL into the file when the command ends
                ctx.find_root().call_on_close(self._project.close)
        startup_finished()
        return self._project

    def where(self) -> str:
        """The project as named in messages: its file, or its URL without a password."""
        # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
        from qualcode.store.engine import resolve_url, sqlite_path

        try:
            url = resolve_url(self.db)
            path = sqlite_path(url)
            if path is not None:
                return str(path)
            # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
            from sqlalchemy.engine import make_url

            return make_url(url).render_as_string(hide_password=True)
        except Exception:
            return str(self.db or "the project")


_state: CliState | None = None


pass_state = click.make_pass_decorator(CliState)


def emit_json(data: Any) -> None:
    """Write JSON to stdout (UTF-8, stable key order as given), one record per line."""
    click.echo(readable_json(data))


def readable_json(data: Any, depth: int = 0) -> str:
    """JSON indented down to the records, each record on one line.

    A list of objects (codings, codes, matrix cells) prints one object per line, so
    the output reads well, greps well and diffs well; objects holding lists are
    opened up. Single lines come from the C encoder: indenting everything goes
    through Python's pure-Python encoder, several times slower on large outputs.
    """
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(data, list) and any(isinstance(v, (dict, list)) for v in data):
        return "[\n" + ",\n".join(inner + _one_line(v) for v in data) + f"\n{pad}]"
    if (
        isinstance(data, dict)
        and any(isinstance(v, (dict, list)) and v for v in data.values())
        and (depth < 2 or any(_is_records(v) for v in data.values()))
    ):
        items = [f"{inner}{_one_line(k)}: {readable_json(v, depth + 1)}" for k, v in data.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    return _one_line(data)


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)


def _one_line(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


# Each top-level command and the modules that define it or add subcommands to it (the
# ``export`` group gathers commands from four). A command loads only its own modules:
# loading all fifteen cost about 50 ms, a fifth of a listing command's whole run.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "agreement": ("commands_agreement",),
    "backup": ("commands_safekeeping",),
    "case": ("commands_cases",),
    "check": ("commands_safekeeping",),
    "check-names": ("commands_leaks",),
    "code": ("commands_codes",),
    "coding": ("commands_coding",),
    "codings": ("commands_coding",),
    "demo": ("commands_demo",),
    "documents": ("commands_coding",),
    "export": ("commands_export", "commands_chart", "commands_patterns", "commands_refi"),
    "framework": ("commands_frameworks",),
    "group": ("commands_patterns",),
    "import": ("commands_import",),
    "matrix": ("commands_chart",),
    "memo": ("commands_coding",),
    "open": ("commands_tui",),
    "patterns": ("commands_patterns",),
    "qca": ("commands_patterns",),
    "reparse": ("commands_import",),
    "restore": ("commands_safekeeping",),
    "show": ("commands_coding",),
    "speakers": ("commands_import",),
    "summary": ("commands_chart",),
    "workshop": ("commands_workshop",),
}


def load_commands(*modules: str) -> None:
    """Import command modules (each adds its commands to ``cli``); none given: all."""
    names = modules or sorted({m for ms in COMMAND_MODULES.values() for m in ms})
    for name in names:
        importlib.import_module(f"qualcode.cli.{name}")


class LazyCommands(click.Group):
    """The top-level group: a command's module is imported when that command is used;
    listing them (``--help``) or an unknown name imports every one."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        load_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        modules = COMMAND_MODULES.get(cmd_name)
        if modules is None:
            load_commands()  # not mapped: find it anyway, or let click suggest a name
        else:
            load_commands(*modules)
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyCommands,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    envvar="QUALCODE_DB",
    metavar="PATH|URL",
    help="Project database: a SQLite file (default ./qualcode.db) or a SQLAlchemy URL. "
    "Also $QUALCODE_DB.",
)
@click.option(
    "--coder",
    envvar="QUALCODE_CODER",
    metavar="NAME",
    help="Who is coding (default $QUALCODE_CODER, else your login name).",
)
@click.version_option(package_name="qualcode")
@click.pass_context
def cli(ctx: click.Context, db: str | None, coder: str | None) -> None:
    """qualcode: framework analysis of interview transcripts in the terminal.

    Run without a command to open the workbench on the project.
    """
    global _state
    ctx.obj = _state = CliState(db, coder)
    if ctx.invoked_subcommand is None:
        # cycle: the command modules import `cli` from this module
        from qualcode.cli.commands_tui import open_workbench

        open_workbench(ctx.obj)


def startup_finished() -> None:
    """Turn the garbage collector back on once a command has loaded what it works with.

    Start-up creates hundreds of thousands of objects that live as long as the process
    (modules, SQLAlchemy's and our classes); collecting while they are made frees
    nothing and cost about a fifth of the start-up time. ``main`` turns collection off;
    opening the project (which every long-running command and the workbench do) turns
    it back on, with the start-up objects frozen so full collections skip them.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def main() -> None:
    """Entry point: user errors print one clear line and exit 1, never a traceback.

    A command that ended (its code 0 or given) leaves at once (``leaving``); a bug's
    traceback ends the process as Python always does.
    """
    try:
        _run()
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            leave(stop.code or 0)
        raise
    leave(0)


def _run() -> None:
    gc.disable()  # until startup_finished()
    try:
        code = cli.main(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except QualcodeError as e:
        click.secho(f"error: {e}", fg="red", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted; everything committed before this point is saved.", err=True)
        sys.exit(130)
    except Exception as e:
        # lazy: only the error path needs it; plain commands start without it
        from qualcode.services.failures import explain

        message = explain(e, _state.where() if _state else "the project")
        if message is None:
            raise  # a bug: the traceback is what a report needs
        click.secho(f"error: {message}", fg="red", err=True)
        sys.exit(1)
