"""Pure: the answer profiles a small group can give, listed in one fixed order.

A profile is how many respondents gave each answer type (a counts vector); who gave which is
never needed, since no published figure depends on it. ``profiles(n, types)`` lists every
profile of n respondents, first count descending, then the rest in the same order
recursively; ``profile_index`` finds a profile's row in that list without listing it, so a
map shipped per question shape (surveys/partition.py) can be read without enumerating.
"""

from __future__ import annotations

from functools import cache
from math import comb

import numpy as np

EXACT_MAX = 12  # responses: up to this many, every consistent profile is enumerated
MAX_PROFILES = 400_000  # above this many profiles, the gate uses its coarsest safe candidate


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


def profile_index(profile: np.ndarray | list[int]) -> int:
    """Return the row of profile in profiles(sum(profile), len(profile))."""
    counts = [int(c) for c in profile]
    left, index = sum(counts), 0
    for j, c in enumerate(counts[:-1]):
        rest = len(counts) - j - 1
        # Every profile whose count here is larger (c + 1 .. left) comes first.
        index += sum(n_profiles(left - v, rest) for v in range(c + 1, left + 1))
        left -= c
    return index


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
