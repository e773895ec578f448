"""Time the Schulze count on 10,000 random ranked ballots x 20 candidates.

    python bench/bench_tally.py [--ballots N] [--candidates M] [--seed S] [--repeat R] [--rounds K]

Compares, in the same run and on the same ballots, voting.tally.schulze (NumPy) with a plain
pure-Python reference written below and votelib's Schulze evaluator (in the bench extras;
reported as not installed otherwise). The target is 20x votelib from the ballot dicts. Each
figure is the best of its runs, interleaved in rounds with the others' (best_times).
A third of the ballots are truncated (the rest unranked, read as ranked equally last, which
is also votelib's `unranked_at_bottom`). Every implementation must agree on the winners.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from importlib import metadata

import numpy as np

from voting.schulze import Unranked, rank_array, schulze

TARGET_SECONDS = 0.5
TARGET_VS_VOTELIB = 20  # times faster than votelib, from the same ballot dicts, same run


def random_ballots(ballots: int, candidates: int, seed: int) -> list[dict[str, int]]:
    """Draw ranked ballots: random orders, a third of them truncated."""
    rng = np.random.default_rng(seed)
    names = [f"c{i:02d}" for i in range(candidates)]
    drawn = []
    for _ in range(ballots):
        order = rng.permutation(candidates)
        keep = candidates if rng.random() >= 1 / 3 else int(rng.integers(1, candidates))
        drawn.append({names[i]: rank for rank, i in enumerate(order[:keep], start=1)})
    return drawn


def reference_schulze(names: Sequence[str], ballots: Sequence[dict[str, int]]) -> set[str]:
    """Count Schulze winners with plain loops (unranked ranked equally last)."""
    d = {(a, b): 0 for a in names for b in names if a != b}
    for ballot in ballots:
        last = len(names) + 1
        for a, b in d:
            if ballot.get(a, last) < ballot.get(b, last):
                d[a, b] += 1
    p = {(a, b): d[a, b] if d[a, b] > d[b, a] else 0 for a, b in d}
    for k in names:
        for i in names:
            if i == k:
                continue
            for j in names:
                if j not in (i, k):
                    p[i, j] = max(p[i, j], min(p[i, k], p[k, j]))
    return {a for a in names if all(p[a, b] >= p[b, a] for b in names if b != a)}


def votelib_count() -> tuple[str, Callable[[Sequence[dict[str, int]]], object]] | None:
    """Return votelib's Schulze as (label, prepare-and-count), or None if it is missing."""
    try:
        from votelib.convert import RankedToCondorcetVotes
        from votelib.evaluate.condorcet import Schulze
    except ImportError:
        return None
    converter, evaluator = RankedToCondorcetVotes(unranked_at_bottom=True), Schulze()

    def count(votes: object) -> set[str]:
        return set(evaluator.evaluate(converter.convert(votes), n_seats=1))

    return f"votelib {metadata.version('votelib')} Schulze", count


def as_votelib(ballots: Sequence[dict[str, int]]) -> dict[tuple[str, ...], int]:
    """Turn ballots into votelib's input: ranked tuples with their counts."""
    votes: dict[tuple[str, ...], int] = {}
    for ballot in ballots:
        order = tuple(sorted(ballot, key=ballot.__getitem__))
        votes[order] = votes.get(order, 0) + 1
    return votes


def best_times(counts: dict[str, tuple[Callable[[], object], int]],
               rounds: int) -> dict[str, tuple[float, object]]:
    """Return each count's best wall time and result, its runs interleaved with the others'.

    Each round runs every count (the fast ones several times): a machine whose speed drifts
    from one second to the next slows both sides of a ratio alike, and the best of many runs
    is the count's own cost, not the interference of other processes (timeit's advice).
    """
    best: dict[str, tuple[float, object]] = {}
    for _ in range(rounds):
        for label, (count, runs) in counts.items():
            for _ in range(runs):
                start = time.perf_counter()
                result = count()
                elapsed = time.perf_counter() - start
                if label not in best or elapsed < best[label][0]:
                    best[label] = (elapsed, result)
    return best


def main() -> None:
    """Run the comparison and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20240301)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fast count a round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each running every count")
    args = parser.parse_args()
    names = [f"c{i:02d}" for i in range(args.candidates)]
    ballots = random_ballots(args.ballots, args.candidates, args.seed)
    ranks = rank_array(names, ballots)

    counts = {
        "concord schulze, from ballot dicts": (lambda: set(schulze(names, ballots).winners),
                                               args.repeat),
        "concord schulze, from an int array": (
            lambda: set(schulze(names, ranks, unranked=Unranked.LAST).winners), args.repeat),
    }
    if (other := votelib_count()) is not None:
        votes = as_votelib(ballots)
        counts[other[0]] = (lambda: other[1](votes), 1)
    best = best_times(counts, args.rounds)
    reference = best_times({"pure-Python reference": (
        lambda: reference_schulze(names, ballots), 1)}, 1)
    rows = [(label, *best[label]) for label in list(counts)[:2]]
    rows.append(("pure-Python reference", *reference["pure-Python reference"]))
    rows.append((other[0], *best[other[0]]) if other is not None
                else ("votelib (not installed)", float("nan"), None))

    base = rows[0][1]
    print(f"Schulze (winning votes): {args.ballots:,} ballots x {args.candidates} candidates, "
          f"seed {args.seed}, unranked read as last")
    print(f"{'implementation':<40} {'seconds':>9} {'x concord':>10}  winners")
    for label, seconds, winners in rows:
        shown = ", ".join(sorted(winners)) if winners else "-"
        print(f"{label:<40} {seconds:>9.4f} {seconds / base:>10.1f}  {shown}")
    agree = len({frozenset(w) for _, _, w in rows if w is not None}) == 1
    print(f"winners agree: {'yes' if agree else 'NO'}; "
          f"target under {TARGET_SECONDS} s: {'met' if base < TARGET_SECONDS else 'MISSED'}")
    if other is not None:
        times = rows[-1][1] / base
        print(f"votelib / concord from ballot dicts: {times:.1f}x; target >= {TARGET_VS_VOTELIB}x: "
              f"{'met' if times >= TARGET_VS_VOTELIB else 'MISSED'}")


if __name__ == "__main__":
    main()
