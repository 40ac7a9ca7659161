"""A mixin of the reader: whose codings it shows (everyone's, one coder's or several).

The filter changes the highlights, the side panel and the counts in the status line,
never what is stored: new codings are still made as the current coder, and when the
filter hides them the status line says so. The choice is kept per project (the
``reader.coders`` setting), so the reader opens with it next time.
"""

from __future__ import annotations

from functools import partial

from rich.markup import escape
from textual.command import SimpleCommand

from qualcode.services.coders import coders_by_use, reader_coders, set_reader_coders
from qualcode.services.coding import CodingRow
from qualcode.tui.screens.reader_host import ReaderBase


def coder_filter_label(coders: tuple[str, ...]) -> str:
    """The filter as the status line shows it ("" when everyone's codings are shown)."""
    return f"only {escape(', '.join(coders))}" if coders else ""


class CoderFilter(ReaderBase):
    """Show everyone's codings or only some coders'; ``@`` or the command palette chooses."""

    def filtered(self, rows: list[CodingRow]) -> list[CodingRow]:
        """The codings the filter lets through."""
        if not self.coders:
            return rows
        keep = set(self.coders)
        return [r for r in rows if r.coder in keep]

    def show_codings(self, active: int | None = None) -> bool:
        """Draw the codings the filter lets through; False if ``active`` is one it hides."""
        shown = self.filtered(self.rows)
        self.view.set_codings(shown, active=active)
        return active is None or any(r.id == active for r in shown)

    def load_coder_filter(self) -> None:
        """Read this project's reader filter (keys wait for it, so none act on hidden codings)."""
        self.app.run_service(
            self, reader_coders, self.app.project, then=self._coder_filter_loaded, holds_keys=True
        )

    def _coder_filter_loaded(self, coders: tuple[str, ...]) -> None:
        if coders == self.coders:
            return
        self.coders = coders
        if self.doc is not None and self.view.transcript is not None:
            self.show_codings(active=self.view.active_coding)
            self._refresh_side()

    def action_pick_coders(self) -> None:
        """Offer the choices: everyone, only one coder, or one more or one fewer coder."""
        # keys typed meanwhile wait for the picker: they are its search, not code keys
        self.app.run_service(
            self, coders_by_use, self.app.project, then=self._offer_coders, holds_keys=True
        )

    def _offer_coders(self, coders: list[tuple[str, int]]) -> None:
        shown = set(self.coders)
        commands = [
            SimpleCommand(
                "Show everyone's codings" + (" (now)" if not shown else ""),
                partial(self._set_coders, ()),
                "The reader draws, lists and counts the codings of every coder",
            )
        ]
        for name, count in coders:
            n = f"{count} coding{'s' if count != 1 else ''} in the project"
            commands.append(
                SimpleCommand(
                    f"Show only {name}'s codings" + (" (now)" if shown == {name} else ""),
                    partial(self._set_coders, (name,)),
                    n,
                )
            )
            if shown and shown != {name}:
                other = tuple(sorted(shown ^ {name}))
                verb = "Hide" if name in shown else "Also show"
                commands.append(
                    SimpleCommand(f"{verb} {name}'s codings", partial(self._set_coders, other), n)
                )
        self.app.search_commands(commands, placeholder="Whose codings the reader shows…")

    def _set_coders(self, coders: tuple[str, ...]) -> None:
        self.app.run_service(
            self,
            set_reader_coders,
            self.app.project,
            coders,
            then=self._coders_set,
            serial=True,
        )

    def _coders_set(self, coders: tuple[str, ...]) -> None:
        self.coders = coders
        if self.doc is None or self.view.transcript is None:
            return
        self.show_codings(active=self.view.active_coding)
        self._refresh_side()
        self._say("")  # the status line names the filter itself; room for the counts
