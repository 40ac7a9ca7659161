"""Boolean minimisation for QCA: prime implicants and every cover with the fewest of them.

Pure set logic over configurations (bit k-1-i is condition i), with no cases, labels or
fit figures: :mod:`qualcode.analysis.qca` builds the truth table and turns covers into
models. The cover search is exact (every minimal cover, as the R package QCA lists them)
within a budget of search steps: set covering is exponential, so on dense tables the search
stops and says how far it got rather than running for hours or passing off a part as all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

__all__ = [
    "MAX_SOLUTIONS",
    "SEARCH_BUDGET",
    "SEARCH_SECONDS",
    "CoverSearch",
    "Implicant",
    "cover_search",
    "covers",
    "literals",
    "minimal_covers",
    "prime_implicants",
]

Implicant = tuple[int, int]  # (value bits, mask of eliminated bits); bit k-1-i is condition i
MAX_SOLUTIONS = 100  # models listed; more are reported as a count
SEARCH_BUDGET = 50_000  # search steps per solution kind
SEARCH_SECONDS = 5.0  # and wall-clock seconds per solution kind, whichever runs out first

COMPLETE = "complete"
PARTIAL = "partial"  # the fewest number of terms is proven, not every such model was listed
UNPROVEN = "unproven"  # stopped before a cover of the fewest terms was found: a greedy cover


@dataclass(frozen=True)
class CoverSearch:
    """The covers found and whether the search could finish within its budget."""

    covers: list[tuple[Implicant, ...]]
    status: str = COMPLETE  # COMPLETE | PARTIAL | UNPROVEN
    steps: int = 0

    @property
    def complete(self) -> bool:
        return self.status == COMPLETE


class _OutOfBudget(Exception):
    """The search used up its steps."""


def prime_implicants(terms: set[int], k: int) -> set[Implicant]:
    """Quine–McCluskey: merge terms differing in one bit until nothing merges."""
    current = {(t, 0) for t in terms}
    primes: set[Implicant] = set()
    while current:
        merged: set[Implicant] = set()
        used: set[Implicant] = set()
        for value, mask in current:
            for b in range(k):
                bit = 1 << b
                if mask & bit or value & bit:
                    continue
                partner = (value | bit, mask)
                if partner in current:
                    merged.add((value, mask | bit))
                    used.update(((value, mask), partner))
        primes |= current - used
        current = merged
    return primes


def covers(imp: Implicant, term: int) -> bool:
    value, mask = imp
    return (term & ~mask) == value


def literals(imp: Implicant, k: int) -> int:
    return k - imp[1].bit_count()


def minimal_covers(
    on: set[int],
    primes: set[Implicant],
    k: int,
    *,
    prefer_fewer_literals: bool = False,
    limit: int = MAX_SOLUTIONS,
    budget: int = SEARCH_BUDGET,
) -> list[tuple[Implicant, ...]]:
    """The covers of :func:`cover_search` (for callers that need no status)."""
    return cover_search(
        on, primes, k, prefer_fewer_literals=prefer_fewer_literals, limit=limit, budget=budget
    ).covers


def cover_search(
    on: set[int],
    primes: set[Implicant],
    k: int,
    *,
    prefer_fewer_literals: bool = False,
    limit: int = MAX_SOLUTIONS,
    budget: int = SEARCH_BUDGET,
    seconds: float = SEARCH_SECONDS,
) -> CoverSearch:
    """Every cover of ``on`` with the fewest prime implicants (as the R package QCA lists them).

    A model must hold every essential implicant (the only one covering some row),
    so only the rest are searched, smallest sets first. ``prefer_fewer_literals``
    keeps, among those, only the covers with the fewest literals in all: that hides
    equally short models, so it is an option that the output names.

    At most ``budget`` search steps are taken, for at most ``seconds``. When they run out after covers of the
    fewest terms were found, those are returned as PARTIAL; when none was found yet,
    one greedy cover is returned as UNPROVEN (a true cover, maybe not the shortest).
    """
    if not on:
        return CoverSearch([])
    ordered = sorted(primes, key=lambda p: (literals(p, k), -p[0], p[1]))
    cover = {p: frozenset(t for t in on if covers(p, t)) for p in ordered}
    essential = [
        p for p in ordered if any(sum(1 for q in ordered if t in cover[q]) == 1 for t in cover[p])
    ]
    left = set(on) - set().union(*(cover[p] for p in essential)) if essential else set(on)
    if not left:
        return CoverSearch([tuple(essential)])
    candidates = [p for p in ordered if p not in essential and cover[p] & left]
    best: list[tuple[Implicant, ...]] = []
    left = _dominating_rows(left, candidates, cover)
    start = _lower_bound({t: [p for p in candidates if t in cover[p]] for t in left})
    steps = [budget, 0]  # steps left, steps taken
    deadline = time.monotonic() + seconds
    status = COMPLETE
    for size in range(max(1, start), len(candidates) + 1):
        found: list[tuple[Implicant, ...]] = []
        try:
            _covers_of_size(
                left,
                candidates,
                cover,
                size,
                None if prefer_fewer_literals else limit + 1,
                found,
                steps,
                deadline,
            )
        except _OutOfBudget:
            status = PARTIAL if found else UNPROVEN
        if found:
            best = [tuple(essential) + combo for combo in found]
            break
        if status == UNPROVEN:
            best = [tuple(essential) + _greedy_cover(left, candidates, cover)]
            break
    if prefer_fewer_literals and best:
        fewest = min(sum(literals(p, k) for p in b) for b in best)
        best = [b for b in best if sum(literals(p, k) for p in b) == fewest]
    return CoverSearch(best[: limit + 1], status, budget - steps[0])


def _greedy_cover(
    left: set[int], candidates: list[Implicant], cover: dict[Implicant, frozenset[int]]
) -> tuple[Implicant, ...]:
    """A cover built by taking, each time, the term covering most rows still open."""
    open_rows, chosen = set(left), []
    while open_rows:
        best = max(candidates, key=lambda p: len(cover[p] & open_rows))
        chosen.append(best)
        open_rows -= cover[best]
    order = {p: i for i, p in enumerate(candidates)}
    return tuple(sorted(chosen, key=order.__getitem__))


def _covers_of_size(
    left: set[int],
    candidates: list[Implicant],
    cover: dict[Implicant, frozenset[int]],
    size: int,
    limit: int | None,
    found: list[tuple[Implicant, ...]],
    steps: list[int],
    deadline: float,
) -> None:
    """Every set of ``size`` candidates covering ``left``, each set once, into ``found``.

    Branch on the row with the fewest candidates; in the i-th branch the first i-1
    candidates are ruled out (their sets were met in earlier branches), so no set is
    found twice and the search never walks all combinations. Each node takes one of
    ``steps[0]`` (counted in ``steps[1]``); at none left or past ``deadline``, :class:`_OutOfBudget` ends the search.
    """
    order = {p: i for i, p in enumerate(candidates)}

    def walk(
        uncovered: frozenset[int],
        chosen: list[Implicant],
        banned: frozenset[Implicant],
        budget: int,
    ) -> bool:
        if not uncovered:
            found.append(tuple(sorted(chosen, key=order.__getitem__)))
            return limit is not None and len(found) >= limit
        if budget == 0:
            return False
        steps[0] -= 1
        steps[1] += 1
        if steps[0] < 0 or (steps[1] % 64 == 1 and time.monotonic() > deadline):
            raise _OutOfBudget
        usable = [p for p in candidates if p not in banned and p not in chosen]
        options_of = {t: [p for p in usable if t in cover[p]] for t in uncovered}
        if _lower_bound(options_of) > budget:
            return False
        row = min(uncovered, key=lambda t: len(options_of[t]))
        options = options_of[row]
        for i, p in enumerate(options):
            chosen.append(p)
            stop = walk(uncovered - cover[p], chosen, banned | frozenset(options[:i]), budget - 1)
            chosen.pop()
            if stop:
                return True
        return False

    walk(frozenset(left), [], frozenset(), size)


def _dominating_rows(
    left: set[int], candidates: list[Implicant], cover: dict[Implicant, frozenset[int]]
) -> set[int]:
    """Drop each row whose candidates include all of another row's: covering that other
    row covers it too, so the covers (and models) stay exactly the same."""
    opts = {t: frozenset(p for p in candidates if t in cover[p]) for t in left}
    keep: set[int] = set()
    for t in sorted(left, key=lambda r: (len(opts[r]), r)):
        if not any(opts[o] <= opts[t] for o in keep):
            keep.add(t)
    return keep


def _lower_bound(options_of: dict[int, list[Implicant]]) -> int:
    """Rows no two of which share a candidate each need their own term (a row with no
    candidate left cannot be covered at all)."""
    if any(not opts for opts in options_of.values()):
        return len(options_of) + 1_000_000
    taken: set[Implicant] = set()
    bound = 0
    for _, opts in sorted(options_of.items(), key=lambda item: len(item[1])):
        if taken.isdisjoint(opts):
            bound += 1
            taken.update(opts)
    return bound
