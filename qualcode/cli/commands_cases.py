"""``qualcode case ...``: cases (sites) and their attributes."""

from __future__ import annotations

import click

from qualcode.cli.main import CliState, cli, emit_json, pass_state


@cli.group("case")
def case_group() -> None:
    """Cases (sites), their attributes and participants."""


@case_group.command("set")
@click.argument("name")
@click.argument("attributes", nargs=-1)
@pass_state
def case_set(state: CliState, name: str, attributes: tuple[str, ...]) -> None:
    """Create case NAME and set attributes: qualcode case set "Site 3" fidelity=12 locality=urban"""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.cases import parse_assignments, set_case

    info = set_case(state.project(create=True), name, parse_assignments(list(attributes)))
    attrs = ", ".join(f"{k}={v}" for k, v in info.attributes.items()) or "no attributes"
    click.echo(f"{info.name}: {attrs}")


@case_group.command("import")
@click.argument("csv_file", type=click.Path(dir_okay=False))
@pass_state
def case_import(state: CliState, csv_file: str) -> None:
    """Import cases from a CSV: first column 'case', then one column per attribute."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.cases import import_cases_csv

    r = import_cases_csv(state.project(create=True), csv_file)
    click.echo(f"{len(r.cases_created)} cases created, {len(r.cases_updated)} updated.")


@case_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def case_list(state: CliState, as_json: bool) -> None:
    """Cases with attributes, group and participants."""
    # lazy: --help and the other commands need neither the reading path nor the listings
    from qualcode.cli.reading import read_project
    from qualcode.services.listings import case_infos

    cases = read_project(state, case_infos)
    if as_json:
        emit_json(
            [
                {
                    "name": c.name,
                    "attributes": c.attributes,
                    "group": c.group,
                    "participants": list(c.participants),
                    "documents": c.documents,
                }
                for c in cases
            ]
        )
        return
    if not cases:
        click.echo(
            "No cases yet: `qualcode case set NAME attr=value` or `qualcode case import FILE.csv`."
        )
    for c in cases:
        attrs = "  ".join(f"{k}={v}" for k, v in c.attributes.items())
        group = f"  [{c.group}]" if c.group else ""
        click.echo(f"{c.name}{group}  {attrs}")
        if c.participants:
            click.echo(f"    participants: {', '.join(c.participants)}  ({c.documents} documents)")
