"""The reader's side panel: the codings on the current span, and the coding rules beside the text.

"On this span" lists each coding with its valence and memo; the one marked ▸ is
the one that +/-/=, M and X act on (tab cycles). "Rules" shows the definition,
inclusion and exclusion notes of that coding's code, or, where nothing is coded
yet, the code keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.columns import Columns
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container

from qualcode.tui.widgets.text_pane import TextPane

VALENCE_MARKS = {
    "facilitator": ("+", "facilitator", "green"),
    "barrier": ("−", "barrier", "red"),
    "neutral": ("=", "neutral", "dim"),
}


def valence_markup(valence: str | None) -> str:
    if not valence:
        return "[dim]no valence[/dim]"
    mark, word, colour = VALENCE_MARKS[valence]
    return f"[{colour}]{mark} {word}[/]"


def valence_text(valence: str | None) -> Text:
    """The valence as a styled cell for tables (green +, red −, grey =)."""
    if not valence:
        return Text("—", style="dim")
    mark, word, _ = VALENCE_MARKS[valence]
    return Text(f"{mark} {word}", style=VALENCE_MARKS[valence][2])


def _first_line(text: str, width: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


class CodingPanel(Container):
    """Two parts that sit side by side at the bottom on narrow terminals, stacked on wide ones."""

    DEFAULT_CSS = """
    CodingPanel { background: $surface; }
    CodingPanel > TextPane { height: 1fr; padding: 0 1; background: $surface; }
    """

    def compose(self) -> ComposeResult:
        yield TextPane(id="panel-here")
        yield TextPane(id="panel-rules")

    def show(
        self,
        codings: Sequence[Any],
        active: int | None,
        codes: dict[int, Any],
        legend: Sequence[Any],
        span_label: str,
    ) -> None:
        me = getattr(getattr(self.app, "project", None), "coder_name", None)
        here = self._here(codings, active, codes, span_label, me)
        active_row = next((c for c in codings if c.id == active), None)
        code = codes.get(active_row.code_id) if active_row else None
        rules, renderable = (self._rules(code), None) if code else self._legend(legend)
        self.query_one("#panel-here", TextPane).set_text(here)
        self.query_one("#panel-rules", TextPane).set_text(rules, renderable)

    @property
    def here_text(self) -> str:
        """The "On this span" part as plain text."""
        return self.query_one("#panel-here", TextPane).plain()

    @property
    def rules_text(self) -> str:
        """The rules (or code keys) part as plain text."""
        return self.query_one("#panel-rules", TextPane).plain()

    @staticmethod
    def _here(
        codings: Sequence[Any],
        active: int | None,
        codes: dict[int, Any],
        span_label: str,
        me: str | None = None,
    ) -> str:
        """Each coding on the span; another coder's carries their name (whose is whose)."""
        lines = [f"[b]On this {escape(span_label)}[/b]"]
        if not codings:
            lines.append("[dim]Not coded. Press a code's key, or ⏎ to pick a code.[/dim]")
        for c in codings:
            info = codes.get(c.code_id)
            colour = info.colour if info and info.colour else "#888888"
            mark = "▸" if c.id == active else " "
            who = getattr(c, "coder", None)
            by = f" [dim]by[/dim] [b $accent]{escape(who)}[/]" if who and who != me else ""
            lines.append(
                f"{mark}[{colour}]▌[/] [b]{escape(c.code)}[/b] {valence_markup(c.valence)}{by}"
            )
            if c.memo:
                lines.append(f"   [i]{escape(_first_line(c.memo))}[/i]")
        if len(codings) > 1:
            lines.append("[dim]tab: next coding here[/dim]")
        return "\n".join(lines)

    @staticmethod
    def _rules(code: Any) -> str:
        colour = code.colour or "#888888"
        key = f" [dim]key {escape(code.shortcut)}[/dim]" if code.shortcut else ""
        origin = "framework" if code.origin == "framework" else "inductive"
        out = [f"[{colour}]▌[/][b]{escape(code.name)}[/b]{key} [dim]{origin}[/dim]"]
        if len(code.path) > 1:
            out.append(f"[dim]{escape(' / '.join(code.path[:-1]))}[/dim]")
        for title, text in (
            ("", code.definition),
            ("Include: ", code.inclusion),
            ("Exclude: ", code.exclusion),
        ):
            if text:
                out.append(f"[b]{title}[/b]{escape(text)}" if title else escape(text))
        if len(out) == 1 or not (code.definition or code.inclusion or code.exclusion):
            out.append("[dim]No definition yet (F3 codebook, e to edit).[/dim]")
        return "\n".join(out)

    _legend_cache: tuple[tuple[Any, ...], tuple[str, RenderableType | None]] | None = None

    def _legend(self, codes: Sequence[Any]) -> tuple[str, RenderableType | None]:
        """The code keys as columns that reflow with the panel's width (built once per codebook)."""
        key = tuple((c.shortcut, c.colour, c.name) for c in codes)
        if self._legend_cache is None or self._legend_cache[0] != key:
            self._legend_cache = (key, self._make_legend(codes))
        return self._legend_cache[1]

    @staticmethod
    def _make_legend(codes: Sequence[Any]) -> tuple[str, RenderableType | None]:
        if not codes:
            return "[dim]No code keys. ⏎ picks a code by name; ctrl+n creates one.[/dim]", None
        items = [
            f"[b]{escape(c.shortcut)}[/b] [{c.colour or '#888888'}]▌[/]{escape(c.name)}"
            for c in codes
        ]
        title = "[b]Code keys[/b]  [dim]⏎ any code[/dim]"
        cells = [Text.from_markup(i, overflow="ellipsis") for i in items]
        for cell in cells:
            cell.no_wrap = True
        renderable = Group(Text.from_markup(title), Columns(cells, padding=(0, 2)))
        return title + "\n" + "\n".join(items), renderable
