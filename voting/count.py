"""Pure: from the counted ballots to a `Tally`, and from a tally to the `Outcome`.

The app counts a closed ballot, and `voting.record` recounts a published one, through the
same decide(): what a secret ballot publishes (counts, or the pairwise matrix) is exactly
what decide() reads, so a recount from the export can always reproduce the outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from voting.ballot_rules import BallotSpec
from voting.outcome import Kind, Objection, Outcome
from voting.rules import Response, Vote, consensus_counts, motion_counts
from voting.schulze import count_pairwise, rows
from voting.tally import choice_counts, mark_counts, ranked_pairwise


@dataclass(frozen=True)
class CastBallot:
    """One counted ballot: its receipt, its canonical choice, and the company (open ballots)."""

    receipt: str
    choice: Mapping[str, Any]
    company: str | None = None


@dataclass(frozen=True)
class Tally:
    """All the count needs from the ballots; what a secret ballot publishes instead of them."""

    kind: Kind
    cast: int  # ballots counted
    counts: Mapping[str, int] = field(default_factory=dict, hash=False)
    objections: tuple[Objection, ...] = ()  # consensus rounds
    pairwise: tuple[tuple[int, ...], ...] = ()  # ranked: d[a][b], options in ballot order

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", MappingProxyType(dict(self.counts)))


def tally(spec: BallotSpec, ballots: Sequence[CastBallot], secret: bool = False) -> Tally:
    """Count canonical choices (one per company) into a tally; secret objections are nameless."""
    choices = [b.choice for b in ballots]
    if spec.kind is Kind.CONSENSUS:
        answers = Counter(Response(c["response"]) for c in choices)
        objections = tuple(Objection(None if secret else b.company, b.choice.get("reason", ""))
                           for b in ballots if b.choice["response"] == Response.OBJECT)
        counts = {str(r): answers[r] for r in (Response.SUPPORT, Response.STAND_ASIDE)}
        return Tally(spec.kind, len(ballots), counts, objections)
    if spec.kind is Kind.MOTION:
        votes = Counter(Vote(c["vote"]) for c in choices)
        return Tally(spec.kind, len(ballots), {str(v): votes[v] for v in Vote})
    if spec.kind is Kind.RANKED:
        pairwise, _ = count_pairwise(spec.options, [c["ranks"] for c in choices], spec.unranked)
        return Tally(spec.kind, len(ballots), pairwise=rows(pairwise))
    marks = [c["approve"] if spec.kind is Kind.APPROVAL else
             ([] if c["choice"] is None else [c["choice"]]) for c in choices]
    return Tally(spec.kind, len(ballots), mark_counts(spec.options, marks))


def decide(spec: BallotSpec, counted: Tally, eligible: int, seed: str | None = None) -> Outcome:
    """Decide a tally under the ballot's rules (the casting vote, if due, stays pending)."""
    if counted.kind is not spec.kind:
        raise ValueError(f"a {counted.kind} tally cannot decide a {spec.kind} ballot")
    counts = counted.counts
    if spec.kind is Kind.CONSENSUS:
        if counted.cast != counts["support"] + counts["stand_aside"] + len(counted.objections):
            raise ValueError("the responses do not add up to the ballots counted")
        return consensus_counts(counts["support"], counts["stand_aside"], counted.objections,
                                eligible, spec.quorum)
    if spec.kind is Kind.MOTION:
        if counted.cast != counts["yes"] + counts["no"] + counts["abstain"]:
            raise ValueError("yes, no and abstain do not add up to the ballots counted")
        return motion_counts(counts["yes"], counts["no"], counts["abstain"], eligible,
                             threshold=spec.threshold, quorum=spec.quorum,
                             tie_break=spec.tie_break, seed=seed)
    common = {"tie_break": spec.tie_break, "seed": seed, "default_option": spec.default_option,
              "eligible": eligible, "quorum": spec.quorum}
    if spec.kind is Kind.RANKED:
        return ranked_pairwise(spec.options, counted.pairwise, counted.cast,
                               unranked=spec.unranked, majority=spec.majority, **common)
    if list(counts) != list(spec.options):
        raise ValueError("the counts must name each option once, in the ballot's order")
    return choice_counts(spec.kind, counts, counted.cast, **common)
