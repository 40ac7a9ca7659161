"""What an import did: counts, the position convention used, warnings, what was left out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

_PLURALS = {
    "PDF selection by page area": "PDF selections by page area",
    "coding on a PDF page area": "codings on PDF page areas",
    "coding of a whole PDF": "codings of whole PDFs",
    "PDF source without a text representation": "PDF sources without a text representation",
    "coding on a picture source": "codings on picture sources",
    "coding on an audio source": "codings on audio sources",
    "coding on a video source": "codings on video sources",
    "code linked to a case": "codes linked to cases",
    "selection linked to a case": "selections linked to cases",
    "code set (group)": "code sets (groups)",
    "text source stored outside the export": "text sources stored outside the export",
    "source with no plain-text version": "sources with no plain-text version",
    "coding on a source not imported": "codings on sources not imported",
    "coding with an unknown code": "codings with an unknown code",
    "coding outside its document's text": "codings outside their document's text",
    "selection without a code": "selections without a code",
    "attribute value": "attribute values",
    "document variable value": "document variable values",
    "chart summary": "chart summaries",
    "source that could not be read": "sources that could not be read",
    "coding on a text extracted here (positions unknown)": "codings on texts extracted here (positions unknown)",
}


def plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    if word in _PLURALS:
        return f"{n} {_PLURALS[word]}"
    if word.endswith(("s", "sh", "ch", "x")):
        return f"{n} {word}es"
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy")):
        return f"{n} {word[:-1]}ies"
    return f"{n} {word}s"


@dataclass
class RefiImportReport:
    """The outcome of importing one .qdpx/.qde/.qdc file (``summary_lines()`` for printing)."""

    file: str
    kind: str = "project"  # "project" | "codebook"
    producer: str = ""
    project_name: str = ""
    convention: str | None = None
    created: Counter[str] = field(default_factory=Counter)
    matched: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    missing_sources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    segmented: bool | None = None
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)  # (name, GUID, why)
    absolute_files: list[str] = field(default_factory=list)  # read from absolute:// paths
    extracted: list[tuple[str, str]] = field(default_factory=list)  # (source, file): text extracted
    chunks: int = 1  # write transactions used (a big import commits in consistent steps)
    resumed: int | None = None  # sources an interrupted earlier import of this file had stored

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    @property
    def omitted(self) -> bool:
        """Whether anything in the file was left out (the "imported with omissions" status)."""
        return bool(self.skipped or self.missing_sources or self.unreadable)

    def omission_lines(self) -> list[str]:
        """What was left out and why, one line each (sources by name and GUID)."""
        lines = [
            f"source {name!r} (GUID {guid}) not imported: {why}"
            for name, guid, why in self.unreadable
        ]
        if self.skipped:
            lines.append(
                "not imported: "
                + ", ".join(plural(n, what) for what, n in sorted(self.skipped.items()))
            )
        return lines

    def strict_refusal(self) -> str:
        """The --strict error: what would have been left out; nothing was imported."""
        first = self.omission_lines()
        return (
            f"{self.file}: --strict: not everything in the file can be imported "
            f"({'; '.join(first[:3])}{' ...' if len(first) > 3 else ''}); nothing was "
            "imported. Run without --strict to import the rest and see the full report."
        )

    def summary_lines(self) -> list[str]:
        head = f"Imported {self.kind} {self.file}"
        if self.producer:
            head += f" (from {self.producer})"
        lines = [head + ":"]
        order = (
            "coder",
            "code",
            "document",
            "participant",
            "case",
            "attribute value",
            "coding",
            "memo",
            "chart summary",
            "workshop comment",
        )
        for what in order:
            new, same = self.created.get(what, 0), self.matched.get(what, 0)
            if new or same:
                extra = f" ({same} already in the project)" if same else ""
                lines.append(f"  {plural(new, what)} added{extra}")
        if self.kind == "project":
            lines.append(f"  positions: {self.convention or 'no text selections to convert'}")
        if self.resumed is not None:
            lines.append(
                f"  completed an earlier import of this file that stopped after "
                f"{plural(self.resumed, 'source')}"
            )
        if self.chunks > 1:
            lines.append(f"  committed in {self.chunks} steps so others could write meanwhile")
        if self.segmented is False and self.created.get("document"):
            lines.append(
                "  documents were not split into turns and sentences (segmenter not available)"
            )
        listed = {name for name, _, _ in self.unreadable}
        missing = [n for n in self.missing_sources if n not in listed]
        if missing:
            names = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            lines.append(
                f"  {plural(len(missing), 'source')} without their text in the "
                f"file (not imported): {names}"
            )
        for name, where in self.extracted:
            lines.append(
                f"  {name}: text extracted from {where} (no plain-text version in the file)"
            )
        for path in self.absolute_files:
            lines.append(f"  read from outside the export (--allow-absolute): {path}")
        lines += [f"  {line}" for line in self.omission_lines()]
        lines += [f"  warning: {w}" for w in self.warnings]
        return lines
