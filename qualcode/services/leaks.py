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
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select

from qualcode.analysis.gate_scan import GateScanJob, certain_findings
from qualcode.analysis.leaks import (
    Finding,
    find_leaks,
    first_pass,
    installed_ner,
    ner_pipeline_id,
)
from qualcode.child import ChildFailed, ChildStream, spare_core
from qualcode.errors import InvalidInputError, QualcodeError
from qualcode.services.leak_memory import fingerprint, remember, remembered
from qualcode.services.project import Project
from qualcode.services.scan_ahead import new_scan_process, take_scan_process
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


# The scan process holds its own copy of every text beside spaCy (about 100 MB): above
# this much text the two processes together would hold more than one scanning alone, so
# a larger project is scanned in the export's own process (slower, less memory at once).
GATE_PROCESS_MAX_CHARS = 20_000_000
# The share of the spaCy-free first pass done here before the export is written: the two
# processes then finish at about the same time (measured at 500 transcripts).
FIRST_PASS_SHARE = 0.4


class GateScan:
    """The certain findings for the project as it is now: remembered, or scanned.

    With ``in_child`` a scan that is needed starts at once in a second process (for up
    to ``GATE_PROCESS_MAX_CHARS`` of text), so an export can be written meanwhile;
    :meth:`certain` waits for it. If the second process cannot start or fails, the scan
    runs here instead: slower, same findings.
    """

    def __init__(
        self, project: Project, key: PseudonymKey | None = None, *, in_child: bool = False
    ) -> None:
        key = key if key is not None else project_key(project)
        docs = scanned_texts(project)
        allow = allowed_words(project)
        ner_id = ner_pipeline_id() if docs else "none"
        self._project = project
        self._print = fingerprint(docs, allow, key.real_names, key.pseudonyms, ner_id)
        self._job = GateScanJob(docs, allow + list(key.pseudonyms), list(key.real_names))
        self._certain = remembered(project, self._print, docs)
        self._child: ChildStream | None = take_scan_process()
        if (
            self._certain is not None
            or not in_child
            or not docs
            or sum(len(text) for _, text in docs) > GATE_PROCESS_MAX_CHARS
            or not spare_core()
        ):
            self.close()  # not needed: remembered, or scanned here
            return
        try:
            if self._child is None:
                self._child = new_scan_process()
        except ChildFailed:
            return
        # While that process loads spaCy, this one does the first pass over a share of
        # the texts (the export is written after it, while the scan goes on there).
        share = docs[: int(len(docs) * FIRST_PASS_SHARE)]
        self._job = replace(self._job, first=first_pass(share, self._job.allow))
        self._child.send(self._job)

    @property
    def known(self) -> bool:
        """True when the findings are already known (remembered or scanned)."""
        return self._certain is not None

    def certain(self) -> list[Finding]:
        """The certain findings, waiting for the scan if it is still running."""
        if self._certain is None:
            found: list[Finding] | None = None
            if self._child is not None:
                try:
                    self._child.receive()  # the warm-up's answer
                    found = self._child.receive()
                except ChildFailed:
                    found = None
                finally:
                    self.close()
            if found is None:
                found = certain_findings(self._job)
            remember(self._project, self._print, found)
            self._certain = found
        return self._certain

    def close(self) -> None:
        """Stop a scan process not needed or still running (the export failed first)."""
        if self._child is not None:
            self._child.close(kill=True)
            self._child = None


def gate_findings(project: Project, key: PseudonymKey | None = None) -> list[Finding]:
    """The certain findings the gate acts on; remembered while nothing scanned has changed."""
    return GateScan(project, key).certain()


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
    _check_reason(allow_identifiers)
    return _decide(project, what, out, gate_findings(project, key), allow_identifiers)


def gated_export(
    project: Project,
    what: str,
    out: Path,
    write: Callable[[Path], Path],
    *,
    allow_identifiers: str | None = None,
    key: PseudonymKey | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Path:
    """:func:`export_gate`, then ``write(out)``; a first scan runs while the file is written.

    When the findings are not remembered, the scan starts in a second process and
    ``write`` writes into a private folder beside ``out`` (same file name); the file
    replaces ``out`` only once the gate lets it through, so a refused export leaves
    ``out`` as it was.
    """
    _check_reason(allow_identifiers)
    scan = GateScan(project, key, in_child=True)
    if scan.known:
        _decide(project, what, out, scan.certain(), allow_identifiers)
        return write(out)
    try:
        folder = Path(tempfile.mkdtemp(prefix=".qualcode-export-", dir=out.parent))
    except OSError as e:
        scan.close()
        raise InvalidInputError(f"{out}: cannot write in {out.parent} ({e.strerror}).") from e
    try:
        written = write(folder / out.name)
        waiting = not scan.known
        if progress is not None and waiting:
            progress(0, 1, "Finishing the check for identifying details")
        _decide(project, what, out, scan.certain(), allow_identifiers)
        os.replace(written, out)
        if progress is not None and waiting:
            progress(1, 1, f"Saved {out.name}")
    finally:
        scan.close()
        shutil.rmtree(folder, ignore_errors=True)
    return out


def _check_reason(allow_identifiers: str | None) -> None:
    if allow_identifiers is not None and not allow_identifiers.strip():
        raise InvalidInputError(  # before the check: a refused input stores nothing
            "--allow-identifiers needs a reason, e.g. "
            '--allow-identifiers "names are staff who consented".'
        )


def _decide(
    project: Project,
    what: str,
    out: str | os.PathLike[str],
    certain: list[Finding],
    allow_identifiers: str | None,
) -> GateResult:
    """Refuse while certain findings remain, unless a reason is given (then audited)."""
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
