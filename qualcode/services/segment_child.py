"""An import's reading and sentences in a second process, while this one stores.

Segmenting a large folder takes about as long as reading, parsing and storing it;
with a child process (``qualcode.child``) segmenting, and reading and parsing the
files once it has loaded spaCy, the importing process mostly stores, and never
loads spaCy. The child is started before anything heavy and loads its pipeline at
once, while this process loads the rest and parses the first files itself.

Small jobs stay in one process: below ``CHILD_MIN_BYTES`` of transcript files a
long-lived process (the workbench) had better load spaCy itself, once, for this and
later imports; with the pipeline loaded already, only a job above ``LOADED_MIN_BYTES``
gains from a child, which must load its own. A command's process ends after the
import, so there the child pays off from a few interviews (``ONE_SHOT_MIN_BYTES``).
A child that cannot start, fails or dies only makes the import fall back to
segmenting in this process, which gives the same sentences.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from qualcode.child import ChildFailed, ChildStream, spare_core
from qualcode.ingest.readers import SUPPORTED_SUFFIXES
from qualcode.ingest.segment import is_loaded

TARGET = "qualcode.ingest.segment_worker:work"
# Transcript bytes from which a child is started (about 40, 800 and 16 interviews).
# Measured: a command importing 5 to 40 interviews took 0.3-0.5 s less with a child; a
# process holding the pipeline took 2.2 s alone and 2.8 s with a child for 500 (12 MB).
CHILD_MIN_BYTES = 1_000_000
LOADED_MIN_BYTES = 20_000_000
ONE_SHOT_MIN_BYTES = 400_000


def _bytes(paths: Iterable[str | Path]) -> int:
    """The size of the transcript files given or in the folders given (an estimate)."""
    total = 0
    for raw in paths:
        path = Path(raw)
        try:
            if path.is_dir():
                files = (p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES)
                total += sum(p.stat().st_size for p in files)
            elif path.suffix.lower() in SUPPORTED_SUFFIXES:
                total += path.stat().st_size
        except OSError:
            pass  # reported when the file is read
    return total


class SegmentChild:
    """The child that segments (or reads and segments) an import's chunks, one answer
    per chunk, in order.

    After a failure it stops (:attr:`failure` says why): :meth:`result` then returns
    None for this chunk and every later one, and the caller does their work itself.
    """

    def __init__(self, model: str | None) -> None:
        self.model = model  # the pipeline the chunks are segmented with (set before sending)
        self.warning: str | None = None
        self.failure: str | None = None
        self._stream: ChildStream | None = ChildStream(TARGET)
        self._stream.send(("texts", model, []))  # loads the pipeline while this process parses
        self._warm = False

    def send(self, texts: list[tuple[str, list[tuple[int, int]]]]) -> None:
        """Queue one chunk's ``(text, turn ranges)`` for segmenting."""
        if self._stream is not None:
            self._stream.send(("texts", self.model, texts))

    def send_paths(self, labels: Any, pattern: Any, paths: list[Path]) -> None:
        """Queue files to read, parse and segment there (see ``segment_worker``)."""
        if self._stream is not None:
            self._stream.send(("paths", self.model, (labels, pattern, paths)))

    def loaded(self) -> bool:
        """Whether the child has its pipeline (or has failed): then it can read files
        faster than this process, which is busy storing."""
        if not self._warm and self._stream is not None and self._stream.ready():
            self._receive()
        return self._warm or self._stream is None

    def result(self) -> Any:
        """The oldest item's result (a chunk's sentences, or the files read and their
        sentences), or None: do that work in this process."""
        if not self._warm and self._receive() is None:
            return None
        answer = self._receive()
        return None if answer is None else answer[1]

    def _receive(self) -> tuple[str | None, list[Any]] | None:
        if self._stream is None:
            return None
        try:
            answer = self._stream.receive()
        except ChildFailed as e:
            self.failure = str(e)
            self.close()
            return None
        if self._warm:
            self.warning = answer[0]  # the warm-up's pipeline may not be the one used
        self._warm = True
        return answer  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the child (at once if answers are still owed)."""
        if self._stream is not None:
            self._stream.close()
            self._stream = None


def start_segmenter(
    model: str | None, paths: Iterable[str | Path], *, one_shot: bool = False
) -> SegmentChild | None:
    """A child for a job (files or folders) large enough to pay for one; None: segment
    in this process. The command line starts it before it loads anything heavy
    (``one_shot``: the process ends after the import)."""
    if not spare_core():
        return None
    if is_loaded(model):
        least = LOADED_MIN_BYTES
    else:
        least = ONE_SHOT_MIN_BYTES if one_shot else CHILD_MIN_BYTES
    if _bytes(paths) < least:
        return None
    try:
        return SegmentChild(model)
    except ChildFailed:
        return None
