"""Pure outcomes and tie-breaks: the frozen Outcome value, lots, casting votes, settling ties.

Every decision (consensus, motion, choice, ranked) ends as an `Outcome`; this module holds it
and the tie-break rules shared by voting.rules and voting.tally. No Flask, no database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any


class Kind(StrEnum):
    """The kind of ballot an outcome decides."""

    CONSENSUS = "consensus"
    MOTION = "motion"
    PLURALITY = "plurality"
    APPROVAL = "approval"
    RANKED = "ranked"


class Status(StrEnum):
    """What an outcome says happened."""

    REACHED = "reached"  # consensus round: no objection and quorum met
    NOT_REACHED = "not_reached"  # consensus round: objection(s) or quorum not met
    PASSED = "passed"  # motion
    FAILED = "failed"  # motion, including quorum not met
    DECIDED = "decided"  # choice ballot: `winners` is set
    NO_DECISION = "no_decision"  # choice ballot: no votes, no quorum, or a tie kept by status quo
    AWAITING_CASTING_VOTE = "awaiting_casting_vote"  # tie: see apply_casting_vote()


class TieBreak(StrEnum):
    """How a tie is broken; chosen before the ballot opens."""

    CASTING_VOTE = "casting_vote"  # the chair picks among the tied options
    STATUS_QUO = "status_quo"  # a tied motion fails; a tied choice keeps the default option
    LOT = "lot"  # draw_lots() on a seed committed before the ballot opened


TIE_BREAK_WORDS = {
    TieBreak.CASTING_VOTE: "the chair's casting vote",
    TieBreak.STATUS_QUO: "status quo (a tie changes nothing)",
    TieBreak.LOT: "lot drawn from a seed committed before the ballot opened",
}


@dataclass(frozen=True)
class TieBreakRecord:
    """How a tie was, or is to be, broken: the rule, the tied options and the choice."""

    rule: TieBreak
    tied: tuple[str, ...]
    chosen: str | None = None  # None: awaiting the casting vote, or status quo chose nothing
    chair: str | None = None  # casting vote: the chair who cast it
    seed: str | None = None  # lot: the seed committed before the ballot opened
    draw: tuple[str, ...] = ()  # lot: the tied options in drawn order; the first wins


@dataclass(frozen=True)
class Outcome:
    """A decided (or tied) ballot: what was decided, the figures, the rule, in words."""

    kind: Kind
    status: Status
    summary: str  # one sentence a non-specialist reads
    figures: str  # the counts in words, e.g. "4 yes, 1 no, 1 abstention"
    rule: str  # the deciding rule in words, e.g. "simple majority of votes cast"
    quorum: str = "none"
    tie_break: TieBreak | None = None  # the rule set before the ballot opened
    counts: Mapping[str, int] = field(default_factory=dict, hash=False)
    winners: tuple[str, ...] = ()
    ranking: tuple[tuple[str, ...], ...] = ()  # tiers, best first; one tier holds tied options
    reasons: tuple[str, ...] = ()  # why not reached / failed: objections, quorum
    tie: TieBreakRecord | None = None  # set when a tie arose
    candidates: tuple[str, ...] = ()  # ranked: the order of rows and columns below
    pairwise: tuple[tuple[int, ...], ...] = ()  # ranked: d[a][b] voters preferring a to b
    strongest: tuple[tuple[int, ...], ...] = ()  # ranked: p[a][b] strongest path a to b
    dropped: tuple[str, ...] = ()  # ranked: options that did not beat the default option

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", MappingProxyType(dict(self.counts)))

    def __reduce__(self) -> tuple[type[Outcome], tuple[Any, ...]]:
        """Pickle and deep-copy field by field (a read-only mapping cannot be pickled)."""
        values = (getattr(self, f.name) for f in fields(self))
        return type(self), tuple(dict(v) if isinstance(v, Mapping) else v for v in values)

    @property
    def decided_by_tie_break(self) -> bool:
        """Tell whether a tie-break rule chose the result."""
        return self.tie is not None and self.tie.chosen is not None

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON-ready values."""
        return _plain(self)


def _plain(value: Any) -> Any:
    """Turn dataclasses, enums, mappings, tuples and fractions into JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, Fraction):
        return str(value)
    return value


def plural(count: int, noun: str) -> str:
    """Return '1 abstention' / '2 abstentions'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def join_names(names: Iterable[str]) -> str:
    """Return 'A', 'A and B' or 'A, B and C'."""
    *head, last = names
    return f"{', '.join(head)} and {last}" if head else last


def draw_lots(seed: str, names: Iterable[str]) -> tuple[str, ...]:
    """Order `names` by the SHA-256 hex of UTF-8 ``seed + "\\n" + name``; the first wins.

    Anyone reproduces it: ``printf '%s\\n%s' SEED NAME | sha256sum`` for each name, sort.
    """
    if not seed:
        raise ValueError("a draw by lot needs the seed committed before the ballot opened")

    def digest(name: str) -> str:
        return hashlib.sha256(f"{seed}\n{name}".encode()).hexdigest()

    return tuple(sorted(set(names), key=lambda name: (digest(name), name)))


def check_tie_break(rule: TieBreak | str, seed: str | None) -> TieBreak:
    """Return the rule, refusing a lot without its seed (it must exist before the ballot)."""
    rule = TieBreak(rule)
    if rule is TieBreak.LOT and not seed:
        raise ValueError("the lot tie-break needs a seed committed before the ballot opened")
    return rule


def break_tie(
    rule: TieBreak, tied: Iterable[str], *, seed: str | None = None, status_quo: str | None = None
) -> TieBreakRecord:
    """Apply the tie-break rule to the tied options (the casting vote stays pending)."""
    tied = tuple(tied)
    if rule is TieBreak.LOT:
        draw = draw_lots(seed or "", tied)
        return TieBreakRecord(rule, tied, chosen=draw[0], seed=seed, draw=draw)
    if rule is TieBreak.STATUS_QUO:
        return TieBreakRecord(rule, tied, chosen=status_quo if status_quo in tied else None)
    return TieBreakRecord(rule, tied)


def apply_casting_vote(outcome: Outcome, choice: str, chair: str) -> Outcome:
    """Settle a tie awaiting the chair's casting vote with the chair's choice, by name."""
    if outcome.status is not Status.AWAITING_CASTING_VOTE or outcome.tie is None:
        raise ValueError("this outcome is not awaiting a casting vote")
    if not chair.strip():
        raise ValueError("a casting vote records the chair's name")
    if choice not in outcome.tie.tied:
        raise ValueError(f"{choice!r} is not among the tied options: {', '.join(outcome.tie.tied)}")
    record = replace(outcome.tie, chosen=choice, chair=chair.strip())
    if outcome.kind is Kind.MOTION:
        return _settle_motion(outcome, record)
    return settle_choice(outcome, record)


def _how(record: TieBreakRecord) -> str:
    """Say how a tie-break chose, for a summary."""
    if record.rule is TieBreak.CASTING_VOTE:
        return f"the chair's casting vote ({record.chair})"
    if record.rule is TieBreak.LOT:
        return f"lot (seed {record.seed!r})"
    return "the status quo rule"


def settle_choice(outcome: Outcome, record: TieBreakRecord) -> Outcome:
    """Return a tied choice outcome as the tie-break record leaves it."""
    tied = join_names(record.tied)
    if record.chosen is None and record.rule is TieBreak.CASTING_VOTE:
        summary = f"Tied: {tied}; awaiting the chair's casting vote. {outcome.figures}."
        return replace(outcome, status=Status.AWAITING_CASTING_VOTE, summary=summary, tie=record)
    if record.chosen is None:
        summary = f"No decision: {tied} are tied and the status quo rule chooses none. "
        return replace(outcome, status=Status.NO_DECISION, tie=record,
                       summary=summary + f"{outcome.figures}.", winners=())
    top, rest = outcome.ranking[0], outcome.ranking[1:]
    others = tuple(name for name in top if name != record.chosen)
    ranking = ((record.chosen,), *((others,) if others else ()), *rest)
    summary = f"Decided by {_how(record)}: {record.chosen}, tied with {join_names(others)}. "
    return replace(outcome, status=Status.DECIDED, winners=(record.chosen,), ranking=ranking,
                   tie=record, summary=summary + f"{outcome.figures}.")


def _settle_motion(outcome: Outcome, record: TieBreakRecord) -> Outcome:
    """Return a tied motion outcome as the tie-break record leaves it."""
    if record.chosen is None:
        summary = f"Tied: {outcome.figures}; awaiting the chair's casting vote."
        return replace(outcome, status=Status.AWAITING_CASTING_VOTE, summary=summary, tie=record)
    passed = record.chosen == "yes"
    verdict = "Passed" if passed else "Failed"
    summary = f"{verdict} on a tie, decided by {_how(record)}: {outcome.figures}."
    return replace(outcome, status=Status.PASSED if passed else Status.FAILED,
                   summary=summary, tie=record)
