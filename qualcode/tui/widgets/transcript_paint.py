"""Drawing the transcript's visible lines: labels, coding tints, cursor and selection overlays.

A mixin of :class:`~qualcode.tui.widgets.transcript_view.TranscriptView`, kept
apart from the cursor and selection logic. Each display line is drawn once and
kept until something on it changes; styles are built once per combination.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip

Span = tuple[int, int]


class TranscriptPainter:
    """Line API drawing for the transcript view (expects its attributes)."""

    # provided by TranscriptView
    wrapped: Any
    transcript: Any
    index: Any
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
    _overlay_value: tuple[Any, ...]

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
        assert self.wrapped is not None and self.transcript is not None
        w, t = self.wrapped, self.transcript
        base = self.base_style
        bi = w.blocks[line]
        if bi < 0:
            return Strip([Segment(" ", base)])
        block = t.blocks[bi]
        kind = (
            "note"
            if not block.is_turn
            else ("participant" if block.is_participant is not False else "interviewer")
        )
        segs: list[Segment] = []
        if self.label_width:
            label = ""
            if w.first[line] and block.speaker:
                label = (
                    block.speaker
                    if len(block.speaker) < self.label_width
                    else block.speaker[: self.label_width - 2] + "…"
                )
            lstyle = self._component(
                "transcript--label" if kind == "participant" else "transcript--label-interviewer"
            )
            segs.append(Segment(label.ljust(self.label_width), lstyle))
        s, e = w.starts[line], w.ends[line]
        near = self.index.overlapping(s, e)
        if near:
            inner = min(near, key=lambda c: (c.end - c.start, -c.start, -c.id))
            colour = self.colours.get(inner.code_id, "#888888")
            segs.append(Segment("▌" if len(near) == 1 else "┃", Style(color=colour)))
        else:
            segs.append(Segment(" ", base))
        if s == e:
            return Strip(segs)
        text = t.text
        (fs, fe), sel, (cs, ce), act = self._overlay_state()
        cuts = {s, e}
        for x in (fs, fe, cs, ce, *(sel or ()), *((act.start, act.end) if act else ())):
            if s < x < e:
                cuts.add(x)
        matches = [m for m in self.matches if m[1] > s and m[0] < e] if self.matches else []
        for ms, me in matches:
            cuts.update(x for x in (ms, me) if s < x < e)
        for c in near:
            cuts.update(x for x in (c.start, c.end) if s < x < e)
        points = sorted(cuts)
        for a, b in pairwise(points):
            here = [c for c in near if c.start <= a < c.end]
            code_colour = None
            if here:
                inner = min(here, key=lambda c: (c.end - c.start, -c.start, -c.id))
                code_colour = self.colours.get(inner.code_id)
            key = (
                kind,
                code_colour,
                len(here) > 1,
                fs <= a < fe,
                bool(sel and sel[0] <= a < sel[1]),
                cs <= a < ce,
                bool(act and act.start <= a < act.end),
                any(ms <= a < me for ms, me in matches),
            )
            style = self._styles.get(key) or self._make_style(key)
            segs.append(Segment(text[a:b].replace("\t", " "), style))
        return Strip(segs)

    def _overlay_state(self) -> tuple[Span, Span | None, Span, Any]:
        """Sentence, selection, cursor word and active coding: worked out once per state."""
        key = (self.cursor, self.unit, self.sel_anchor, self.active_coding, id(self.index))
        if self._overlay_key != key:
            assert self.transcript is not None
            act = self.index.by_id.get(self.active_coding) if self.active_coding else None
            self._overlay_key = key
            self._overlay_value = (
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

    def _make_style(self, key: tuple[Any, ...]) -> Style:
        kind, code_colour, overlap, in_focus, in_sel, is_cursor, in_active, in_match = key
        high = bool(getattr(self.app, "high_contrast", False))
        base = self.base_style
        style = base
        if kind == "interviewer":
            style = self._component("transcript--interviewer")
        elif kind == "note":
            style = self._component("transcript--note")
        bg = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
        fg = Color.from_rich_color(base.color) if base.color else Color(255, 255, 255)
        if code_colour:
            colour = Color.parse(code_colour)
            if high:
                text_colour = Color(0, 0, 0) if colour.brightness > 0.5 else Color(255, 255, 255)
                style += Style(bgcolor=colour.rich_color, color=text_colour.rich_color, bold=True)
            else:
                amount = (0.5 if overlap else 0.34) + (0.14 if in_focus else 0.0)
                style += Style(bgcolor=bg.blend(colour, amount).rich_color)
        elif in_focus:
            style += Style(bgcolor=bg.blend(fg, 0.10 if not high else 0.0).rich_color)
        if in_focus and high:
            style += Style(underline=True)
        if in_active:
            style += Style(underline=True)
        if in_sel:
            style += (
                Style(reverse=True)
                if high
                else self.get_component_rich_style("transcript--selection", partial=True)
            )
        if in_match:
            style += self.get_component_rich_style("transcript--match", partial=True)
        if is_cursor:
            style += Style(reverse=True, bold=high)
        self._styles[key] = style
        return style
