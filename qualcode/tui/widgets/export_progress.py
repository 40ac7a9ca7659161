"""The progress bar of an export dialog, fed safely from the export's worker thread.

Both export dialogs run a service in a worker that reports ``(done, total, message)``.
:meth:`ExportProgressBar.reporter` gives the callback to pass it: each report is posted
as a message (never a blocking call into the app's thread) and a report arriving after
the export has finished is ignored rather than moving the bar back.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message
from textual.widgets import ProgressBar


class ExportProgressBar(ProgressBar):
    """A progress bar that follows one export at a time."""

    class Report(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(total=1, show_eta=False, id=id)
        self.running = False

    def start(self) -> Callable[[int, int, str], None]:
        """Reset the bar for a new export; returns the worker's progress callback."""
        self.running = True
        self.update(total=1, progress=0)

        def report(done: int, total: int, *_: object) -> None:
            self.post_message(self.Report(done, total))  # from the worker thread

        return report

    def finish(self, *, complete: bool = True) -> None:
        """The export is over: fill the bar when it succeeded; later reports are stale."""
        self.running = False
        if complete:
            self.update(total=1, progress=1)

    def on_export_progress_bar_report(self, message: Report) -> None:
        message.stop()
        if self.running:  # posted just before the result, arriving after it: stale otherwise
            self.update(total=max(message.total, 1), progress=message.done)
