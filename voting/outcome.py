"""Pure: the frozen Outcome value every decision ends as, and the words it is told in.

Every decision (consensus, motion, choice, ranked) ends as an `Outcome`. Objections are data
(`Objection`), never parsed back from words. No Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
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


CHOICE_KINDS = (Kind.PLURALITY, Kind.APPROVAL, Kind.RANKED)


class Status(StrEnum):
    """What an outcome says happened."""

    REACHED = "reached"  # consensus round: no objection and quorum met
    NOT_REACHED = "not_reached"  # consensus round: objection(s) or quorum not met
    PASSED = "passed"  # motion
    FAILED = "failed"  # motion, including quorum not met
    DECIDED = "decided"  # choice ballot: `winners` is set
    NO_DECISION = "no_decision"  # choice ballot: no votes, no quorum, or a tie kept by status quo
    AWAITING_CASTING_VOTE = "awaiting_casting_vote"  # tie: see tiebreak.apply_casting_vote()


@dataclass(frozen=True)
class Objection:
    """One objection in a consensus round; `company` is None when the round is secret."""

    company: str | None
    reason: str


@dataclass(frozen=True)
class Outcome:
    """A decided (or tied) ballot: what was decided, the figures, the rule, in words."""

    kind: Kind
    status: Status
    summary: str  # one sentence a non-specialist reads
    figures: str  # the counts in words, e.g. "4 yes, 1 no, 1 abstention"
    rule: str  # the deciding rule in words, e.g. "simple majority of votes cast"
    quorum: str = "none"
    tie_break: Any = None  # the tiebreak.TieBreak in force, set before the ballot opened
    counts: Mapping[str, int] = field(default_factory=dict, hash=False)
    winners: tuple[str, ...] = ()
    ranking: tuple[tuple[str, ...], ...] = ()  # tiers, best first; one tier holds tied options
    reasons: tuple[str, ...] = ()  # why not reached / failed, besides objections: the quorum
    objections: tuple[Objection, ...] = ()  # consensus: who objected (if open) and why
    tie: Any = None  # the tiebreak.TieBreakRecord, set when a tie arose
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
        return plain(self)


def plain(value: Any) -> Any:
    """Turn dataclasses, enums, mappings, tuples and fractions into JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
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
