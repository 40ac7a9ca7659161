"""Transcript layouts as tools deliver them, checked turn by turn on the layout samples."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest

from qualcode.errors import InvalidInputError
from qualcode.ingest.layouts import parse_source
from qualcode.ingest.readers import read_transcript
from qualcode.ingest.turns import SpeakerLabels, parse_speaker_labels, parse_turns

SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts" / "layouts"
IV, P = "interviewer", "participant"

# file -> layout, then per turn: speaker, role, first word, last word, timecode (ms)
EXPECTED = {
    "S7PW1.vtt": (
        "webvtt-zoom",
        [
            ("Interviewer", IV, "Thanks", "role?", 2140),
            ("S7PW1", P, "Yeah,", "peer.", 7520),
            ("Interviewer", IV, "And", "like?", 25300),
            ("S7PW1", P, "Eight", "us.", 30400),
            ("Interviewer", IV, "What", "change?", 44500),
            ("S7PW1", P, "More", "honestly.", 47800),
        ],
    ),
    "S7PW2.vtt": (
        "webvtt-teams",
        [
            ("Interviewer", IV, "Thanks", "post?", 1050),
            ("S7PW2", P, "About", "while.", 6110),
            ("Interviewer", IV, "How", "there?", 17020),
            ("S7PW2", P, "Mixed.", "for.", 22300),
        ],
    ),
    "S7PWC.srt": (
        "srt",
        [
            ("Interviewer", IV, "Could", "coordinator?", 900),
            ("S7PWC", P, "I", "week.", 4800),
            ("Interviewer", IV, "What", "way?", 16500),
            ("S7PWC", P, "Honestly,", "shows.", 20700),
        ],
    ),
    "S8PW1.txt": (
        "otter",
        [
            ("Interviewer", IV, "Thanks", "like?", 3000),
            ("S8PW1", P, "Sure.", "OT.", 11000),
            ("S8PW1", P, "And", "[laughs].", 29000),
            ("Interviewer", IV, "What", "work?", 36000),
            ("S8PW1", P, "Time.", "on.", 41000),
            ("Interviewer", IV, "No,", "you.", 50000),
        ],
    ),
    "S8PW2.txt": (
        "rev",
        [
            ("Interviewer", IV, "Could", "worker?", 4000),
            ("S8PW2", P, "Supervision", "it.", 10000),
            ("Interviewer", IV, "What", "then?", 31000),
            ("S8PW2", P, "I", "though.", 35000),
        ],
    ),
    "S8PWC.txt": (
        "rev",
        [
            ("Speaker 1", None, "Thanks", "site?", 1000),
            ("Speaker 2", None, "Slowly.", "October.", 6000),
            ("Speaker 2", None, "Recruitment", "honestly.", 15000),
            ("Speaker 1", None, "What", "helped?", 20000),
            ("Speaker 2", None, "Having", "qualification.", 22000),
        ],
    ),
    "S9PW1.txt": (
        "dash",
        [
            ("INTERVIEWER", IV, "Thanks", "like?", None),
            ("S9PW1", P, "Overwhelming,", "laptop.", None),
            ("INTERVIEWER", IV, "Did", "change?", None),
            ("S9PW1", P, "It", "brilliant.", None),
            ("INTERVIEWER", IV, "And", "team?", None),
            ("S9PW1", P, "Getting", "am.", None),
        ],
    ),
    "S9PW2.docx": (
        "table-timed",
        [
            ("Interviewer", IV, "Thank", "new?", 2000),
            ("S9PW2", P, "I'd", "[laughs].", 9000),
            ("Interviewer", IV, "And", "it?", 24000),
            ("S9PW2", P, "Some", "00:00:33]", 28000),
            ("Interviewer", IV, "Has", "time?", 41000),
            ("S9PW2", P, "Yes,", "better.", 44000),
        ],
    ),
    "S9PWC.docx": (
        "otter",
        [
            ("Interviewer", IV, "Could", "workers?", 3000),
            ("S9PWC", P, "We", "week.", 9000),
            ("S9PWC", P, "Then", "it.", 18000),
            ("Interviewer", IV, "What", "yourself?", 31000),
            ("S9PWC", P, "Not", "can.", 35000),
        ],
    ),
}
# What must never be left inside what was said: a leading timestamp, a cue arrow,
# a cue number or timing line, a speaker label.
_LEFTOVER = re.compile(
    r"^\s*[\[(]?\d{1,2}:\d{2}|-->|^\d+$|^\s*(?:WEBVTT|Transcript)\b", re.MULTILINE
)


def turns_of(name: str, labels: SpeakerLabels | None = None):
    src = read_transcript(SAMPLES / name)
    parsed = parse_source(src, labels)
    text = parsed.text if parsed.text is not None else src.text
    return parsed, [(t, text[t.start : t.end]) for t in parsed.turns]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_layout_sample_turn_by_turn(name: str) -> None:
    layout, expected = EXPECTED[name]
    parsed, turns = turns_of(name)
    assert parsed.layout == layout
    assert parsed.unplaced == []
    got = [(t.speaker, t.role, said.split()[0], said.split()[-1], t.timecode) for t, said in turns]
    assert got == expected
    for t, said in turns:
        assert not _LEFTOVER.search(said), said
        assert not said.startswith((t.speaker or "", "[0")), said
        assert t.is_participant == (None if t.role is None else t.role == P)


def test_cue_text_is_joined_across_cues_and_keeps_bracketed_notes() -> None:
    parsed, turns = turns_of("S7PW1.vtt")
    assert turns[1][1] == (
        "Yeah, of course. So I saw the advert at the [community centre] and I "
        "thought, that's me, that's exactly what I needed when I was on the "
        "ward. [inaudible 00:00:21] the interview was with two managers and a "
        "peer."
    )
    assert parsed.text is not None and parsed.text.startswith(
        "[00:00:02.140] Interviewer: Thanks for joining."
    )
    # every cue's start time is kept beside its text
    at = {parsed.text[o : o + 12]: ms for o, ms in parsed.times}
    assert at["that's me, t"] == 13080 and at["[inaudible 0"] == 20000


def test_stored_cue_text_parses_back_to_the_same_turns() -> None:
    parsed, _ = turns_of("S7PW2.vtt")
    again = parse_turns(parsed.text or "")
    assert again.layout == "labels-timed"
    assert [(t.start, t.end, t.speaker, t.timecode) for t in again.turns] == [
        (t.start, t.end, t.speaker, t.timecode) for t in parsed.turns
    ]


def test_speaker_map_settles_numbered_speakers() -> None:
    labels = SpeakerLabels().with_extra(
        parse_speaker_labels("Speaker 1=interviewer,Speaker 2=participant")
    )
    parsed, turns = turns_of("S8PWC.txt", labels)
    assert parsed.notices == []
    assert [(t.speaker, t.role) for t, _ in turns] == [
        ("Speaker 1", IV),
        ("Speaker 2", P),
        ("Speaker 2", P),
        ("Speaker 1", IV),
        ("Speaker 2", P),
    ]


def test_numbered_speakers_without_a_map_are_asked_about_not_guessed() -> None:
    parsed, _ = turns_of("S8PWC.txt")
    assert [n.message.split(";")[0] for n in parsed.notices] == [
        "speaker 'Speaker 1' (2 turns) has no role",
        "speaker 'Speaker 2' (3 turns) has no role",
    ]


@pytest.mark.parametrize(
    "label",
    ["Researcher", "Moderator", "Facilitator", "Interviewer 1", "Interviewer 2", "RESEARCHER"],
)
def test_interviewer_labels_by_default(label: str) -> None:
    text = f"{label}: How was it?\n\nS3PW1: Fine, thanks.\n"
    parsed = parse_turns(text)
    assert [(t.speaker, t.role) for t in parsed.turns] == [(label, IV), ("S3PW1", P)]
    assert parsed.notices == []


def test_header_block_is_a_preamble_and_end_marker_ends_the_last_turn() -> None:
    text = (
        "Interview transcript\nDate: 3 March 2026\nDuration: 00:45:12\nTranscript\n\n"
        "Interviewer: Shall we start?\n\nS3PW1: Yes.\n\n[END OF TRANSCRIPT]\n"
    )
    parsed = parse_turns(text)
    assert [(t.speaker, text[t.start : t.end]) for t in parsed.turns] == [
        ("Interviewer", "Shall we start?"),
        ("S3PW1", "Yes."),
    ]
    assert parsed.unplaced == [] and parsed.notices == []


def test_long_speech_before_the_first_label_is_reported_not_dropped_silently() -> None:
    text = (
        "So yes, I had been working on the ward for a while before the role came up.\n\n"
        "Interviewer: Go on.\n\nS3PW1: That's it.\n"
    )
    parsed = parse_turns(text)
    [u] = parsed.unplaced
    assert u.offset == 0 and "preamble" in u.reason


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text", "where", "what"),
    [
        (
            "a.vtt",
            "WEBVTT\n\n1\n00:00:01.000 --> 00:00:0x.000\nInterviewer: Hi.\n",
            "a.vtt:4:",
            "broken timing line",
        ),
        (
            "b.vtt",
            "WEBVTT\n\n1\n00:00:01.000 --> 00:00:05.000\nInterviewer: Hi.\n\n2\n"
            "00:00:04.000 --> 00:00:07.000\nS3PW1: Hello.\n",
            "b.vtt:8:",
            "overlapping cues",
        ),
        (
            "c.srt",
            "1\n00:00:01,000 --> 00:00:02,000\nInterviewer: Hi.\n\n2\nS3PW1: Hello.\n",
            "c.srt:6:",
            "cue 2 has no timing line",
        ),
        ("d.vtt", "1\n00:00:01.000 --> 00:00:02.000\nHi.\n", "d.vtt:1:", "must start with"),
        (
            "e.vtt",
            "WEBVTT\n\n2\n00:00:05.000 --> 00:00:03.000\nHi.\n",
            "e.vtt:4:",
            "ends (00:00:03.000) before it starts",
        ),
        (
            "f.txt",
            "Interviewer: a\n\nS3PW1: b\n\nInterviewer - c\n\nS3PW1 - d\n",
            "f.txt:5:",
            "mixed layouts",
        ),
        (
            "g.txt",
            "Interviewer  0:01\nHi.\n\nS3PW1  0:03\nHello.\n\nInterviewer: Next?\n\nS3PW1: Yes.\n",
            "g.txt:7:",
            "mixed layouts",
        ),
    ],
)
def test_bad_input_names_file_and_line(
    tmp_path: Path, name: str, text: str, where: str, what: str
) -> None:
    src = read_transcript(write(tmp_path, name, text))
    with pytest.raises(InvalidInputError) as e:
        parse_source(src)
    assert str(e.value).startswith(where) and what in str(e.value)
    assert "Nothing was imported" in str(e.value)


def test_text_outside_any_cue_is_unplaced_with_its_line(tmp_path: Path) -> None:
    src = read_transcript(
        write(
            tmp_path,
            "h.vtt",
            (
                "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nInterviewer: Hi.\n\nstray words here\n\n"
                "2\n00:00:03.000 --> 00:00:04.000\nS3PW1: Hello.\n"
            ),
        )
    )
    parsed = parse_source(src)
    assert [(u.line, u.text) for u in parsed.unplaced] == [(7, "stray words here")]
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "S3PW1"]


def test_a_text_file_holding_captions_is_read_as_captions(tmp_path: Path) -> None:
    src = read_transcript(
        write(
            tmp_path,
            "S3PW1.txt",
            (
                "1\n00:00:01,000 --> 00:00:02,000\nInterviewer: Hi.\n\n"
                "2\n00:00:03,000 --> 00:00:04,500\nS3PW1: Hello.\n"
            ),
        )
    )
    parsed = parse_source(src)
    assert parsed.layout == "srt" and [t.timecode for t in parsed.turns] == [1000, 3000]


def test_speaker_given_two_roles_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="two roles"):
        parse_speaker_labels("Speaker 1=interviewer, speaker 1=participant")


def docx_table(
    path: Path, rows: list[tuple[str, ...]], merge: bool = False, paragraphs: tuple[str, ...] = ()
) -> Path:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    t = d.add_table(rows=0, cols=len(rows[0]))
    for row in rows:
        cells = t.add_row().cells
        for c, v in zip(cells, row, strict=True):
            c.text = v
    if merge:
        t.cell(2, 0).merge(t.cell(2, 1))
    d.save(str(path))
    return path


def test_speaker_text_table_without_header(tmp_path: Path) -> None:
    path = docx_table(
        tmp_path / "S3PW2.docx",
        [
            ("Interviewer", "How was the first week?"),
            ("S3PW2", "Strange.\nGood, though."),
            ("Interviewer", "Why strange?"),
            ("S3PW2", "No desk."),
        ],
        paragraphs=("Participant: S3PW2", "Interview 2, Site 3"),
    )
    src = read_transcript(path)
    parsed = parse_source(src)
    assert parsed.layout == "table" and parsed.unplaced == []
    assert [(t.speaker, t.role, src.text[t.start : t.end]) for t in parsed.turns] == [
        ("Interviewer", IV, "How was the first week?"),
        ("S3PW2", P, "Strange.\nGood, though."),
        ("Interviewer", IV, "Why strange?"),
        ("S3PW2", P, "No desk."),
    ]


def test_table_with_merged_cells_is_refused_with_its_paragraph(tmp_path: Path) -> None:
    path = docx_table(
        tmp_path / "S3PW3.docx",
        [("Speaker", "Text"), ("Interviewer", "Hi."), ("S3PW3", "Hello."), ("Interviewer", "Bye.")],
        merge=True,
        paragraphs=("Title",),
    )
    with pytest.raises(InvalidInputError) as e:
        parse_source(read_transcript(path))
    assert str(e.value).startswith(
        "S3PW3.docx (paragraph 2): the transcript table has merged cells (row 3)"
    )


def test_table_and_speaker_paragraphs_in_one_file_are_refused(tmp_path: Path) -> None:
    path = docx_table(
        tmp_path / "S3PW4.docx",
        [("Speaker", "Text"), ("Interviewer", "Hi."), ("S3PW4", "Hello.")],
        paragraphs=("Interviewer: Before the table.", "S3PW4: Yes."),
    )
    with pytest.raises(InvalidInputError, match=r"\(paragraph 1\): mixed layouts"):
        parse_source(read_transcript(path))


def test_a_metadata_table_is_not_a_transcript_table(tmp_path: Path) -> None:
    path = docx_table(tmp_path / "S3PW5.docx", [("Participant", "S3PW5"), ("Site", "Site 3")])
    d = docx.Document(str(path))
    d.add_paragraph("Interviewer: How was it?")
    d.add_paragraph("S3PW5: Good.")
    d.save(str(path))
    src = read_transcript(path)
    parsed = parse_source(src)
    assert parsed.layout == "labels"
    assert [(t.speaker, src.text[t.start : t.end]) for t in parsed.turns] == [
        ("Interviewer", "How was it?"),
        ("S3PW5", "Good."),
    ]


def test_timestamps_before_or_after_the_label_are_not_speech() -> None:
    text = (
        "[00:00:05] Interviewer: How was it?\n\nS3PW1 00:00:09: Fine: really.\n\n"
        "Interviewer (00:00:30): And then?\n\n00:00:41 S3PW1: OK [inaudible 00:00:43] yes.\n"
    )
    parsed = parse_turns(text)
    assert [(t.speaker, t.timecode, text[t.start : t.end]) for t in parsed.turns] == [
        ("Interviewer", 5000, "How was it?"),
        ("S3PW1", 9000, "Fine: really."),
        ("Interviewer", 30000, "And then?"),
        ("S3PW1", 41000, "OK [inaudible 00:00:43] yes."),
    ]


def test_a_header_block_naming_the_interviewer_is_no_turn() -> None:
    text = (
        "Interviewer: J. Bloggs\nParticipant: S3PW1\nDate: 3 May 2026\n\n"
        "Interviewer: Thanks for coming.\n\nS3PW1: No problem.\n"
    )
    parsed = parse_turns(text)
    assert [(t.speaker, text[t.start : t.end]) for t in parsed.turns] == [
        ("Interviewer", "Thanks for coming."),
        ("S3PW1", "No problem."),
    ]
    # without a header key the first paragraph is speech, as always
    plain = "Interviewer: Hi.\nS3PW1: Hello.\n\nInterviewer: Bye.\n"
    assert [t.speaker for t in parse_turns(plain).turns] == ["Interviewer", "S3PW1", "Interviewer"]


def test_an_unknown_speaker_in_a_dash_or_otter_file_is_not_merged_into_a_turn() -> None:
    dash = (
        "INTERVIEWER - How was it?\n\nJANE - Fine. Yes - really.\n\nINTERVIEWER - Good.\n\n"
        "JANE - Thanks.\n"
    )
    parsed = parse_turns(dash)
    assert [(t.speaker, t.role) for t in parsed.turns] == [
        ("INTERVIEWER", IV),
        ("JANE", None),
        ("INTERVIEWER", IV),
        ("JANE", None),
    ]
    assert dash[parsed.turns[1].start : parsed.turns[1].end] == "Fine. Yes - really."
    otter = "Interviewer  0:01\nHi.\n\nS3PW1  0:04\nHello.\n\nCarer  0:09\nHe is tired.\n"
    parsed = parse_turns(otter)
    assert [(t.speaker, t.role, t.timecode) for t in parsed.turns] == [
        ("Interviewer", IV, 1000),
        ("S3PW1", P, 4000),
        ("Carer", None, 9000),
    ]
    assert "speaker 'Carer' (1 turn) has no role" in parsed.notices[0].message


def test_older_teams_docx_timing_line_then_speaker_then_speech(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("Transcript")
    for para in (
        "0:0:0.0 --> 0:0:4.250",
        "Interviewer",
        "Thanks for joining. How are things?",
        "0:0:4.250 --> 0:0:9.100",
        "S3PW6",
        "Busy. The ward is short of staff.",
        "0:0:9.100 --> 0:0:12.0",
        "S3PW6",
        "But we manage [laughs].",
        "0:0:12.500 --> 0:0:14.0",
        "Interviewer",
        "Go on?",
    ):
        d.add_paragraph(para)
    d.save(str(tmp_path / "S3PW6.docx"))
    parsed = parse_source(read_transcript(tmp_path / "S3PW6.docx"))
    assert parsed.layout == "teams-docx" and parsed.text is not None
    assert [
        (t.speaker, t.role, t.timecode, parsed.text[t.start : t.end]) for t in parsed.turns
    ] == [
        ("Interviewer", IV, 0, "Thanks for joining. How are things?"),
        ("S3PW6", P, 4250, "Busy. The ward is short of staff. But we manage [laughs]."),
        ("Interviewer", IV, 12500, "Go on?"),
    ]


def test_older_teams_docx_overlap_names_its_paragraph(tmp_path: Path) -> None:
    d = docx.Document()
    for para in (
        "0:0:0.0 --> 0:0:4.250",
        "Interviewer",
        "Hi.",
        "0:0:3.0 --> 0:0:9.100",
        "S3PW7",
        "Hello.",
    ):
        d.add_paragraph(para)
    d.save(str(tmp_path / "S3PW7.docx"))
    with pytest.raises(InvalidInputError, match=r"^S3PW7.docx \(paragraph 4\): this cue starts"):
        parse_source(read_transcript(tmp_path / "S3PW7.docx"))


def test_a_name_used_in_one_cue_only_is_reported_with_its_line(tmp_path: Path) -> None:
    src = read_transcript(
        write(
            tmp_path,
            "S3PW8.vtt",
            (
                "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nInterviewer: Hi.\n\n"
                "2\n00:00:03.000 --> 00:00:04.000\nS3PW8: Hello.\n\n"
                "3\n00:00:05.000 --> 00:00:06.000\nCarer: He is tired.\n"
            ),
        )
    )
    parsed = parse_source(src)
    [notice] = parsed.notices
    assert notice.line == 12 and "'Carer:', used only once" in notice.message
