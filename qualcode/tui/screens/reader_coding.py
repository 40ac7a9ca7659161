"""Coding actions of the reader: apply, valence, memo, remove, new and in vivo codes, undo, redo.

A mixin of :class:`~qualcode.tui.screens.reader.ReaderScreen`. Each action goes
through the session's :class:`~qualcode.services.history.History` in a serial
worker (one committed transaction each, in key-press order); the view is
updated from the stored result.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual import events
from textual.command import SimpleCommand

from qualcode.services.codebook import CodeInfo
from qualcode.services.coding import CodingRow
from qualcode.services.history import History, Step
from qualcode.services.reading import codings_in_document
from qualcode.tui.screens.dialogs import MemoDialog, PromptDialog
from qualcode.tui.screens.reader_host import ReaderBase
from qualcode.tui.widgets.transcript_view import TranscriptView

FALLBACK_COLOURS = ("#7aa2c8", "#c8a27a", "#8fbf8f", "#c88fa8", "#a8a8d8", "#d8c878")


class CodingActions(ReaderBase):
    """The coding keys of the reader; what it needs from the screen is :class:`ReaderHost`."""

    # -- coding ----------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        """A letter or digit applies the code with that shortcut, in either case.

        Letters and digits are never commands in the reader (see :mod:`qualcode.tui.keymap`),
        so Caps Lock or Shift still applies the code; a key with no code says so.
        """
        char = event.character
        if (
            not char
            or len(char) != 1
            or not char.isalnum()
            or not isinstance(self.focused, TranscriptView)
        ):
            return
        if event.key in self.app.active_bindings:
            return  # a user's keys.toml put a command on this letter
        event.stop()
        event.prevent_default()
        # Keys bound to commands are acted on when they bubble up to the app; a code key is
        # handled here, one step earlier. Going through the app's queue keeps a code key
        # behind the moves typed before it, however fast they came.
        self.app.call_later(self._code_key, char.lower())

    def _code_key(self, char: str) -> None:
        code_id = self._shortcuts().get(char)
        if code_id is None:
            self._say(f"no code on key {char}: Enter picks a code by name")
            return
        self.apply_code(code_id)

    def _write(
        self, fn: Callable[..., Any], *args: Any, then: Callable[[Any], None], **kwargs: Any
    ) -> None:
        self.app.run_service(self, fn, *args, then=then, serial=True, **kwargs)

    @property
    def history(self) -> History:
        return self.app.history

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
        if self.show_codings(active=row.id):
            self._say(f"coded {row.code}")
        else:  # stored, but the coder filter hides it: say so rather than let it vanish
            self._say(
                f"coded {row.code} as {row.coder}, hidden: only {', '.join(self.coders)}'s "
                "codings are shown (@ changes whose)"
            )

    def _coding_changed(self, row: CodingRow) -> None:
        self.rows = [row if r.id == row.id else r for r in self.rows]
        self.show_codings(active=row.id)
        self._say(f"{row.code}: {row.valence or 'no valence'}" + (" · memo" if row.memo else ""))

    def _active_row(self) -> CodingRow | None:
        active = self.view.active_coding
        row = next((r for r in self.rows if r.id == active), None)
        if row is None:
            self._say("no coding here: apply a code first")
        return row

    def action_pick_code(self) -> None:
        commands = [
            SimpleCommand(
                f"{c.path_str}" + (f"  [{c.shortcut}]" if c.shortcut else ""),
                partial(self.apply_code, c.id),
                (c.definition[:90] + "…") if len(c.definition) > 90 else c.definition or None,
            )
            for c in getattr(self.app, "codes", [])
            if c.codable
        ]
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
        self.show_codings()
        self._say(f"removed {row.code} (ctrl+z brings it back)")

    def action_in_vivo(self) -> None:
        sel = self.view.selection
        if self.doc is None:
            return
        if sel is None:
            self._say("select the words first (shift+arrows, or space then arrows), then '")
            return
        s, e = sel
        self._write(
            self.history.code_in_vivo,
            self.doc.id,
            s,
            e,
            self.doc.text[s:e],
            then=self._new_code_applied,
        )

    def action_new_code(self) -> None:
        if self.doc is None:
            return
        s, e = self.view.target

        def create(name: object) -> None:
            if isinstance(name, str) and name.strip() and self.doc is not None:
                parent, _, leaf = name.strip().rpartition("/")
                self._write(
                    self.history.code_with_new_code,
                    self.doc.id,
                    s,
                    e,
                    leaf,
                    parent=parent or None,
                    then=self._new_code_applied,
                )

        self.app.push_screen(
            PromptDialog(
                "New inductive code, applied to the "
                + ("selection" if self.view.selection else "sentence"),
                hint="A name, or Parent/Name to put it under an existing code.",
                placeholder="e.g. Geography",
            ),
            create,
        )

    def _new_code_applied(self, result: tuple[CodeInfo, CodingRow]) -> None:
        info, row = result
        self.app.reload_codes()
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
        self.app.reload_codes()
        if self.doc is not None and step.document_id == self.doc.id:
            self.app.run_service(
                self,
                codings_in_document,
                self.app.project,
                self.doc.id,
                then=partial(self._reloaded_codings, step, verb),
            )
        else:
            self.open_document(step.document_id, step.start)
            self.app.notify(f"{verb}: {step.label}", timeout=3)

    def _reloaded_codings(self, step: Step, verb: str, rows: list[CodingRow]) -> None:
        self.rows = rows
        self.show_codings(active=step.coding_id)
        if not (self.view.target[0] <= step.start < self.view.target[1]):
            self.view.goto(step.start)
        self._say(f"{verb}: {step.label}")
