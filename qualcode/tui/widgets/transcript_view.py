"""The transcript reader widget: draws only the visible lines (Textual's Line API).

Speaker labels sit in a left gutter (participant labels bright, the
interviewer's muted, and the interviewer's words dimmer than the participant's);
a one-cell stripe shows the colour of the codings on each line; coded text is
tinted with its code's colour. The cursor (a word), the sentence it is in, the
selection and search matches are overlays computed per visible line, so a
50,000-word transcript scrolls as fast as a short one.

Selection model: the *focus* is the sentence (after moving by sentence/turn) or
the word (after moving by word) at the cursor. Extending (shift+arrows)
fixes an *anchor* at the focus and then moves the focus; the selection spans
both. ``space`` starts a selection that plain moves then extend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualcode.tui.coding_index import CodingIndex
from qualcode.tui.transcript_layout import Transcript, Wrapped
from qualcode.tui.widgets.transcript_paint import Overlays, TranscriptPainter

Span = tuple[int, int]


class TranscriptView(TranscriptPainter, ScrollView, can_focus=True, inherit_bindings=False):
    """A scrollable, codable transcript."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transcript--label",
        "transcript--label-interviewer",
        "transcript--interviewer",
        "transcript--note",
        "transcript--selection",
        "transcript--focus",
        "transcript--match",
    }

    DEFAULT_CSS = """
    TranscriptView { scrollbar-gutter: stable; scrollbar-size-vertical: 1;
        background: $background; color: $foreground; }
    TranscriptView > .transcript--label { color: $accent; text-style: bold; }
    TranscriptView > .transcript--label-interviewer { color: $text-muted; }
    TranscriptView > .transcript--interviewer { color: $text-muted; }
    TranscriptView > .transcript--note { color: $text-disabled; text-style: italic; }
    TranscriptView > .transcript--selection { background: $primary 45%; }
    TranscriptView > .transcript--focus { background: $foreground 8%; }
    TranscriptView > .transcript--match { color: $warning; text-style: bold underline; }
    """

    class CursorMoved(Message):
        """The cursor, focus or selection changed (the screen updates panel and status)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transcript: Transcript | None = None
        self.wrapped: Wrapped | None = None
        self.index = CodingIndex([])
        self.colours: dict[int, str] = {}  # code id -> "#rrggbb"
        self.cursor = 0
        self.unit = "sentence"
        self.sel_anchor: Span | None = None
        self.marking = False
        self.active_coding: int | None = None
        self.matches: list[Span] = []
        self.label_width = 0
        self._styles: dict[tuple[Any, ...], Style] = {}
        self._base_style: Style | None = None
        self._last_overlay: list[Span] | None = None
        self._overlay_key: tuple[Any, ...] | None = None
        self._overlay_value = Overlays((0, 0), None, (0, 0), None)
        self._strips: dict[int, Strip] = {}
        self._drag_from: Span | None = None
        self._dragged = False

    # -- loading -------------------------------------------------------------------
    def load(
        self,
        transcript: Transcript,
        codings: Sequence[Any],
        colours: dict[int, str],
        offset: int | None = None,
    ) -> None:
        self.transcript = transcript
        self.index = CodingIndex(codings)
        self.colours = dict(colours)
        self.sel_anchor, self.marking, self.matches = None, False, []
        self.unit = "sentence"
        self.cursor = self._sentence_start_at(offset or 0)
        self._pick_active()
        self._rewrap()
        self.scroll_to(y=0, animate=False, immediate=True)
        self._scroll_cursor_into_view(center=offset is not None)
        self._changed()

    def set_codings(self, codings: Sequence[Any], active: int | None = None) -> None:
        """Show a new set of codings, redrawing only the lines where they differ."""
        old = self.index
        self.index = CodingIndex(codings)
        changed: list[Span] = []
        for cid in old.by_id.keys() | self.index.by_id.keys():
            a, b = old.by_id.get(cid), self.index.by_id.get(cid)
            if a is None or b is None or (a.start, a.end, a.code_id) != (b.start, b.end, b.code_id):
                changed += [(c.start, c.end) for c in (a, b) if c is not None]
        if active is not None:
            self.active_coding = active
        self._pick_active()
        self._refresh_overlays(changed)
        self._changed()

    def set_colours(self, colours: dict[int, str]) -> None:
        self.colours = dict(colours)
        self._styles.clear()
        self._invalidate()

    def set_matches(self, matches: list[Span]) -> None:
        self.matches = matches
        self._invalidate()

    # -- geometry ------------------------------------------------------------------
    def _text_width(self) -> int:
        width = self.scrollable_content_region.width or self.size.width or 80
        self.label_width = self._gutter_width(width)
        return max(8, width - self.label_width - 2)

    def _gutter_width(self, width: int) -> int:
        if self.transcript is None:
            return 0
        longest = max((len(b.speaker or "") for b in self.transcript.blocks), default=0)
        cap = 12 if width >= 70 else 7
        return min(longest, cap) + 1 if longest else 0

    def _rewrap(self) -> None:
        if self.transcript is None:
            return
        self.wrapped = Wrapped(self.transcript, self._text_width())
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.wrapped))
        self._invalidate()

    def on_resize(self, event: events.Resize) -> None:
        if self.transcript is None or self.wrapped is None:
            return
        if self._text_width() != self.wrapped.width:
            self._rewrap()
            self._scroll_cursor_into_view(center=True)

    def _invalidate(self) -> None:
        self._strips.clear()
        self._last_overlay = self._overlay_spans() if self.wrapped is not None else None
        self.refresh()

    # -- state -------------------------------------------------------------------
    @property
    def focus_span(self) -> Span:
        t = self.transcript
        if t is None:
            return (0, 0)
        if self.unit == "word":
            return t.word_at(self.cursor)
        return t.sentence(t.sentence_index(self.cursor))

    @property
    def sentence_span(self) -> Span:
        t = self.transcript
        return t.sentence(t.sentence_index(self.cursor)) if t else (0, 0)

    @property
    def selection(self) -> Span | None:
        if self.sel_anchor is None:
            return None
        f = self.focus_span
        return (min(self.sel_anchor[0], f[0]), max(self.sel_anchor[1], f[1]))

    @property
    def target(self) -> Span:
        """What a code applies to: the selection, else the sentence under the cursor."""
        return self.selection or self.sentence_span

    def codings_here(self) -> list[Any]:
        s, e = self.target
        return self.index.overlapping(s, e)

    def _pick_active(self) -> None:
        here = self.codings_here()
        ids = [c.id for c in here]
        if self.active_coding in ids:
            return
        containing = [c for c in here if c.start <= self.cursor < c.end]
        self.active_coding = (containing or here)[-1].id if here else None

    def cycle_active(self, delta: int) -> None:
        ids = [c.id for c in self.codings_here()]
        if not ids:
            return
        i = ids.index(self.active_coding) if self.active_coding in ids else -delta
        self.active_coding = ids[(i + delta) % len(ids)]
        self._refresh_overlays()
        self._changed()

    def _sentence_start_at(self, offset: int) -> int:
        t = self.transcript
        return t.sentence(t.sentence_index(offset))[0] if t and t.sentences else offset

    # -- moving ------------------------------------------------------------------
    def move(self, unit: str, delta: int, *, extend: bool = False) -> None:
        t = self.transcript
        if t is None:
            return
        if extend and self.sel_anchor is None:
            # extending by words starts from the word at the cursor, by sentences from the focus
            self.sel_anchor = t.word_at(self.cursor) if unit == "word" else self.focus_span
        elif not extend and not self.marking:
            self.sel_anchor = None
        if unit == "word":
            self.cursor = t.word_step(self.cursor, delta)[0]
            self.unit = "word"
        elif unit == "turn":
            bi = t.block_index(self.cursor) + delta
            bi = min(max(bi, 0), len(t.blocks) - 1)
            self.cursor = self._sentence_start_at(t.blocks[bi].start)
            self.unit = "sentence"
        else:
            if self.unit == "word" and delta < 0 and self.cursor > self.sentence_span[0]:
                delta = 0  # first go back to the start of this sentence
            self.cursor = t.sentence(t.sentence_index(self.cursor) + delta)[0]
            self.unit = "sentence"
        self._after_move()

    def goto(self, offset: int, *, select: Span | None = None, unit: str = "sentence") -> None:
        """Put the cursor at ``offset`` (optionally selecting a range)."""
        t = self.transcript
        if t is None:
            return
        self.marking = False
        if select is not None:
            s, e = t.trim(*select)
            self.unit = "word"
            self.cursor = t.word_at(s)[0]
            self.sel_anchor = (s, max(e, s + 1))
        else:
            self.sel_anchor = None
            self.unit = unit
            self.cursor = (
                t.word_at(offset)[0] if unit == "word" else self._sentence_start_at(offset)
            )
        self._after_move(center=True)

    def page(self, delta: int) -> None:
        if self.wrapped is None:
            return
        line = self.wrapped.line_of(self.cursor) + delta * max(1, self.size.height - 2)
        line = min(max(line, 0), len(self.wrapped) - 1)
        if not self.marking:
            self.sel_anchor = None
        self.cursor = self._sentence_start_at(self.wrapped.starts[line])
        self.unit = "sentence"
        self._after_move()

    def to_edge(self, direction: int) -> None:
        t = self.transcript
        if t is None:
            return
        if not self.marking:
            self.sel_anchor = None
        self.unit = "sentence"
        self.cursor = t.sentence(len(t.sentences) - 1 if direction > 0 else 0)[0]
        self._after_move()

    def toggle_mark(self) -> None:
        if self.marking:
            self.marking = False
        else:
            self.marking = True
            self.sel_anchor = self.sel_anchor or self.focus_span
        self._refresh_overlays()
        self._changed()

    def clear_selection(self) -> None:
        self.sel_anchor, self.marking = None, False
        self._after_move()

    def _after_move(self, center: bool = False) -> None:
        self._pick_active()
        self._refresh_overlays()
        self._scroll_cursor_into_view(center=center)
        self._changed()

    def _overlay_spans(self) -> list[Span]:
        """The ranges drawn differently because of the cursor, selection and active coding."""
        spans = [self.sentence_span, self.focus_span]
        if self.transcript is not None:
            spans.append(self.transcript.word_at(self.cursor))
        sel = self.selection
        if sel:
            spans.append(sel)
        act = self.index.by_id.get(self.active_coding) if self.active_coding else None
        if act is not None:
            spans.append((act.start, act.end))
        return spans

    def _refresh_overlays(self, extra: Sequence[Span] = ()) -> None:
        """Redraw only the lines whose overlays (or ``extra`` ranges) changed, not the whole view."""
        new = self._overlay_spans()
        old, self._last_overlay = self._last_overlay, new
        if self.wrapped is None or old is None:
            self._invalidate()
            return
        w = self.wrapped
        lines: set[int] = set()
        for s, e in {*old, *new, *extra}:
            first, last = w.line_of(s), w.line_of(max(s, e - 1))
            lines.update(range(first, last + 1))
        top, height = int(self.scroll_y), self.size.height
        for line in lines:
            self._strips.pop(line, None)
        for line in sorted(x for x in lines if top <= x < top + height):
            self.refresh_line(line)

    def _changed(self) -> None:
        self.post_message(self.CursorMoved())

    def _scroll_cursor_into_view(self, center: bool = False) -> None:
        """Keep the focus (sentence, word or selection end) on screen, with a margin of context."""
        if self.wrapped is None:
            return
        w = self.wrapped
        line = w.line_of(self.cursor)
        fs, fe = self.focus_span
        first, last = w.line_of(fs), w.line_of(max(fs, fe - 1))
        height = max(1, self.scrollable_content_region.height or self.size.height)
        margin = 2 if height > 10 else 0
        top = int(self.scroll_y)
        if center:
            want = max(0, line - height // 3)
        elif first < top + margin:  # going up past the top: put the focus two thirds down
            want = min(first - margin, last - (2 * height) // 3)
        elif last > top + height - 1 - margin:  # going down: put it a third down
            # (scrolling in bigger steps keeps the page calm and redraws less often)
            want = max(first - height // 3, last + margin - height + 1)
            want = (
                min(want, first - margin)
                if last - first < height - 2 * margin
                else max(want, line - height + 1)
            )
        else:
            return
        self.scroll_to(y=max(0, want), animate=False, immediate=True)

    # -- mouse -------------------------------------------------------------------
    def _offset_at(self, event: events.MouseEvent) -> int | None:
        if self.wrapped is None or self.transcript is None:
            return None
        pos = event.get_content_offset_capture(self)
        line = int(self.scroll_y) + pos.y
        col = pos.x + int(self.scroll_x) - self.label_width - 1
        if line >= len(self.wrapped):
            line = len(self.wrapped) - 1
        if self.wrapped.blocks[max(line, 0)] < 0:
            line += 1
        return self.wrapped.offset_at(line, col)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = self._offset_at(event)
        if offset is None or self.transcript is None:
            return
        self.focus()
        t = self.transcript
        self._drag_from = t.word_at(offset)
        self._dragged = False
        self.capture_mouse()
        self.sel_anchor, self.marking = None, False
        self.cursor, self.unit = self._drag_from[0], "word"
        self._after_move()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_from is None or not event.button:
            return
        offset = self._offset_at(event)
        if offset is None or self.transcript is None:
            return
        t = self.transcript
        word = t.word_at(offset)
        if word != self._drag_from or self._dragged:
            self._dragged = True
            self.sel_anchor = self._drag_from
            self.cursor, self.unit = word[0], "word"
            self._after_move()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_from is not None:
            self.release_mouse()
            self._drag_from = None
