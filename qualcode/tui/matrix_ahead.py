"""The default matrix, built once in the background after the workbench has opened.

Building the matrix of a large project takes a few tenths of a second; the workbench
builds it when nothing else is in flight after start-up, with the project's change
number read first. The matrix screen, opened for the first time, shows it at once if
that number has not moved since (nothing was committed by anyone), else builds anew.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.analysis.matrix import Matrix
from qualcode.analysis.matrix_spec import MatrixSpec
from qualcode.services.live import ProjectVersion


@dataclass(frozen=True)
class MatrixAhead:
    """A matrix and the change number read before it was built."""

    version: int
    matrix: Matrix


def build_ahead(version: ProjectVersion) -> MatrixAhead:
    """The default matrix, with the change number from before it was read (a change
    committed meanwhile makes it look older than it is: it is then built anew)."""
    # lazy: the charting service loads the exporters, which the workbench loads on first use
    from qualcode.services import charting

    number = version()
    return MatrixAhead(number, charting.matrix(version.project, MatrixSpec()))


def fresh(ahead: MatrixAhead | None, spec: MatrixSpec, number: int) -> Matrix | None:
    """The matrix built ahead if it is for ``spec`` and nothing changed since, else None."""
    if ahead is None or spec != MatrixSpec() or number != ahead.version:
        return None
    return ahead.matrix
