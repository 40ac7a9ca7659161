"""Coding from the command line: add, remove, change and list codings; read documents."""

from __future__ import annotations

import json
import sys

import click

from qualcode.cli.main import CliState, cli, emit_json, pass_state

VALENCE = click.Choice(["facilitator", "barrier", "neutral", "f", "b", "n"], case_sensitive=False)


@cli.group("coding")
def coding_group() -> None:
    """Add, change and remove codings."""


@coding_group.command("add")
@click.argument("document")
@click.argument("code")
@click.option("--range", "span", metavar="START-END", help="Character range (end exclusive).")
@click.option("--sentence", type=int, help="Sentence number (as `qualcode show` prints).")
@click.option("--turn", type=int, help="Speaker-turn number.")
@click.option("--phrase", help="An exact phrase of the document.")
@click.option("--occurrence", type=int, help="Which occurrence of --phrase (1-based).")
@click.option("--valence", "-v", type=VALENCE, help="facilitator / barrier / neutral.")
@click.option("--memo", default="", help="A memo on this coding.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def coding_add(
    state: CliState,
    document: str,
    code: str,
    span: str | None,
    sentence: int | None,
    turn: int | None,
    phrase: str | None,
    occurrence: int | None,
    valence: str | None,
    memo: str,
    as_json: bool,
) -> None:
    """Code part of DOCUMENT with CODE: by --range, --sentence, --turn or --phrase."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services import coding as svc

    chosen = [x is not None for x in (span, sentence, turn, phrase)]
    if sum(chosen) != 1:
        raise click.UsageError("Give exactly one of --range, --sentence, --turn or --phrase.")
    p = state.project()
    kw = {"valence": valence, "memo": memo}
    if span is not None:
        try:
            start, end = (int(x) for x in span.split("-", 1))
        except ValueError:
            raise click.BadParameter(
                "write the range as START-END, e.g. 120-245", param_hint="--range"
            ) from None
        row = svc.add_coding(p, document, start, end, code, **kw)
    elif sentence is not None:
        row = svc.add_coding_by_segment(p, document, sentence, code, kind="sentence", **kw)
    elif turn is not None:
        row = svc.add_coding_by_segment(p, document, turn, code, kind="turn", **kw)
    else:
        row = svc.add_coding_by_phrase(p, document, phrase or "", code, occurrence=occurrence, **kw)
    if as_json:
        emit_json(row.to_json())
    else:
        click.echo(
            f"Coding {row.id}: {row.document} {row.start}-{row.end} -> "
            f"{'/'.join(row.code_path)}" + (f" ({row.valence})" if row.valence else "")
        )


@coding_group.command("rm")
@click.argument("coding_ids", type=int, nargs=-1, required=True)
@pass_state
def coding_rm(state: CliState, coding_ids: tuple[int, ...]) -> None:
    """Remove codings by id."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.coding import remove_coding

    for cid in coding_ids:
        row = remove_coding(state.project(), cid)
        click.echo(f"Removed coding {cid} ({row.document} {row.start}-{row.end}, {row.code}).")


@coding_group.command("set")
@click.argument("coding_id", type=int)
@click.option("--valence", "-v", type=click.Choice(["facilitator", "barrier", "neutral", "none"]))
@click.option("--memo", help="Replace the coding's memo.")
@click.option("--code", help="Move the coding to another code.")
@pass_state
def coding_set(
    state: CliState, coding_id: int, valence: str | None, memo: str | None, code: str | None
) -> None:
    """Change a coding's valence, memo or code."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.coding import update_coding

    kw: dict = {"memo": memo, "code": code}
    if valence is not None:
        kw["valence"] = None if valence == "none" else valence
    row = update_coding(state.project(), coding_id, **kw)
    click.echo(f"Coding {row.id}: {'/'.join(row.code_path)} ({row.valence or 'no valence'}).")


@cli.command("codings")
@click.option("--document", "-d", help="Only this document.")
@click.option("--code", "-c", help="Only this code (path or name).")
@click.option("--children", is_flag=True, help="With --code: include codes below it.")
@click.option("--coder", help="Only this coder.")
@click.option("--case", help="Only this case.")
@click.option("--valence", type=click.Choice(["facilitator", "barrier", "neutral"]))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per coding.")
@pass_state
def codings(
    state: CliState,
    document: str | None,
    code: str | None,
    children: bool,
    coder: str | None,
    case: str | None,
    valence: str | None,
    as_json: bool,
) -> None:
    """List codings (with their text)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.coding import iter_codings, list_codings

    filters = dict(
        document=document,
        code=code,
        coder=coder,
        case=case,
        valence=valence,
        include_children=children,
    )
    if as_json:  # streamed, one record a line as emit_json writes them: memory stays flat
        out = sys.stdout  # click.get_text_stream is deprecated (Click 9 removes it)
        encode = json.JSONEncoder(ensure_ascii=False, default=str).encode  # one, not one a row
        first = True
        for r in iter_codings(state.project(), **filters):
            out.write(("[\n  " if first else ",\n  ") + encode(r.to_json()))
            first = False
        out.write("[]\n" if first else "\n]\n")
        return
    rows = list_codings(state.project(), **filters)
    for r in rows:
        quote = " ".join(r.text.split())
        quote = quote if len(quote) <= 100 else quote[:97] + "..."
        click.echo(
            f"{r.id:>5} {r.participant or r.document:<8} {'/'.join(r.code_path)}"
            f' [{r.valence or "-"}] {r.coder}\n      "{quote}"'
        )
    if not as_json:
        click.echo(f"{len(rows)} codings.", err=True)


@cli.command("documents")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def documents(state: CliState, as_json: bool) -> None:
    """Documents by case and participant, with words, codings and % coded."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.documents import list_documents

    docs = list_documents(state.project())
    if as_json:
        emit_json(
            [
                {
                    "id": d.id,
                    "name": d.name,
                    "source_file": d.source_file,
                    "participant": d.participant,
                    "case": d.case,
                    "words": d.words,
                    "codings": d.codings,
                    "percent_coded": round(d.percent_coded, 1),
                }
                for d in docs
            ]
        )
        return
    click.echo(f"{'case':<10} {'document':<16} {'words':>7} {'codings':>8} {'coded':>6}")
    for d in docs:
        click.echo(
            f"{d.case or '-':<10} {d.name:<16} {d.words:>7} {d.codings:>8} {d.percent_coded:>5d}%"
        )


@cli.command("show")
@click.argument("document")
@click.option("--sentences", is_flag=True, help="Number every sentence (for --sentence).")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Turns and sentences (speaker, role, start, end, timecode, text) as JSON.",
)
@pass_state
def show(state: CliState, document: str, sentences: bool, as_json: bool) -> None:
    """Print a document by speaker turn, numbered (for coding by --turn / --sentence)."""
    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.ingest.timecodes import format_timecode
    from qualcode.services.documents import open_document

    doc = open_document(state.project(), document)
    if as_json:
        emit_json(
            {
                "document": doc.name,
                "participant": doc.participant,
                "case": doc.case,
                "turns": [t.to_json(doc.text) for t in doc.turns],
                "sentences": [s.to_json(doc.text) for s in doc.sentences],
            }
        )
        return
    click.secho(
        f"{doc.name}  participant {doc.participant or '-'}  case {doc.case or '-'}", bold=True
    )
    if not sentences:
        for t in doc.turns:
            when = f"{format_timecode(t.timecode_ms)} " if t.timecode_ms is not None else ""
            role = "" if t.role is not None or t.speaker is None else " (no role)"
            click.echo(f"\n[{t.seq}] {when}{t.speaker or '-'}{role}: {doc.text[t.start : t.end]}")
        return
    for s in doc.sentences:
        when = f"{format_timecode(s.timecode_ms)} " if s.timecode_ms is not None else ""
        click.echo(f"[{s.seq}] {when}{' '.join(doc.text[s.start : s.end].split())}")


@cli.command("memo")
@click.argument("target_type", type=click.Choice(["project", "code", "document", "case", "coding"]))
@click.argument("target", required=False)
@click.option("--text", "-m", help="Memo text (otherwise read from standard input).")
@click.option("--append", is_flag=True, help="Add to the existing memo instead of replacing it.")
@pass_state
def memo(
    state: CliState, target_type: str, target: str | None, text: str | None, append: bool
) -> None:
    """Write a memo on the project, a code, a document, a case or a coding."""

    # lazy: services load SQLAlchemy (~0.3 s); --help and the other commands do not need it
    from qualcode.services.memos import write_memo

    if target_type == "project" and target and text is None:
        text, target = target, None
    if text is None:
        text = sys.stdin.read()
    m = write_memo(state.project(), target_type, target, text.strip(), append=append)
    click.echo(f"Memo {m.id} saved on {target_type} {target or ''}".rstrip() + ".")
