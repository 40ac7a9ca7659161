"""Cross-case pattern matching: which codes are shared, characteristic of high or low cases,
or found only in the outlier — and what each outlier case shares with each group.

Presence comes from one grouped query over the codings (see ``presence``);
classification is a set of pure functions over case-name sets, so it can be
tested on its own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.code_tree import ordered_codes
from qualcode.analysis.groups import GROUPS, GroupAssignment, members
from qualcode.analysis.presence import CellCount, LazyCaseCounts, coded_documents, counts_by_key
from qualcode.errors import InvalidInputError
from qualcode.store.models import Case

CATEGORIES = ("shared", "high", "low", "outlier", "none")
SHARES = ("shared", "high", "low", "only")
VALENCE_ORDER = {"facilitator": 0, "barrier": 1, "neutral": 2, None: 3}
OUTLIER_SHARES_RULE = (
    "For each outlier case o and each code: null when the code is not present in o; "
    "otherwise 'shared' when the code's category is shared, 'high' when it is high "
    "(present in o and characteristic of the high cases), 'low' when it is low, 'only' when "
    "it is outlier (no high or low case has it), and null when the pattern is mixed "
    "(category none)."
)


def natural_key(name: str) -> tuple[Any, ...]:
    """'Site 10' sorts after 'Site 9'."""
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", name))


def percent(value: Fraction) -> str:
    return f"{float(value) * 100:.0f}%"


@dataclass(frozen=True)
class PresenceRule:
    """When a code counts as present in a case, and how strict the classification is."""

    min_refs: int = 1
    min_participants: int = 1
    by_valence: bool = False
    roll_up: bool = False
    share: Fraction = Fraction(1)
    coders: tuple[str, ...] = ()
    """Only these coders' codings count (empty: everyone's)."""

    def __post_init__(self) -> None:
        if self.min_refs < 1 or self.min_participants < 1:
            raise InvalidInputError("--min-refs and --min-participants must be at least 1.")
        if not Fraction(1, 2) < self.share <= 1:
            raise InvalidInputError(
                f"--share {float(self.share):g}: give a share above 0.5 and at "
                "most 1 (e.g. 0.8 for 'at least 80% of the group')."
            )

    @property
    def relaxed(self) -> bool:
        return self.share < 1

    def category_rules(self) -> dict[str, str]:
        """The classification rules in words, exactly as applied."""
        if not self.relaxed:
            return {
                "shared": "present in every grouped case",
                "high": "present in every high case and in no low case",
                "low": "present in every low case and in no high case",
                "outlier": "present in at least one outlier case and in no high or low case",
                "none": "anything else, including codes never applied",
            }
        s, rest = percent(self.share), percent(1 - self.share)
        return {
            "shared": f"present in at least {s} of the cases of every group",
            "high": f"present in at least {s} of high cases and at most {rest} of low cases",
            "low": f"present in at least {s} of low cases and at most {rest} of high cases",
            "outlier": (
                f"present in at least one outlier case and at most {rest} of the high "
                "and low cases together"
            ),
            "none": "anything else, including codes never applied",
        }

    def short(self) -> str:
        """The same in a few words, for a screen's header line."""
        mode = (
            f"RELAXED share {float(self.share):g} (≥{percent(self.share)} of a group, "
            f"≤{percent(1 - self.share)} of the other)"
            if self.relaxed
            else "Exact rules"
        )
        unit = "code × valence" if self.by_valence else "code"
        roll = " · children rolled up" if self.roll_up else ""
        refs = f"≥{self.min_refs} coding{'s' if self.min_refs > 1 else ''}"
        who = f"≥{self.min_participants} participant{'s' if self.min_participants > 1 else ''}"
        by = f" · coders {', '.join(self.coders)}" if self.coders else ""
        return f"{mode} · present: {refs} from {who} · per {unit}{roll}{by}"

    def headline(self) -> str:
        """One line that every output prints, so relaxed results are never mistaken for exact."""
        who = (
            f"at least {self.min_refs} coding(s) from at least {self.min_participants} "
            "participant(s)"
        )
        unit = "code × valence" if self.by_valence else "code"
        roll = ", child codes rolled up into their parents" if self.roll_up else ""
        if self.relaxed:
            mode = (
                f"RELAXED rules (share {float(self.share):g}): present in at least "
                f"{percent(self.share)} of a group and at most {percent(1 - self.share)} of "
                "the other group"
            )
        else:
            mode = "Exact rules"
        by = f" Only codings by {', '.join(self.coders)}." if self.coders else ""
        return f"{mode}. Present = {who} in the case; per {unit}{roll}.{by}"


def _at_least(n: int, total: int, share: Fraction) -> bool:
    """n / total >= share, in exact integer arithmetic."""
    return n * share.denominator >= share.numerator * total


def _at_most(n: int, total: int, share: Fraction) -> bool:
    """n / total <= 1 - share, in exact integer arithmetic."""
    return n * share.denominator <= (share.denominator - share.numerator) * total


def classify(
    present: set[str] | frozenset[str],
    high: set[str] | frozenset[str],
    low: set[str] | frozenset[str],
    outlier: set[str] | frozenset[str],
    share: Fraction = Fraction(1),
) -> str:
    """The category of one code, from the grouped cases where it is present.

    Exact rules (``share == 1``), with H, L, O the groups and P = ``present`` ∩ (H ∪ L ∪ O):

    - ``shared``: P = H ∪ L ∪ O (and not empty);
    - ``high``: H not empty, H ⊆ P and P ∩ L = ∅;
    - ``low``: L not empty, L ⊆ P and P ∩ H = ∅;
    - ``outlier``: P not empty and P ⊆ O;
    - ``none``: anything else (including P empty).

    With ``share`` s < 1, "every case of X" becomes "at least s of X" and "no case
    of X" becomes "at most 1 − s of X"; for shared, each non-empty group must
    reach s. At s = 1 these reduce to the exact rules; s must exceed 0.5 so that
    the categories cannot overlap. They are checked in the order above.
    """
    h, lo, o = frozenset(high), frozenset(low), frozenset(outlier)
    p = frozenset(present) & (h | lo | o)
    if not p:
        return "none"
    if share == 1:  # the exact rules, as set operations
        if p == h | lo | o:
            return "shared"
        if h and h <= p and not p & lo:
            return "high"
        if lo and lo <= p and not p & h:
            return "low"
        return "outlier" if p <= o else "none"
    groups = [g for g in (h, lo, o) if g]
    if all(_at_least(len(p & g), len(g), share) for g in groups):
        return "shared"
    if h and _at_least(len(p & h), len(h), share) and _at_most(len(p & lo), len(lo), share):
        return "high"
    if lo and _at_least(len(p & lo), len(lo), share) and _at_most(len(p & h), len(h), share):
        return "low"
    if p & o and _at_most(len(p & (h | lo)), len(h | lo), share):
        return "outlier"
    return "none"


def outlier_shares(
    category: str, present: set[str] | frozenset[str], outliers: list[str]
) -> dict[str, str | None]:
    """What each outlier case shares, for one code (see ``OUTLIER_SHARES_RULE``).

    For outlier case o: ``None`` when the code is not present in o; else
    ``"shared"``/``"high"``/``"low"`` when the category is that; ``"only"`` when
    the category is ``outlier``; ``None`` when the category is ``none`` (mixed).
    """
    mapped = {"shared": "shared", "high": "high", "low": "low", "outlier": "only"}
    return {o: (mapped.get(category) if o in present else None) for o in outliers}


@dataclass(frozen=True)
class CodeNode:
    id: int
    name: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class PatternRow:
    """One code (or code × valence) with its category and where it is present."""

    code_id: int
    name: str
    path: tuple[str, ...]
    valence: str | None
    category: str
    present_in: tuple[str, ...]
    outlier_shares: dict[str, str | None]
    counts: Mapping[str, CellCount]

    @property
    def key(self) -> tuple[int, str | None]:
        return (self.code_id, self.valence)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.valence})" if self.valence else self.name

    @property
    def path_label(self) -> str:
        text = "/".join(self.path)
        return f"{text} ({self.valence})" if self.valence else text


@dataclass
class PatternResult:
    """Everything a table, an export or a screen needs."""

    assignments: list[GroupAssignment]
    presence: PresenceRule
    rows: list[PatternRow]
    group_rules: dict[str, str] = field(default_factory=dict)
    groups_from: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def groups(self) -> dict[str, list[str]]:
        return members(self.assignments)

    @property
    def outliers(self) -> list[str]:
        return self.groups["outlier"]

    def by_category(self, category: str) -> list[PatternRow]:
        return [r for r in self.rows if r.category == category]

    def outlier_view(self, case: str) -> dict[str, list[PatternRow]]:
        """For one outlier case: the codes it shares with high, with low, and only it has."""
        out: dict[str, list[PatternRow]] = {"high": [], "low": [], "only": []}
        for row in self.rows:
            share = row.outlier_shares.get(case)
            if share in out:
                out[share].append(row)
        return out


def code_tree(s: Session) -> list[CodeNode]:
    """All codes depth-first in codebook order (framework roots first)."""
    return [CodeNode(c.id, c.name, path) for c, path in ordered_codes(s)]


def count_codings(
    s: Session, *, by_valence: bool = False, roll_up: bool = False
) -> dict[tuple[int, str | None], dict[int, CellCount]]:
    """Codings and distinct participants per code × case (× valence).

    A document's case is its participant's case, else the document's own case; a
    document with no participant counts as a participant of its own. With
    ``roll_up`` each code also counts the codings of every code below it. Documents
    with no case are left out.
    """
    return counts_by_key(coded_documents(s, by_valence=by_valence, roll_up=roll_up))


def find_patterns(
    s: Session,
    assignments: list[GroupAssignment],
    presence: PresenceRule | None = None,
    *,
    group_rules: dict[str, str] | None = None,
    groups_from: str | None = None,
) -> PatternResult:
    """Classify every code (× valence) over the grouped cases.

    Only the present cases are worked out here; each row's per-case counts are built
    from the same data when something shows them.
    """
    presence = presence or PresenceRule()
    cases = Case.__table__.c  # Core columns: no ORM mapper configuration on a read
    case_names: dict[int, str] = dict(s.execute(select(cases.id, cases.name)).all())
    coded = coded_documents(
        s, by_valence=presence.by_valence, roll_up=presence.roll_up, coders=presence.coders
    )
    groups = members(assignments)
    high, low, outl = (frozenset(groups[g]) for g in GROUPS)
    grouped = high | low | outl
    grouped_ids = {cid for cid, name in case_names.items() if name in grouped}
    rank = {
        cid: i
        for i, (cid, _) in enumerate(sorted(case_names.items(), key=lambda kv: natural_key(kv[1])))
    }
    valences: dict[int, set[str | None]] = defaultdict(set)
    for code_id, valence in coded.documents:
        valences[code_id].add(valence)
    rows: list[PatternRow] = []
    min_refs, min_people = presence.min_refs, presence.min_participants
    outlier_names = groups["outlier"]
    for node in code_tree(s):
        for valence in sorted(valences.get(node.id) or {None}, key=VALENCE_ORDER.__getitem__):
            key = (node.id, valence)
            ids = coded.present_cases(key, min_refs, min_people) & grouped_ids
            present = tuple(case_names[c] for c in sorted(ids, key=rank.__getitem__))
            category = classify(frozenset(present), high, low, outl, presence.share)
            rows.append(
                PatternRow(
                    node.id,
                    node.name,
                    node.path,
                    valence,
                    category,
                    present,
                    outlier_shares(category, frozenset(present), outlier_names),
                    LazyCaseCounts(coded, key, case_names, rank),
                )
            )
    result = PatternResult(assignments, presence, rows, dict(group_rules or {}), groups_from)
    uncased = coded.uncased_codings()
    result.warnings = _warnings(groups, None if presence.roll_up else uncased, uncased > 0)
    return result


def _warnings(groups: dict[str, list[str]], uncased: int | None, any_uncased: bool) -> list[str]:
    out = []
    if not any(groups[g] for g in GROUPS):
        out.append(
            "No case has a group, so there is nothing to compare. Set groups in the "
            "workbench (F6 Set up, then 4 Case groups), or with `qualcode group rules`, "
            "`qualcode group set` or --groups-from ATTR."
        )
        return out
    for g in ("high", "low"):
        if not groups[g]:
            out.append(f"No case is in group {g!r}: no code can be characteristic of {g} cases.")
    if groups["none"]:
        out.append(f"Left out of the comparison (no group): {', '.join(groups['none'])}.")
    if any_uncased:
        n = "Some" if uncased is None else str(uncased)  # roll-up counts a coding more than once
        out.append(f"{n} coding(s) are in documents not attached to any case and are left out.")
    return out


def to_json(result: PatternResult) -> dict[str, Any]:
    """The documented JSON contract: ``{"groups", "rules", "codes"}`` (see the README)."""
    p = result.presence
    return {
        "groups": {
            a.case: a.group for a in sorted(result.assignments, key=lambda a: natural_key(a.case))
        },
        "rules": {
            "mode": "relaxed" if p.relaxed else "exact",
            "share": float(p.share),
            "summary": p.headline(),
            "categories": p.category_rules(),
            "outlier_shares": OUTLIER_SHARES_RULE,
            "presence": {
                "min_refs": p.min_refs,
                "min_participants": p.min_participants,
                "by_valence": p.by_valence,
                "roll_up": p.roll_up,
                **({"coders": list(p.coders)} if p.coders else {}),
            },
            "groups_from": result.groups_from,
            "group_rules": result.group_rules,
            "group_reasons": {
                a.case: a.reason
                for a in sorted(result.assignments, key=lambda a: natural_key(a.case))
            },
            "warnings": list(result.warnings),
        },
        "codes": [
            {
                "name": r.name,
                "path": list(r.path),
                "valence": r.valence,
                "category": r.category,
                "present_in": list(r.present_in),
                "outlier_shares": dict(r.outlier_shares),
            }
            for r in result.rows
        ],
    }
