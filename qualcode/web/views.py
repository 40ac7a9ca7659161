"""What a guest is looking at: which view, which filters, normal or high contrast.

Read from the query string, so every view is a plain link that works without
script, in a second tab, and after a reload.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from qualcode.analysis.matrix_spec import VALENCE_FILTERS

FILTERS = ("domain", "group", "valence")


@dataclass(frozen=True)
class View:
    kind: str = "matrix"
    domain: str = ""
    group: str = ""
    valence: str = ""
    contrast: bool = False

    @classmethod
    def from_query(cls, kind: str, query: Mapping[str, str]) -> View:
        valence = (query.get("valence") or "").strip().lower()
        return cls(
            kind,
            (query.get("domain") or "").strip()[:200],
            (query.get("group") or "").strip()[:50],
            valence if valence in VALENCE_FILTERS else "",
            query.get("hc") == "1",
        )

    def params(self) -> dict[str, str]:
        """The query parameters that keep this view's filters and contrast."""
        out = {k: getattr(self, k) for k in FILTERS if getattr(self, k)}
        if self.contrast:
            out["hc"] = "1"
        return out
