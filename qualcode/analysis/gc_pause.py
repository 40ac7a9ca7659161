"""Pause the garbage collector while a result of many small, long-lived objects is built.

Building the matrix of a large project makes a few hundred thousand objects (cells,
their coding id tuples, the rows) that all live as long as the matrix: none is
garbage, yet each allocation burst triggers collections, and in the workbench the
full ones walk every object of the running app (a third to a half of the F4 time at
2,000 transcripts). Collection resumes afterwards and catches up as usual, so memory is
never left uncollected beyond the build.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """No automatic collection inside the block; back on after it (if it was on before).

    Safe across threads: a build finishing first may turn collection back on while
    another is still running, which only costs that one some collections.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
