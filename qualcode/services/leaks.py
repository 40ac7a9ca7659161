"""Checking the project's transcripts for identifying details, and the gate every export passes.

The pseudonymisation key (a CSV of real name -> pseudonym) stays outside the
project: only its path is remembered in the project's settings, never its
content. Any real name from it found in a transcript is a certain finding; its
pseudonyms are never reported.

:func:`export_gate` is what every export (chart, patterns, REFI-QDA, any later
one) calls before writing: it refuses while certain findings remain, unless the
user gives a reason, which goes to the audit log with what was exported.
"""

from __future__ import annotations

import csv
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from qualcode.analysis.leaks import Finding, find_leaks, installed_ner, ner_pipeline_id
from qualcode.errors import InvalidInputError, QualcodeError
from qualcode.services.leak_memory import fingerprint, remember, remembered
from qualcode.services.project import Project
from qualcode.store.models import CellSummary, Coding, Document, Memo, WorkshopComment

ALLOW_SETTING = "leaks.allow"
KEY_SETTING = "leaks.key_path"
KEY_HEADERS = {"real", "real name", "name", "original", "real_name"}


class IdentifiersFoundError(QualcodeError):
    """An export was refused because certain identifying details remain."""

    def __init__(self, message: str, findings: list[Finding]) -> None:
        super().__init__(message)
        self.findings = findings


@dataclass(frozen=True)
class PseudonymKey:
    """The key file's real names and pseudonyms (kept in memory only)."""

    path: Path | None
    real_names: tuple[str, ...] = ()
    pseudonyms: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


def allowed_words(project: Project) -> list[str]:
    """Words the team has checked and marked as not identifying."""
    raw = project.setting(ALLOW_SETTING) or ""
    return sorted({w.strip() for w in raw.split(",") if w.strip()}, key=str.lower)


def allow_words(project: Project, words: list[str]) -> list[str]:
    """Add words to the project's allow-list (kept in the project, shared by the team)."""
    merged = sorted(
        set(allowed_words(project)) | {w.strip() for w in words if w.strip()}, key=str.lower
    )
    project.set_setting(ALLOW_SETTING, ",".join(merged))
    return merged


def read_key(path: str | os.PathLike[str]) -> PseudonymKey:
    """Read a key CSV: real name, pseudonym per row (a header row is optional)."""
    path = Path(path).expanduser()
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InvalidInputError(
            f"{path}: cannot read the pseudonymisation key ({e.strerror}). "
            "Give the right path with --key FILE."
        ) from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InvalidInputError(
            f"{path}:{line}: the key is not UTF-8 text; save it as CSV UTF-8."
        ) from e
    real: list[str] = []
    pseudo: list[str] = []
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in KEY_HEADERS:
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise InvalidInputError(
                f"{path}:{number}: a key row is 'real name,pseudonym'; "
                f"this one is {','.join(row)!r}. Fix the row and try again."
            )
        real.append(cells[0])
        pseudo.append(cells[1])
    warnings = []
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.append(
            f"{path}: the key can be read by other users; make it owner-only: chmod 600 {path}"
        )
    return PseudonymKey(path, tuple(real), tuple(pseudo), tuple(warnings))


def remember_key(project: Project, path: str | os.PathLike[str]) -> PseudonymKey:
    """Check the key file, then keep its absolute path (never its content) in the project."""
    key = read_key(path)
    assert key.path is not None
    project.set_setting(KEY_SETTING, str(key.path.resolve()))
    return key


def project_key(project: Project, path: str | os.PathLike[str] | None = None) -> PseudonymKey:
    """The key given, else the one whose path the project remembers, else an empty key."""
    chosen = path or project.setting(KEY_SETTING)
    return read_key(chosen) if chosen else PseudonymKey(None)


def scanned_texts(project: Project) -> list[tuple[str, str]]:
    """Every text an export can carry, labelled and in a fixed order (what the check reads)."""
    with project.read() as s:
        docs = [
            (name, text)
            for name, text in s.execute(
                select(Document.name, Document.text).order_by(Document.name)
            )
        ]
        for label, column, ident in (
            ("summary", CellSummary.text, CellSummary.id),
            ("workshop comment", WorkshopComment.text, WorkshopComment.id),
            ("memo", Memo.text, Memo.id),
        ):
            docs += [
                (f"{label} {i}", t)
                for i, t in s.execute(select(ident, column).where(column != "").order_by(ident))
            ]
        docs += [
            (f"coding {i} memo", t)
            for i, t in s.execute(
                select(Coding.id, Coding.memo).where(Coding.memo != "").order_by(Coding.id)
            )
        ]
    return docs


def check_leaks(
    project: Project,
    *,
    extra_allow: list[str] | None = None,
    key: PseudonymKey | None = None,
    use_ner: bool = True,
) -> list[Finding]:
    """Every likely identifying detail in every document, most certain first.

    Cell summaries, workshop comments and memos are checked too (exports carry
    them); their findings are labelled ``summary 12``, ``memo 3``, ``coding 40 memo``.
    """
    key = key if key is not None else project_key(project)
    docs = scanned_texts(project)
    allow = allowed_words(project) + list(extra_allow or []) + list(key.pseudonyms)
    return find_leaks(
        docs,
        allow=allow,
        key_names=key.real_names,
        ner=installed_ner() if use_ner and docs else None,
    )


@dataclass(frozen=True)
class GateResult:
    """What the gate saw: the certain findings, and the reason given to export anyway."""

    certain: list[Finding]
    reason: str | None

    def warning(self) -> str | None:
        if not self.certain:
            return None
        return (
            f"exported with {len(self.certain)} certain identifying detail(s) present; "
            f"reason recorded in the audit log: {self.reason}"
        )


def describe_findings(findings: list[Finding], limit: int = 5) -> list[str]:
    """One line per finding (the first ``limit``), for messages and the workbench."""
    lines = [f"{f.document}:{f.line}:{f.column}: {f.kind}: {f.text!r}" for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... and {len(findings) - limit} more (qualcode check-names lists them all)")
    return lines


def gate_findings(project: Project, key: PseudonymKey | None = None) -> list[Finding]:
    """The certain findings the gate acts on; remembered while nothing scanned has changed."""
    key = key if key is not None else project_key(project)
    docs = scanned_texts(project)
    allow = allowed_words(project)
    ner_id = ner_pipeline_id() if docs else "none"
    print_ = fingerprint(docs, allow, key.real_names, key.pseudonyms, ner_id)
    certain = remembered(project, print_, docs)
    if certain is None:
        findings = find_leaks(
            docs,
            allow=allow + list(key.pseudonyms),
            key_names=key.real_names,
            ner=installed_ner() if docs else None,
        )
        certain = [f for f in findings if f.confidence == "certain"]
        remember(project, print_, certain)
    return certain


def export_gate(
    project: Project,
    what: str,
    out: str | os.PathLike[str],
    *,
    allow_identifiers: str | None = None,
    key: PseudonymKey | None = None,
) -> GateResult:
    """Run the identifier check before an export; refuse while certain findings remain.

    With ``allow_identifiers`` (a reason, not empty) the export may go ahead and the
    reason is recorded in the audit log with what was exported and what was found.
    """
    if allow_identifiers is not None and not allow_identifiers.strip():
        raise InvalidInputError(  # before the check: a refused input stores nothing
            "--allow-identifiers needs a reason, e.g. "
            '--allow-identifiers "names are staff who consented".'
        )
    certain = gate_findings(project, key)
    if not certain:
        return GateResult([], None)
    if allow_identifiers is None:
        listing = "\n  ".join(describe_findings(certain, 3))
        raise IdentifiersFoundError(
            f"{out}: not exported: {len(certain)} certain identifying detail(s) in the "
            f"transcripts:\n  {listing}\nFix them in the transcripts, mark false alarms with "
            "`qualcode check-names --allow WORD --save`, or export anyway with "
            '--allow-identifiers "reason" (recorded in the audit log).',
            certain,
        )
    reason = allow_identifiers.strip()
    kinds = sorted({f.kind for f in certain})
    with project.transaction(
        "export with identifiers",
        export=what,
        path=str(out),
        reason=reason,
        certain=len(certain),
        kinds=kinds,
    ):
        pass
    return GateResult(certain, reason)
