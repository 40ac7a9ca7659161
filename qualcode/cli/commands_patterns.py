"""``qualcode group ...``, ``qualcode patterns`` and ``qualcode qca``: the comparative step."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from qualcode.cli.commands_export import (
    export_group,
    gate_kwargs,
    gate_options,
    note_override,
)
from qualcode.cli.main import CliState, cli, emit_json, pass_state
from qualcode.errors import InvalidInputError

FORMATS = ("table", "json", "docx", "xlsx")


def _show_groups(assignments: list[Any]) -> None:
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.cli.patterns_text import groups_text

    click.echo(groups_text(assignments))


@cli.group("group")
def group_cmd() -> None:
    """Case groups for pattern matching: high, low and outlier."""


@group_cmd.command("set")
@click.argument("case")
@click.argument("group", metavar="high|low|outlier|none")
@pass_state
def group_set(state: CliState, case: str, group: str) -> None:
    """Put CASE in GROUP by hand (a hand-set group wins over rules; `none` keeps it out)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.patterns import set_group

    _show_groups(set_group(state.project(), case, group))


@group_cmd.command("clear")
@click.argument("cases", nargs=-1)
@pass_state
def group_clear(state: CliState, cases: tuple[str, ...]) -> None:
    """Forget hand-set groups of CASES (all cases if none named); rules then apply."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.patterns import clear_groups

    _show_groups(clear_groups(state.project(), list(cases) or None))


@group_cmd.command("list")
@click.option("--groups-from", metavar="ATTR", help="Show groups taken from this attribute.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def group_list(state: CliState, groups_from: str | None, as_json: bool) -> None:
    """Each case's group, where it came from and why."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.patterns import list_groups

    assignments = list_groups(state.project(), groups_from)
    if as_json:
        emit_json(
            [
                {"case": a.case, "group": a.group, "source": a.source, "reason": a.reason}
                for a in assignments
            ]
        )
    else:
        _show_groups(assignments)


@group_cmd.command("rules")
@click.argument("rules", nargs=-1)
@click.option("--clear", is_flag=True, help="Remove every rule.")
@pass_state
def group_rules_cmd(state: CliState, rules: tuple[str, ...], clear: bool) -> None:
    """Set the rules and apply them; with no RULES, show them.

    \b
    qualcode group rules "high: fidelity >= 10 and engagement >= 60" \\
                         "low: fidelity < 10 and engagement < 50" \\
                         "outlier: fidelity >= 10 and engagement < 60"

    Rules are tried in order; a case takes the first rule it matches. Operators:
    >= <= > < == != in (...), and, or, not, parentheses; text in quotes.
    """
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.patterns import group_rules, set_group_rules

    project = state.project()
    if not rules and not clear:
        current = group_rules(project)
        click.echo(
            "\n".join(current)
            if current
            else 'No group rules. Set them: qualcode group rules "high: fidelity >= 10" ...'
        )
        return
    _show_groups(set_group_rules(project, [] if clear else list(rules)))


@group_cmd.command("apply")
@click.option(
    "--from-attribute",
    metavar="ATTR",
    help="Take groups from this case attribute (high/low/outlier) from now on.",
)
@pass_state
def group_apply(state: CliState, from_attribute: str | None) -> None:
    """Re-apply the rules to the current attributes (or take groups from an attribute)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.patterns import apply_groups

    _show_groups(apply_groups(state.project(), from_attribute))


def _presence(
    by_valence: bool, roll_up: bool, min_refs: int, min_participants: int, share: str | None
) -> Any:
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.analysis.patterns import PresenceRule
    from qualcode.services.patterns import parse_share

    return PresenceRule(
        min_refs=min_refs,
        min_participants=min_participants,
        by_valence=by_valence,
        roll_up=roll_up,
        share=parse_share(share),
    )


def presence_options(fn: Any, *, valence: bool = True) -> Any:
    """--by-valence, --roll-up, --min-refs, --min-participants (what "present" means)."""
    by_valence = (
        [
            click.option(
                "--by-valence",
                is_flag=True,
                help="Compare code × valence (facilitator / barrier / neutral) separately.",
            )
        ]
        if valence
        else []
    )
    for option in reversed(
        [
            *by_valence,
            click.option(
                "--roll-up",
                is_flag=True,
                help="Count codings of child codes towards their parent codes too.",
            ),
            click.option(
                "--min-refs",
                type=int,
                default=1,
                show_default=True,
                help="Codings a case needs for a code to be present.",
            ),
            click.option(
                "--min-participants",
                type=int,
                default=1,
                show_default=True,
                help="Distinct participants of the case those codings must come from.",
            ),
        ]
    ):
        fn = option(fn)
    return fn


def qca_presence_options(fn: Any) -> Any:
    """As ``presence_options`` without --by-valence (a QCA condition names its valence)."""
    return presence_options(fn, valence=False)


@cli.command("patterns")
@click.option(
    "--groups-from",
    metavar="ATTR",
    help="Take groups from this case attribute for this run (stored groups ignored).",
)
@presence_options
@click.option(
    "--share",
    metavar="S",
    help="Relaxed rules: e.g. 0.8 = present in at least 80% "
    "of a group and at most 20% of the other (default: exact).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Output file (docx and xlsx).")
@click.option(
    "--quotes",
    type=int,
    default=3,
    show_default=True,
    help="Quotes per case and pattern in docx/xlsx (0: all).",
)
@click.option("--all", "show_all", is_flag=True, help="Also list codes with no pattern.")
@click.option(
    "--coder",
    "coders",
    multiple=True,
    metavar="NAME",
    help="Only this coder's codings (repeatable).",
)
@gate_options
@pass_state
def patterns_cmd(
    state: CliState,
    groups_from: str | None,
    by_valence: bool,
    roll_up: bool,
    min_refs: int,
    min_participants: int,
    share: str | None,
    fmt: str,
    out: str | None,
    quotes: int,
    show_all: bool,
    coders: tuple[str, ...],
    allow_identifiers: str | None,
    key_file: str | None,
) -> None:
    """Cross-case patterns: A shared, B high, C low, D what the outlier shares."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.patterns import find_project_patterns

    if fmt in ("docx", "xlsx") and not out:
        raise click.UsageError(f"--format {fmt} needs --out FILE.{fmt}.")
    presence = _presence(by_valence, roll_up, min_refs, min_participants, share)
    if coders:
        presence = replace(presence, coders=tuple(coders))
    result = find_project_patterns(state.project(), presence, groups_from=groups_from)
    if fmt == "json":
        # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
        from qualcode.analysis.patterns import to_json

        emit_json(to_json(result))
    elif fmt == "table":
        # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
        from qualcode.cli.patterns_text import patterns_text

        click.echo(patterns_text(result, show_none=show_all))
    else:
        _write(
            state,
            result,
            Path(out or ""),
            fmt,
            quotes,
            show_all,
            gate_kwargs(allow_identifiers, key_file),
        )
    for warning in result.warnings if fmt != "table" else []:
        click.secho(f"warning: {warning}", fg="yellow", err=True)


def _write(
    state: CliState,
    result: Any,
    path: Path,
    fmt: str,
    quotes: int,
    show_all: bool,
    gate: dict[str, Any],
) -> None:
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.patterns import export_patterns

    if path.suffix.lower() != f".{fmt}":
        raise InvalidInputError(f"{path}: a {fmt} file should end in .{fmt}.")
    export_patterns(
        state.project(), result, path, per_case=quotes or None, include_none=show_all, **gate
    )
    click.echo(f"Wrote {path}")
    note_override(gate["allow_identifiers"])


@export_group.command("patterns")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--groups-from", metavar="ATTR")
@presence_options
@click.option("--share", metavar="S")
@click.option("--quotes", type=int, default=3, show_default=True)
@click.option("--all", "show_all", is_flag=True)
@gate_options
@pass_state
def export_patterns(
    state: CliState,
    out: str,
    groups_from: str | None,
    by_valence: bool,
    roll_up: bool,
    min_refs: int,
    min_participants: int,
    share: str | None,
    quotes: int,
    show_all: bool,
    allow_identifiers: str | None,
    key_file: str | None,
) -> None:
    """The pattern table to OUT (.docx or .xlsx, by its suffix); same options as `patterns`."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.patterns import find_project_patterns

    fmt = Path(out).suffix.lower().lstrip(".")
    if fmt not in ("docx", "xlsx"):
        raise InvalidInputError(f"{out}: give a .docx or .xlsx file name.")
    presence = _presence(by_valence, roll_up, min_refs, min_participants, share)
    result = find_project_patterns(state.project(), presence, groups_from=groups_from)
    _write(
        state, result, Path(out), fmt, quotes, show_all, gate_kwargs(allow_identifiers, key_file)
    )


@cli.command("qca")
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    required=True,
    metavar="LABEL: EXPR",
    help="A condition, e.g. 'FID: fidelity >= 10' or "
    '\'WARD: code("Relationship with ward staff", "facilitator")\'. Repeat.',
)
@click.option(
    "--outcome",
    required=True,
    metavar="LABEL: EXPR",
    help="The outcome, e.g. 'ENG: engagement >= 60'.",
)
@click.option(
    "--consistency",
    type=float,
    default=1.0,
    show_default=True,
    help="A row is 1 when this share of its cases show the outcome.",
)
@click.option(
    "--min-cases",
    type=int,
    default=1,
    show_default=True,
    help="Rows with fewer cases are treated as logical remainders.",
)
@click.option("--grouped-only", is_flag=True, help="Only cases in a group.")
@click.option("--case", "cases", multiple=True, help="Only these cases (repeat).")
@qca_presence_options
@click.option(
    "--expect",
    "expectations",
    multiple=True,
    metavar="LABEL=1|0|-",
    help="Directional expectation for the intermediate solution (repeat): "
    "'A=1' contributes when present, 'B=0' when absent, 'C=-' no expectation.",
)
@click.option(
    "--prefer-fewer-literals",
    is_flag=True,
    help="Among models with the fewest terms keep only those with the fewest "
    "literals (hides equally short models; named in the output).",
)
@click.option("--negate-outcome", is_flag=True, help="Explain the absence of the outcome.")
@click.option(
    "--contradictions",
    type=click.Choice(("keep", "drop", "zero")),
    default="keep",
    show_default=True,
    help="Contradictory rows: keep them out of the solutions, "
    "drop their cases, or code the rows 0.",
)
@click.option(
    "--quotes",
    "show_quotes",
    is_flag=True,
    help="Show the passages of the condition codes for cases in contradictory rows.",
)
@click.option(
    "--necessity",
    is_flag=True,
    help="Also show each condition and its negation as necessary for the outcome.",
)
@click.option(
    "--calibration", is_flag=True, help="Also show each case's raw values and set memberships."
)
@click.option(
    "--export",
    "export_to",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write truth table, models and necessity to FILE.docx or FILE.xlsx.",
)
@click.option(
    "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True
)
@gate_options
@pass_state
def qca_cmd(
    state: CliState,
    conditions: tuple[str, ...],
    outcome: str,
    consistency: float,
    min_cases: int,
    grouped_only: bool,
    cases: tuple[str, ...],
    roll_up: bool,
    min_refs: int,
    min_participants: int,
    expectations: tuple[str, ...],
    prefer_fewer_literals: bool,
    negate_outcome: bool,
    contradictions: str,
    show_quotes: bool,
    necessity: bool,
    calibration: bool,
    export_to: str | None,
    fmt: str,
    allow_identifiers: str | None,
    key_file: str | None,
) -> None:
    """Crisp-set QCA: truth table, every minimal model (complex, intermediate, parsimonious)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.analysis.patterns import PresenceRule
    from qualcode.services.qca import run_project_qca

    presence = PresenceRule(min_refs=min_refs, min_participants=min_participants, roll_up=roll_up)
    result = run_project_qca(
        state.project(),
        list(conditions),
        outcome,
        threshold=consistency,
        min_cases=min_cases,
        presence=presence,
        grouped_only=grouped_only,
        cases=list(cases) or None,
        expectations=list(expectations) if expectations else None,
        prefer_fewer_literals=prefer_fewer_literals,
        negate_outcome=negate_outcome,
        contradictions=contradictions,
    )
    if export_to:
        # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
        from qualcode.services.qca import export_qca

        export_qca(
            state.project(), result, Path(export_to), **gate_kwargs(allow_identifiers, key_file)
        )
    if fmt == "json":
        # lazy: the QCA modules take ~0.07 s to import; only this command needs them
        from qualcode.analysis.qca import to_json

        emit_json(to_json(result))
    else:
        # lazy: the QCA modules take ~0.07 s to import; only this command needs them
        from qualcode.cli.qca_text import qca_text

        click.echo(qca_text(result, necessity=necessity, calibration=calibration))
        if show_quotes:
            # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
            from qualcode.services.qca import contradiction_quotes

            click.echo(_quotes_text(contradiction_quotes(state.project(), result)))
    if export_to:
        click.echo(f"Wrote {export_to}", err=fmt == "json")


def _quotes_text(quotes: dict[str, list[tuple[str, str, str]]]) -> str:
    if not quotes:
        return "\nNo contradictory rows: no quotes to show."
    lines = ["", "Passages behind the contradictory rows (coded with the conditions' codes):"]
    for case, found in quotes.items():
        lines.append(f"  {case}: {len(found)} passage(s)")
        for label, who, text in found:
            lines.append(f'    [{label}] {who}: "{text[:200]}"')
    return "\n".join(lines)
