"""User-facing errors: each message says what went wrong, where, and what to do."""

from __future__ import annotations


class QualcodeError(Exception):
    """Base class for errors shown to the user as they are (no traceback)."""


class NotFoundError(QualcodeError):
    """A named thing (document, code, case, coding...) does not exist in the project."""


class InvalidInputError(QualcodeError):
    """A value or a file given by the user is not acceptable."""


class ConflictError(QualcodeError):
    """The operation would clash with what is stored (duplicate name, changed file...)."""


class ProjectOpenError(QualcodeError):
    """The project database cannot be opened or upgraded; the message says why and what to do."""


class ProjectBusyError(QualcodeError):
    """Another process kept the project locked for longer than we wait; nothing was stored."""
