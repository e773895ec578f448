"""Pure: what a ranking question may publish, checked by the exact attack where it can run.

The profile of a ranking question is how many respondents gave each possible ranking (every
ordering of the items, or of the top k of them, unranked items sharing the last places). The
categories protected are "item i at place r". Candidates, finest first: mean ranks and Borda
points with Kendall's W, the Friedman test and the consensus order (no bootstrap intervals:
their ends are single companies' rankings); the items in tiers of equal mean rank with the
consensus order; the consensus order alone; the first tier alone. Mean ranks, Borda points,
W and the Friedman statistic are functions of the rank sums, and the consensus order (Schulze,
winning votes, unranked items last as in the mean ranks) of the pairwise counts, so the
attacker recomputes exactly what would be shown. Where the profiles are too many to list, a
strict consensus order of a full ranking is shown alone (the unanimous profile in that order
produces it, so no count is pinned below n), and of a top-k ranking only a single first place
(see surveys/disclosure.py).
"""

from __future__ import annotations

from functools import cache
from itertools import permutations

import numpy as np

from surveys.disclosure import Level, threshold
from surveys.partition import choose
from surveys.profiles import EXACT_MAX, MAX_PROFILES, n_profiles
from surveys.results.ranking import RankingSummary
from surveys.suppression import GateSettings


@cache
def ranking_types(n_items: int, top: int) -> np.ndarray:
    """Return every re-ranked row a top-`top` ranking of n items can give (types x items)."""
    shared = (top + 1 + n_items) / 2
    rows = []
    for order in permutations(range(n_items), top):
        row = np.full(n_items, shared)
        row[list(order)] = np.arange(1, top + 1)
        rows.append(row)
    out = np.array(rows)
    out.setflags(write=False)
    return out


def ranked_count(row: tuple[float, ...]) -> int:
    """Return how many items a re-ranked row ranked (unranked ones share a value)."""
    values = list(row)
    unique = [v for v in values if values.count(v) == 1]
    return len(values) if len(unique) == len(values) else len(unique)


def schulze_tiers(pairwise: np.ndarray) -> np.ndarray:
    """Return the Schulze tier (0 = first) of each item, for many pairwise matrices (P x n x n).

    Winning votes, as voting.schulze: a link a -> b is d[a][b] when a beats b; the widest
    path p; a beats b when p[a][b] > p[b][a]; an item's tier is the longest chain of items
    beating it (the layers voting.schulze.schulze_tiers peels off).
    """
    d = pairwise.astype(np.int64)
    p = np.where(d > d.transpose(0, 2, 1), d, 0)
    n = d.shape[1]
    eye = np.eye(n, dtype=bool)
    p[:, eye] = 0
    for k in range(n):
        np.maximum(p, np.minimum(p[:, :, [k]], p[:, [k], :]), out=p)
        p[:, eye] = 0
    beats = p > p.transpose(0, 2, 1)  # beats[:, a, b]: a beats b
    tier = np.zeros((d.shape[0], n), dtype=np.int64)
    for _ in range(n):
        tier = np.max(np.where(beats, tier[:, :, None] + 1, 0), axis=1)
    return tier


class Model:
    """The attacker's view of one ranking question: types, truth and the figure functions."""

    def __init__(self, labels: list[str], top: int,
                 profile: tuple[tuple[tuple[float, ...], int], ...] = ()) -> None:
        n_items = len(labels)
        self.labels, self.top = list(labels), top  # survey order: the profile's columns
        self.types = ranking_types(n_items, self.top)
        index = {tuple(r): t for t, r in enumerate(self.types.tolist())}
        self.truth = np.zeros(len(self.types), dtype=np.int64)
        for row, count in profile:
            self.truth[index[tuple(row)]] += count
        self._last: tuple[np.ndarray, np.ndarray] | None = None
        prefer = self.types[:, :, None] < self.types[:, None, :]
        self.pref = prefer.reshape(len(self.types), -1).astype(np.int32)
        values = sorted(set(self.types.ravel().tolist()))
        cats = np.zeros((len(self.types), n_items * len(values)), dtype=np.int32)
        for t, row in enumerate(self.types.tolist()):
            for j, v in enumerate(row):
                cats[t, j * len(values) + values.index(v)] = 1
        self.categories = cats

    def rank_sums(self, rows: np.ndarray) -> np.ndarray:
        return rows.astype(np.int64) @ (2 * self.types).astype(np.int64)

    def tiers(self, rows: np.ndarray) -> np.ndarray:
        sums = self.rank_sums(rows)
        return (sums[:, :, None] > sums[:, None, :]).sum(axis=2)  # items strictly better

    def consensus(self, rows: np.ndarray) -> np.ndarray:
        if self._last is not None and self._last[0] is rows:  # two levels read it
            return self._last[1]
        n = self.types.shape[1]
        tiers = schulze_tiers((rows.astype(np.int64) @ self.pref).reshape(-1, n, n))
        self._last = (rows, tiers)
        return tiers

    def first(self, rows: np.ndarray) -> np.ndarray:
        return self.consensus(rows) == 0

    def candidates(self) -> list[Level]:
        """Return the candidate publications, finest first."""
        return [Level("full", (self.rank_sums, self.consensus)),
                Level("order", (self.tiers, self.consensus)),
                Level("consensus", (self.consensus,)),
                Level("top", (self.first,))]

    def key(self) -> tuple[str, int, int]:
        """Return the shape its map is cached and shipped under."""
        return ("ranking", len(self.labels), self.top)


def exact_model(q: RankingSummary) -> Model | None:
    """Return the attacker's model when the exact attack can run, else None."""
    if not q.one_per_company or not modelled(q):
        return None
    n_items, top = len(q.profile[0][0]), ranked_count(q.profile[0][0])
    if n_profiles(q.n, len(ranking_types(n_items, top))) > MAX_PROFILES:
        return None
    return Model(list(q.item_labels), ranked_count(q.profile[0][0]), q.profile)


def levels(q: RankingSummary, settings: GateSettings) -> str:
    """Return the finest safe level: "full", "order", "consensus", "top" or "none"."""
    k, allow = threshold(settings), settings.allow_unanimous
    model = exact_model(q)
    if model is None:
        if q.n > EXACT_MAX and not _near_unanimous(q, k):
            return "full"
        order = profile_consensus(q)
        if not order:
            return "none"
        partial = all(ranked_count(r) < len(r) for r, _ in q.profile)
        if not partial and all(len(t) == 1 for t in order):
            return "consensus"  # a full ranking, unanimous in this order, gives this order
        # Top-k rankings: everyone giving one ranking leaves its unranked items tied, so only
        # the first place has the unanimous profile among those producing it.
        return "top" if partial and len(order[0]) == 1 else "none"
    candidates = model.candidates()
    chosen = choose(model.truth, candidates, model.categories, k, allow, key=model.key())
    return candidates[chosen].name if chosen < len(candidates) else "none"


def profile_consensus(q: RankingSummary) -> list[list[str]] | None:
    """Return the consensus tiers of the responses' re-ranked rows (survey order in a tier)."""
    if not q.profile:
        return [list(t) for t in q.consensus] if q.consensus else None
    rows = np.array([r for r, _ in q.profile])
    counts = np.array([c for _, c in q.profile])
    pairwise = np.einsum("p,pab->ab", counts, (rows[:, :, None] < rows[:, None, :]).astype(int))
    tier = schulze_tiers(pairwise[None])[0]
    return [[q.item_labels[j] for j in range(len(q.item_labels)) if tier[j] == t]
            for t in sorted(set(tier.tolist()))]


def modelled(q: RankingSummary) -> bool:
    """Tell whether the profile's rankings all rank the same number of at most 6 items."""
    if not q.profile or len(q.profile[0][0]) > 6:
        return False
    top = ranked_count(q.profile[0][0])
    return all(ranked_count(r) == top for r, _ in q.profile)


def _near_unanimous(q: RankingSummary, k: int) -> bool:
    """Tell whether all but fewer than k respondents gave the same ranking (large groups)."""
    return max((c for _, c in q.profile), default=0) > q.n - k


def consensus_of(model: Model) -> list[list[str]]:
    """Return the consensus tiers the exact model computes from the profile (survey order)."""
    tier = model.consensus(model.truth[None, :])[0]
    return [[model.labels[j] for j in range(len(model.labels)) if tier[j] == t]
            for t in sorted(set(tier.tolist()))]


def mean_rank_tiers(model: Model) -> list[list[str]]:
    """Return the items in tiers of equal mean rank, best first (survey order within a tier)."""
    sums = model.rank_sums(model.truth[None, :])[0]
    return [[model.labels[j] for j in range(len(model.labels)) if sums[j] == v]
            for v in sorted(set(sums.tolist()))]
