"""Import warnings for a person to read: the same warning about many files said once.

A folder exported from one tool often gives every file the same warning (no speaker
roles, no participant id in the name): 500 files made 1,000 lines that buried any
other warning. :func:`grouped_lines` keeps every warning whose kind is rare as it is,
and for a kind that many files share shows the first few in full, then one line that
counts the rest and names their files. The kind is the message with its quoted
parts and numbers set aside ("speaker 'P0001' (30 turns) has no role" and "speaker
'P0002' (12 turns) has no role" are one kind). Nothing is dropped from the report
itself: the caller says where every warning can be read (``--json`` on the command
line).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qualcode.ingest.readers import IngestWarning
from qualcode.wording import plural

SHOWN = 3  # warnings of one kind shown in full before the rest are counted
NAMED = 10  # files named on the counting line
# A quoted part starts and ends at a quote outside a word (the apostrophe in "speaker's"
# is not one); a number takes the word after it ("1 turn" and "30 turns" are alike).
_VARIABLE = re.compile(r"(?<!\w)'[^']*'(?!\w)|(?<!\w)\"[^\"]*\"(?!\w)|\d+(?: [a-z]+)?")


def kind_of(warning: IngestWarning) -> str:
    """The warning's message with its quoted parts and its counts set aside."""
    return _VARIABLE.sub("_", warning.message)


def grouped_lines(
    warnings: Sequence[IngestWarning], every: str = "", shown: int = SHOWN
) -> list[str]:
    """One line per warning, except that a kind shared by more than ``shown + 1``
    warnings has its first ``shown`` in full and one line for the rest, ending with
    ``every`` (where the reader finds them all). Kinds keep the order in which they
    first occur."""
    kinds: dict[str, list[IngestWarning]] = {}
    for w in warnings:
        kinds.setdefault(kind_of(w), []).append(w)
    lines: list[str] = []
    for same in kinds.values():
        if len(same) <= shown + 1:
            lines += [str(w) for w in same]
            continue
        lines += [str(w) for w in same[:shown]]
        rest = same[shown:]
        files = list(dict.fromkeys(w.file for w in rest))
        named = ", ".join(files[:NAMED]) + (", …" if len(files) > NAMED else "")
        lines.append(
            f"… and {len(rest)} more warnings like these, in {plural(len(files), 'file')}: "
            + named
            + (f" ({every})" if every else "")
        )
    return lines
