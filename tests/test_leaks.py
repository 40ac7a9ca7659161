"""Catching identifying details left in pseudonymised transcripts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from qualcode.analysis import leaks
from qualcode.analysis.leak_lines import line_starts
from qualcode.analysis.leak_patterns import (
    BIRTH_WORDS,
    DATE,
    PATTERNS,
    PatternHit,
    _strip_trailing,
    document_pattern_hits,
)
from qualcode.analysis.leaks import find_leaks, installed_ner
from qualcode.services.leaks import allow_words, allowed_words, check_leaks
from qualcode.services.project import Project
from tests.conftest import add_document, shared_path
from tests.leak_corpus import planted_documents, score
from tests.leak_golden import (
    GOLDEN,
    GOLDEN_REFI,
    REFI_SAMPLE,
    current_findings,
    current_refi_findings,
    golden_documents,
)

LEAKY = (
    "Interviewer: How was it?\n\n"
    "S4PW1: Honestly, my coordinator Janet was great. I saw Dr Patel on the ward.\n"
    "You can email me at jo.bloggs@example.org or ring 07700 900123.\n"
    "The office is at LS1 4AB. His NHS number was 943 476 5919.\n"
    "We met at [hospital] with [PWC] and Zanzibarro on Monday. The PowerPoint was long."
)


def _found(text: str, **kw: object) -> dict[str, tuple[str, str]]:
    found = find_leaks([("d", text)], **kw)  # type: ignore[arg-type]
    return {f.text: (f.kind, f.confidence) for f in found}


def test_planted_set_recall_and_false_alarms() -> None:
    docs, planted = planted_documents()
    assert len(planted) >= 60
    recall, false_share, missed, false = score(find_leaks(docs), planted)
    assert recall >= 0.9, [p.text for p in missed]
    assert false_share < 0.1, [(f.text, f.kind) for f in false]


def test_certain_patterns_and_possible_names() -> None:
    found = find_leaks([("S4PW1", LEAKY)])
    certain = {(f.kind, f.text) for f in found if f.confidence == "certain"}
    assert {
        ("title and name", "Dr Patel"),
        ("email address", "jo.bloggs@example.org"),
        ("phone number", "07700 900123"),
        ("postcode", "LS1 4AB"),
        ("NHS number", "943 476 5919"),
        ("name", "Janet"),
    } <= certain
    possible = [f for f in found if f.confidence == "possible"]
    assert [f.text for f in possible] == ["Zanzibarro"]
    janet = next(f for f in found if f.text == "Janet")
    assert (janet.line, janet.column) == (3, LEAKY.split("\n")[2].index("Janet") + 1)
    assert LEAKY[janet.start : janet.end] == "Janet"
    assert "[Janet]" in janet.context
    # sentence starts, placeholders, speaker labels, days and PowerPoint are not reported
    assert not {"Honestly", "Interviewer", "Monday", "PowerPoint", "PWC"} & {f.text for f in found}


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("S1PW1: Siobhan said it was fine.", "Siobhan", "name"),  # sentence start
        ("S1PW1: I rang Mrs O'Brien about it.", "Mrs O'Brien", "title and name"),
        ("S1PW1: and O'Brien was there.", "O'Brien", "name"),
        ("S1PW1: I asked Will about it. I will ask again.", "Will", "name"),  # also a word
        ("S1PW1: Will said no.", "Will", "name"),
        ("Janet: I was the coordinator.", "Janet", "name"),  # speaker label
        ("S1PW1: my son (Declan) came.", "Declan", "name"),  # in brackets
        ("S1PW1: call (0161) 496 0000 today", "(0161) 496 0000", "phone number"),
        ("S1PW1: call 0161-496-0001 today", "0161-496-0001", "phone number"),
        ("S1PW1: call +44 (0)20 7946 0123 today", "+44 (0)20 7946 0123", "phone number"),
        ("S1PW1: number 9434765919 on the form", "9434765919", "NHS number"),
        ("S1PW1: she lives at m14 5rt now", "m14 5rt", "postcode"),
        ("S1PW1: date of birth 14/03/1979 it said", "14/03/1979", "date of birth"),
        ("S1PW1: NI number AB 12 34 56 C on it", "AB 12 34 56 C", "National Insurance number"),
        ("S1PW1: find me at @kieran_b_96 online", "@kieran_b_96", "social media handle"),
        ("S1PW1: see www.peerlinks-example.org.uk.", "www.peerlinks-example.org.uk", "web address"),
        ("S1PW1: mail s.patel@example.org now", "s.patel@example.org", "email address"),
    ],
)
def test_each_kind_of_identifier_is_certain(text: str, expected: str, kind: str) -> None:
    assert _found(text).get(expected) == (kind, "certain")


def test_will_as_a_verb_and_words_seen_in_lower_case_are_not_names() -> None:
    assert (
        _found(
            "S1PW1: Will you come? I will. We walk a lot; a walk helps. Then Walk was the group."
        )
        == {}
    )


def test_a_name_seen_once_in_lower_case_is_still_reported() -> None:
    found = _found("S1PW1: we saw Zanzibarro there. I told zanzibarro later.")
    assert found["Zanzibarro"] == ("possible name", "possible")
    found = _found("S1PW1: we saw Kieran there. I told kieran later.")
    assert found["Kieran"] == ("name", "certain")
    assert found["kieran"] == ("name in lower case", "possible")


def test_key_names_are_certain_and_pseudonyms_are_not_reported() -> None:
    text = "S1PW1: Zanzibarro Quell said that Ben was fine. Quell came back."
    found = _found(text, key_names=["Zanzibarro Quell"], allow=["Ben"])
    assert found["Zanzibarro Quell"] == ("name from the key", "certain")
    assert found["Quell"] == ("name from the key", "certain")
    assert "Ben" not in found


def test_a_ner_pipeline_adds_people_and_merges_with_the_rules() -> None:
    assert os.environ.get("QUALCODE_NER_MODEL") or installed_ner() is None  # none installed here
    ner = spacy.blank("en")
    ruler = ner.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "PERSON", "pattern": "Zed"},
            {"label": "PERSON", "pattern": [{"LOWER": "janet"}, {"LOWER": "quell"}]},
            {"label": "ORG", "pattern": "Tesco"},
        ]
    )
    text = "S1PW1: Zed came. Then Janet Quell rang from Tesco."
    without = _found(text)
    assert "Zed" not in without  # a sentence start: only NER finds it
    found = find_leaks([("d", text)], ner=ner)
    by_text = {f.text: (f.kind, f.confidence) for f in found}
    assert by_text["Zed"] == ("person (NER)", "possible")
    # the rules' certain "Janet" and NER's "Janet Quell" merge into one certain finding
    assert by_text["Janet Quell"] == ("name", "certain")
    assert not any(f.text == "Janet" for f in found)


def test_allow_list_is_kept_in_the_project(project: Project) -> None:
    add_document(project, "S4PW1", LEAKY, participant="S4PW1", case="Site 4")
    assert "Zanzibarro" in {f.text for f in check_leaks(project)}
    allow_words(project, ["Zanzibarro"])
    assert allowed_words(project) == ["Zanzibarro"]
    assert "Zanzibarro" not in {f.text for f in check_leaks(project)}


def test_cli_exits_3_when_something_certain_is_found(project: Project, tmp_path: Path) -> None:
    add_document(project, "S4PW1", LEAKY, participant="S4PW1", case="Site 4")
    env = dict(os.environ)
    env.pop("QUALCODE_DB", None)
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "qualcode",
            "--db",
            str(tmp_path / "project.db"),
            "check-names",
            "--json",
        ],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert res.returncode == 3
    kinds = {f["kind"] for f in json.loads(res.stdout)}
    assert {"email address", "possible name", "name"} <= kinds


def test_key_parts_that_are_words_do_not_match_the_words() -> None:
    text = "S1PW1: I will ask. Will Okafor rang. will okafor too. Okafor said so."
    found = _found(text, key_names=["Will Okafor"])
    assert found["Will Okafor"] == ("name from the key", "certain")
    assert found["will okafor"] == ("name from the key", "certain")  # the full name, any case
    assert found["Okafor"] == ("name from the key", "certain")
    assert "will" not in found


# Letters that case-insensitive matching and lower() treat differently ("İ" lowers to two
# characters, "ı" and "ſ" match "i" and "s" in any case), accents, and key names in them.
SPECIAL = (
    "Interviewer: İlker ŞAHİN came, ilker şahin too; Zoë Quell and ZOË QUELL and zoë.\n"
    "S1PW1: the ſcott file, ſcott and Scott; JANET and janet; İ then Janet Smith.\n"
    "S1PW1: www.ıo.uk and WWW.EXAMPLE.CO.UK and HTTPS://X.ORG, İstanbul 07700 900123.\n"
    "Zoë: Σοφία ΣΟΦΊΑΣ said so, İlker’s and ilker's.\n"
)


def test_the_line_prefilter_never_changes_the_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokenizing every line finds what tokenizing only the candidate lines finds."""
    docs = [*golden_documents(), ("special", SPECIAL)]
    keys = {"key_names": ["Zanzibarro Quell", "Janet Smith", "Kieran", "İlker Şahin", "Zoë Quell"]}
    quick = find_leaks(docs, **keys)
    plain = find_leaks(docs)
    allowed = find_leaks(docs, allow=["Janet", "Will", "Zanzibarro"])
    candidates = leaks.candidate_lines

    def every_line(text, lines, *args):  # type: ignore[no-untyped-def]
        candidates(text, lines, *args)  # still collects the capitalised words
        return set(range(len(lines)))

    monkeypatch.setattr(leaks, "candidate_lines", every_line)
    monkeypatch.setattr(leaks, "lower_name_lines", lambda *a: set())
    assert find_leaks(docs) == plain
    assert find_leaks(docs, **keys) == quick
    assert find_leaks(docs, allow=["Janet", "Will", "Zanzibarro"]) == allowed


def test_a_first_pass_done_elsewhere_finds_what_one_scan_does() -> None:
    """The export's process may do the first pass over the first documents (the gate's
    scan process does the rest): the findings are those of one whole scan."""
    docs = [*golden_documents(), ("special", SPECIAL)]
    runs = [
        {},
        {"key_names": ["Zanzibarro Quell", "Janet Smith", "Kieran", "İlker Şahin"]},
        {"allow": ["Janet", "Will", "Zanzibarro"]},
    ]
    for kw in runs:
        whole = find_leaks(docs, **kw)  # type: ignore[arg-type]
        assert whole
        for share in (0, 1, len(docs) // 2, len(docs)):
            first = leaks.first_pass(docs[:share], kw.get("allow", ()))
            assert find_leaks(docs, first=first, **kw) == whole  # type: ignore[arg-type]


def test_patterns_searched_where_they_can_begin_match_a_full_search() -> None:
    """The anchored pattern search finds what each pattern's search of every line finds."""
    for _, text in golden_documents():
        lines = text.split("\n")
        by_line = document_pattern_hits(text, line_starts(lines))
        for i, line in enumerate(lines):
            assert by_line.get(i, []) == list(_full_pattern_hits(line)), line


def _full_pattern_hits(text: str) -> list[PatternHit]:
    """Every pattern searched over the whole text, as the check did before the anchoring."""
    taken: list[tuple[int, int]] = []
    out = []
    for kind, pattern, check in PATTERNS:
        for m in pattern.finditer(text):
            if check is not None and not check(m):
                continue
            start = m.start()
            end = _strip_trailing(text, start, m.end()) if kind == "web address" else m.end()
            if any(s < end and start < e for s, e in taken):
                continue
            found, confidence = kind, "certain"
            if pattern is DATE and not BIRTH_WORDS.search(text[max(0, start - 60) : start]):
                found, confidence = "date", "possible"
            taken.append((start, end))
            out.append(PatternHit(start, end, found, confidence))
    return out


def test_findings_are_those_recorded_before_the_scanner_was_made_faster() -> None:
    assert current_findings() == json.loads(GOLDEN.read_text())


def test_findings_on_the_refi_qda_texts_are_those_recorded_before() -> None:
    shared_path("refi-qda", "samples", REFI_SAMPLE.name)
    assert current_refi_findings() == json.loads(GOLDEN_REFI.read_text())
