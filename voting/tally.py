"""Pure counts of choice ballots into an `Outcome`: plurality, approval, and ranked (Schulze).

Entry points: plurality(), approval() and ranked() count ballots; choice_counts() and
ranked_pairwise() decide from what a secret ballot publishes (counts, the pairwise matrix).
Quorum and tie-break are applied here; the Schulze count itself is voting.schulze.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from fractions import Fraction

import numpy as np

from voting.outcome import Kind, Outcome, Status, plural
from voting.rules import DEFAULT_QUORUM, Quorum, check_electorate, quorum_reason
from voting.schulze import Unranked, count_pairwise, distinct, schulze_pairwise
from voting.tiebreak import TieBreak, break_tie, check_tie_break, settle_choice


def count_tiers(counts: Mapping[str, int]) -> tuple[tuple[str, ...], ...]:
    """Group options by count, most first; equal counts share a tier."""
    levels = sorted(set(counts.values()), reverse=True)
    return tuple(tuple(name for name in counts if counts[name] == level) for level in levels)


def mark_counts(options: Sequence[str], ballots: Iterable[Collection[str]]) -> dict[str, int]:
    """Count the marks each option received (one per ballot at most)."""
    counts = dict.fromkeys(distinct(options), 0)
    for number, ballot in enumerate(ballots, start=1):
        marked = list(ballot)
        if len(set(marked)) != len(marked):
            raise ValueError(f"ballot {number} marks an option twice")
        for name in marked:
            if name not in counts:
                raise ValueError(f"ballot {number}: unknown option {name!r}")
            counts[name] += 1
    return counts


def plurality(
    options: Sequence[str], votes: Iterable[str | None], **settings: object
) -> Outcome:
    """Decide a single-choice ballot: most votes wins; None is a blank vote.

    Settings as for approval().
    """
    ballots = [() if vote is None else (vote,) for vote in votes]
    return _choice(Kind.PLURALITY, "most votes", options, ballots, **settings)


def approval(
    options: Sequence[str], ballots: Iterable[Collection[str]], **settings: object
) -> Outcome:
    """Decide an approval ballot (choose any number): most approvals wins.

    Settings: tie_break (default casting vote), seed (for lot), default_option (kept by the
    status quo rule when tied), eligible and quorum (checked only when eligible is given).
    """
    return _choice(Kind.APPROVAL, "most approvals", options, list(ballots), **settings)


def _choice(
    kind: Kind, rule: str, options: Sequence[str], ballots: list[Collection[str]],
    **settings: object,
) -> Outcome:
    """Count marks and decide a plurality or approval ballot."""
    return choice_counts(kind, mark_counts(options, ballots), len(ballots), **settings)


def choice_counts(
    kind: Kind, counts: Mapping[str, int], cast: int, *,
    tie_break: TieBreak | str = TieBreak.CASTING_VOTE, seed: str | None = None,
    default_option: str | None = None, eligible: int | None = None,
    quorum: Quorum = DEFAULT_QUORUM,
) -> Outcome:
    """Decide a plurality or approval ballot from its marks per option and ballots cast."""
    counts = {name: int(counts[name]) for name in distinct(list(counts))}
    if cast < 0 or any(n < 0 or n > cast for n in counts.values()):
        raise ValueError("each option's count lies between 0 and the ballots cast")
    if kind is Kind.PLURALITY and sum(counts.values()) > cast:
        raise ValueError("a single-choice ballot marks one option at most")
    rule = {Kind.PLURALITY: "most votes", Kind.APPROVAL: "most approvals"}[kind]
    figures = f"{plural(cast, 'ballot')}: " + ", ".join(
        f"{name} {count}" for name, count in counts.items())
    outcome = Outcome(kind, Status.DECIDED, "", figures, rule, counts=counts,
                      ranking=count_tiers(counts))
    return _decide(outcome, cast, check_tie_break(tie_break, seed), seed,
                   default_option, eligible, quorum, any(counts.values()))


def ranked(
    candidates: Sequence[str],
    ballots: Iterable[Mapping[str, int | None]] | np.ndarray,
    *,
    unranked: Unranked | str = Unranked.LAST,
    weights: Sequence[int] | None = None,
    default_option: str | None = None,
    majority: Fraction | Mapping[str, Fraction] = Fraction(1),
    tie_break: TieBreak | str = TieBreak.CASTING_VOTE,
    seed: str | None = None,
    eligible: int | None = None,
    quorum: Quorum = DEFAULT_QUORUM,
) -> Outcome:
    """Decide a ranked ballot by Schulze; see schulze() for the ballots and default option."""
    names = distinct(candidates)
    d, total = count_pairwise(names, ballots, unranked, weights)
    return ranked_pairwise(names, d, total, unranked=unranked, default_option=default_option,
                           majority=majority, tie_break=tie_break, seed=seed, eligible=eligible,
                           quorum=quorum)


def ranked_pairwise(
    candidates: Sequence[str],
    pairwise: np.ndarray | Sequence[Sequence[int]],
    ballots: int,
    *,
    unranked: Unranked | str = Unranked.LAST,
    default_option: str | None = None,
    majority: Fraction | Mapping[str, Fraction] = Fraction(1),
    tie_break: TieBreak | str = TieBreak.CASTING_VOTE,
    seed: str | None = None,
    eligible: int | None = None,
    quorum: Quorum = DEFAULT_QUORUM,
) -> Outcome:
    """Decide a ranked ballot from its pairwise matrix and the number of ballots cast."""
    tie_break = check_tie_break(tie_break, seed)
    result = schulze_pairwise(candidates, pairwise, ballots, unranked=unranked,
                              default_option=default_option, majority=majority)
    reading = {Unranked.LAST: "ranked equally last", Unranked.ABSTAIN: "no preference"}
    rule = f"Schulze method (winning votes); unranked candidates read as {reading[result.unranked]}"
    if result.dropped:
        rule += f"; dropped for not beating {default_option}: {', '.join(result.dropped)}"
    outcome = Outcome(
        Kind.RANKED, Status.DECIDED, "", f"{plural(result.ballots, 'ballot')}, Schulze count",
        rule,
        counts={"ballots": result.ballots}, ranking=result.ranking,
        candidates=result.candidates, pairwise=result.pairwise, strongest=result.strongest,
        dropped=result.dropped)
    preferences = any(any(row) for row in result.pairwise)
    return _decide(outcome, result.ballots, tie_break, seed, default_option, eligible, quorum,
                   preferences)


def _decide(
    outcome: Outcome, cast: int, tie_break: TieBreak, seed: str | None,
    default_option: str | None, eligible: int | None, quorum: Quorum, any_votes: bool,
) -> Outcome:
    """Finish a choice outcome: quorum, no votes, a tie, or a winner."""
    outcome = replace(outcome, tie_break=tie_break,
                      quorum=quorum.describe() if eligible is not None else "none")
    if eligible is not None:
        check_electorate(cast, eligible)
        if not quorum.met(cast, eligible):
            reason = quorum_reason(quorum, cast, eligible)
            return replace(outcome, status=Status.NO_DECISION, reasons=(reason,),
                           summary=f"No decision: {reason}. {outcome.figures}.")
    if not any_votes:
        return replace(outcome, status=Status.NO_DECISION, reasons=("no votes cast",),
                       summary=f"No decision: no votes cast. {outcome.figures}.")
    top = outcome.ranking[0]
    if len(top) > 1:
        record = break_tie(tie_break, top, seed=seed, status_quo=default_option)
        return settle_choice(outcome, record)
    summary = f"Decided: {top[0]}. {outcome.figures}."
    return replace(outcome, winners=top, summary=summary)
