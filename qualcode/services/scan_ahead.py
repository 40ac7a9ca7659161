"""The export gate's second process, started before the export's own modules load.

Loading spaCy takes the scan process most of a second; a command that will export
starts it first (:func:`start_scan_process`) so that load overlaps the command's own
start. The gate takes it (:func:`take_scan_process`) if it needs a scan, and stops
it if the findings are remembered. This module imports nothing heavy on purpose.
"""

from __future__ import annotations

import atexit
import threading

from qualcode.child import ChildFailed, ChildStream, spare_core

SCAN_TARGET = "qualcode.analysis.gate_scan:serve"
_lock = threading.Lock()
_ahead: list[ChildStream] = []


def new_scan_process() -> ChildStream:
    """A scan process told to load spaCy now; its first answer is that warm-up's."""
    child = ChildStream(SCAN_TARGET)
    child.send(None)
    return child


def start_scan_process() -> None:
    """Start one scan process ahead of an export (no-op if one is waiting or none can start)."""
    with _lock:
        if _ahead or not spare_core():
            return
        try:
            _ahead.append(new_scan_process())
        except ChildFailed:
            return


def take_scan_process() -> ChildStream | None:
    """The process started ahead, now the caller's to use and close; None if there is none."""
    with _lock:
        return _ahead.pop() if _ahead else None


@atexit.register
def _stop_unused() -> None:
    with _lock:
        while _ahead:
            _ahead.pop().close(kill=True)
