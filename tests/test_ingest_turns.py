"""Speaker turns and participant ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import InvalidInputError
from qualcode.ingest.participants import ParticipantPattern, identify_participant
from qualcode.ingest.readers import SourceText
from qualcode.ingest.turns import SpeakerLabels, parse_speaker_labels, parse_turns

TRANSCRIPT = """[Interview with S3PW1, peer worker, Site 3. Pseudonymised.]

Interviewer: How was the training?

S3PW1: Really good. Eight days.

It was about how you are with somebody.
Wrapped line of the same paragraph.

Interviewer:
What was missing?

S3PW1: Discharge paperwork, maybe.
"""


def spoken(text: str, turn) -> str:
    return text[turn.start : turn.end]


def test_turns_labels_continuations_and_preamble() -> None:
    parsed = parse_turns(TRANSCRIPT)
    assert parsed.notices == []
    assert [(t.speaker, t.is_participant) for t in parsed.turns] == [
        ("Interviewer", False),
        ("S3PW1", True),
        ("Interviewer", False),
        ("S3PW1", True),
    ]
    texts = [spoken(TRANSCRIPT, t) for t in parsed.turns]
    assert texts[0] == "How was the training?"  # the label is not part of the turn
    assert texts[1] == (
        "Really good. Eight days.\n\nIt was about how you are with somebody.\n"
        "Wrapped line of the same paragraph."
    )
    assert texts[2] == "What was missing?"  # label alone on its line
    assert texts[3] == "Discharge paperwork, maybe."
    assert not any("Interview with" in t for t in texts)  # the bracketed preamble is no turn
    assert [p.label for p in parsed.participant_ids] == ["S3PW1", "S3PW1"]


def test_generic_labels_and_timestamps() -> None:
    text = "I: Hello there.\n\nR: Hi.\n\n[00:01:02] Q: Next?\n\n00:01:09 Respondent: Yes: fine.\n"
    parsed = parse_turns(text)
    assert [(t.speaker, t.is_participant) for t in parsed.turns] == [
        ("I", False),
        ("R", True),
        ("Q", False),
        ("Respondent", True),
    ]
    assert spoken(text, parsed.turns[3]) == "Yes: fine."
    assert parsed.participant_ids == []


def test_unknown_speaker_gets_its_own_turns_with_no_role_and_a_notice() -> None:
    text = "Interviewer: Hi.\n\nS3PW1: Hello.\n\nCarer: Can I add something?\n\nS3PW1: Sure.\n"
    parsed = parse_turns(text)
    [notice] = parsed.notices
    assert "speaker 'Carer' (1 turn) has no role" in notice.message
    assert "--speakers 'Carer=participant'" in notice.message
    src = SourceText(Path("S3PW1.txt"), text, "txt", "utf-8")
    assert str(src.warning_at(notice.offset, notice.message)).startswith(
        "S3PW1.txt:5: speaker 'Carer'"
    )
    assert [(t.speaker, t.role, spoken(text, t)) for t in parsed.turns] == [
        ("Interviewer", "interviewer", "Hi."),
        ("S3PW1", "participant", "Hello."),
        ("Carer", None, "Can I add something?"),
        ("S3PW1", "participant", "Sure."),
    ]
    assert parsed.turns[2].is_participant is None  # never credited to the participant


def test_configured_labels_are_speakers() -> None:
    text = "Researcher: Hi.\n\nCarer: He is tired.\n\nS3PW1: I'm fine.\n"
    labels = SpeakerLabels().with_extra(parse_speaker_labels("Researcher=interviewer, Carer=other"))
    parsed = parse_turns(text, labels)
    assert parsed.notices == []
    assert [(t.speaker, t.is_participant) for t in parsed.turns] == [
        ("Researcher", False),
        ("Carer", False),
        ("S3PW1", True),
    ]


@pytest.mark.parametrize("spec", ["Researcher", "Researcher=boss", "Researcher:=interviewer"])
def test_bad_speaker_label_spec(spec: str) -> None:
    with pytest.raises(InvalidInputError, match="Speaker label"):
        parse_speaker_labels(spec)


def test_sentences_with_colons_are_not_labels() -> None:
    text = "Interviewer: Go on.\n\nS3PW1: What I said was: no.\nhttp://example.org is the link.\n"
    parsed = parse_turns(text)
    assert parsed.notices == [] and len(parsed.turns) == 2


def test_no_labels_at_all_is_one_block_with_a_warning() -> None:
    text = "Mod - Hello.\n\nJane - Hi.\n\nMod - Bye.\n"
    parsed = parse_turns(text)
    assert len(parsed.turns) == 1 and parsed.turns[0].speaker is None
    assert parsed.layout == "none" and len(parsed.unplaced) == 1
    assert "no speaker turns found" in parsed.notices[0].message
    assert "'Mod -' (2x)" in parsed.notices[0].message


def test_participant_from_file_name_turns_or_missing() -> None:
    pattern = ParticipantPattern()
    pid, notes = identify_participant("interview_s4pwc_final", [], pattern)
    assert pid is not None and (pid.label, pid.role, pid.number) == ("S4PWC", "PWC", None)
    assert pattern.case_name(pid) == "Site 4" and notes == []
    from_turns = parse_turns("I: Hi.\n\nS5PW12: Hello.\n").participant_ids
    pid, notes = identify_participant("transcript 7", from_turns, pattern)
    assert pid is not None and (pid.label, pid.number) == ("S5PW12", 12) and notes == []
    pid, notes = identify_participant("transcript 7", [], pattern)
    assert pid is None and "no participant id" in notes[0]
    pid, notes = identify_participant("S3PW1", parse_turns("S3PW2: Hi.\n").participant_ids, pattern)
    assert pid is not None and pid.label == "S3PW1" and "S3PW2" in notes[0]


def test_custom_pattern_and_template_are_checked() -> None:
    pattern = ParticipantPattern(r"(?P<centre>[A-Z]{3})-(?P<n>\d+)", "Centre {centre}")
    pid = pattern.search_name("LDS-04 interview")
    assert pid is not None and pattern.case_name(pid) == "Centre LDS" and pid.number == 4
    with pytest.raises(InvalidInputError, match=r"uses \{site\}"):
        ParticipantPattern(r"P(?P<n>\d+)", "Site {site}")
    with pytest.raises(InvalidInputError, match="not a valid regular expression"):
        ParticipantPattern(r"S(?P<site>\d+", "Site {site}")
    assert (
        ParticipantPattern(r"P(?P<n>\d+)", "").case_name(
            ParticipantPattern(r"P(?P<n>\d+)", "").search_name("P7")
        )
        is None
    )  # type: ignore[arg-type]
