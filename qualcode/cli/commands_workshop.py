"""``qualcode workshop serve``: the matrix and the pattern table in a browser, for the room."""

from __future__ import annotations

import sys

import click

from qualcode.cli.main import CliState, cli, pass_state
from qualcode.errors import QualcodeError


@cli.group("workshop")
def workshop() -> None:
    """The co-production workshop: the chart on a projector and on everyone's phone."""


@workshop.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 opens the page to the room's network.",
)
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--allow-identifiers",
    "allow_reason",
    metavar="REASON",
    help="Start even though check-names finds certain identifying details; the reason "
    "is kept in the audit log.",
)
@click.option("--no-qr", is_flag=True, help="Do not print the QR code.")
@pass_state
def serve(state: CliState, host: str, port: int, allow_reason: str | None, no_qr: bool) -> None:
    """Serve the workshop page until ctrl+c.

    Prints the link to open, with its access token (and a QR code of it for
    phones). Guests read the matrix, each cell's quotes and the pattern table, and
    add comments, which are stored in the project with their time and author; they
    cannot change codings or summaries. Summary edits made meanwhile in the
    workbench appear on the page within a couple of seconds.
    """
    try:  # the optional extra: only this command needs a web server
        import segno
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise QualcodeError(
            f"The workshop page needs the 'workshop' extra ({exc.name} is "
            "missing): pip install 'qualcode[workshop]'."
        ) from exc
    # lazy: the page (Starlette) and its services load only for this command
    from qualcode.services.workshop import identifier_gate
    from qualcode.web.app import create_app
    from qualcode.web.server import bind, new_token, page_url
    from qualcode.web.server import serve as run

    project = state.project()
    gate = identifier_gate(project, allow_reason)
    if gate.overridden:
        click.secho(
            f"Starting with {len(gate.certain)} certain identifying detail(s) left, "
            f"as allowed: {allow_reason}",
            fg="yellow",
            err=True,
        )
    sock = bind(host, port)
    token = new_token()
    url = page_url(host, sock.getsockname()[1], token)
    app = create_app(project, token)
    click.echo(f"Workshop page for {project.name} (ctrl+c stops it). Open:", err=True)
    click.echo(url)
    if host in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            "Only this computer can open it; --host 0.0.0.0 opens it to the room's network.",
            err=True,
        )
    if not no_qr:
        segno.make(url, error="m").terminal(compact=True)
    sys.stdout.flush()  # the link must be readable at once, even through a pipe
    try:
        run(app, sock)
    except KeyboardInterrupt:  # uvicorn passes ctrl+c on once it has shut down cleanly
        pass
    finally:
        sock.close()
    click.echo("Workshop page stopped; every comment is saved in the project.", err=True)
