"""Ending a finished command at once, without freeing its memory object by object.

After a command has done its work (its project closed, its output written) Python
would still tear down every module and object one at a time: after an import of
500 interviews that took about 0.1 s, a twentieth of the whole command.
:func:`leave` does what Python's own exit does that matters (the exit handlers that
were registered: temporary files, log files, other tools' hooks), flushes the output
and ends the process with the command's exit code.

It leaves the usual exit to Python when that could matter: another thread still
running (Python would wait for it), a profiler or tracer watching (``python -m
cProfile`` writes its figures after the program returns), output that cannot be
flushed (a closed pipe, which Python reports), or a Python without the exit-handler
runner.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading


def leave(code: int) -> None:
    """End the process with ``code`` now, or return (then exit as usual)."""
    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    watched = sys.getprofile() is not None or sys.gettrace() is not None
    if run_handlers is None or watched or threading.active_count() > 1:
        return
    run_handlers()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # Python reports a closed pipe as usual
    os._exit(code)
