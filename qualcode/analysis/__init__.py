"""Analysis over the coded corpus: pure functions over a few set-based queries (no Textual)."""
