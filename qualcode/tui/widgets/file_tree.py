"""A folder tree that shows only folders and the files a screen can use (by ending)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.widgets import DirectoryTree


class FilteredTree(DirectoryTree):
    """Folders (not hidden) and files whose ending is one of ``suffixes``."""

    def __init__(self, path: str | Path, suffixes: Iterable[str], **kwargs: object) -> None:
        self.suffixes = tuple(s.lower() for s in suffixes)
        super().__init__(path, **kwargs)  # type: ignore[arg-type]

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        out = []
        for p in paths:
            if p.name.startswith((".", "~$")):
                continue
            try:
                if p.is_dir() or p.suffix.lower() in self.suffixes:
                    out.append(p)
            except OSError:  # unreadable entries are left out
                continue
        return out

    def highlighted_path(self) -> Path | None:
        node = self.cursor_node
        return node.data.path if node is not None and node.data is not None else None
