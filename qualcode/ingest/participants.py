"""Participant ids (``S3PW1``: site 3, peer worker 1) and the case each belongs to.

The id comes from the file name, else from the speaker labels of the turns. The
pattern is a regular expression whose named groups (``site``, ``role``, ``n``)
fill the case-name template (``Site {site}``), so other studies can use their own
id scheme.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from qualcode.errors import InvalidInputError

DEFAULT_PARTICIPANT_PATTERN = r"S(?P<site>\d+)(?P<role>PWC|PW)(?P<n>\d*)"
DEFAULT_CASE_TEMPLATE = "Site {site}"


@dataclass(frozen=True)
class ParticipantId:
    """A participant id as matched, with the pattern's named groups."""

    label: str
    groups: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def role(self) -> str | None:
        return self.groups.get("role") or None

    @property
    def number(self) -> int | None:
        n = self.groups.get("n") or ""
        return int(n) if n.isdigit() else None


class ParticipantPattern:
    """A compiled participant-id pattern and case-name template, checked against each other."""

    def __init__(
        self, pattern: str = DEFAULT_PARTICIPANT_PATTERN, case_template: str = DEFAULT_CASE_TEMPLATE
    ) -> None:
        self.pattern, self.case_template = pattern, case_template
        try:
            self._exact = re.compile(pattern)
            self._loose = re.compile(pattern, re.IGNORECASE)
        except re.error as e:
            raise InvalidInputError(
                f"Participant pattern {pattern!r} is not a valid regular expression ({e})."
            ) from e
        try:  # an id inside a file name, not glued to other letters or digits
            self._in_name = re.compile(
                rf"(?<![A-Za-z0-9])(?:{pattern})(?![A-Za-z0-9])", re.IGNORECASE
            )
        except re.error:
            self._in_name = self._loose
        groups = set(self._exact.groupindex)
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(case_template) if f}
        except ValueError as e:
            raise InvalidInputError(
                f"Case template {case_template!r}: {e}. Write it like 'Site {{site}}'."
            ) from e
        missing = sorted(fields - groups)
        if missing:
            raise InvalidInputError(
                f"Case template {case_template!r} uses {{{missing[0]}}} but the participant "
                f"pattern {pattern!r} has no group (?P<{missing[0]}>...). Add the group or "
                "change the template."
            )
        self._fields = fields

    def _make(self, text: str) -> ParticipantId:
        label = text.upper() if self._exact.fullmatch(text.upper()) else text
        m = self._loose.fullmatch(label)
        groups = {k: v for k, v in (m.groupdict() if m else {}).items() if v is not None}
        return ParticipantId(label, groups)

    def match_label(self, label: str) -> ParticipantId | None:
        """The id if a whole speaker label is a participant id (``S3PW1``)."""
        return self._make(label) if self._loose.fullmatch(label) else None

    def search_name(self, name: str) -> ParticipantId | None:
        """The id found in a file name (``S3PW1``, ``interview_s3pw1_final``)."""
        m = self._in_name.search(name)
        return self._make(m.group(0)) if m else None

    def case_name(self, pid: ParticipantId) -> str | None:
        """The participant's case from the template, or None if a group it needs is empty."""
        if not self.case_template.strip() or any(not pid.groups.get(f) for f in self._fields):
            return None
        return " ".join(self.case_template.format(**pid.groups).split()) or None

    def example(self) -> str:
        return "S3PW1" if self.pattern == DEFAULT_PARTICIPANT_PATTERN else f"/{self.pattern}/"


def identify_participant(
    file_stem: str, turn_ids: list[ParticipantId], pattern: ParticipantPattern
) -> tuple[ParticipantId | None, list[str]]:
    """Pick the participant id from the file name, else from the turns; warnings as text."""
    from_name = pattern.search_name(file_stem)
    labels = list(dict.fromkeys(p.label for p in turn_ids))
    if from_name is not None:
        if labels and from_name.label not in labels:
            return from_name, [
                (
                    f"the file name says {from_name.label} but the turns are "
                    f"labelled {', '.join(labels)}; the document is filed under "
                    f"{from_name.label} (from the file name)."
                )
            ]
        return from_name, []
    if len(labels) == 1:
        return next(p for p in turn_ids if p.label == labels[0]), []
    if len(labels) > 1:
        return None, [
            (
                f"several participant ids in the turns ({', '.join(labels)}) and none "
                "in the file name, so the document is not attached to a participant. "
                f"Name the file after its participant (e.g. {labels[0]}.txt) when "
                "importing."
            )
        ]
    return None, [
        (
            f"no participant id in the file name or the speaker labels (expected e.g. "
            f"{pattern.example()}); imported without a participant. If your ids look "
            "different, import again with --participant-pattern REGEX --replace."
        )
    ]
