"""The documents whose findings were recorded before the scanner was made faster.

``tests/data/leak_findings_golden.json`` holds the findings the line-by-line scanner
gave on them; the faster scanner must give exactly the same. Regenerate only when a
rule is meant to change: ``python -m tests.leak_golden``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

from qualcode.analysis.leaks import find_leaks
from qualcode.ingest.readers import read_transcript
from tests.leak_corpus import planted_documents

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "leak_findings_golden.json"
# Findings on the REFI-QDA sample's texts (read in place from ../shared): a digest of their
# places and kinds and a count per kind, so none of those texts is copied into the repository.
GOLDEN_REFI = ROOT / "tests" / "data" / "leak_findings_refi.json"
REFI_SAMPLE = ROOT.parent / "shared" / "refi-qda" / "samples" / "nvivo12-oltas0517.qdpx"
PLACE = ("document", "line", "column", "start", "end", "kind", "confidence")
LEAKY = (
    "Interviewer: How was it?\n\n"
    "S4PW1: Honestly, my coordinator Janet was great. I saw Dr Patel on the ward.\n"
    "You can email me at jo.bloggs@example.org or ring 07700 900123.\n"
    "The office is at LS1 4AB. His NHS number was 943 476 5919.\n"
    "We met at [hospital] with [PWC] and Zanzibarro on Monday. The PowerPoint was long."
)
# Every kind of identifier and every rule's edge in one text: names (known, ambiguous by
# context, in labels, brackets, lower case, all capitals, with quotes and possessives), titles,
# key names, allow-listed words, each contact-detail pattern and look-alikes that must not
# match, timecodes, tabs, CRLF line ends, curly apostrophes and headings said once.
ALL_KINDS = (
    "[Interview 3, 12/03/2021, Zanzibarro Community Centre]\n\n"
    "Interviewer: Will you say who helped? [00:01:23]\n\n"
    "Janet: Will said so. Will you ask? Hope wasnt here. Hope town was far. Grace Smith came.\n"
    "Janet: Mark Okafor rang; I told Janet' and then 'Janet' and Janet’s mum (Janet) [Kieran].\n"
    "Reciprocity: a heading said once, with Zanzibarro in it.\n"
    "S2PWC: Dr O'Brien, Dr. Patel, Mrs. Smith, Nurse Jackie, Nurse nurse, Dr.Patel, MR SMITH.\n"
    "S2PWC: ring 07700 900123 or +44 7700 900123 or (0113) 496 0000 or 0113-496-0000 now.\n"
    "S2PWC: not a phone: 0770 090 or 12345 or P0001 or S3PW1 or 1234567890123.\n"
    "S2PWC: jo.bloggs@example.org, www.example.org/page, https://x.nhs.uk/a?b=1, example.co.uk.\n"
    "S2PWC: @janet_b on Twitter; LS1 4AB, M1 1AE, SW1A 1AA, ls14ab, EC1A1BB.\n"
    "S2PWC: AB 12 34 56 C and QQ123456C; NHS 943 476 5919, 9434765919, 943-476-5919.\n"
    "S2PWC: born 12/03/1985, the 3rd of March 1990, March 3rd, 1990, born in 1975, DOB 1/2/85.\n"
    "S2PWC: 31/02/2020 and 45/13/2020 and 1.2.03; Site 3 and the Education Centre, Room 12.\n"
    "S2PWC: janet and JANET and jane, zanzibarro zanzibarro, tim' and tim’s and scott.\n"
    "S2PWC: Scott said the GPs and NHS and OK, I'm sure I’d go; Okafor’s, Quell's desk.\n"
    "S2PWC:\tTabs\tbefore Zanzibarro,  double  spaces  Before Janet.\r\n"
    "Participant: Cannot say. Can't say; and Can't, Gonna go, Ima, and Hope's and Holly)\n"
    "Participant: [name] and (hospital) and {Ward} and Bob] and Dean Smith and Robin.\n"
    "Kieran Quell: Zanzibarro Quell, ZANZIBARRO QUELL, zanzibarro quell and Quell.\n"
    "  Interviewer: thanks. Mr Zanzibarro and Prof Wilde and Cllr Bloggs and Sister Mary.\n"
    "note: Note: Notes taken by Interviewer; Pat went with Sue and Ray to see Dawn.\n"
)
RUNS: dict[str, dict[str, Any]] = {
    "plain": {},
    "key": {"key_names": ["Zanzibarro Quell", "Janet Smith", "Kieran"]},
    "allow": {"allow": ["Janet", "Will", "Zanzibarro"], "key_names": ["Siobhan O'Brien"]},
}


def golden_documents() -> list[tuple[str, str]]:
    """Planted transcripts, a leaky one, and every sample transcript."""
    samples = ROOT / "sample_transcripts"
    return (
        planted_documents()[0]
        + [("leaky", LEAKY), ("all kinds", ALL_KINDS)]
        + [
            (p.stem, read_transcript(p).text)
            for p in sorted(samples.iterdir())
            if p.suffix in (".txt", ".docx")
        ]
    )


def current_findings() -> dict[str, list[dict[str, Any]]]:
    """The scanner's findings for each run, as plain data."""
    docs = golden_documents()
    return {
        name: [dataclasses.asdict(f) for f in find_leaks(docs, **kw)] for name, kw in RUNS.items()
    }


def refi_documents() -> list[tuple[str, str]]:
    """The REFI-QDA sample's source texts (YouTube comments: handles, dates, CRLF, accents).

    The first as stored (CRLF line ends), the second with LF line ends; empty when
    ../shared is absent.
    """
    if not REFI_SAMPLE.exists():
        return []
    with zipfile.ZipFile(REFI_SAMPLE) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".txt"))
        texts = [z.read(n).decode("utf-8-sig") for n in names]
    return [(f"refi {i}", t if i == 0 else t.replace("\r\n", "\n")) for i, t in enumerate(texts)]


def refi_summary(findings: list[Any]) -> dict[str, Any]:
    """How many findings of each kind, and a digest of every finding's place and kind."""
    places = [[getattr(f, k) for k in PLACE] for f in findings]
    kinds: dict[str, int] = {}
    for f in findings:
        kinds[f"{f.confidence} {f.kind}"] = kinds.get(f"{f.confidence} {f.kind}", 0) + 1
    digest = hashlib.sha256(json.dumps(places).encode()).hexdigest()
    return {"count": len(findings), "kinds": dict(sorted(kinds.items())), "sha256": digest}


def current_refi_findings() -> dict[str, dict[str, Any]]:
    """The scanner's findings on the REFI-QDA texts, summarised (see :func:`refi_summary`)."""
    docs = refi_documents()
    return {
        name: refi_summary(find_leaks(docs, **kw)) for name, kw in RUNS.items() if name != "allow"
    }


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(current_findings(), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {GOLDEN}")
    if REFI_SAMPLE.exists():
        GOLDEN_REFI.write_text(json.dumps(current_refi_findings(), indent=1) + "\n")
        print(f"wrote {GOLDEN_REFI}")
