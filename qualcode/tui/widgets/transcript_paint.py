"""Drawing the transcript's visible lines: labels, coding tints, cursor and selection overlays.

A mixin of :class:`~qualcode.tui.widgets.transcript_view.TranscriptView`, kept
apart from the cursor and selection logic. Each display line is drawn once and
kept until something on it changes; styles are built once per combination.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip

from qualcode.tui.coding_index import CodingIndex
from qualcode.tui.transcript_layout import Block, Transcript, Wrapped

Span = tuple[int, int]


class TranscriptPainter:
    """Line API drawing for the transcript view (expects its attributes)."""

    # provided by TranscriptView
    wrapped: Wrapped | None
    transcript: Transcript | None
    index: CodingIndex
    colours: dict[int, str]
    matches: list[Span]
    label_width: int
    cursor: int
    unit: str
    sel_anchor: Span | None
    active_coding: int | None
    _styles: dict[tuple[Any, ...], Style]
    _strips: dict[int, Strip]
    _base_style: Style | None
    _overlay_key: tuple[Any, ...] | None
    _overlay_value: Overlays

    @property
    def base_style(self) -> Style:
        """``rich_style`` (which walks the ancestors each time), kept until the styles change."""
        style = self._base_style
        if style is None:
            style = self._base_style = self.rich_style
        return style

    def notify_style_update(self) -> None:
        self._base_style = None
        self._styles.clear()
        self._strips.clear()
        super().notify_style_update()  # type: ignore[misc]

    # -- drawing -----------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.base_style
        if self.wrapped is None or line >= len(self.wrapped):
            return Strip.blank(width, base)
        strip = self._strips.get(line)
        if strip is None:
            strip = self._render_display_line(line)
            self._strips[line] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _render_display_line(self, line: int) -> Strip:
        """One display line: speaker label, coding gutter mark, then the text in styled runs."""
        wrapped = self.wrapped
        assert wrapped is not None and self.transcript is not None
        block_index = wrapped.blocks[line]
        if block_index < 0:  # the blank line between blocks
            return Strip([Segment(" ", self.base_style)])
        block = self.transcript.blocks[block_index]
        kind = _line_kind(block)
        s, e = wrapped.starts[line], wrapped.ends[line]
        near = self.index.overlapping(s, e)
        segs: list[Segment] = []
        if self.label_width:
            segs.append(self._label(block, kind, first=wrapped.first[line]))
        segs.append(self._gutter(near))
        if s != e:
            segs.extend(self._text_runs(s, e, kind, near))
        return Strip(segs)

    def _label(self, block: Block, kind: str, *, first: bool) -> Segment:
        """The speaker's name on a turn's first line (shortened to fit), blank below it."""
        width = self.label_width
        label = ""
        if first and block.speaker:
            speaker = block.speaker
            label = speaker if len(speaker) < width else speaker[: width - 2] + "…"
        style = self._component(
            "transcript--label" if kind == "participant" else "transcript--label-interviewer"
        )
        return Segment(label.ljust(width), style)

    def _gutter(self, near: list[Any]) -> Segment:
        """A bar in the innermost coding's colour: thin for one coding, thick for several."""
        if not near:
            return Segment(" ", self.base_style)
        colour = self.colours.get(_innermost(near).code_id, "#888888")
        return Segment("▌" if len(near) == 1 else "┃", Style(color=colour))

    def _text_runs(self, s: int, e: int, kind: str, near: list[Any]) -> list[Segment]:
        """The text of ``[s, e)`` cut wherever a coding, overlay or search match starts or ends.

        Each run's style is found in ``_styles`` by a plain tuple in ``StyleKey``'s field
        order, built inline from locals: a named tuple, a method call or attribute reads per
        run cost about 15% of a full redraw (bench_tui "draw one full screen of text").
        """
        text = self.transcript.text  # type: ignore[union-attr]
        ov = self._overlay_state()
        (fs, fe), sel, (cs, ce), act = ov
        matches = [m for m in self.matches if m[1] > s and m[0] < e] if self.matches else []
        colours, styles = self.colours, self._styles
        segs = []
        for a, b in pairwise(_cut_points(s, e, ov, matches, near)):
            here = [c for c in near if c.start <= a < c.end]
            key = (  # StyleKey
                kind,
                colours.get(_innermost(here).code_id) if here else None,
                len(here) > 1,
                fs <= a < fe,
                bool(sel and sel[0] <= a < sel[1]),
                cs <= a < ce,
                bool(act and act.start <= a < act.end),
                any(ms <= a < me for ms, me in matches),
            )
            style = styles.get(key) or self._make_style(key)
            segs.append(Segment(text[a:b].replace("\t", " "), style))
        return segs

    def _overlay_state(self) -> Overlays:
        """Sentence, selection, cursor word and active coding: worked out once per state."""
        key = (self.cursor, self.unit, self.sel_anchor, self.active_coding, id(self.index))
        if self._overlay_key != key:
            assert self.transcript is not None
            act = self.index.by_id.get(self.active_coding) if self.active_coding else None
            self._overlay_key = key
            self._overlay_value = Overlays(
                self.sentence_span,
                self.selection,
                self.transcript.word_at(self.cursor),
                act,
            )
        return self._overlay_value

    def _component(self, name: str) -> Style:
        key = ("component", name)
        style = self._styles.get(key)
        if style is None:
            style = self.base_style + self.get_component_rich_style(name, partial=True)
            self._styles[key] = style
        return style

    def _make_style(self, style_key: tuple[Any, ...]) -> Style:
        """The style for one combination (built once, then found in ``_styles``)."""
        key = StyleKey._make(style_key)
        high = bool(getattr(self.app, "high_contrast", False))
        style = self._tinted(self._kind_style(key.kind), key, high)
        if key.in_focus and high:
            style += Style(underline=True)
        if key.in_active:
            style += Style(underline=True)
        if key.in_selection:
            style += (
                Style(reverse=True)
                if high
                else self.get_component_rich_style("transcript--selection", partial=True)
            )
        if key.in_match:
            style += self.get_component_rich_style("transcript--match", partial=True)
        if key.is_cursor:
            style += Style(reverse=True, bold=high)
        self._styles[key] = style
        return style

    def _kind_style(self, kind: str) -> Style:
        if kind == "interviewer":
            return self._component("transcript--interviewer")
        if kind == "note":
            return self._component("transcript--note")
        return self.base_style

    def _tinted(self, style: Style, key: StyleKey, high: bool) -> Style:
        """The background: the innermost code's colour, stronger for overlaps and focus.

        In high contrast the code's colour is solid with black or white text, and the
        focus is shown by underlining (added by the caller) instead of a tint.
        """
        base = self.base_style
        bg = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
        if key.code_colour:
            colour = Color.parse(key.code_colour)
            if high:
                text_colour = Color(0, 0, 0) if colour.brightness > 0.5 else Color(255, 255, 255)
                return style + Style(
                    bgcolor=colour.rich_color, color=text_colour.rich_color, bold=True
                )
            amount = (0.5 if key.overlap else 0.34) + (0.14 if key.in_focus else 0.0)
            return style + Style(bgcolor=bg.blend(colour, amount).rich_color)
        if key.in_focus:
            fg = Color.from_rich_color(base.color) if base.color else Color(255, 255, 255)
            return style + Style(bgcolor=bg.blend(fg, 0.10 if not high else 0.0).rich_color)
        return style


class StyleKey(NamedTuple):
    """How one run of text looks; the key of the painter's style cache."""

    kind: str  # "participant" | "interviewer" | "note"
    code_colour: str | None  # the innermost coding's colour
    overlap: bool  # more than one coding here
    in_focus: bool  # the sentence (or unit) the cursor is in
    in_selection: bool
    is_cursor: bool  # the word under the cursor
    in_active: bool  # the coding picked in the panel
    in_match: bool  # a search match


class Overlays(NamedTuple):
    """What the cursor state marks on the text; the same for every line until it moves."""

    focus: Span
    selection: Span | None
    cursor_word: Span
    active: Any  # the active coding row, or None


def _line_kind(block: Block) -> str:
    if not block.is_turn:
        return "note"
    return "participant" if block.is_participant is not False else "interviewer"


def _innermost(codings: list[Any]) -> Any:
    """The shortest coding (ties: the later start, then the newer): its colour shows."""
    return min(codings, key=lambda c: (c.end - c.start, -c.start, -c.id))


def _cut_points(s: int, e: int, ov: Overlays, matches: list[Span], near: list[Any]) -> list[int]:
    """Where the look of ``[s, e)`` can change: its ends and every boundary inside it."""
    (fs, fe), sel, (cs, ce), act = ov
    edges = [fs, fe, cs, ce]
    if sel:
        edges += sel
    if act:
        edges += (act.start, act.end)
    for m in matches:
        edges += m
    for c in near:
        edges += (c.start, c.end)
    cuts = {x for x in edges if s < x < e}
    cuts.add(s)
    cuts.add(e)
    return sorted(cuts)
