"""Pure: the disclosure model, run as an attacker over every figure a question would publish.

The rule: no published figure, alone or combined with the others, may let a reader determine
that between 1 and k - 1 respondents (or companies) gave a particular answer (a scale point,
an option, an item at a place in a ranking). Nor, unless the chair allows unanimity, that
every one of them gave it.

For a small group (at most ``EXACT_MAX`` responses, a consortium's size) the gate checks this
exactly. A group's answers are a *profile*: how many respondents gave each possible answer
(a counts vector over answer types; who gave which is never needed, since no figure depends
on it). ``profiles(n, types)`` lists every profile of n respondents. A candidate publication
is a function from profiles to figures; the attacker keeps the profiles whose figures equal
the published ones and reads, per answer category, the smallest and largest count among them.
A category whose count is known to lie within 1..k-1 (or to be all n) is disclosed. The
attacker knows the gate, so the gate is built as a fixed map from every profile to what it
publishes (``partition``): finest candidate first (surveys/coarsen_*.py), and a last cell
showing nothing but n; every cell of the map is checked, the last one included, since "not
shown" tells a reader the profile is one of those no candidate could show. Maps are cached per
question shape, so a survey's gate lists each shape's profiles once. Larger groups use the
threshold and complementary-suppression rules of surveys/suppression.py.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import cache
from math import comb

import numpy as np

from surveys.suppression import GateSettings

EXACT_MAX = 12  # responses: up to this many, every consistent profile is enumerated
MAX_PROFILES = 400_000  # above this many profiles, the gate uses its coarsest safe candidate

Features = Callable[[np.ndarray], np.ndarray]  # profiles (P x types) -> figures (P x F)


def threshold(settings: GateSettings) -> int:
    """Return the smallest count a reader may learn: k respondents and k companies.

    The attacker counts responses; a company has at least one, so a count of responses below
    k_companies is a count of companies below it too.
    """
    return max(settings.k_respondents, settings.k_companies)


def n_profiles(n: int, types: int) -> int:
    """Return how many profiles n respondents can form over this many answer types."""
    return comb(n + types - 1, types - 1) if types else 0


def exact_possible(n: int, types: int) -> bool:
    """Tell whether the exact attack runs: a small group and few enough profiles."""
    return 0 < n <= EXACT_MAX and types > 0 and n_profiles(n, types) <= MAX_PROFILES


@cache
def profiles(n: int, types: int) -> np.ndarray:
    """Return every counts vector of n respondents over the answer types (P x types, int16)."""
    if types == 1:
        return np.array([[n]], dtype=np.int16)
    rows = [np.concatenate([np.full((len(rest), 1), first, np.int16), rest], axis=1)
            for first in range(n, -1, -1) for rest in [profiles(n - first, types - 1)]]
    out = np.concatenate(rows)
    out.setflags(write=False)
    return out


@cache
def capped(total: int, parts: int, cap: int) -> np.ndarray:
    """Return every split of total into parts, none above cap (P x parts, int16)."""
    if parts == 1:
        return np.array([[total]] if total <= cap else [], dtype=np.int16).reshape(-1, 1)
    rows = [np.concatenate([np.full((len(rest), 1), first, np.int16), rest], axis=1)
            for first in range(min(total, cap), max(0, total - cap * (parts - 1)) - 1, -1)
            for rest in [capped(total - first, parts - 1, cap)]]
    out = np.concatenate(rows) if rows else np.zeros((0, parts), dtype=np.int16)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class Verdict:
    """What the attacker learns: each category's count range, and what that discloses."""

    low: tuple[int, ...]
    high: tuple[int, ...]
    pinned: tuple[int, ...]  # categories known to hold between 1 and k - 1 respondents
    unanimous: tuple[int, ...]  # categories known to hold every respondent

    def safe(self, allow_unanimous: bool) -> bool:
        """Tell whether nothing is disclosed (unanimity only when allowed)."""
        return not self.pinned and (allow_unanimous or not self.unanimous)


def verdict(low: np.ndarray, high: np.ndarray, n: int, k: int) -> Verdict:
    """Judge per-category count ranges [low, high] among n respondents with threshold k."""
    pinned = np.flatnonzero((low >= 1) & (high <= k - 1))
    unanimous = np.flatnonzero((low == n) & (high == n)) if n > 0 else np.array([], int)
    return Verdict(tuple(int(x) for x in low), tuple(int(x) for x in high),
                   tuple(int(x) for x in pinned), tuple(int(x) for x in unanimous))


def attack(truth: Sequence[int], features: Sequence[Features], categories: np.ndarray | None,
           k: int) -> Verdict:
    """Run the exact attack: every profile whose figures match those of the truth.

    truth: the true counts per answer type. features: functions of profiles, applied in turn
    (cheap ones first: later ones only see the profiles still consistent). categories: a
    0/1 matrix (types x categories) mapping answer types to the categories to protect
    (None: the types themselves).
    """
    true = np.asarray(truth, dtype=np.int16)
    n = int(true.sum())
    rows = profiles(n, true.size)
    for feature in features:
        mine = np.asarray(feature(true[None, :]))
        rows = rows[np.all(np.asarray(feature(rows)) == mine, axis=tuple(range(1, mine.ndim)))]
    counts = rows if categories is None else rows.astype(np.int32) @ categories
    return verdict(counts.min(axis=0), counts.max(axis=0), n, k)


@dataclass(frozen=True)
class Level:
    """One candidate publication: the figures it shows, as functions of the profile.

    cells: the first feature is a set of published counts, none of which may be all n.
    """

    name: str
    features: tuple[Features, ...]
    cells: bool = False


def choose(truth: Sequence[int], levels: Sequence[Level], categories: np.ndarray | None,
           k: int, allow_unanimous: bool,
           keep: Callable[[np.ndarray], np.ndarray] | None = None, *, key: Hashable = None,
           space: np.ndarray | None = None, n: int | None = None) -> int:
    """Return the index of the level published for truth (len(levels): only n is shown).

    The gate is a fixed map from every possible profile to what it publishes
    (``partition``), and the attacker knows it: a profile's output fits exactly its cell of
    the map, so every cell, the "nothing shown" one included, must be safe. truth is looked up
    in the map, which is cached under key (the question's shape; None: not cached).
    keep: which profiles the attacker considers (e.g. only those with a "don't know");
    space: the profiles to consider instead of every split of sum(truth) (then n: respondents).
    """
    true = np.asarray(truth, dtype=np.int16)
    n = int(true.sum()) if n is None else n
    rows = profiles(int(true.sum()), true.size) if space is None else space
    if keep is not None:
        rows = rows[keep(rows)]
    cache_key = None if key is None else (key, n, int(true.sum()), true.size, k, allow_unanimous)
    assigned = _PARTITIONS.get(cache_key) if cache_key is not None else None
    if assigned is None:
        assigned = partition(rows, levels, categories, k, allow_unanimous, n)
        if cache_key is not None:
            _PARTITIONS[cache_key] = assigned
            while len(_PARTITIONS) > CACHE_SIZE:
                _PARTITIONS.pop(next(iter(_PARTITIONS)))
    return int(assigned[int(np.flatnonzero((rows == true).all(axis=1))[0])])


_PARTITIONS: dict[Hashable, np.ndarray] = {}  # cached maps, oldest first
CACHE_SIZE = 256


def partition(rows: np.ndarray, levels: Sequence[Level], categories: np.ndarray | None,
              k: int, allow_unanimous: bool, n: int) -> np.ndarray:
    """Return the level each profile publishes (len(levels): nothing but n), safe everywhere.

    Finest first, every profile no finer level took is grouped with those showing the same
    figures at this level; a group is taken when its count ranges disclose nothing. The
    profiles left over publish only n, so they form one more group, which must be safe too:
    while it is not, whole groups holding a profile that widens the offending range (the
    coarsest level's first) are sent to it instead. The other groups stay as they were, and
    every profile left over at last is safe (0..n for each category) in the worst case.
    """
    counts = rows if categories is None else rows.astype(np.int32) @ categories
    none = len(levels)
    assigned = np.full(len(rows), none, dtype=np.int16)
    memo: dict[Features, np.ndarray] = {}  # each feature over every profile, computed once

    def values(f: Features, idx: np.ndarray) -> np.ndarray:
        if f not in memo:
            memo[f] = np.asarray(f(rows)).reshape(len(rows), -1)
        return memo[f][idx]

    taken: list[tuple[np.ndarray, np.ndarray]] = []  # per level: its rows, their group ids
    for index, level in enumerate(levels):
        idx = np.flatnonzero(assigned == none)
        if idx.size == 0:
            break
        figures = np.concatenate([values(f, idx) for f in level.features], axis=1)
        group = _group_ids(figures)
        size = int(group.max()) + 1
        low = np.full((size, counts.shape[1]), np.iinfo(np.int32).max, dtype=np.int64)
        high = np.full((size, counts.shape[1]), -1, dtype=np.int64)
        np.minimum.at(low, group, counts[idx])
        np.maximum.at(high, group, counts[idx])
        bad = ((low >= 1) & (high <= k - 1)).any(axis=1)
        if not allow_unanimous and n > 0:
            bad |= ((low == n) & (high == n)).any(axis=1)
            if level.cells:
                first = values(level.features[0], idx)
                full = np.zeros(size, dtype=bool)
                np.logical_or.at(full, group, (first == n).any(axis=1))
                bad |= full
        ok = ~bad[group]
        assigned[idx[ok]] = index
        taken.append((idx[ok], group[ok]))
    while (fixes := _leftover_fix(counts[assigned == none], k, n, allow_unanimous)) is not None:
        column, widens = fixes
        if not _send_one_group(assigned, taken, counts[:, column], widens, none):
            break  # every profile shows only n already: nothing more to merge
    return assigned


def _send_one_group(assigned: np.ndarray, taken: list[tuple[np.ndarray, np.ndarray]],
                    counts: np.ndarray, widens: Sequence[Callable[[np.ndarray], np.ndarray]],
                    none: int) -> bool:
    """Send the smallest taken group holding a widening count to the left-over cell.

    Widening counts are tried in order (a count of 0 first: a group where the answer is
    rare tells least about it), each over the levels from the coarsest.
    """
    for widen in widens:
        for idx, group in reversed(taken):
            helps = np.unique(group[widen(counts[idx]) & (assigned[idx] != none)])
            if helps.size:
                sizes = np.bincount(group)[helps]
                assigned[idx[group == helps[np.argmin(sizes)]]] = none
                return True
    return False


def _leftover_fix(counts: np.ndarray, k: int, n: int, allow_unanimous: bool
                  ) -> tuple[int, tuple[Callable[[np.ndarray], np.ndarray], ...]] | None:
    """Return a category the left-over profiles disclose and which counts would hide it."""
    if counts.size == 0:
        return None
    low, high = counts.min(axis=0), counts.max(axis=0)
    pinned = np.flatnonzero((low >= 1) & (high <= k - 1))
    if pinned.size:
        return int(pinned[0]), (lambda c: c == 0, lambda c: c >= k)
    unanimous = np.flatnonzero((low == n) & (high == n))
    if unanimous.size and n > 0 and not allow_unanimous:
        return int(unanimous[0]), (lambda c: c < n,)
    return None


def _group_ids(figures: np.ndarray) -> np.ndarray:
    """Return a group id per row of figures: equal rows, equal ids (0..groups - 1)."""
    figures = np.asarray(figures)
    if figures.dtype.kind in "iub" and figures.size:
        shifted = figures.astype(np.int64) - figures.min(axis=0)
        spans = shifted.max(axis=0) + 1
        if float(np.prod(spans.astype(float))) < 2.0 ** 62:
            radix = np.concatenate([[1], np.cumprod(spans[:-1])]).astype(np.int64)
            return np.unique(shifted @ radix, return_inverse=True)[1].ravel()
    return np.unique(figures, axis=0, return_inverse=True)[1].ravel()


def sums(groups: Sequence[Sequence[int]]) -> Features:
    """Return the feature 'published total of each group of answer types'."""
    matrix = None

    def feature(rows: np.ndarray) -> np.ndarray:
        nonlocal matrix
        if matrix is None:
            matrix = np.zeros((rows.shape[1], len(groups)), dtype=np.int32)
            for j, group in enumerate(groups):
                matrix[list(group), j] = 1
        return rows.astype(np.int32) @ matrix

    return feature


def majority(groups: Sequence[Sequence[int]]) -> Features:
    """Return the feature 'which group, if any, holds more than half of the respondents'."""
    total = sums(groups)

    def feature(rows: np.ndarray) -> np.ndarray:
        by_group = total(rows)
        over = by_group * 2 > rows.sum(axis=1, keepdims=True)
        return np.where(over.any(axis=1), over.argmax(axis=1), -1)[:, None]

    return feature


def interval_ranges(totals: Sequence[tuple[Sequence[int], int]], n_types: int,
                    n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return count ranges per type when only group totals are known and types are independent.

    For answers that are not exclusive (multiple choice, budget funders), each type's count
    lies in 0..n on its own; a published total s over a group G bounds each member to
    [max(0, s - (|G| - 1) n), min(s, n)].
    """
    low, high = np.zeros(n_types, dtype=np.int64), np.full(n_types, n, dtype=np.int64)
    for group, total in totals:
        for t in group:
            low[t] = max(low[t], total - (len(group) - 1) * n)
            high[t] = min(high[t], total)
    return low, high
