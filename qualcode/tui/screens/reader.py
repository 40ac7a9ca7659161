"""The coding reader: read a transcript by speaker turn and code it from the keyboard.

Every coding action goes through the session's :class:`~qualcode.services.history.History`
in a serial worker (one committed transaction each, in key-press order), so the
database is always up to date and undo/redo work across documents.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer

from qualcode.services.coding import CodingRow
from qualcode.services.documents import DocumentText, coded_share, percent_of
from qualcode.services.project import Project
from qualcode.services.reading import open_for_coding
from qualcode.tui import keymap
from qualcode.tui.screens.reader_coders import CoderFilter, coder_filter_label
from qualcode.tui.screens.reader_coding import FALLBACK_COLOURS, CodingActions
from qualcode.tui.screens.reader_live import LiveReload
from qualcode.tui.screens.reader_search import SearchActions, SearchBar
from qualcode.tui.transcript_layout import Transcript
from qualcode.tui.widgets.chrome import ModeBar, StatusLine
from qualcode.tui.widgets.coding_panel import CodingPanel
from qualcode.tui.widgets.text_pane import TextPane
from qualcode.tui.widgets.transcript_view import TranscriptView
from qualcode.tui.workers import CodebookChanged, DocumentsChanged
from qualcode.wording import plural

NARROW = 100


def load_for_reading(
    project: Project, document_id: int
) -> tuple[DocumentText, list[CodingRow], Transcript]:
    """Everything the reader needs for one document, laid out (runs in a worker)."""
    loaded = open_for_coding(project, document_id)
    doc, rows = loaded.document, loaded.codings
    transcript = Transcript(
        doc.text,
        [(t.start, t.end, t.speaker, t.is_participant) for t in doc.turns],
        [(s.start, s.end) for s in doc.sentences],
    )
    return doc, rows, transcript


# Textual types every node's app as App[object]; the reader's (see ReaderHost) is a QualcodeApp.
class ReaderScreen(CodingActions, CoderFilter, SearchActions, LiveReload, Screen[None]):  # type: ignore[misc]
    """Transcript, side panel with codings and rules, status line and footer."""

    KEYMAP_SCOPE = "reader"
    CSS_PATH = "reader.tcss"
    BINDINGS = keymap.bindings("reader")

    def __init__(self) -> None:
        super().__init__()
        self.doc: DocumentText | None = None
        self.rows: list[CodingRow] = []  # every coder's; the view shows those the filter keeps
        self.coders: tuple[str, ...] = ()  # whose codings are shown; () = everyone's
        self.message = ""
        self.search_query = ""
        self._requested: tuple[int, int | None] | None = None
        self._loading: int | None = None
        self._pending_search: tuple[str, int] | None = None
        self._coded_for: list[CodingRow] | None = None
        self._coded_pct = 0

    def compose(self) -> ComposeResult:
        yield ModeBar("reader")
        with Horizontal(id="reader-body"):
            yield TranscriptView(id="transcript")
            yield CodingPanel(id="panel")
        yield SearchBar(
            placeholder="Search this document (Enter; > and < step; esc closes)", id="search"
        )
        yield StatusLine("", id="status")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    def on_mount(self) -> None:
        self.view.focus()
        self._apply_width(self.app.size.width)
        self.load_coder_filter()
        if self._requested is None and self.doc is None:
            self._open_first()

    def on_resize(self) -> None:
        self._apply_width(self.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW, "-narrow")

    # -- opening -------------------------------------------------------------------
    def _open_first(self) -> None:
        docs = getattr(self.app, "documents", [])
        if docs:
            self.open_document(docs[0].id)
        else:
            self.query_one(StatusLine).update(
                "No documents yet: press F6 (Set up), then 1 to import transcripts."
            )

    def on_documents_changed(self, message: DocumentsChanged) -> None:
        if self.doc is None and self._loading is None and self._requested is None:
            self._open_first()

    def open_document(self, document_id: int, offset: int | None = None) -> None:
        """Load a document in a worker and show it with the cursor at ``offset``."""
        self._requested = (document_id, offset)
        self._loading = document_id
        self.app.run_service(
            self,
            load_for_reading,
            self.app.project,
            document_id,  # type: ignore[attr-defined]
            then=partial(self._loaded, offset),
            on_error=self._load_failed,
            holds_keys=True,
        )  # keys typed meanwhile act on this document

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = None
        self.app.notify_error(exc)  # type: ignore[attr-defined]

    def _loaded(
        self, offset: int | None, result: tuple[DocumentText, list[CodingRow], Transcript]
    ) -> None:
        doc, rows, transcript = result
        if self._loading not in (None, doc.id):
            return  # a newer request is on its way
        self._loading = None
        self.doc, self.rows = doc, rows
        self.search_query = ""
        self.view.load(transcript, self.filtered(rows), self._colours(), offset)
        self.message = ""
        self._refresh_side()
        if self._pending_search is not None:
            query, near = self._pending_search
            self._pending_search = None
            self.search_query = query
            self.find_in_document(query, near=near)

    def search_after_load(self, query: str, offset: int) -> None:
        """Once the document being opened is shown, highlight ``query`` and select the hit at ``offset``."""
        self._pending_search = (query, offset)

    # -- code lookups ----------------------------------------------------------------
    def _codes(self) -> dict[int, Any]:
        return {c.id: c for c in getattr(self.app, "codes", [])}

    def _colours(self) -> dict[int, str]:
        return {
            c.id: c.colour or FALLBACK_COLOURS[c.id % len(FALLBACK_COLOURS)]
            for c in getattr(self.app, "codes", [])
        }

    def _shortcuts(self) -> dict[str, int]:
        return {
            c.shortcut.lower(): c.id
            for c in getattr(self.app, "codes", [])
            if c.shortcut and c.codable
        }

    def on_codebook_changed(self, message: CodebookChanged) -> None:
        self.view.set_colours(self._colours())
        self._refresh_side()

    # -- side panel and status line --------------------------------------------------
    def on_transcript_view_cursor_moved(self, message: TranscriptView.CursorMoved) -> None:
        self._refresh_side()

    def _refresh_side(self) -> None:
        view = self.view
        if self.doc is None or view.transcript is None:
            return
        sel = view.selection
        span_label = "selection" if sel else "sentence"
        legend = [c for c in getattr(self.app, "codes", []) if c.shortcut and c.codable]
        self.query_one(CodingPanel).show(
            view.codings_here(), view.active_coding, self._codes(), legend, span_label
        )
        self.query_one(StatusLine).update(self._status_text())

    def _status_text(self) -> str:
        view, doc = self.view, self.doc
        assert doc is not None and view.transcript is not None
        t = view.transcript
        n = len(t.sentences)
        i = t.sentence_index(view.cursor) + 1 if n else 0
        shown = view.index.codings if self.coders else self.rows
        if self._coded_for is not shown:  # recount only when the codings shown change
            self._coded_for = shown
            self._coded_pct = percent_of(
                *coded_share(
                    len(doc.text),
                    [(turn.start, turn.end) for turn in doc.turns],
                    [(r.start, r.end) for r in shown],
                )
            )
        pct = self._coded_pct
        only = [coder_filter_label(self.coders)] if self.coders else []
        who = doc.participant or doc.name
        where = f"{who} · {doc.case}" if doc.case else who
        sel = view.selection
        extra = []
        if sel:
            words = len(t.text[sel[0] : sel[1]].split())
            extra.append(
                f"[b]{words} word{'s' if words != 1 else ''} selected"
                + (" (marking)" if view.marking else "")
                + "[/b]"
            )
        if self.message:
            extra.append(escape(self.message))
        coder = escape(self.app.project.coder_name)  # type: ignore[attr-defined]
        width = max(self.size.width, 40)
        for parts in (
            [
                coder,
                *only,
                escape(where),
                f"sentence {i}/{n}",
                f"{pct}% coded · {plural(len(shown), 'coding')}",
                *extra,
            ],
            [coder, *only, escape(where), f"{i}/{n}", f"{pct}% coded", *extra],
            [*only, escape(who), f"{i}/{n}", *extra],
        ):
            line = " │ ".join(parts)
            if len(re.sub(r"\[/?b\]", "", line)) <= width - 2:
                return line
        return " │ ".join(parts)

    def _say(self, message: str) -> None:
        """Show a short message in the status line (until the next one)."""
        self.message = message
        if self.doc is not None and self.view.transcript is not None:
            self.query_one(StatusLine).update(self._status_text())

    # -- moving ----------------------------------------------------------------------
    def action_move(self, unit: str, delta: int) -> None:
        self.view.move(unit, delta)

    def action_extend(self, unit: str, delta: int) -> None:
        self.view.move(unit, delta, extend=True)

    def action_page(self, delta: int) -> None:
        self.view.page(delta)

    def action_to_edge(self, direction: int) -> None:
        self.view.to_edge(direction)

    def action_mark(self) -> None:
        self.view.toggle_mark()

    def action_clear_selection(self) -> None:
        self.view.clear_selection()

    def action_cycle(self, delta: int) -> None:
        self.view.cycle_active(delta)

    def action_jump_coding(self, delta: int) -> None:
        view = self.view
        c = (
            view.index.next_after(view.cursor)
            if delta > 0
            else view.index.previous_before(
                view.sentence_span[0] if view.unit == "sentence" else view.cursor
            )
        )
        if c is None:
            self._say("no more codings this way")
            return
        view.active_coding = c.id
        view.goto(c.start)

    def action_next_uncoded(self) -> None:
        view, t = self.view, self.view.transcript
        if t is None:
            return
        for block in t.blocks[t.block_index(view.cursor) + 1 :]:
            if (
                block.is_turn
                and block.is_participant is not False
                and not view.index.overlapping(block.start, block.end)
            ):
                view.goto(block.start)
                return
        self._say("no uncoded participant turn after this one")

    def action_next_document(self, delta: int) -> None:
        docs = getattr(self.app, "documents", [])
        if not docs or self.doc is None:
            return
        ids = [d.id for d in docs]
        i = ids.index(self.doc.id) if self.doc.id in ids else -1
        j = i + delta
        if not 0 <= j < len(ids):
            self._say("no more documents this way")
            return
        self.open_document(ids[j])

    def action_toggle_panel(self) -> None:
        panel = self.query_one(CodingPanel)
        panel.display = not panel.display

    def action_rules_page(self) -> None:
        self.query_one("#panel-rules", TextPane).page(1)

    def action_close(self) -> None:
        self.app.switch_mode("home")
