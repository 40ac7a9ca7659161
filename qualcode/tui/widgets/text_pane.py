"""A scrollable pane of wrapped Rich-markup text that redraws without a screen layout pass.

``Static.update`` asks for a layout of the whole screen whenever its text may
change height; the reader's side panel changes on most key presses, so it uses
this pane instead: the text is wrapped to the pane's width (each text once: the
wrapped lines are kept) and only the pane is redrawn. There is no scrollbar
(showing or hiding one relayouts the screen): when the text runs past the
bottom, the last row says so, and the mouse wheel or :meth:`page` scrolls it.
"""

from __future__ import annotations

from collections import OrderedDict

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

MORE = " ⋯ more below (scroll) "


class TextPane(ScrollView, can_focus=False):
    """Wrapped, scrollable text; ``set_text`` replaces it."""

    DEFAULT_CSS = """
    TextPane { height: 1fr; overflow-x: hidden; overflow-y: scroll; scrollbar-size-vertical: 0; }
    """

    def __init__(self, text: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.text = text
        self._renderable: RenderableType | None = None
        self._lines: list[Strip] = []
        self._width = 0
        self._wrapped: OrderedDict[tuple[str, int], list[Strip]] = OrderedDict()
        self._base: Style | None = None

    def set_text(self, text: str, renderable: RenderableType | None = None) -> None:
        """Replace the text (Rich markup) and scroll back to the top.

        ``renderable``, if given, is drawn instead of the markup (e.g. columns that
        reflow with the width); ``text`` then names it (same text, same drawing).
        """
        if text == self.text and self._width:
            return
        self.text = text
        self._renderable = renderable
        self._layout_text()
        self.scroll_to(y=0, animate=False, immediate=True)

    def plain(self) -> str:
        return Text.from_markup(self.text).plain

    def page(self, direction: int = 1) -> None:
        """Scroll a page down (or up); from the end, back to the top."""
        height = self.scrollable_content_region.height
        if direction > 0 and self.scroll_y + height >= len(self._lines):
            self.scroll_to(y=0, animate=False, immediate=True)
        else:
            self.scroll_relative(y=direction * max(1, height - 1), animate=False, immediate=True)
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._width:
            self._layout_text()

    def notify_style_update(self) -> None:
        self._base = None
        self._wrapped.clear()
        super().notify_style_update()

    def _layout_text(self) -> None:
        width = self.scrollable_content_region.width
        self._width = width
        if width <= 0:
            self._lines = []
            return
        key = (self.text, width)
        lines = self._wrapped.get(key)
        if lines is None:
            console = self.app.console
            renderable = (
                self._renderable if self._renderable is not None else Text.from_markup(self.text)
            )
            split = Segment.split_and_crop_lines(
                console.render(renderable, console.options.update_width(width)),
                width,
                pad=False,
                include_new_lines=False,
            )
            lines = [Strip(line) for line in split]
            self._wrapped[key] = lines
            if len(self._wrapped) > 64:
                self._wrapped.popitem(last=False)
        else:
            self._wrapped.move_to_end(key)
        self._lines = lines
        size = Size(width, len(lines))
        if size != self.virtual_size:
            # not `self.virtual_size = size`, which asks for a layout of the whole screen
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        if self._base is None:
            self._base = self.rich_style
        style = self._base
        width = self.scrollable_content_region.width
        height = self.scrollable_content_region.height
        line = int(self.scroll_y) + y
        if y == height - 1 and line < len(self._lines) - 1:
            return Strip([Segment(MORE[:width], style + Style(dim=True, italic=True))]).crop_extend(
                0, width, style
            )
        if line >= len(self._lines):
            return Strip.blank(width, style)
        return self._lines[line].apply_style(style).crop_extend(0, width, style)
