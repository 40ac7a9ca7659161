"""Boolean minimisation for QCA: prime implicants and every cover with the fewest of them.

Pure set logic over configurations (bit k-1-i is condition i), with no cases, labels or
fit figures: :mod:`qualcode.analysis.qca` builds the truth table and turns covers into
models. The cover search is exact (every minimal cover, as the R package QCA lists them).
"""

from __future__ import annotations

__all__ = ["MAX_SOLUTIONS", "Implicant", "covers", "literals", "minimal_covers", "prime_implicants"]

Implicant = tuple[int, int]  # (value bits, mask of eliminated bits); bit k-1-i is condition i
MAX_SOLUTIONS = 100  # models listed; more are reported as a count


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
) -> list[tuple[Implicant, ...]]:
    """Every cover of ``on`` with the fewest prime implicants (as the R package QCA lists them).

    A model must hold every essential implicant (the only one covering some row),
    so only the rest are searched, smallest sets first. ``prefer_fewer_literals``
    keeps, among those, only the covers with the fewest literals in all: that hides
    equally short models, so it is an option that the output names.
    """
    if not on:
        return []
    ordered = sorted(primes, key=lambda p: (literals(p, k), -p[0], p[1]))
    cover = {p: frozenset(t for t in on if covers(p, t)) for p in ordered}
    essential = [
        p for p in ordered if any(sum(1 for q in ordered if t in cover[q]) == 1 for t in cover[p])
    ]
    left = set(on) - set().union(*(cover[p] for p in essential)) if essential else set(on)
    if not left:
        return [tuple(essential)]
    candidates = [p for p in ordered if p not in essential and cover[p] & left]
    best: list[tuple[Implicant, ...]] = []
    left = _dominating_rows(left, candidates, cover)
    start = _lower_bound({t: [p for p in candidates if t in cover[p]] for t in left})
    for size in range(max(1, start), len(candidates) + 1):
        found = _covers_of_size(
            left, candidates, cover, size, None if prefer_fewer_literals else limit + 1
        )
        if found:
            best = [tuple(essential) + combo for combo in found]
            break
    if prefer_fewer_literals:
        fewest = min(sum(literals(p, k) for p in b) for b in best)
        best = [b for b in best if sum(literals(p, k) for p in b) == fewest]
    return best[: limit + 1]


def _covers_of_size(
    left: set[int],
    candidates: list[Implicant],
    cover: dict[Implicant, frozenset[int]],
    size: int,
    limit: int | None,
) -> list[tuple[Implicant, ...]]:
    """Every set of ``size`` candidates covering ``left``, each set once.

    Branch on the row with the fewest candidates; in the i-th branch the first i-1
    candidates are ruled out (their sets were met in earlier branches), so no set is
    found twice and the search never walks all combinations.
    """
    found: list[tuple[Implicant, ...]] = []
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
    return found


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
