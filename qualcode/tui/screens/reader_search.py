"""Searching one document in the coding reader (``/``, then ``>`` and ``<``).

A mixin of :class:`~qualcode.tui.screens.reader.ReaderScreen`. Every match is
highlighted and the current one is selected, so it can be coded at once.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from qualcode.tui.widgets.transcript_view import TranscriptView


class SearchBar(Input):
    """The in-document search line (``/``); Enter searches, escape closes."""

    DEFAULT_CSS = (
        "SearchBar { dock: bottom; display: none; border: none; height: 1; padding: 0 1; }"
    )

    def key_escape(self) -> None:
        self.display = False
        self.screen.query_one(TranscriptView).focus()


class SearchActions:
    """``/`` search, ``>`` / ``<`` step; expects the reader screen's view and status line."""

    view: TranscriptView
    search_query: str
    query_one: Any
    _say: Any

    # -- searching -------------------------------------------------------------------
    def action_search(self) -> None:
        bar = self.query_one(SearchBar)
        bar.display = True
        bar.value = self.search_query
        bar.focus()
        bar.select_all()  # typing replaces the last search; an arrow key keeps it

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search":
            return
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
            k = next(
                (i for i in range(len(starts) - 1, -1, -1) if starts[i] < here), len(starts) - 1
            )
        self._step_to(k)
