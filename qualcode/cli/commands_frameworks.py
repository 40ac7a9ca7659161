"""``qualcode framework ...``: the framework files shipped in frameworks/."""

from __future__ import annotations

import click

from qualcode.cli.main import CliState, cli, emit_json, pass_state


@cli.group("framework")
def framework_group() -> None:
    """List, show and apply implementation frameworks."""


@framework_group.command("list")
def framework_list() -> None:
    """The frameworks available (bundled files)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.frameworks import DEFAULT_FRAMEWORK, available_frameworks

    for fw in available_frameworks():
        mark = " (default)" if fw.key == DEFAULT_FRAMEWORK else ""
        n = sum(1 for _ in fw.walk())
        click.echo(f"{fw.key:<20} {fw.name}{mark}: {n} codes  [{fw.path.name}]")


@framework_group.command("show")
@click.argument("framework", default="modified-parihs")
@click.option("--json", "as_json", is_flag=True)
def framework_show(framework: str, as_json: bool) -> None:
    """Print a framework's tree with definitions (a key or a file path)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.frameworks import framework_spec

    fw = framework_spec(framework)
    if as_json:
        emit_json(
            {
                "key": fw.key,
                "name": fw.name,
                "version": fw.version,
                "codes": [
                    {
                        "path": list(c.path),
                        "codable": c.codable,
                        "shortcut": c.shortcut,
                        "definition": c.definition,
                        "include": c.include,
                        "exclude": c.exclude,
                    }
                    for c in fw.walk()
                ],
            }
        )
        return
    click.secho(f"{fw.name} ({fw.key} {fw.version})", bold=True)
    if fw.description:
        click.echo(fw.description)
    for c in fw.walk():
        pad = "  " * (len(c.path) - 1)
        key = f"[{c.shortcut}] " if c.shortcut else ""
        click.secho(f"\n{pad}{key}{c.name}", bold=True)
        for label, text in (("", c.definition), ("Include: ", c.include), ("Exclude: ", c.exclude)):
            if text:
                click.echo(
                    click.wrap_text(
                        label + text,
                        initial_indent=pad + "  ",
                        subsequent_indent=pad + "  ",
                        width=88,
                    )
                )


@framework_group.command("apply")
@click.argument("framework", default="modified-parihs")
@pass_state
def framework_apply(state: CliState, framework: str) -> None:
    """Add a framework's codes to the project (again: refresh definitions)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.frameworks import apply_framework

    r = apply_framework(state.project(create=True), framework)
    click.echo(f"{r.framework}: {len(r.created)} codes created, {len(r.updated)} updated.")
    for s in r.skipped_shortcuts:
        click.echo(f"warning: shortcut {s} is taken by another code; not assigned.", err=True)
