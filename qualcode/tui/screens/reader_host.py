"""What the reader's action mixins need from the reader screen, as a typed protocol.

The coding, coder-filter and live-refresh actions live in mixins so that each file keeps
one job, but Textual looks actions and message handlers up on the screen itself, so
they cannot move to a separate collaborator object without re-routing every key.
:class:`ReaderHost` names, with their types, the attributes and helpers of
:class:`~qualcode.tui.screens.reader.ReaderScreen` the mixins use. ``ReaderBase`` is that
protocol (on a Screen) for type checkers and plain ``object`` at run time, so the
protocol's ``app``, ``view`` and ``focused`` never shadow the screen's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from textual.screen import Screen
from textual.widget import Widget

from qualcode.services.coding import CodingRow
from qualcode.services.documents import DocumentText
from qualcode.tui.widgets.transcript_view import TranscriptView

if TYPE_CHECKING:  # the app module is only needed for its type; importing it here would loop
    from qualcode.tui.app import QualcodeApp


class ReaderHost(Protocol):
    """The reader screen as its mixins see it."""

    doc: DocumentText | None
    rows: list[CodingRow]
    coders: tuple[str, ...]
    _loading: int | None
    focused: Widget | None

    @property
    def app(self) -> QualcodeApp: ...

    @property
    def view(self) -> TranscriptView: ...

    def _say(self, message: str) -> None: ...

    def _colours(self) -> dict[int, str]: ...

    def _shortcuts(self) -> dict[str, int]: ...

    def _refresh_side(self) -> None: ...

    def open_document(self, document_id: int, offset: int | None = None) -> None: ...

    def filtered(self, rows: list[CodingRow]) -> list[CodingRow]: ...

    def show_codings(self, active: int | None = None) -> bool: ...


if TYPE_CHECKING:
    # Textual types every node's app as App[object]; the reader's is always a QualcodeApp.
    class ReaderBase(ReaderHost, Screen[None]):  # type: ignore[misc]
        """What type checkers see as the mixins' base: a screen with the reader's parts."""

else:
    ReaderBase = object
