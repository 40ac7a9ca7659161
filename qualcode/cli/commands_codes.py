"""``qualcode code ...``: the codebook from the command line."""

from __future__ import annotations

import click

from qualcode.cli.main import CliState, cli, emit_json, pass_state


@cli.group("code")
def code_group() -> None:
    """List, create, rename, move, merge and delete codes."""


@code_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per code.")
@pass_state
def code_list(state: CliState, as_json: bool) -> None:
    """The codebook tree with coding counts."""
    # lazy: --help and the other commands need neither the reading path nor the listings
    from qualcode.cli.reading import read_project
    from qualcode.services.listings import code_list

    codes = read_project(state, code_list)
    if as_json:
        emit_json(
            [
                {
                    "id": c.id,
                    "name": c.name,
                    "path": list(c.path),
                    "origin": c.origin,
                    "codable": c.codable,
                    "colour": c.colour,
                    "shortcut": c.shortcut,
                    "definition": c.definition,
                    "inclusion": c.inclusion,
                    "exclusion": c.exclusion,
                    "framework": c.framework,
                    "codings": c.count,
                }
                for c in codes
            ]
        )
        return
    if not codes:
        click.echo(
            "No codes yet. Apply a framework (`qualcode framework apply modified-parihs`) "
            "or add an inductive code (`qualcode code add NAME`)."
        )
    for c in codes:
        key = f"[{c.shortcut}] " if c.shortcut else ""
        tag = "" if c.origin == "framework" else "  (inductive)"
        count = f"  {c.count}" if c.codable else ""
        click.echo(f"{'  ' * c.depth}{key}{c.name}{count}{tag}")


@code_group.command("add")
@click.argument("name")
@click.option("--parent", help="Put the code under this code (path or name).")
@click.option("--colour", "--color", "colour", help="Colour as #rrggbb.")
@click.option("--definition", default="", help="When the code applies.")
@click.option("--include", "inclusion", default="", help="Inclusion notes.")
@click.option("--exclude", "exclusion", default="", help="Exclusion notes.")
@click.option("--shortcut", help="A single key to apply the code in the reader.")
@pass_state
def code_add(
    state: CliState,
    name: str,
    parent: str | None,
    colour: str | None,
    definition: str,
    inclusion: str,
    exclusion: str,
    shortcut: str | None,
) -> None:
    """Create an inductive code."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.codebook import create_code

    c = create_code(
        state.project(),
        name,
        parent=parent,
        colour=colour,
        definition=definition,
        inclusion=inclusion,
        exclusion=exclusion,
        shortcut=shortcut,
    )
    click.echo(f"Created inductive code {c.path_str!r} (id {c.id}).")


@code_group.command("edit")
@click.argument("code")
@click.option("--name", help="New name.")
@click.option("--colour", "--color", "colour", help="New colour (#rrggbb).")
@click.option("--definition", help="New definition.")
@click.option("--include", "inclusion", help="New inclusion notes.")
@click.option("--exclude", "exclusion", help="New exclusion notes.")
@click.option("--shortcut", help="New single-key shortcut ('' to clear).")
@pass_state
def code_edit(state: CliState, code: str, **changes: str | None) -> None:
    """Rename, recolour or edit the definition of CODE (path, name or id)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.codebook import update_code

    c = update_code(state.project(), code, **changes)
    click.echo(f"Updated {c.path_str!r}.")


@code_group.command("move")
@click.argument("code")
@click.argument("parent", required=False)
@pass_state
def code_move(state: CliState, code: str, parent: str | None) -> None:
    """Move CODE under PARENT (or to the top level when PARENT is omitted)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.codebook import move_code

    c = move_code(state.project(), code, parent)
    click.echo(f"Moved to {c.path_str!r}.")


@code_group.command("merge")
@click.argument("source")
@click.argument("target")
@pass_state
def code_merge(state: CliState, source: str, target: str) -> None:
    """Merge SOURCE into TARGET: its codings follow, SOURCE is removed."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.codebook import merge_codes

    n = merge_codes(state.project(), source, target)
    click.echo(f"Merged {source!r} into {target!r}: {n} codings moved.")


@code_group.command("rm")
@click.argument("code")
@click.option("--force", is_flag=True, help="Also delete the code's codings.")
@pass_state
def code_rm(state: CliState, code: str, force: bool) -> None:
    """Delete CODE and its children."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.codebook import delete_code

    n = delete_code(state.project(), code, force=force)
    click.echo(f"Deleted {code!r}" + (f" and {n} codings." if n else "."))
