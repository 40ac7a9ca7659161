"""The coding reader: read a transcript by speaker turn and code it from the keyboard.

Every coding action goes through the session's :class:`~qualcode.services.history.History`
in a serial worker (one committed transaction each, in key-press order), so the
database is always up to date and undo/redo work across documents.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.command import SimpleCommand
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input

from qualcode.services.coding import CodingRow
from qualcode.services.documents import DocumentText
from qualcode.services.history import Step
from qualcode.services.project import Project
from qualcode.services.reading import codings_in_document, open_for_coding
from qualcode.tui import keymap
from qualcode.tui.coding_index import covered_chars
from qualcode.tui.screens.dialogs import MemoDialog, PromptDialog
from qualcode.tui.transcript_layout import Transcript
from qualcode.tui.widgets.chrome import ModeBar, StatusLine, plural
from qualcode.tui.widgets.coding_panel import CodingPanel
from qualcode.tui.widgets.text_pane import TextPane
from qualcode.tui.widgets.transcript_view import TranscriptView
from qualcode.tui.workers import CodebookChanged, DocumentsChanged

FALLBACK_COLOURS = ("#7aa2c8", "#c8a27a", "#8fbf8f", "#c88fa8", "#a8a8d8", "#d8c878")
NARROW = 100


def load_for_reading(project: Project, document_id: int) -> tuple[DocumentText, list[CodingRow],
                                                                  Transcript]:
    """Everything the reader needs for one document, laid out (runs in a worker)."""
    loaded = open_for_coding(project, document_id)
    doc, rows = loaded.document, loaded.codings
    transcript = Transcript(doc.text, [(t.start, t.end, t.speaker, t.is_participant)
                                       for t in doc.turns],
                            [(s.start, s.end) for s in doc.sentences])
    return doc, rows, transcript


class SearchBar(Input):
    """The in-document search line (``/``); Enter searches, escape closes."""

    DEFAULT_CSS = "SearchBar { dock: bottom; display: none; border: none; height: 1; padding: 0 1; }"

    def key_escape(self) -> None:
        self.display = False
        self.screen.query_one(TranscriptView).focus()


class ReaderScreen(Screen[None]):
    """Transcript, side panel with codings and rules, status line and footer."""

    KEYMAP_SCOPE = "reader"
    CSS_PATH = "reader.tcss"
    BINDINGS = keymap.bindings("reader")

    def __init__(self) -> None:
        super().__init__()
        self.doc: DocumentText | None = None
        self.rows: list[CodingRow] = []
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
        yield SearchBar(placeholder="Search this document (Enter; > and < step; esc closes)",
                        id="search")
        yield StatusLine("", id="status")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    def on_mount(self) -> None:
        self.view.focus()
        self._apply_width(self.app.size.width)
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
            self.query_one(StatusLine).update("No documents yet: import transcripts "
                                              "(`qualcode import FILES`) or try `qualcode demo`.")

    def on_documents_changed(self, message: DocumentsChanged) -> None:
        if self.doc is None and self._loading is None and self._requested is None:
            self._open_first()

    def open_document(self, document_id: int, offset: int | None = None) -> None:
        """Load a document in a worker and show it with the cursor at ``offset``."""
        self._requested = (document_id, offset)
        self._loading = document_id
        self.app.run_service(self, load_for_reading, self.app.project, document_id,  # type: ignore[attr-defined]
                             then=partial(self._loaded, offset), on_error=self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = None
        self.app.notify_error(exc)  # type: ignore[attr-defined]

    def _loaded(self, offset: int | None,
                result: tuple[DocumentText, list[CodingRow], Transcript]) -> None:
        doc, rows, transcript = result
        if self._loading not in (None, doc.id):
            return  # a newer request is on its way
        self._loading = None
        self.doc, self.rows = doc, rows
        self.search_query = ""
        self.view.load(transcript, rows, self._colours(), offset)
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
        return {c.id: c.colour or FALLBACK_COLOURS[c.id % len(FALLBACK_COLOURS)]
                for c in getattr(self.app, "codes", [])}

    def _shortcuts(self) -> dict[str, int]:
        return {c.shortcut: c.id for c in getattr(self.app, "codes", [])
                if c.shortcut and c.codable}

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
        self.query_one(CodingPanel).show(view.codings_here(), view.active_coding, self._codes(),
                                         legend, span_label)
        self.query_one(StatusLine).update(self._status_text())

    def _status_text(self) -> str:
        from rich.markup import escape

        view, doc = self.view, self.doc
        assert doc is not None and view.transcript is not None
        t = view.transcript
        n = len(t.sentences)
        i = t.sentence_index(view.cursor) + 1 if n else 0
        if self._coded_for is not self.rows:  # recount only when the codings change
            self._coded_for = self.rows
            coded = covered_chars([(r.start, r.end) for r in self.rows])
            self._coded_pct = round(100 * coded / t.visible_chars) if t.visible_chars else 0
        pct = self._coded_pct
        who = doc.participant or doc.name
        where = f"{who} · {doc.case}" if doc.case else who
        sel = view.selection
        extra = []
        if sel:
            words = len(t.text[sel[0]:sel[1]].split())
            extra.append(f"[b]{words} word{'s' if words != 1 else ''} selected"
                         + (" (marking)" if view.marking else "") + "[/b]")
        if self.message:
            extra.append(escape(self.message))
        coder = escape(self.app.project.coder_name)  # type: ignore[attr-defined]
        width = max(self.size.width, 40)
        for parts in ([coder, escape(where), f"sentence {i}/{n}",
                       f"{pct}% coded · {plural(len(self.rows), 'coding')}", *extra],
                      [coder, escape(where), f"{i}/{n}", f"{pct}% coded", *extra],
                      [escape(who), f"{i}/{n}", *extra]):
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
        c = view.index.next_after(view.cursor) if delta > 0 else \
            view.index.previous_before(view.sentence_span[0] if view.unit == "sentence"
                                       else view.cursor)
        if c is None:
            self._say("no more codings this way")
            return
        view.active_coding = c.id
        view.goto(c.start)

    def action_next_uncoded(self) -> None:
        view, t = self.view, self.view.transcript
        if t is None:
            return
        for block in t.blocks[t.block_index(view.cursor) + 1:]:
            if block.is_turn and block.is_participant is not False \
                    and not view.index.overlapping(block.start, block.end):
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

    # -- searching -------------------------------------------------------------------
    def action_search(self) -> None:
        bar = self.query_one(SearchBar)
        bar.display = True
        bar.value = self.search_query
        bar.focus()
        bar.select_all()  # typing replaces the last search; an arrow key keeps it

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.search_query = event.value.strip()
        event.input.display = False
        self.view.focus()
        self.find_in_document(self.search_query)

    def find_in_document(self, query: str, near: int | None = None) -> None:
        """Highlight every match of ``query`` and select the first one after the cursor."""
        view, t = self.view, self.view.transcript
        if t is None:
            return
        if not query:
            view.set_matches([])
            return
        hay, needle = t.text.lower(), query.lower()
        if len(hay) != len(t.text):  # lower-casing changed the length: match exactly instead
            hay, needle = t.text, query
        matches: list[tuple[int, int]] = []
        i = hay.find(needle)
        while i != -1:
            b = t.blocks[t.block_index(i)]
            if b.start <= i and i + len(needle) <= b.end:
                matches.append((i, i + len(needle)))
            i = hay.find(needle, i + 1)
        view.set_matches(matches)
        if not matches:
            self._say(f"“{query}” not found in this document")
            return
        here = view.cursor if near is None else near
        self._step_to(next((k for k, m in enumerate(matches) if m[0] >= here), 0))

    def _step_to(self, k: int) -> None:
        view = self.view
        k %= len(view.matches)
        view.goto(view.matches[k][0], select=view.matches[k])
        self._say(f"match {k + 1}/{len(view.matches)} for “{self.search_query}”")

    def action_search_step(self, delta: int) -> None:
        view = self.view
        if not view.matches:
            self.action_search()
            return
        sel = view.selection
        here = sel[0] if sel else view.cursor
        starts = [m[0] for m in view.matches]
        if delta > 0:
            k = next((i for i, s in enumerate(starts) if s > here), 0)
        else:
            k = next((i for i in range(len(starts) - 1, -1, -1) if starts[i] < here),
                     len(starts) - 1)
        self._step_to(k)

    # -- coding ----------------------------------------------------------------------
    def on_key(self, event: Any) -> None:
        """A code's shortcut key applies it (unless the key is bound to something else)."""
        char = event.character
        if not char or not isinstance(self.focused, TranscriptView):
            return
        code_id = self._shortcuts().get(char)
        if code_id is None or event.key in self.app.active_bindings:
            return
        event.stop()
        event.prevent_default()
        self.apply_code(code_id)

    def _write(self, fn: Any, *args: Any, then: Any, **kwargs: Any) -> None:
        self.app.run_service(self, fn, *args, then=then, serial=True, **kwargs)  # type: ignore[attr-defined]

    @property
    def history(self) -> Any:
        return self.app.history  # type: ignore[attr-defined]

    def apply_code(self, code_id: int) -> None:
        """Code the selection (or the sentence under the cursor) with a code."""
        if self.doc is None:
            return
        s, e = self.view.target
        if e <= s:
            return
        self._write(self.history.add_coding, self.doc.id, s, e, code_id, then=self._coding_added)

    def _coding_added(self, row: CodingRow) -> None:
        if self.doc is None or row.document_id != self.doc.id:
            return
        self.rows = [*self.rows, row]
        self.view.set_codings(self.rows, active=row.id)
        self._say(f"coded {row.code}")

    def _coding_changed(self, row: CodingRow) -> None:
        self.rows = [row if r.id == row.id else r for r in self.rows]
        self.view.set_codings(self.rows, active=row.id)
        self._say(f"{row.code}: {row.valence or 'no valence'}" + (" · memo" if row.memo else ""))

    def _active_row(self) -> CodingRow | None:
        active = self.view.active_coding
        row = next((r for r in self.rows if r.id == active), None)
        if row is None:
            self._say("no coding here: apply a code first")
        return row

    def action_pick_code(self) -> None:
        commands = [SimpleCommand(f"{c.path_str}" + (f"  [{c.shortcut}]" if c.shortcut else ""),
                                  partial(self.apply_code, c.id),
                                  (c.definition[:90] + "…") if len(c.definition) > 90
                                  else c.definition or None)
                    for c in getattr(self.app, "codes", []) if c.codable]
        self.app.search_commands(commands, placeholder="Apply code to the selection…")

    def action_valence(self, valence: str) -> None:
        row = self._active_row()
        if row is None:
            return
        new = None if row.valence == valence else valence
        self._write(self.history.set_valence, row.id, new, then=self._coding_changed)

    def action_memo(self) -> None:
        row = self._active_row()
        if row is None:
            return
        quote = " ".join(row.text.split())
        quote = quote if len(quote) < 150 else quote[:149] + "…"

        def save(text: object) -> None:
            if isinstance(text, str) and text != row.memo:
                self._write(self.history.set_memo, row.id, text, then=self._coding_changed)

        self.app.push_screen(MemoDialog(f"Memo on {row.code}", row.memo, f"“{quote}”"), save)

    def action_remove(self) -> None:
        row = self._active_row()
        if row is None:
            return
        self._write(self.history.remove_coding, row.id, then=self._coding_removed)

    def _coding_removed(self, row: CodingRow) -> None:
        self.rows = [r for r in self.rows if r.id != row.id]
        self.view.set_codings(self.rows)
        self._say(f"removed {row.code} (u undoes)")

    def action_in_vivo(self) -> None:
        sel = self.view.selection
        if self.doc is None:
            return
        if sel is None:
            self._say("select the words first (J K H L, shift+arrows or space), then I")
            return
        s, e = sel
        self._write(self.history.code_in_vivo, self.doc.id, s, e, self.doc.text[s:e],
                    then=self._new_code_applied)

    def action_new_code(self) -> None:
        if self.doc is None:
            return
        s, e = self.view.target

        def create(name: object) -> None:
            if isinstance(name, str) and name.strip() and self.doc is not None:
                parent, _, leaf = name.strip().rpartition("/")
                self._write(self.history.code_with_new_code, self.doc.id, s, e, leaf,
                            parent=parent or None, then=self._new_code_applied)

        self.app.push_screen(PromptDialog(
            "New inductive code, applied to the " + ("selection" if self.view.selection
                                                     else "sentence"),
            hint="A name, or Parent/Name to put it under an existing code.",
            placeholder="e.g. Geography"), create)

    def _new_code_applied(self, result: tuple[Any, CodingRow]) -> None:
        info, row = result
        self.app.reload_codes()  # type: ignore[attr-defined]
        colours = self._colours()
        colours[info.id] = info.colour or colours.get(info.id, FALLBACK_COLOURS[0])
        self.view.set_colours(colours)
        self._coding_added(row)
        self._say(f"new code {info.name}")

    # -- undo / redo -------------------------------------------------------------------
    def action_undo(self) -> None:
        self._write(self.history.undo, then=partial(self._after_history, "undone"))

    def action_redo(self) -> None:
        self._write(self.history.redo, then=partial(self._after_history, "redone"))

    def _after_history(self, verb: str, step: Step | None) -> None:
        if step is None:
            self._say(f"nothing to {verb[:-2]}")
            return
        self.app.reload_codes()  # type: ignore[attr-defined]
        if self.doc is not None and step.document_id == self.doc.id:
            self.app.run_service(self, codings_in_document, self.app.project,  # type: ignore[attr-defined]
                                 self.doc.id, self.doc.text,
                                 then=partial(self._reloaded_codings, step, verb))
        else:
            self.open_document(step.document_id, step.start)
            self.app.notify(f"{verb}: {step.label}", timeout=3)

    def _reloaded_codings(self, step: Step, verb: str, rows: list[CodingRow]) -> None:
        self.rows = rows
        self.view.set_codings(rows, active=step.coding_id)
        if not (self.view.target[0] <= step.start < self.view.target[1]):
            self.view.goto(step.start)
        self._say(f"{verb}: {step.label}")
