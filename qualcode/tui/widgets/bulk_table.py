"""A DataTable filled in one step with plain ``Text`` cells: thousands of rows without the wait.

Textual's ``DataTable.add_row`` does per-row work (a cursor update, a check for
idle) and, once idle, measures every cell through its markup formatter. At 2,000
documents that is seconds on the event loop. :meth:`BulkTable.fill` stores all
rows at once and sizes the columns from the cells' plain lengths (every cell is
a one-line ``rich.text.Text``, so its width is its cell length), then lets the
table draw only what is on screen, as it always does. What is drawn is the same
as rows added one by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets._data_table import Row, RowKey


def _width(cell: Text) -> int:
    plain = cell.plain
    if "\n" in plain:
        return max(cell_len(line) for line in plain.split("\n"))
    return cell_len(plain)


class ResultTable(DataTable[Any]):
    """A DataTable whose drawing never lags behind its column widths.

    Textual sizes auto-width columns when the table next goes idle, but keeps the
    lines it drew before that in caches whose keys do not include the widths. A frame
    painted between adding the rows and that idle pass (a loaded machine makes it
    likely) then stays on screen with columns as narrow as their headers ("+ facil")
    until the table next changes. Dropping the drawn lines when the widths change
    makes what is shown follow the data every time.
    """

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        before = [column.content_width for column in self.columns.values()]
        super()._update_dimensions(new_rows)
        if [column.content_width for column in self.columns.values()] != before:
            self._clear_caches()
            self.refresh()


class BulkTable(ResultTable):
    """A DataTable whose rows are replaced all at once by :meth:`fill`."""

    def fill(self, rows: Sequence[tuple[str, Sequence[Text]]]) -> None:
        """Replace every row with ``(key, cells)`` pairs, cells in column order."""
        self.clear()
        columns = self.ordered_columns
        if not columns:
            return
        keys = [c.key for c in columns]
        widths = [c.content_width for c in columns]
        locations, data, meta = self._row_locations, self._data, self.rows
        for index, (key, cells) in enumerate(rows):
            if len(cells) > len(keys):
                raise ValueError("More values provided than there are columns.")
            row_key = RowKey(key)
            locations[row_key] = index
            data[row_key] = dict(zip(keys, cells, strict=False))
            meta[row_key] = Row(row_key, 1)
            for i, cell in enumerate(cells):
                w = _width(cell)
                if w > widths[i]:
                    widths[i] = w
        for column, width in zip(columns, widths, strict=True):
            column.content_width = width
        # The widths are known, so no row is left for the idle pass to measure, and the
        # scrollable size is set now: the first frame drawn with the rows already has
        # its scroll bar, instead of being drawn again a column narrower once idle.
        self._new_rows.clear()
        self._require_update_dimensions = False
        self._update_count += 1  # first: the row offsets it sizes from are cached per count
        self._update_dimensions(())
        self.cursor_coordinate = self.cursor_coordinate
        if self.row_count and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self.check_idle()
