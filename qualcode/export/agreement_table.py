"""The agreement table's rows, shared by the .csv, .xlsx and .docx writers.

The writers take the plain JSON form of an agreement result (``AgreementResult.to_json``)
so this layer needs nothing from the services above it.
"""

from __future__ import annotations

from typing import Any

COLUMNS = ("code", "path", "units", "percent", "kappa", "alpha", "note")


def figure(value: float | None, digits: int = 3) -> str:
    """A figure for people: fixed decimals, or an em dash where it does not apply."""
    return "—" if value is None else f"{value:.{digits}f}"


def note(row: dict[str, Any]) -> str:
    """Why a figure is missing, in one line."""
    reasons = row.get("reasons") or {}
    if "all" in reasons:
        return reasons["all"]
    return "; ".join(f"{k}: {v}" for k, v in reasons.items())


def table_rows(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    """One row per code, then the pooled row: raw numbers (None where not applicable)."""
    rows = [
        (c["code"], c["path"], c["units"], c["percent"], c["kappa"], c["alpha"], note(c))
        for c in result["codes"]
    ]
    o = result["overall"]
    rows.append(
        (
            "All codes (pooled)",
            "",
            o.get("decisions"),
            o["percent"],
            o["kappa"],
            o["alpha"],
            note(o),
        )
    )
    return rows


def heading(result: dict[str, Any]) -> str:
    """``Agreement between A and B by sentence (12 documents)``."""
    coders = result["coders"]
    who = ", ".join(coders[:-1]) + f" and {coders[-1]}" if len(coders) > 1 else coders[0]
    return (
        f"Agreement between {who} by {result['unit']} "
        f"({result['documents']} document{'s' if result['documents'] != 1 else ''})"
    )
