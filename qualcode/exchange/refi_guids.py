"""GUIDs: accepting every spelling producers write, and making stable ones for export.

REFI-QDA GUIDs are 8-4-4-4-12 hex digits, upper or lower case, optionally in
braces. We store them lowercase without braces. A row that has no GUID yet gets
``uuid5(project namespace, "kind:id")``: exporting the same project twice gives
the same GUIDs, so other tools (and our own importer) recognise the same things.
"""

from __future__ import annotations

import re
import uuid

_GUID_RE = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
_FALLBACK_NAMESPACE = uuid.UUID("6f1c2f4e-7a55-4b0e-9d0e-2f7f3c1b8a10")


def normalise_guid(value: str | None) -> str | None:
    """``{ABCD...}`` -> ``abcd...``; None for anything that is not a GUID."""
    if not value:
        return None
    m = _GUID_RE.match(value.strip())
    return m.group(1).lower() if m else None


def guid_key(value: str | None) -> str:
    """A key for matching references: the normalised GUID, else the raw text."""
    return normalise_guid(value) or (value or "").strip()


class GuidMaker:
    """Stable GUIDs within one project (namespace: the project's ``project.uuid``)."""

    def __init__(self, project_uuid: str | None) -> None:
        try:
            self.namespace = uuid.UUID(project_uuid) if project_uuid else _FALLBACK_NAMESPACE
        except ValueError:
            self.namespace = uuid.uuid5(_FALLBACK_NAMESPACE, project_uuid or "")
        self._given: dict[tuple[str, object], str] = {}
        self._used: set[str] = set()
        self.reissued: list[tuple[str, object]] = []  # (kind, key) whose stored GUID was taken

    def make(self, kind: str, key: object) -> str:
        """The GUID of ``kind`` number/name ``key`` in this project."""
        return str(uuid.uuid5(self.namespace, f"{kind}:{key}"))

    @staticmethod
    def derived(parent_guid: str, kind: str, key: object = "") -> str:
        """A GUID that follows from another one (a coding's selection, a cell's summary).

        It depends only on the parent's GUID, so it survives a round trip through
        another project that kept the parent's GUID.
        """
        return str(uuid.uuid5(uuid.UUID(parent_guid), f"{kind}:{key}"))

    def of(self, stored: str | None, kind: str, key: object) -> str:
        """A row's stored GUID (normalised), else its stable generated one.

        A stored GUID already given to another row (an older import kept a clash)
        is not written twice: that row gets its generated GUID and is listed in
        ``reissued``. The same row asked for again gets the same answer.
        """
        if (kind, key) in self._given:
            return self._given[(kind, key)]
        guid = normalise_guid(stored)
        if guid in self._used:
            self.reissued.append((kind, key))
            guid = None
        guid = guid or self.make(kind, key)
        self._given[(kind, key)] = guid
        self._used.add(guid)
        return guid
