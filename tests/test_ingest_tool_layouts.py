"""Transcripts as transcription services and meeting tools export them, one test per layout:
speakers, roles, what was said (``text[start:end]``) and timecodes, from real files."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from qualcode.errors import InvalidInputError
from qualcode.ingest.layouts import LAYOUT_NAMES, parse_source
from qualcode.ingest.readers import read_transcript
from qualcode.ingest.turns import SpeakerLabels, parse_speaker_labels, parse_turns
from qualcode.services.documents import open_document
from qualcode.services.import_check import check_paths
from qualcode.services.importing import ImportOptions, import_paths
from qualcode.services.project import Project
from qualcode.services.speakers import reparse_document
from qualcode.services.transcript_store import parse_warnings

IV, P = "interviewer", "participant"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    d = docx.Document()
    for para in paragraphs:
        d.add_paragraph(para)
    d.save(str(path))
    return path


def turns_of(path: Path, speakers: str = ""):
    """(parsed, [(speaker, role, what was said, timecode)]) as an import reads the file."""
    labels = SpeakerLabels().with_extra(parse_speaker_labels(speakers)) if speakers else None
    src = read_transcript(path)
    parsed = parse_source(src, labels)
    text = parsed.text if parsed.text is not None else src.text
    return parsed, [(t.speaker, t.role, text[t.start : t.end], t.timecode) for t in parsed.turns]


def test_cart_headers_with_time_on_their_own_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "S3PW1.txt",
        ">> INTERVIEWER [00:00:05]\nThanks for joining. Can you tell me about your role?\n\n"
        ">> PARTICIPANT [00:00:12]\nI started as a peer worker on the ward in March. It was "
        "hard at first.\nThe staff did not know what I was for.\n",
    )
    parsed, turns = turns_of(path)
    assert parsed.layout == "cart" and parsed.unplaced == [] and parsed.notices == []
    assert turns == [
        ("INTERVIEWER", IV, "Thanks for joining. Can you tell me about your role?", 5000),
        (
            "PARTICIPANT",
            P,
            "I started as a peer worker on the ward in March. It was hard at first.\n"
            "The staff did not know what I was for.",
            12000,
        ),
    ]


def test_cart_names_with_text_on_the_same_line_and_an_unnamed_speaker(tmp_path: Path) -> None:
    path = write(
        tmp_path / "S3PW2.txt",
        "CAPTIONED INTERVIEW, SITE 3\n\n"
        ">> INTERVIEWER: How did the ward staff take to you?\n"
        ">>S3PW2: Slowly. Some of them\nstill don't.\n"
        ">> INTERVIEWER [00:01:10] Why do you think that is?\n"
        ">> It's the uniform thing, I reckon.\n"
        ">> S3PW2 [00:01:20]: We don't wear one.\n",
    )
    parsed, turns = turns_of(path)
    assert parsed.layout == "cart"
    assert turns == [
        ("INTERVIEWER", IV, "How did the ward staff take to you?", None),
        ("S3PW2", P, "Slowly. Some of them\nstill don't.", None),
        ("INTERVIEWER", IV, "Why do you think that is?", 70000),
        (None, None, "It's the uniform thing, I reckon.", None),
        ("S3PW2", P, "We don't wear one.", 80000),
    ]
    # ">>" with no name: a turn with no speaker, reported at its line with what to do
    [u] = parsed.unplaced
    src = read_transcript(path)
    assert src.warning_at(u.offset, "").line == 7 and "Write '>> NAME:'" in u.reason


def test_cart_speaker_in_capitals_is_asked_about_and_the_map_settles_it(tmp_path: Path) -> None:
    path = write(
        tmp_path / "S3PW3.txt",
        ">> INTERVIEWER: Who else was there?\n>> DR. OKAFOR: I was, as the ward doctor.\n"
        ">> INTERVIEWER: And S3PW3?\n>> S3PW3: Yes, on the Tuesday.\n",
    )
    parsed, turns = turns_of(path)
    assert turns[1] == ("DR. OKAFOR", None, "I was, as the ward doctor.", None)
    [notice] = parsed.notices
    assert "--speakers 'DR. OKAFOR=participant'" in notice.message
    _, settled = turns_of(path, "DR. OKAFOR=other")
    assert [(s, r) for s, r, _, _ in settled] == [
        ("INTERVIEWER", IV),
        ("DR. OKAFOR", "other"),
        ("INTERVIEWER", IV),
        ("S3PW3", P),
    ]


def test_cart_name_with_no_colon_or_time_before_the_words_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "S3PW5.txt",
        ">> INTERVIEWER: Hello.\n>> S3PW5: Hi.\n>> INTERVIEWER Thanks for joining.\n",
    )
    with pytest.raises(InvalidInputError) as e:
        parse_source(read_transcript(path))
    message = str(e.value)
    assert message.startswith("S3PW5.txt:3: '>> INTERVIEWER ...' has no ':' or time")
    assert "Write '>> INTERVIEWER: ...'" in message and "Nothing was imported" in message


def test_a_quoted_email_line_in_a_labelled_transcript_is_speech() -> None:
    text = "Interviewer: What did it say?\n\nS3PW1: It said\n>> please come in Monday\nso I did.\n"
    parsed = parse_turns(text)
    assert parsed.layout == "labels"
    assert [text[t.start : t.end] for t in parsed.turns][1] == (
        "It said\n>> please come in Monday\nso I did."
    )


def test_cart_and_colon_labels_in_one_file_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "S3PW4.txt",
        ">> INTERVIEWER: a\n>> S3PW4: b\nInterviewer: c\nS3PW4: d\n",
    )
    with pytest.raises(InvalidInputError) as e:
        parse_source(read_transcript(path))
    assert str(e.value).startswith("S3PW4.txt:3: mixed layouts")


def test_zoom_saved_transcript_name_in_brackets_then_time(tmp_path: Path) -> None:
    path = write(
        tmp_path / "S3PW5.txt",
        "[Interviewer] 10:02:15\nThanks for joining today.\n\n"
        "[Jo Bloggs] 10:02:21\nNo problem. I've been a peer worker for a year.\n\n"
        "[Interviewer] 10:02:40 What changed in that year?\n\n"
        "[Jo Bloggs] 10:02:44\nThe staff, mostly [laughs].\n",
    )
    parsed, turns = turns_of(path)
    assert parsed.layout == "zoom-txt" and parsed.unplaced == []
    assert "look like times of day" in parsed.notices[0].message
    assert "--speakers 'Jo Bloggs=participant'" in parsed.notices[1].message
    _, turns = turns_of(path, "Jo Bloggs=participant")
    assert turns == [
        ("Interviewer", IV, "Thanks for joining today.", 36135000),
        ("Jo Bloggs", P, "No problem. I've been a peer worker for a year.", 36141000),
        ("Interviewer", IV, "What changed in that year?", 36160000),
        ("Jo Bloggs", P, "The staff, mostly [laughs].", 36164000),
    ]


def test_zoom_display_names_with_pronouns_are_speakers() -> None:
    text = (
        "[Jo Bloggs (she/her)] 00:00:05\nHi.\n\n[Interviewer] 00:00:09\nHello.\n\n"
        "[Jo Bloggs (she/her)] 00:00:15\nBye.\n"
    )
    parsed = parse_turns(text, SpeakerLabels().with_extra({"Jo Bloggs (she/her)": "participant"}))
    assert parsed.layout == "zoom-txt" and parsed.notices == []
    assert [(t.speaker, t.role, t.timecode) for t in parsed.turns] == [
        ("Jo Bloggs (she/her)", P, 5000),
        ("Interviewer", IV, 9000),
        ("Jo Bloggs (she/her)", P, 15000),
    ]


def test_name_then_bracketed_time_then_speech_split_by_tabs(tmp_path: Path) -> None:
    path = write(
        tmp_path / "S4PW8.txt",
        "Interviewer \t [00:00:05] \t What did the role look like at first?\n\n"
        "S4PW8 \t [00:00:11] \t Mostly sitting in the day room [laughs].\n\n"
        "Interviewer \t [00:00:20] \t And now?\n",
    )
    parsed, turns = turns_of(path)
    assert parsed.layout == "labels-timed" and parsed.unplaced == []
    assert turns == [
        ("Interviewer", IV, "What did the role look like at first?", 5000),
        ("S4PW8", P, "Mostly sitting in the day room [laughs].", 11000),
        ("Interviewer", IV, "And now?", 20000),
    ]
    # inside speech, a name and a time in brackets are words, not a new turn
    said = parse_turns("Interviewer: Go on.\n\nS3PW1: Yes.\nMary [00:01:02] said no.\n")
    assert [t.speaker for t in said.turns] == ["Interviewer", "S3PW1"]


def test_google_meet_transcript_docx_with_timecode_paragraphs(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "S3PW6.docx",
        [
            "Peer worker interview (2026-03-05 10:00 GMT) - Transcript",
            "Attendees",
            "Interviewer, S3PW6",
            "Transcript",
            "00:00:00",
            "Interviewer: Thanks for joining. How was the first month?",
            "S3PW6: Long. Nobody knew what I was there for.",
            "00:05:00",
            "S3PW6: It got better after the team day.",
            "Interviewer: What happened there?",
            "00:10:00",
            "People asked questions, and I could answer them.",
            "Meeting ended after 00:11:30 👋",
        ],
    )
    parsed, turns = turns_of(path)
    assert parsed.layout == "labels-marks" and parsed.unplaced == [] and parsed.notices == []
    assert turns == [
        ("Interviewer", IV, "Thanks for joining. How was the first month?", 0),
        ("S3PW6", P, "Long. Nobody knew what I was there for.", None),
        ("S3PW6", P, "It got better after the team day.", 300000),
        ("Interviewer", IV, "What happened there?", None),
        # speech after a timecode line, with no name, goes on with the speaker before it
        ("Interviewer", IV, "People asked questions, and I could answer them.", 600000),
    ]


@pytest.mark.parametrize("as_docx", [False, True])
def test_f4_maxqda_stamps_end_each_paragraph(tmp_path: Path, as_docx: bool) -> None:
    paragraphs = [
        "I: Thanks for coming in. What is the job like? #00:00:04-2#",
        "B: Hard at first. Nobody had a desk for me. #00:00:12-4#",
        "I: And now? #00:00:15-0#",
        "B: Better. The manager sorted it out. #00:00:20-7#",
    ]
    path = (
        write_docx(tmp_path / "S3PW7.docx", paragraphs)
        if as_docx
        else write(tmp_path / "S3PW7.txt", "\n\n".join(paragraphs) + "\n")
    )
    parsed, turns = turns_of(path)
    assert parsed.layout == "f4"
    assert "--speakers 'B=participant'" in parsed.notices[0].message
    parsed, turns = turns_of(path, "B=participant")
    assert parsed.notices == [] and parsed.unplaced == []
    # the stamp says when a paragraph ended, so it is when the next turn starts
    assert turns == [
        ("I", IV, "Thanks for coming in. What is the job like?", None),
        ("B", P, "Hard at first. Nobody had a desk for me.", 4200),
        ("I", IV, "And now?", 12400),
        ("B", P, "Better. The manager sorted it out.", 15000),
    ]


def test_f4_paragraph_without_a_label_goes_on_with_the_speaker_from_its_stamp() -> None:
    text = (
        "I: What happened next? #00:00:03-0#\n\n"
        "R: They gave me a desk. #00:00:09-5#\n\n"
        "Then a login, weeks later. #00:00:15-2#\n\n"
        "I: Good. #00:00:16-0#\n"
    )
    parsed = parse_turns(text)
    assert parsed.layout == "f4" and parsed.unplaced == []
    assert [(t.speaker, text[t.start : t.end], t.timecode) for t in parsed.turns] == [
        ("I", "What happened next?", None),
        ("R", "They gave me a desk.", 3000),
        ("R", "Then a login, weeks later.", 9500),
        ("I", "Good.", 15200),
    ]


def test_word_transcribe_docx_time_then_speaker_then_speech(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "S3PW8.docx",
        [
            "S3PW8 interview",
            "Transcript",
            "00:00:03 Speaker 1",
            "Could you tell me how you came to the role?",
            "00:00:09 Speaker 2",
            "I saw the advert on the ward noticeboard.",
            "00:00:31 Speaker 1",
            "And the interview?",
            "00:00:35 Speaker 2",
            "Two managers and a peer. It was fine.",
        ],
    )
    parsed, turns = turns_of(path, "Speaker 1=interviewer,Speaker 2=participant")
    assert parsed.layout == "otter" and parsed.unplaced == [] and parsed.notices == []
    assert turns == [
        ("Speaker 1", IV, "Could you tell me how you came to the role?", 3000),
        ("Speaker 2", P, "I saw the advert on the ward noticeboard.", 9000),
        ("Speaker 1", IV, "And the interview?", 31000),
        ("Speaker 2", P, "Two managers and a peer. It was fine.", 35000),
    ]


def test_happy_scribe_time_dash_speaker_then_speech(tmp_path: Path) -> None:
    path = write(
        tmp_path / "S3PW9.txt",
        "[00:00:01.12] - Interviewer\n\nHow did supervision work?\n\n"
        "[00:00:06.40] - S3PW9\n\nEvery fortnight, with the coordinator.\n\n"
        "[00:00:15.03] - Interviewer\n\nDid it ever lapse?\n\n"
        "[00:00:18.90] - S3PW9\n\nOnce, over the winter.\n",
    )
    parsed, turns = turns_of(path)
    assert parsed.layout == "otter" and parsed.unplaced == []
    assert turns == [
        ("Interviewer", IV, "How did supervision work?", 1120),
        ("S3PW9", P, "Every fortnight, with the coordinator.", 6400),
        ("Interviewer", IV, "Did it ever lapse?", 15030),
        ("S3PW9", P, "Once, over the winter.", 18900),
    ]


def test_sonix_docx_time_after_the_colon(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "S4PW1.docx",
        [
            "Interviewer: [00:00:02] What does a good shift look like?",
            "S4PW1: [00:00:07] Someone on the ward talks to me first.",
            "Interviewer: [00:00:20] And a bad one?",
            "S4PW1: [00:00:23] Nobody does. [inaudible 00:00:25] that's it.",
        ],
    )
    parsed, turns = turns_of(path)
    assert parsed.layout == "labels-timed" and parsed.unplaced == []
    assert turns == [
        ("Interviewer", IV, "What does a good shift look like?", 2000),
        ("S4PW1", P, "Someone on the ward talks to me first.", 7000),
        ("Interviewer", IV, "And a bad one?", 20000),
        ("S4PW1", P, "Nobody does. [inaudible 00:00:25] that's it.", 23000),
    ]


@pytest.mark.parametrize("as_docx", [False, True])
def test_descript_and_trint_time_then_speaker_colon(tmp_path: Path, as_docx: bool) -> None:
    paragraphs = [
        "[00:00:00] Interviewer: Shall we start with your training?",
        "[00:00:04] S4PW2: It was eight days, spread over a month.",
        "[00:00:15] Interviewer: Was it enough?",
        "[00:00:17] S4PW2: For the basics, yes.",
    ]
    path = (
        write_docx(tmp_path / "S4PW2.docx", paragraphs)
        if as_docx
        else write(tmp_path / "S4PW2.txt", "\n\n".join(paragraphs) + "\n")
    )
    parsed, turns = turns_of(path)
    assert parsed.layout == "labels-timed" and parsed.unplaced == []
    assert turns == [
        ("Interviewer", IV, "Shall we start with your training?", 0),
        ("S4PW2", P, "It was eight days, spread over a month.", 4000),
        ("Interviewer", IV, "Was it enough?", 15000),
        ("S4PW2", P, "For the basics, yes.", 17000),
    ]


def test_temi_speaker_and_time_then_speech(tmp_path: Path) -> None:
    path = write(
        tmp_path / "S4PW3.txt",
        "Speaker 1 (00:02):\nHow long have you been in post?\n\n"
        "Speaker 2 (00:05):\nNearly two years now.\n",
    )
    parsed, turns = turns_of(path, "Speaker 1=interviewer,Speaker 2=participant")
    assert parsed.layout == "rev"
    assert turns == [
        ("Speaker 1", IV, "How long have you been in post?", 2000),
        ("Speaker 2", P, "Nearly two years now.", 5000),
    ]


@pytest.mark.parametrize("stamp", ["#0:00:05.0#", "0:00:05.0"])
def test_nvivo_paragraphs_starting_with_a_timestamp(tmp_path: Path, stamp: str) -> None:
    later = stamp.replace("05.0", "09.5")
    path = write_docx(
        tmp_path / "S4PW4.docx",
        [
            f"{stamp} Interviewer: What would you change?",
            f"{later} S4PW4: More time with the team before starting.",
        ],
    )
    parsed, turns = turns_of(path)
    assert parsed.layout == "labels-timed" and parsed.unplaced == []
    assert turns == [
        ("Interviewer", IV, "What would you change?", 5000),
        ("S4PW4", P, "More time with the team before starting.", 9500),
    ]


def test_webex_captions_name_the_speaker_in_the_cue_identifier(tmp_path: Path) -> None:
    path = write(
        tmp_path / "S4PW5.vtt",
        'WEBVTT\n\n1 "Interviewer" (3125481240)\n00:00:01.200 --> 00:00:04.000\n'
        "Interviewer: Thanks for joining.\n\n"
        '2 "S4PW5" (3125481999)\n00:00:04.500 --> 00:00:09.000\nHappy to.\n\n'
        '3 "S4PW5" (3125481999)\n00:00:09.100 --> 00:00:12.000\nIt was hard at first.\n',
    )
    parsed, turns = turns_of(path)
    assert parsed.layout == "webvtt-webex" and parsed.unplaced == [] and parsed.notices == []
    assert turns == [
        ("Interviewer", IV, "Thanks for joining.", 1200),
        ("S4PW5", P, "Happy to. It was hard at first.", 4500),
    ]


def test_voice_tags_name_the_layout_even_with_quoted_cue_identifiers(tmp_path: Path) -> None:
    """A Teams-style file whose cue ids happen to look like Webex's is still read by its voices."""
    path = write(
        tmp_path / "S4PW5.vtt",
        'WEBVTT\n\n1 "Interviewer" (3125481240)\n00:00:01.200 --> 00:00:04.000\n'
        "<v Interviewer>Thanks for joining.</v>\n\n"
        '2 "S4PW5" (3125481999)\n00:00:04.500 --> 00:00:09.000\n<v S4PW5>Happy to.</v>\n',
    )
    parsed, turns = turns_of(path)
    assert parsed.layout == "webvtt-teams"
    assert [t[0] for t in turns] == ["Interviewer", "S4PW5"]


def test_no_turns_counts_every_line_not_placed_at_its_real_line(tmp_path: Path) -> None:
    path = write(tmp_path / "S4PW6.txt", "\n\nNotes from the call\n\nWe talked about\nthe rota.\n")
    src = read_transcript(path)
    parsed = parse_source(src)
    warnings = [str(w) for w in parse_warnings(src, parsed)]
    assert warnings[1].startswith("S4PW6.txt: 3 lines not placed in a speaker turn")
    assert warnings[2].startswith(
        "S4PW6.txt:3: not placed (no speaker turn found: the whole text from here to its end "
        "(3 lines with words)"
    )
    assert warnings[2].endswith("'Notes from the call'")


def test_speakers_hint_quotes_a_label_with_an_apostrophe_so_a_shell_reads_it_back() -> None:
    text = "Interviewer: Hello.\n\nO'Brien: Hi.\n\nInterviewer: Bye.\n\nO'Brien: Bye.\n"
    parsed = parse_turns(text)
    message = parsed.notices[0].message
    hint = message[message.index("--speakers") : message.index(" (or =interviewer")]
    assert shlex.split(hint) == ["--speakers", "O'Brien=participant"]
    labels = SpeakerLabels().with_extra(parse_speaker_labels(shlex.split(hint)[1]))
    assert [t.role for t in parse_turns(text, labels).turns] == [IV, P, IV, P]


def test_no_turns_hint_quotes_the_label_as_written() -> None:
    text = "[Ann Lee] 0:01 Hello.\n\nJust text.\n"
    parsed = parse_turns(text)
    assert parsed.layout == "none"
    assert "'[Ann Lee]' (1x)" in parsed.notices[0].message
    assert "--speakers 'Ann Lee=participant'" in parsed.notices[0].message


def test_every_layout_has_a_name() -> None:
    for key in (
        "cart",
        "zoom-txt",
        "labels-marks",
        "f4",
        "webvtt-webex",
        "otter",
        "labels-timed",
        "rev",
    ):
        assert LAYOUT_NAMES[key]


def test_cli_check_names_the_layout_found(tmp_path: Path) -> None:
    path = write(
        tmp_path / "S4PW7.txt",
        ">> INTERVIEWER [00:00:05]\nThanks for joining.\n\n>> S4PW7 [00:00:09]\nSure.\n",
    )
    env = dict(os.environ, QUALCODE_CODER="cli-tester", PYTHONIOENCODING="utf-8")
    env.pop("QUALCODE_DB", None)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "qualcode",
            "--db",
            str(tmp_path / "p.db"),
            "import",
            "--check",
            str(path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"  layout: cart - {LAYOUT_NAMES['cart']} (2 turns)" in out.stdout
    assert "[2] 00:00:09 S4PW7 (participant): Sure." in out.stdout


SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts" / "layouts-more"
# file -> layout, then per turn: speaker, role, first word, last word, timecode (ms)
EXPECTED = {
    "S10PW1.txt": (
        "cart",
        [
            ("INTERVIEWER", IV, "Thanks", "role?", 5000),
            ("S10PW1", P, "I", "for.", 12000),
            ("INTERVIEWER", IV, "What", "helped?", 31000),
            ("S10PW1", P, "The", "things.", 34000),
            ("INTERVIEWER", IV, "Did", "way?", None),
            ("S10PW1", P, "Parking,", "weeks.", None),
        ],
    ),
    "S10PW2.txt": (
        "zoom-txt",
        [
            ("Interviewer", IV, "Thanks", "post?", 50531000),
            ("S10PW2", P, "A", "apply.", 50539000),
            ("Interviewer", IV, "What", "it?", 50553000),
            ("S10PW2", P, "I'd", "like.", 50556000),
            ("Interviewer", IV, "And", "itself?", 50582000),
            ("S10PW2", P, "Two", "questions.", 50585000),
        ],
    ),
    "S10PWC.docx": (
        "labels-marks",
        [
            ("Interviewer", IV, "Thanks", "site?", 0),
            ("S10PWC", P, "Slowly.", "October.", None),
            ("Interviewer", IV, "Why", "gap?", None),
            ("S10PWC", P, "Recruitment", "twice.", None),
            ("S10PWC", P, "Once", "expected.", 300000),
            ("Interviewer", IV, "What", "difference?", None),
            ("S10PWC", P, "Having", "ring.", None),
        ],
    ),
    "S11PW1.txt": (
        "f4",
        [
            ("I", IV, "Thanks", "like?", None),
            ("B", P, "Monday", "supervision.", 6400),
            ("I", IV, "How", "work?", 17900),
            ("B", P, "Every", "noticed.", 20200),
            ("I", IV, "What", "change?", 31500),
            ("B", P, "More", "ward.", 33800),
        ],
    ),
    "S11PW2.vtt": (
        "webvtt-webex",
        [
            ("Interviewer", IV, "Thanks", "post?", 1040),
            ("S11PW2", P, "Nearly", "me.", 5900),
            ("Interviewer", IV, "And", "now?", 15800),
            ("S11PW2", P, "Now", "nice.", 18900),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_tool_sample_turn_by_turn(name: str) -> None:
    layout, expected = EXPECTED[name]
    parsed, turns = turns_of(SAMPLES / name, "B=participant")
    assert parsed.layout == layout and parsed.unplaced == []
    got = [(s, r, said.split()[0], said.split()[-1], ms) for s, r, said, ms in turns]
    assert got == expected
    for speaker, _, said, _ in turns:
        assert not said.startswith((speaker, ">>", "[", "#")) and not said.endswith("#"), said


def test_check_suggests_the_participant_when_the_interviewer_is_known() -> None:
    [c] = check_paths([SAMPLES / "S11PW1.txt"])
    assert not c.ok and c.layout == "f4"
    assert c.layout_name == LAYOUT_NAMES["f4"]
    assert '--speakers "B=participant" (a suggestion: the interviewer is already known' in c.fix[0]


def test_importing_the_tool_samples_keeps_roles_and_timecodes(project: Project) -> None:
    report = import_paths(
        project, [SAMPLES], options=ImportOptions(speaker_labels={"B": "participant"})
    )
    assert report.failed == [] and len(report.added) == 5
    assert [str(w).split(":")[0:2] for w in report.warnings] == [
        ["S10PW2.txt", "1"]  # the times of day, kept as written
    ]
    doc = open_document(project, "S10PW1")
    assert [(t.speaker, t.role, t.timecode_ms) for t in doc.turns][:2] == [
        ("INTERVIEWER", "interviewer", 5000),
        ("S10PW1", "participant", 12000),
    ]
    assert doc.text[doc.turns[1].start : doc.turns[1].end].endswith("did not know what I was for.")
    f4 = open_document(project, "S11PW1")
    assert all("#" not in f4.text[s.start : s.end] for s in f4.sentences)
    assert [s.timecode_ms for s in f4.sentences][:3] == [None, None, 6400]


def test_reparse_settles_the_unknown_speakers_of_new_layouts_once_stored(project: Project) -> None:
    report = import_paths(project, [SAMPLES / "S11PW1.txt", SAMPLES / "S10PW1.txt"])
    assert report.failed == []
    before = open_document(project, "S11PW1")
    assert {(t.speaker, t.role) for t in before.turns} == {("I", IV), ("B", None)}
    result = reparse_document(project, "S11PW1", {"B": "participant"})
    assert result.turns_changed == 3 and result.unsettled == []
    after = open_document(project, "S11PW1")
    assert [(t.speaker, t.role, t.start, t.end, t.timecode_ms) for t in after.turns] == [
        (t.speaker, IV if t.speaker == "I" else P, t.start, t.end, t.timecode_ms)
        for t in before.turns
    ]
    assert after.text == before.text


def test_no_turns_in_a_docx_is_reported_at_its_paragraph(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "S4PW9.docx", ["Notes from the call", "We talked", "about rotas"])
    src = read_transcript(path)
    warnings = [str(w) for w in parse_warnings(src, parse_source(src))]
    assert warnings[1].startswith("S4PW9.docx: 3 lines not placed")
    assert warnings[2].startswith("S4PW9.docx (paragraph 1): not placed (no speaker turn found")
