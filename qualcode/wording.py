"""Small pieces of wording shared by every layer's messages."""

from __future__ import annotations


def plural(n: int, word: str) -> str:
    """``1 coding``, ``2 codings`` (a regular plural: the word and an s)."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
