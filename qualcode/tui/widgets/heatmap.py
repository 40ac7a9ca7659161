"""A heat map of matrix counts that draws only what is on screen (Textual's Line API).

Rows are cases or participants, columns codes; each cell shows its number of
codings on a shade that deepens with the count, plus a mark when the cell has a
summary (• draft, ✓ reviewed). Two header lines (domains, code names) and the
row labels stay put while the body scrolls. Rendering a line touches only the
visible columns, so 50 × 100 (or 300 × 100) cells cost the same as 10 × 10.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from qualcode.analysis.matrix import Matrix

HEADER_LINES = 2
LEVELS = 5
STATUS_MARK = {"empty": " ", "draft": "•", "reviewed": "✓"}


def heat_level(count: int, max_count: int) -> int:
    """0 for no codings, else 1..LEVELS (square-root scale: small counts stay visible)."""
    if count <= 0 or max_count <= 0:
        return 0
    return max(1, min(LEVELS, round(LEVELS * (count / max_count) ** 0.5)))


class HeatMap(Widget, can_focus=True):
    """The matrix as a grid of shaded counts with a cell cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "heatmap--header", "heatmap--domain", "heatmap--label", "heatmap--label-alt",
        "heatmap--empty", "heatmap--cursor", "heatmap--current",
        *{f"heatmap--heat-{n}" for n in range(1, LEVELS + 1)},
    }
    DEFAULT_CSS = """
    HeatMap { height: 1fr; width: 1fr; }
    HeatMap > .heatmap--header { color: $text; text-style: bold; }
    HeatMap > .heatmap--domain { color: $accent; text-style: bold; }
    HeatMap > .heatmap--label { color: $text; }
    HeatMap > .heatmap--label-alt { color: $text-muted; }
    HeatMap > .heatmap--empty { color: $text-disabled; }
    HeatMap > .heatmap--current { background: $boost; text-style: bold; }
    HeatMap > .heatmap--cursor { background: $accent; color: $background; text-style: bold; }
    HeatMap > .heatmap--heat-1 { background: $primary 15%; color: $text; }
    HeatMap > .heatmap--heat-2 { background: $primary 30%; color: $text; }
    HeatMap > .heatmap--heat-3 { background: $primary 50%; color: $text; }
    HeatMap > .heatmap--heat-4 { background: $primary 70%; color: $background; }
    HeatMap > .heatmap--heat-5 { background: $primary; color: $background; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1, 0)", "Up", show=False),
        Binding("down,j", "move(1, 0)", "Down", show=False),
        Binding("left,h", "move(0, -1)", "Left", show=False),
        Binding("right,l", "move(0, 1)", "Right", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(-1)", "First column", show=False),
        Binding("end", "edge(1)", "Last column", show=False),
        Binding("enter", "select", "Open cell", show=False),
    ]

    cursor: reactive[tuple[int, int]] = reactive((0, 0), always_update=True)

    class CellHighlighted(Message):
        """The cursor moved to a cell."""

        def __init__(self, heatmap: HeatMap, row: int, column: int) -> None:
            super().__init__()
            self.heatmap, self.row, self.column = heatmap, row, column

    class CellSelected(Message):
        """Enter (or a second click) on a cell."""

        def __init__(self, heatmap: HeatMap, row: int, column: int) -> None:
            super().__init__()
            self.heatmap, self.row, self.column = heatmap, row, column

    def __init__(self, *, cell_width: int = 6, max_cell_width: int = 14, label_width: int = 18,
                 name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.matrix: Matrix | None = None
        self.min_cell_width = cell_width
        self.max_cell_width = max_cell_width
        self.max_label = label_width
        self.top = 0
        self.left = 0
        self._case_band: list[bool] = []
        self._max = 0

    # -- data ------------------------------------------------------------------------------
    def set_matrix(self, matrix: Matrix, cursor: tuple[int, int] | None = None) -> None:
        """Show a (new) matrix, keeping the cursor where asked (clamped)."""
        self.matrix = matrix
        self._max = matrix.max_count
        band, last, flip = [], object(), False
        for row in matrix.rows:  # alternate label shade per case (participant rows)
            if row.case_id != last:
                flip, last = not flip, row.case_id
            band.append(flip)
        self._case_band = band
        r, c = cursor if cursor is not None else self.cursor
        self.cursor = (self._clamp(r, len(matrix.rows)), self._clamp(c, len(matrix.columns)))
        self.refresh()

    @staticmethod
    def _clamp(value: int, size: int) -> int:
        return max(0, min(value, size - 1)) if size else 0

    @property
    def label_width(self) -> int:
        if not self.matrix or not self.matrix.rows:
            return 8
        longest = max(len(r.label) for r in self.matrix.rows)
        return min(self.max_label, max(longest, len(self.matrix.spec.by)) + 2)

    @property
    def cell_width(self) -> int:
        """Cells widen (up to a limit) when few columns share the width: names stay readable."""
        n = len(self.matrix.columns) if self.matrix else 0
        if not n:
            return self.min_cell_width
        fit = (self.size.width - self.label_width) // n
        return max(self.min_cell_width, min(self.max_cell_width, fit))

    @property
    def visible_rows(self) -> int:
        return max(1, self.size.height - HEADER_LINES)

    @property
    def visible_columns(self) -> int:
        return max(1, (self.size.width - self.label_width) // self.cell_width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        rows = len(self.matrix.rows) if self.matrix else 0
        return HEADER_LINES + rows

    # -- cursor ----------------------------------------------------------------------------
    def watch_cursor(self, cursor: tuple[int, int]) -> None:
        if not self.matrix or not self.matrix.rows or not self.matrix.columns:
            return
        row, col = cursor
        if row < self.top:
            self.top = row
        elif row >= self.top + self.visible_rows:
            self.top = row - self.visible_rows + 1
        if col < self.left:
            self.left = col
        elif col >= self.left + self.visible_columns:
            self.left = col - self.visible_columns + 1
        self.refresh()
        self.post_message(self.CellHighlighted(self, row, col))

    def on_resize(self, event: events.Resize) -> None:
        self.cursor = self.cursor  # re-run the scrolling for the new size

    def action_move(self, rows: int, columns: int) -> None:
        if self.matrix:
            r, c = self.cursor
            self.cursor = (self._clamp(r + rows, len(self.matrix.rows)),
                           self._clamp(c + columns, len(self.matrix.columns)))

    def action_page(self, direction: int) -> None:
        self.action_move(direction * self.visible_rows, 0)

    def action_edge(self, direction: int) -> None:
        if self.matrix:
            self.cursor = (self.cursor[0], 0 if direction < 0 else len(self.matrix.columns) - 1)

    def action_select(self) -> None:
        if self.matrix and self.matrix.rows and self.matrix.columns:
            self.post_message(self.CellSelected(self, *self.cursor))

    def on_click(self, event: events.Click) -> None:
        if not self.matrix:
            return
        row = self.top + event.y - HEADER_LINES
        col = self.left + (event.x - self.label_width) // self.cell_width
        if event.y < HEADER_LINES or event.x < self.label_width or row >= len(self.matrix.rows) \
                or col >= len(self.matrix.columns):
            return
        if (row, col) == self.cursor:
            self.action_select()
        else:
            self.cursor = (row, col)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.action_move(3, 0)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.action_move(-3, 0)

    # -- drawing -----------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"heatmap--{name}")

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        m = self.matrix
        if m is None or not m.columns:
            return Strip.blank(width, self.rich_style)
        cols = range(self.left, min(len(m.columns), self.left + self.visible_columns))
        if y == 0:
            segments = self._domain_line(cols)
        elif y == 1:
            segments = self._header_line(cols)
        else:
            ri = self.top + y - HEADER_LINES
            if ri >= len(m.rows):
                return Strip.blank(width, self.rich_style)
            segments = self._row_line(ri, cols)
        return Strip(segments).adjust_cell_length(width, self.rich_style)

    def _domain_line(self, cols: range) -> list[Segment]:
        """Each domain's name once, over the visible columns it spans."""
        assert self.matrix is not None
        segments = [Segment(" " * self.label_width)]
        style, cw = self._style("domain"), self.cell_width
        spans: list[tuple[str, int]] = []
        for ci in cols:
            domain = self.matrix.columns[ci].domain
            if spans and spans[-1][0] == domain:
                spans[-1] = (domain, spans[-1][1] + 1)
            else:
                spans.append((domain, 1))
        for domain, n in spans:
            segments.append(Segment(("▏" + domain)[:n * cw].ljust(n * cw), style))
        return segments

    def _header_line(self, cols: range) -> list[Segment]:
        assert self.matrix is not None
        cur_row, cur_col = self.cursor
        label = "case" if self.matrix.spec.by == "case" else "participant"
        segments = [Segment(label[:self.label_width - 1].ljust(self.label_width),
                            self._style("empty"))]
        header, current = self._style("header"), self._style("current")
        for ci in cols:
            col = self.matrix.columns[ci]
            name = col.name[:self.cell_width - 1].ljust(self.cell_width)
            segments.append(Segment(name, header + current if ci == cur_col else header))
        return segments

    def _row_line(self, ri: int, cols: range) -> list[Segment]:
        m = self.matrix
        assert m is not None
        cur_row, cur_col = self.cursor
        row = m.rows[ri]
        w = self.label_width
        text = row.label if len(row.label) < w else row.label[:w - 2] + "…"
        label_style = self._style("label" if self._case_band[ri] else "label-alt")
        if ri == cur_row:
            label_style += self._style("current")
        segments = [Segment(text.ljust(w), label_style)]
        cw = self.cell_width
        for ci in cols:
            cell = m.cell(ri, ci)
            level = heat_level(cell.count, self._max)
            mark = STATUS_MARK[cell.status]
            body = f"{cell.count}{mark}" if cell.count else f"·{mark}"
            style = self._style(f"heat-{level}" if level else "empty")
            if (ri, ci) == (cur_row, cur_col):
                style = self._style("cursor")
            segments.append(Segment(body.rjust(min(cw - 1, 4)).ljust(cw), style))
        return segments
