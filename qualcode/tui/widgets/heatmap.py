"""A heat map of matrix counts that draws only what is on screen (Textual's Line API).

Rows are cases or participants, columns codes; each cell shows its number of
codings on a shade that deepens with the count, plus a mark when the cell has a
summary (• draft, ✓ reviewed). Three header lines (domains, then code names
wrapped on two lines) and the row labels stay put while the body scrolls. Each
column is as wide as its name needs (within limits) and, when every column fits,
the spare width goes to the names, so they are not cut short. Rows by participant
sit under a heading line for their case. Rendering a line touches only the
visible columns, so 50 × 100 (or 300 × 100) cells cost the same as 10 × 10.
"""

from __future__ import annotations

import textwrap
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

HEADER_LINES = 3
NAME_LINES = 2
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
        "heatmap--header",
        "heatmap--domain",
        "heatmap--label",
        "heatmap--label-alt",
        "heatmap--case",
        "heatmap--empty",
        "heatmap--cursor",
        "heatmap--current",
        *{f"heatmap--heat-{n}" for n in range(1, LEVELS + 1)},
    }
    DEFAULT_CSS = """
    HeatMap { height: 1fr; width: 1fr; }
    HeatMap > .heatmap--header { color: $text; text-style: bold; }
    HeatMap > .heatmap--domain { color: $accent; text-style: bold; }
    HeatMap > .heatmap--label { color: $text; }
    HeatMap > .heatmap--label-alt { color: $text-muted; }
    HeatMap > .heatmap--case { color: $accent; text-style: bold; }
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

    def __init__(
        self,
        *,
        cell_width: int = 6,
        max_cell_width: int = 16,
        label_width: int = 18,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.matrix: Matrix | None = None
        self.min_cell_width = cell_width
        self.max_cell_width = max_cell_width
        self.max_label = label_width
        self.top = 0
        self.left = 0
        self._case_band: list[bool] = []
        self._max = 0
        self._lines: list[int] = []
        """Body lines: a row index, or ``-1 - ri`` for the case heading above row ``ri``."""
        self._line_of: list[int] = []
        self._widths: list[int] = []
        self._names: list[list[str]] = []
        self._sized_for = -1

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
        self._lines, self._line_of = [], []
        last = object()
        for ri, row in enumerate(matrix.rows):
            if matrix.spec.by == "participant" and row.case_id != last:
                self._lines.append(-1 - ri)
                last = row.case_id
            self._line_of.append(len(self._lines))
            self._lines.append(ri)
        self._sized_for = -1
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
        indent = 2 if self.matrix.spec.by == "participant" else 0
        longest = max(len(r.label) for r in self.matrix.rows) + indent
        return min(self.max_label, max(longest, len(self.matrix.spec.by)) + 2)

    def _layout(self) -> None:
        """Column widths for the current width: the names' needs first, then any spare room."""
        if self._sized_for == self.size.width or self.matrix is None:
            return
        self._sized_for = self.size.width
        cols = self.matrix.columns
        room = max(0, self.size.width - self.label_width)
        need = [
            max(
                self.min_cell_width,
                min(
                    self.max_cell_width,
                    max(-(-len(c.name) // NAME_LINES), *(len(w) for w in c.name.split())) + 1,
                ),
            )
            for c in cols
        ]
        if cols and sum(need) < room:  # everything fits: widen towards one line per name
            spare = room - sum(need)
            for _ in range(2):
                wants = [i for i, c in enumerate(cols) if need[i] < len(c.name) + 1]
                if not wants or spare <= 0:
                    break
                share = max(1, spare // len(wants))
                for i in wants:
                    add = min(share, len(cols[i].name) + 1 - need[i], spare)
                    need[i] += add
                    spare -= add
        self._widths = need
        self._names = [_wrap(c.name, w - 1) for c, w in zip(cols, need, strict=True)]

    def column_width(self, ci: int) -> int:
        self._layout()
        return self._widths[ci] if 0 <= ci < len(self._widths) else self.min_cell_width

    @property
    def cell_width(self) -> int:
        """The narrowest column (the widths differ: see :meth:`column_width`)."""
        self._layout()
        return min(self._widths, default=self.min_cell_width)

    def _columns_from(self, left: int) -> int:
        """How many columns fit on screen starting at ``left`` (at least one)."""
        self._layout()
        room, n = self.size.width - self.label_width, 0
        for w in self._widths[left:]:
            if room < w:
                break
            room -= w
            n += 1
        return max(1, n)

    def shown_widths(self) -> dict[int, int]:
        """Width of each column on screen (with columns off screen, these share the spare room)."""
        self._layout()
        cols = range(self.left, min(len(self._widths), self.left + self.visible_columns))
        widths = {ci: self._widths[ci] for ci in cols}
        if widths and len(widths) < len(self._widths):
            spare = max(0, self.size.width - self.label_width - sum(widths.values()))
            for k, ci in enumerate(widths):
                widths[ci] += spare // len(widths) + (1 if k < spare % len(widths) else 0)
        return widths

    @property
    def visible_rows(self) -> int:
        return max(1, self.size.height - HEADER_LINES)

    @property
    def visible_columns(self) -> int:
        return self._columns_from(self.left)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return HEADER_LINES + len(self._lines)

    # -- cursor ----------------------------------------------------------------------------
    def watch_cursor(self, cursor: tuple[int, int]) -> None:
        if not self.matrix or not self.matrix.rows or not self.matrix.columns:
            return
        row, col = cursor
        line = self._line_of[row] if row < len(self._line_of) else row
        heading = line - 1 if line and self._lines[line - 1] < 0 else line
        if heading < self.top:
            self.top = heading  # show the case heading with its first participant
        elif line >= self.top + self.visible_rows:
            self.top = line - self.visible_rows + 1
        self.left = min(self.left, col)
        while col >= self.left + self.visible_columns:
            self.left += 1
        self.refresh()
        self.post_message(self.CellHighlighted(self, row, col))

    def on_resize(self, event: events.Resize) -> None:
        self._sized_for = -1
        self.cursor = self.cursor  # re-run the scrolling for the new size

    def action_move(self, rows: int, columns: int) -> None:
        if self.matrix:
            r, c = self.cursor
            self.cursor = (
                self._clamp(r + rows, len(self.matrix.rows)),
                self._clamp(c + columns, len(self.matrix.columns)),
            )

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
        line = self.top + event.y - HEADER_LINES
        if (
            event.y < HEADER_LINES
            or event.x < self.label_width
            or line >= len(self._lines)
            or self._lines[line] < 0
        ):
            return
        row, x, col = self._lines[line], event.x - self.label_width, -1
        for ci, w in self.shown_widths().items():
            if x < w:
                col = ci
                break
            x -= w
        if col < 0:
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
        cols = self.shown_widths()
        if y == 0:
            segments = self._domain_line(cols)
        elif y < HEADER_LINES:
            segments = self._header_line(cols, y - 1)
        else:
            line = self.top + y - HEADER_LINES
            if line >= len(self._lines):
                return Strip.blank(width, self.rich_style)
            ri = self._lines[line]
            segments = self._row_line(ri, cols) if ri >= 0 else self._case_line(-1 - ri)
        return Strip(segments).adjust_cell_length(width, self.rich_style)

    def _domain_line(self, cols: dict[int, int]) -> list[Segment]:
        """Each domain's name once, over the visible columns it spans."""
        assert self.matrix is not None
        segments = [Segment(" " * self.label_width)]
        style = self._style("domain")
        spans: list[tuple[str, int]] = []
        for ci, w in cols.items():
            domain = self.matrix.columns[ci].domain
            if spans and spans[-1][0] == domain:
                spans[-1] = (domain, spans[-1][1] + w)
            else:
                spans.append((domain, w))
        for domain, w in spans:
            segments.append(Segment(("▏" + domain)[:w].ljust(w), style))
        return segments

    def _header_line(self, cols: dict[int, int], part: int) -> list[Segment]:
        """One of the two lines of column names (each name wrapped to its column)."""
        assert self.matrix is not None
        cur_col = self.cursor[1]
        label = ("case" if self.matrix.spec.by == "case" else "participant") if part == 0 else ""
        segments = [
            Segment(label[: self.label_width - 1].ljust(self.label_width), self._style("empty"))
        ]
        header, current = self._style("header"), self._style("current")
        self._layout()
        for ci, w in cols.items():
            lines = self._names[ci]
            name = (lines[part] if part < len(lines) else "").ljust(w)
            segments.append(Segment(name, header + current if ci == cur_col else header))
        return segments

    def _case_line(self, ri: int) -> list[Segment]:
        """The heading of a case above its participants: name, group and attributes."""
        row = self.matrix.rows[ri] if self.matrix else None
        if row is None:
            return []
        attrs = " · ".join(f"{k} {v}" for k, v in row.attributes.items() if k.lower() != "group")
        extra = " · ".join(x for x in (f"group {row.group}" if row.group else "", attrs) if x)
        text = (row.case or "(no case)") + (f"  {extra}" if extra else "")
        return [Segment(text, self._style("case"))]

    def _row_line(self, ri: int, cols: dict[int, int]) -> list[Segment]:
        m = self.matrix
        assert m is not None
        cur_row, cur_col = self.cursor
        row = m.rows[ri]
        w = self.label_width
        label = ("  " + row.label) if m.spec.by == "participant" else row.label
        text = label if len(label) < w else label[: w - 2] + "…"
        label_style = self._style("label" if self._case_band[ri] else "label-alt")
        if ri == cur_row:
            label_style += self._style("current")
        segments = [Segment(text.ljust(w), label_style)]
        for ci, cw in cols.items():
            cell = m.cell(ri, ci)
            level = heat_level(cell.count, self._max)
            mark = STATUS_MARK[cell.status]
            body = f"{cell.count}{mark}" if cell.count else f"·{mark}"
            style = self._style(f"heat-{level}" if level else "empty")
            if (ri, ci) == (cur_row, cur_col):
                style = self._style("cursor")
            segments.append(Segment(body.rjust(min(cw - 1, 4)).ljust(cw), style))
        return segments


def _wrap(name: str, width: int) -> list[str]:
    """A column name on at most two lines of ``width``; a cut is marked with "…"."""
    width = max(1, width)
    lines = textwrap.wrap(name, width, break_long_words=True, break_on_hyphens=True) or [""]
    if len(lines) <= NAME_LINES:
        return lines
    last = " ".join(lines[NAME_LINES - 1 :])
    return [*lines[: NAME_LINES - 1], last[: width - 1] + "…"]
