"""The ``[qualcode]`` convention: data the REFI-QDA standard has no place for.

QDA-XML 1.0 has no extension points (no ``xs:any``), so qualcode-only data
(a coding's valence, a code's inclusion/exclusion notes, case groups, chart
summaries...) travels in the ``<Description>`` of the element it belongs to,
as a block of lines at the end, each starting with ``[qualcode] ``::

    The ward staff were welcoming.        <- the ordinary description / memo

    [qualcode] valence: facilitator

Other tools show these lines as part of the description; our importer reads
them back and removes them. A value that spans lines or has surrounding spaces
is written as a JSON string (``"line one\\nline two"``).
"""

from __future__ import annotations

import json

PREFIX = "[qualcode] "


def _encode(value: str) -> str:
    plain = (
        "\n" not in value
        and "\r" not in value
        and value == value.strip()
        and not value.startswith('"')
        and value != ""
    )
    return value if plain else json.dumps(value, ensure_ascii=False)


def _decode(raw: str) -> str:
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
        except ValueError:
            return raw
        return value if isinstance(value, str) else raw
    return raw


def compose(text: str, meta: list[tuple[str, str]]) -> str:
    """The description: ``text``, a blank line, then one ``[qualcode] key: value`` per item."""
    lines = [f"{PREFIX}{key}: {_encode(value)}" for key, value in meta]
    if not lines:
        return text
    block = "\n".join(lines)
    return f"{text}\n\n{block}" if text else block


def parse(description: str | None) -> tuple[str, list[tuple[str, str]]]:
    """Split a description into (the ordinary text, [(key, value), ...] from our lines)."""
    if not description:
        return "", []
    text = description.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    i = len(lines)
    while i > 0 and lines[i - 1].startswith(PREFIX) and ": " in lines[i - 1]:
        i -= 1
    if i == len(lines):
        return text, []
    meta = []
    for line in lines[i:]:
        key, _, raw = line[len(PREFIX) :].partition(": ")
        meta.append((key.strip(), _decode(raw)))
    rest = "\n".join(lines[:i])
    if i == 0:
        rest = ""
    elif rest.endswith("\n"):  # compose() put exactly one blank line before the block
        rest = rest[:-1]
    return rest, meta


def first(meta: list[tuple[str, str]], key: str) -> str | None:
    """The value of ``key`` (the first if repeated), or None."""
    return next((v for k, v in meta if k == key), None)


def all_of(meta: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in meta if k == key]
