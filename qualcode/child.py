"""Work done in a second Python process, so a long job uses both cores of a small server.

An import segments transcripts while the parent parses and stores them; an export's
identifier scan runs while the parent writes the file. :class:`ChildStream` starts
a second Python on ``MODULE:FUNCTION`` and calls that function once per item
sent, in order, in the child; results come back in the same order. Items and results
travel pickled over the child's stdin and stdout (a plain pipe: no shared memory or
semaphores, which locked-down servers sometimes lack).

A child that cannot start, raises or dies makes :meth:`ChildStream.receive` raise
:class:`ChildFailed` with the child's own message; the caller then does the work in
its own process, so a missing second process makes a job slower, never wrong.

Run as a module, this file is the child's side.
"""

from __future__ import annotations

import importlib
import os
import pickle
import queue
import select
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from typing import Any, BinaryIO

_STOP = object()
# The child imports qualcode from where this process did, not from its working folder.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_BOOT = f"import sys; sys.path.insert(0, {_ROOT!r}); from qualcode.child import main; main()"
_OK, _ERROR = "ok", "error"


def spare_core() -> bool:
    """Whether this process may use a second core (a child on one core only adds work)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores >= 2


class ChildFailed(RuntimeError):
    """The child process could not start, raised, or ended before answering."""


class ChildStream:
    """A child process that applies ``module:function`` to each item sent, in order.

    ``send`` never blocks on the pipe (a feeder thread writes), so the parent can send
    the next item while the child is still answering the last.
    """

    def __init__(self, target: str) -> None:
        self.target = target
        # the child's messages go to a file, not a pipe that could fill while nobody reads it
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        try:
            if not sys.executable:
                raise OSError("this Python does not know its own executable")
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, target],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
            )
        except OSError as e:
            self._stderr.close()
            raise ChildFailed(f"could not start a second process: {e}") from e
        self._outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._feeder = threading.Thread(target=self._feed, name="qualcode-child-feed", daemon=True)
        self._feeder.start()
        self._pending = 0

    def _feed(self) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            while (item := self._outbox.get()) is not _STOP:
                pickle.dump(item, stdin, protocol=pickle.HIGHEST_PROTOCOL)
                stdin.flush()
        except (OSError, ValueError):  # the child went away; receive() reports it
            pass
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def send(self, item: Any) -> None:
        """Queue ``item`` for the child; its result comes from a later :meth:`receive`."""
        self._pending += 1
        self._outbox.put(item)

    def ready(self) -> bool:
        """Whether the oldest answer owed has begun to arrive (or the child has ended), so
        :meth:`receive` would not wait for the child's work.

        It may say not yet for an answer already read ahead into this side's buffer, or
        where pipes cannot be polled: the caller then does other work first, no harm.
        """
        stdout = self._proc.stdout
        if self._pending <= 0 or stdout is None:
            return False
        if stdout.closed or self._proc.poll() is not None:
            return True  # receive() reports what happened
        try:
            return bool(select.select([stdout], [], [], 0)[0])
        except (OSError, ValueError):
            return False

    def receive(self) -> Any:
        """The result for the oldest item sent and not yet received."""
        if self._pending <= 0:
            raise ChildFailed("nothing was sent to the second process")
        stdout = self._proc.stdout
        assert stdout is not None
        try:
            status, value = pickle.load(stdout)
        except (EOFError, OSError, pickle.UnpicklingError) as e:
            raise ChildFailed(self._death_message(e)) from e
        self._pending -= 1
        if status != _OK:
            raise ChildFailed(str(value))
        return value

    def _death_message(self, error: BaseException) -> str:
        self.close(kill=True, keep_log=True)
        self._stderr.seek(0)
        stderr = self._stderr.read().decode("utf-8", "replace")
        self._stderr.close()
        last = stderr.strip().splitlines()[-1:] or [f"{type(error).__name__}: {error}"]
        return f"the second process ended (exit {self._proc.returncode}): {last[0]}"

    def close(self, *, kill: bool = False, keep_log: bool = False) -> None:
        """Stop the child: at the end of its input, or at once with ``kill`` (or when
        answers are still owed, which nobody would read)."""
        self._outbox.put(_STOP)
        if (kill or self._pending) and self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        if not keep_log:
            self._stderr.close()

    def __enter__(self) -> ChildStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(kill=exc[0] is not None)


def _resolve(target: str) -> Callable[[Any], Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def serve(target: str, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """The child's loop: one call per item read, one (status, value) pair written back."""
    function = _resolve(target)
    while True:
        try:
            item = pickle.load(stdin)
        except EOFError:
            return
        try:
            answer = (_OK, function(item))
        except Exception as e:  # reported to the parent, which falls back to its own process
            where = traceback.extract_tb(e.__traceback__)[-1]
            answer = (_ERROR, f"{type(e).__name__}: {e} (at {where.filename}:{where.lineno})")
        pickle.dump(answer, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()


def main() -> None:
    """Answer on a copy of stdout; anything the work itself prints goes to stderr.

    Once its input ends the child leaves at once, as multiprocessing's children do:
    every answer has been written, and tearing down the interpreter (spaCy's tables
    freed object by object) kept the parent waiting 0.4 s for nothing.
    """
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.argv[1], sys.stdin.buffer, answers)
    answers.close()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
