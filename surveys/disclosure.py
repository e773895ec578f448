"""Pure: the disclosure model, run as an attacker over every figure a question would publish.

The rule: no published figure, alone or combined with the others, may let a reader determine
that between 1 and k - 1 respondents (or companies) gave a particular answer (a scale point,
an option, an item at a place in a ranking). Nor, unless the chair allows unanimity, that
every one of them gave it.

For a small group (at most ``EXACT_MAX`` responses, a consortium's size) the gate checks this
exactly. A group's answers are a *profile*: how many respondents gave each possible answer
(surveys/profiles.py lists every profile of n respondents). A candidate publication
is a function from profiles to figures; the attacker keeps the profiles whose figures equal
the published ones and reads, per answer category, the smallest and largest count among them.
A category whose count is known to lie within 1..k-1 (or to be all n) is disclosed. The
attacker knows the gate, so the gate is built as a fixed map from every profile to what it
publishes (surveys/partition.py), candidates from surveys/coarsen_*.py, and a last cell
showing nothing but n; every cell of the map is checked, the last one included, since "not
shown" tells a reader the profile is one of those no candidate could show. Larger groups use the
threshold and complementary-suppression rules of surveys/suppression.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from surveys.profiles import profiles
from surveys.suppression import GateSettings

Features = Callable[[np.ndarray], np.ndarray]  # profiles (P x types) -> figures (P x F)


def threshold(settings: GateSettings) -> int:
    """Return the smallest count a reader may learn: k respondents and k companies.

    The attacker counts responses; a company has at least one, so a count of responses below
    k_companies is a count of companies below it too.
    """
    return max(settings.k_respondents, settings.k_companies)


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
