"""Transcripts laid out as a Word table: one turn per row (Time | Speaker | Text, or
Speaker | Text), a header row recognised by its column names.

A table is a transcript table when its header names a speaker and a text column,
or when, without a header, one column holds known speaker labels in most of three
rows or more, some of them twice.
Other tables (a metadata table before the interview) stay text. Merged cells in
a transcript table are refused with the table's paragraph and row: which row
a merged cell's words belong to cannot be known.
"""

from __future__ import annotations

from qualcode.ingest.participants import ParticipantPattern
from qualcode.ingest.readers import SourceText, TableText
from qualcode.ingest.timecodes import parse_timecode
from qualcode.ingest.turns import (
    LayoutError,
    ParsedTurns,
    SpeakerLabels,
    Turn,
    Unplaced,
    classify_label,
    make_turn,
    parse_turns,
    unknown_speaker_notices,
)

SPEAKER_HEADERS = frozenset(("speaker", "name", "speaker name", "who", "role", "person"))
TEXT_HEADERS = frozenset(
    (
        "text",
        "transcript",
        "transcription",
        "speech",
        "dialogue",
        "utterance",
        "content",
        "what was said",
        "words",
        "said",
    )
)
TIME_HEADERS = frozenset(
    ("time", "timestamp", "timecode", "time code", "start", "start time", "in", "tc")
)


def parse_table_layout(
    src: SourceText, labels: SpeakerLabels | None = None, pattern: ParticipantPattern | None = None
) -> ParsedTurns | None:
    """Turns from the transcript tables of a .docx; None when it has none."""
    role_of = (labels or SpeakerLabels()).role_of()
    pattern = pattern or ParticipantPattern()
    found = [(t, cols) for t in src.tables if (cols := _columns(t, role_of, pattern)) is not None]
    if not found:
        return None
    turns: list[Turn] = []
    unplaced: list[Unplaced] = []
    table_ranges = []
    for table, (has_header, time_col, speaker_col, text_col) in found:
        if table.merged_rows:
            raise LayoutError(
                f"the transcript table has merged cells (row "
                f"{table.merged_rows[0] + 1}); unmerge them in Word so each row "
                "is one turn, and import again.",
                table.start,
            )
        pos = table.start
        for r, row in enumerate(table.rows):
            cells, starts = row, []
            at = pos
            for cell in cells:
                starts.append(at)
                at += len(cell) + 1
            pos += len("\t".join(cells)) + 1
            if r == 0 and has_header:
                continue
            if max(speaker_col, text_col) >= len(cells):
                raise LayoutError(
                    f"row {r + 1} of the transcript table has {len(cells)} "
                    "cells where the others have more; fill or split the row.",
                    starts[0] if starts else table.start,
                )
            said = cells[text_col]
            if not said.strip():
                continue
            speaker = " ".join(cells[speaker_col].split()).rstrip(":") or None
            role, pid = classify_label(speaker, role_of, pattern) if speaker else (None, None)
            a = starts[text_col] + len(said) - len(said.lstrip())
            b = starts[text_col] + len(said.rstrip())
            time = parse_timecode(cells[time_col]) if time_col is not None else None
            turns.append(make_turn(a, b, speaker, role, pid, time))
            if speaker is None:
                unplaced.append(
                    Unplaced(
                        a,
                        said.strip()[:80],
                        f"row {r + 1} of the table has no speaker: kept as a turn with no speaker",
                    )
                )
        table_ranges.append((table.start, pos))
    _check_no_labelled_paragraphs(src, table_ranges, labels, pattern, unplaced)
    notices = unknown_speaker_notices(turns)
    layout = "table-timed" if any(c[1] is not None for _, c in found) else "table"
    return ParsedTurns(turns, notices, layout, unplaced)


def _columns(
    table: TableText, role_of: dict[str, str], pattern: ParticipantPattern
) -> tuple[bool, int | None, int, int] | None:
    """(header?, time column, speaker column, text column) of a transcript table, else None."""
    if not table.rows or len(table.rows[0]) < 2:
        return None
    head = [" ".join(c.split()).casefold().rstrip(":") for c in table.rows[0]]
    speaker = next((i for i, c in enumerate(head) if c in SPEAKER_HEADERS), None)
    text = next((i for i, c in enumerate(head) if c in TEXT_HEADERS), None)
    time = next((i for i, c in enumerate(head) if c in TIME_HEADERS), None)
    if speaker is not None and text is not None:
        return True, time, speaker, text
    body = [r for r in table.rows if any(c.strip() for c in r)]
    if len(body) < 3:  # a two-row table is metadata ("Participant | S3PW1"), not an interview
        return None
    width = max(len(r) for r in body)
    known = [
        sum(
            1
            for r in body
            if i < len(r)
            and r[i].strip()
            and classify_label(" ".join(r[i].split()).rstrip(":"), role_of, pattern)[0] is not None
        )
        for i in range(width)
    ]
    speaker = max(range(width), key=lambda i: known[i])
    names = [" ".join(r[speaker].split()).casefold() for r in body if speaker < len(r)]
    if known[speaker] * 5 < len(body) * 3 or len(set(names)) == len(names):
        return None  # not mostly known speakers, or no speaker twice: a table of facts
    timed = [
        sum(1 for r in body if i < len(r) and parse_timecode(r[i]) is not None)
        for i in range(width)
    ]
    time = next((i for i in range(width) if i != speaker and timed[i] * 2 >= len(body)), None)
    others = [i for i in range(width) if i not in (speaker, time)]
    if not others:
        return None
    text = max(others, key=lambda i: sum(len(r[i]) for r in body if i < len(r)))
    return False, time, speaker, text


def _check_no_labelled_paragraphs(
    src: SourceText,
    tables: list[tuple[int, int]],
    labels: SpeakerLabels | None,
    pattern: ParticipantPattern,
    unplaced: list[Unplaced],
) -> None:
    """Speaker lines outside the tables mean two layouts; other text is reported."""
    first = tables[0][0]
    text = src.text
    outside = list(text)
    for a, b in tables:
        outside[a:b] = " " * (b - a)
    rest = "".join(outside)
    parsed = parse_turns(rest, labels, pattern)
    if parsed.layout != "none" and len(parsed.turns) >= 2:
        raise LayoutError(
            "mixed layouts in one file: a transcript table and speaker "
            "paragraphs ('Label: text') here. Put every turn in the table or "
            "every turn in paragraphs, and import again.",
            parsed.turns[0].start,
        )
    pos = 0
    for line in rest.split("\n"):
        words = line.strip()
        if pos > first and words and not words.startswith("["):
            unplaced.append(
                Unplaced(pos, words[:80], "outside the transcript table: not counted as speech")
            )
        pos += len(line) + 1
