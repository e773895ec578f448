"""Pure Schulze count (winning votes): ranked ballots to a pairwise matrix to tiers.

Ranked ballots map candidate -> rank (1 is best; equal ranks mean no preference between
them; a missing candidate or a rank of None is unranked). How unranked candidates are read
is a ballot setting, `Unranked`. Counts are integers throughout; the pairwise matrix is
counted with NumPy over an int array of ballots (0 = unranked). A secret ballot publishes
the pairwise matrix, and schulze_pairwise() decides from it alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from itertools import chain, compress
from operator import itemgetter

import numpy as np


class Unranked(StrEnum):
    """How a ranked ballot's unranked candidates are read."""

    LAST = "last"  # ranked equally last, below every ranked one (Debian constitution A.6)
    ABSTAIN = "abstain"  # no preference on any pair involving them (Kubernetes/CIVS "No opinion")


@dataclass(frozen=True)
class SchulzeResult:
    """A Schulze count: the complete ranking in tiers, and the matrices behind it."""

    candidates: tuple[str, ...]  # the order of rows and columns of both matrices
    ranking: tuple[tuple[str, ...], ...]  # tiers, best first; a tier holds tied candidates
    winners: tuple[str, ...]  # the first tier
    pairwise: tuple[tuple[int, ...], ...]  # d[a][b]: voters preferring a to b
    strongest: tuple[tuple[int, ...], ...]  # p[a][b]: strength of the strongest path a -> b
    ballots: int  # ballots counted (weights summed)
    unranked: Unranked
    default_option: str | None = None
    dropped: tuple[str, ...] = ()  # options that did not beat the default option by their ratio


def rank_array(
    candidates: Sequence[str], ballots: Iterable[Mapping[str, int | None]]
) -> np.ndarray:
    """Encode ballots as an int64 array (ballots x candidates), 0 for unranked."""
    index = {name: i for i, name in enumerate(candidates)}
    ballots = ballots if isinstance(ballots, list) else list(ballots)
    fast = _rank_array_fast(index, ballots)
    return fast if fast is not None else _rank_array_checked(index, ballots)


def _rank_array_fast(index: Mapping[str, int], ballots: list) -> np.ndarray | None:
    """Encode plain int ranks in a few C-level passes; None if any ballot needs the checks."""
    # Per-ballot Python work was the cost of a count from stored ballots (5x the count
    # itself). A complete ballot is read in column order by one itemgetter call; the others
    # are flattened into (row, column, rank) triples and scattered by one NumPy assignment.
    size = len(index)
    if size < 2:  # itemgetter of one name returns the value, not a tuple
        return None
    lengths = np.fromiter(map(len, ballots), np.int64, count=len(ballots))
    complete = lengths == size
    partial = list(compress(ballots, (~complete).tolist()))
    try:
        whole = list(chain.from_iterable(map(itemgetter(*index), compress(ballots, complete))))
        columns = np.fromiter(map(index.__getitem__, chain.from_iterable(partial)), np.int64)
    except KeyError:  # an unknown candidate: the checked path names it
        return None
    scattered = list(chain.from_iterable(b.values() for b in partial))
    if (set(map(type, whole)) | set(map(type, scattered))) - {int}:
        return None  # None, a NumPy int, a bool, a float...: the checked path decides
    whole_ranks = np.fromiter(whole, np.int64, count=len(whole))
    scattered_ranks = np.fromiter(scattered, np.int64, count=len(scattered))
    if min(whole_ranks.min(initial=1), scattered_ranks.min(initial=1)) < 1:
        return None
    out = np.zeros((len(ballots), size), np.int64)
    out[complete] = whole_ranks.reshape(-1, size)
    rows = np.repeat(np.flatnonzero(~complete), lengths[~complete])
    out.ravel()[rows * size + columns] = scattered_ranks
    return out


def _rank_array_checked(index: Mapping[str, int], ballots: list) -> np.ndarray:
    """Encode ballots one by one, naming the first bad ballot and why."""
    rows = []
    for number, ballot in enumerate(ballots, start=1):
        row = [0] * len(index)
        for name, rank in ballot.items():
            if name not in index:
                raise ValueError(f"ballot {number}: unknown candidate {name!r}")
            if rank is None:
                continue
            if isinstance(rank, bool) or not isinstance(rank, int | np.integer) or rank < 1:
                raise ValueError(f"ballot {number}: rank of {name!r} must be an integer >= 1")
            row[index[name]] = int(rank)
        rows.append(row)
    return np.array(rows, dtype=np.int64).reshape(len(rows), len(index))


def pairwise_matrix(
    ranks: np.ndarray,
    unranked: Unranked | str = Unranked.LAST,
    weights: Sequence[int] | None = None,
) -> np.ndarray:
    """Count d[a][b], the (weighted) ballots that rank a strictly above b."""
    ranks = np.asarray(ranks)
    if ranks.size and not np.issubdtype(ranks.dtype, np.integer):
        raise ValueError("ranks must be integers (a float rank would be truncated)")
    ranks = ranks.astype(np.int64)
    if ranks.ndim != 2 or (ranks < 0).any():
        raise ValueError("ranks must be a 2-D array of integers >= 0 (0 = unranked)")
    count, size = ranks.shape
    w = np.ones(count, np.int64) if weights is None else np.asarray(weights, np.int64)
    if w.shape != (count,) or (w < 0).any():
        raise ValueError("weights must give one count >= 0 per ballot")
    ranked, abstain = ranks > 0, Unranked(unranked) is Unranked.ABSTAIN
    if not abstain:
        # Unranked sits one below the worst rank used, so every ranked candidate beats it.
        ranks = np.where(ranked, ranks, ranks.max(initial=0) + 1)
    if ranks.size and ranks.max() < 256:
        ranks = ranks.astype(np.uint8)  # an eighth of the memory traffic for the comparisons
    # Candidate-major, so each comparison and count runs over contiguous ballots.
    ranks, ranked = np.ascontiguousarray(ranks.T), np.ascontiguousarray(ranked.T)
    d = np.empty((size, size), np.int64)
    for a in range(size):
        above = ranks[a] < ranks  # [b, i]: ballot i ranks a strictly above b
        if abstain:  # unranked is 0 here: it never sits below a rank, but would top one
            above &= ranked[a]
        d[a] = np.count_nonzero(above, axis=1) if weights is None else above @ w
    return d


def strongest_paths(pairwise: np.ndarray) -> np.ndarray:
    """Compute p[a][b], the widest path under winning votes (Floyd-Warshall)."""
    d = np.asarray(pairwise, dtype=np.int64)
    p = np.where(d > d.T, d, 0)  # a link a -> b exists only where a beats b
    np.fill_diagonal(p, 0)
    for k in range(len(p)):
        # A path through k is as strong as its weaker half; the diagonal stays 0 so no
        # path runs through its own end.
        np.maximum(p, np.minimum(p[:, [k]], p[[k], :]), out=p)
        np.fill_diagonal(p, 0)
    return p


def schulze_tiers(strongest: np.ndarray, members: Sequence[int]) -> list[list[int]]:
    """Rank `members` in tiers: each tier holds those no remaining member beats."""
    remaining, tiers = list(members), []
    while remaining:
        sub = strongest[np.ix_(remaining, remaining)]
        beaten = (sub < sub.T).any(axis=1)  # row a: some b has p[b][a] > p[a][b]
        tier = [c for c, lost in zip(remaining, beaten, strict=True) if not lost]
        if not tier:  # cannot happen: Schulze's relation is acyclic; guard the loop anyway
            raise RuntimeError("the strongest-path relation has a cycle")
        tiers.append(tier)
        remaining = [c for c, lost in zip(remaining, beaten, strict=True) if lost]
    return tiers


def _beats_default(d: np.ndarray, a: int, default: int, ratio: Fraction) -> bool:
    """Tell whether a defeats the default option by `ratio` (Debian A.6(3))."""
    v_ad, v_da = int(d[a, default]), int(d[default, a])
    return v_ad > v_da and v_ad * ratio.denominator >= ratio.numerator * v_da


def _ratio_of(majority: Fraction | Mapping[str, Fraction], name: str) -> Fraction:
    """Return the majority ratio required of option `name`."""
    ratio = majority.get(name, Fraction(1)) if isinstance(majority, Mapping) else majority
    if isinstance(ratio, float) or Fraction(ratio) < 1:
        raise ValueError(f"majority ratio for {name!r} must be an exact number >= 1")
    return Fraction(ratio)


def schulze(
    candidates: Sequence[str],
    ballots: Iterable[Mapping[str, int | None]] | np.ndarray,
    *,
    unranked: Unranked | str = Unranked.LAST,
    weights: Sequence[int] | None = None,
    default_option: str | None = None,
    majority: Fraction | Mapping[str, Fraction] = Fraction(1),
) -> SchulzeResult:
    """Count ranked ballots by Schulze (winning votes), with an optional default option.

    `ballots` are mappings candidate -> rank, or an int array from rank_array(). With a
    default option (Debian constitution A.6(3)), every other option A must defeat it by its
    majority ratio N -- V(A,D) >= N * V(D,A) and V(A,D) > V(D,A) -- or it is dropped; the
    undropped options (default included) are ranked by Schulze among themselves, and the
    dropped ones are ranked below them, by Schulze among themselves. The quorum of A.6(2)
    is not applied. The strongest-path matrix is computed within each of the two groups
    (entries between them are 0). A tier lists candidates in the given candidate order.
    """
    names = distinct(candidates)
    d, total = count_pairwise(names, ballots, unranked, weights)
    return schulze_pairwise(names, d, total, unranked=unranked, default_option=default_option,
                            majority=majority)


def count_pairwise(
    names: Sequence[str], ballots: Iterable[Mapping[str, int | None]] | np.ndarray,
    unranked: Unranked | str = Unranked.LAST, weights: Sequence[int] | None = None,
) -> tuple[np.ndarray, int]:
    """Return the pairwise matrix of ranked ballots and how many ballots (weights summed)."""
    ranks = ballots if isinstance(ballots, np.ndarray) else rank_array(names, ballots)
    if ranks.ndim != 2 or ranks.shape[1] != len(names):
        raise ValueError(f"ballots must have one column per candidate ({len(names)})")
    total = len(ranks) if weights is None else int(np.sum(weights))
    return pairwise_matrix(ranks, unranked, weights), total


def schulze_pairwise(
    candidates: Sequence[str],
    pairwise: np.ndarray | Sequence[Sequence[int]],
    ballots: int,
    *,
    unranked: Unranked | str = Unranked.LAST,
    default_option: str | None = None,
    majority: Fraction | Mapping[str, Fraction] = Fraction(1),
) -> SchulzeResult:
    """Count by Schulze from the pairwise matrix alone (what a secret ballot publishes)."""
    names = distinct(candidates)
    d = np.asarray(pairwise, dtype=np.int64).reshape(len(names), len(names))
    if (d < 0).any() or (np.diag(d) != 0).any() or ((d + d.T) > ballots).any():
        raise ValueError("a pairwise matrix holds counts >= 0, a zero diagonal, and no pair "
                         "preferred by more voters than there are ballots")
    kept, dropped = list(range(len(names))), []
    if default_option is not None:
        if default_option not in names:
            raise ValueError(f"default option {default_option!r} is not a candidate")
        base = names.index(default_option)
        dropped = [a for a in kept if a != base
                   and not _beats_default(d, a, base, _ratio_of(majority, names[a]))]
        kept = [a for a in kept if a not in dropped]
    p = np.zeros_like(d)
    for group in (kept, dropped):
        p[np.ix_(group, group)] = strongest_paths(d[np.ix_(group, group)])
    tiers = schulze_tiers(p, kept) + schulze_tiers(p, dropped)
    ranking = tuple(tuple(names[i] for i in tier) for tier in tiers)
    return SchulzeResult(
        names, ranking, ranking[0] if ranking else (), rows(d), rows(p), ballots,
        Unranked(unranked), default_option, tuple(names[i] for i in dropped))


def distinct(candidates: Sequence[str]) -> tuple[str, ...]:
    """Return the candidates, refusing duplicates or an empty list."""
    names = tuple(candidates)
    if not names or len(set(names)) != len(names):
        raise ValueError("candidates must be a non-empty list of distinct names")
    return names


def rows(matrix: np.ndarray) -> tuple[tuple[int, ...], ...]:
    """Return a matrix as nested tuples of Python ints."""
    return tuple(tuple(int(x) for x in row) for row in matrix)


