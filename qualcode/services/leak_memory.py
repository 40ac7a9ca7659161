"""The export gate's memory: the last scan's certain findings and exactly what it scanned.

A scan of a large project takes seconds; every export passes the gate, and most
exports follow one another with no text changed (only codings). The gate keeps its
last result in the project's settings with a fingerprint of everything the scan
depended on: every scanned text in order, the allow-list, the key's real names and
pseudonyms, the NER pipeline (or none) and the scanner's version. A matching
fingerprint means the same scan would give the same findings; anything else
(a changed text, list or key, an older scanner, a value that does not parse) means
scan again. Only places are stored (document, offsets, kind), never transcript text,
so no name from the text or the key is copied into the settings; the text and
context are rebuilt from the texts just read. The value is written in its own short transaction without an audit
entry: it is a cache of a computation, not a user operation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

from qualcode.analysis.leaks import SCANNER_VERSION, Finding, finding_context
from qualcode.services.project import Project
from qualcode.store.models import Setting

GATE_SETTING = "leaks.gate_result"
STORED = ("document", "line", "column", "start", "end", "kind")


def _feed(h: hashlib._Hash, part: str) -> None:
    data = part.encode("utf-8", "surrogatepass")
    h.update(len(data).to_bytes(8, "little"))  # length-prefixed: ("ab","c") != ("a","bc")
    h.update(data)


def fingerprint(
    documents: Iterable[tuple[str, str]],
    allow: Sequence[str],
    real_names: Sequence[str],
    pseudonyms: Sequence[str],
    ner_id: str,
) -> str:
    """A streaming blake2b over everything a scan's findings depend on."""
    h = hashlib.blake2b(digest_size=32)
    _feed(h, f"scanner {SCANNER_VERSION}")
    _feed(h, f"ner {ner_id}")
    for label, words in (("allow", allow), ("real", real_names), ("pseudo", pseudonyms)):
        _feed(h, f"{label} {len(words)}")
        for w in words:
            _feed(h, w)
    for name, text in documents:
        _feed(h, name)
        _feed(h, text)
    return h.hexdigest()


def remembered(
    project: Project, print_: str, documents: Sequence[tuple[str, str]]
) -> list[Finding] | None:
    """The stored certain findings if they were computed for this fingerprint, else None.

    ``documents`` are the texts the fingerprint was computed over (the findings' text
    and context are cut from them). Anything unexpected in the stored value (corrupt
    JSON, another scanner version, wrong fields, a place outside its text) is ignored:
    the caller scans again.
    """
    raw = project.setting(GATE_SETTING)
    if not raw:
        return None
    texts = dict(documents)
    findings: list[Finding] = []
    try:
        value = json.loads(raw)
        if value.get("version") != SCANNER_VERSION or value.get("fingerprint") != print_:
            return None
        for row in value["certain"]:
            name, line, column, start, end, kind = (row[k] for k in STORED)
            text = texts[name]
            if not (0 <= start <= end <= len(text)) or not all(
                isinstance(n, int) for n in (line, column, start, end)
            ):
                return None
            findings.append(
                Finding(
                    name,
                    line,
                    column,
                    start,
                    end,
                    text[start:end],
                    str(kind),
                    "certain",
                    finding_context(text, start, end),
                )
            )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return findings


def remember(project: Project, print_: str, certain: list[Finding]) -> None:
    """Keep where this scan's certain findings are, with its fingerprint (no audit entry)."""
    value = json.dumps(
        {
            "version": SCANNER_VERSION,
            "fingerprint": print_,
            "certain": [{k: getattr(f, k) for k in STORED} for f in certain],
        },
        ensure_ascii=False,
    )
    with project.transaction() as s:
        s.merge(Setting(key=GATE_SETTING, value=value))
