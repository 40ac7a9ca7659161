"""A mixin of the reader: show codings others commit to the open document, as they come.

The app looks for others' changes every second or so (``QualcodeApp.poll_changes``) and
sends ``ProjectChanged``; the reader then re-reads the open document's codings in a
worker and repaints them (those the coder filter shows), keeping the cursor and the
active coding.
"""

from __future__ import annotations

from functools import partial

from qualcode.services.coding import CodingRow
from qualcode.services.reading import codings_in_document
from qualcode.tui.screens.reader_host import ReaderBase
from qualcode.tui.workers import ProjectChanged


class LiveReload(ReaderBase):
    """Re-read the open document's codings when the project changed elsewhere."""

    def on_project_changed(self, message: ProjectChanged) -> None:
        doc = self.doc
        if doc is None or self._loading is not None:
            return
        self.app.run_service(
            self,
            codings_in_document,
            self.app.project,
            doc.id,
            then=partial(self._live_codings, doc.id),
        )

    def _live_codings(self, document_id: int, rows: list[CodingRow]) -> None:
        doc = self.doc
        if doc is None or doc.id != document_id:
            return  # another document was opened meanwhile
        mine = [(r.id, r.updated_at) for r in self.rows]
        if [(r.id, r.updated_at) for r in rows] == mine:
            return
        self.rows = rows
        self.show_codings(active=self.view.active_coding)
        self._refresh_side()
