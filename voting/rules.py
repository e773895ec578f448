"""Pure decision rules: quorum, thresholds, consensus rounds, motion votes, tie-breaks.

Entry points: consensus() and motion() return an `Outcome`; apply_casting_vote() settles an
outcome awaiting the chair's casting vote; draw_lots() is the published, reproducible lot.
Choice ballots (plurality, approval, ranked) are counted in voting.tally into the same
`Outcome`. Plain values in, frozen dataclasses out: no Flask, no database. A count is compared
with a fraction on integers by cross-multiplication, never by float division (Helios once
computed an absolute majority as ``n/2 + 1`` in floats and 3 of 5 votes did not win).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

# The outcome value and tie-break rules live in voting.outcome; re-exported for callers.
from voting.outcome import (  # noqa: F401
    TIE_BREAK_WORDS,
    Kind,
    Outcome,
    Status,
    TieBreak,
    TieBreakRecord,
    _settle_motion,
    apply_casting_vote,
    break_tie,
    check_tie_break,
    draw_lots,
    join_names,
    plural,
    settle_choice,
)


class Response(StrEnum):
    """A company's answer in a consensus round."""

    SUPPORT = "support"
    STAND_ASIDE = "stand_aside"
    OBJECT = "object"


class Vote(StrEnum):
    """A company's vote on a motion."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


def reaches(part: int, whole: int, fraction: Fraction, strict: bool) -> bool:
    """Tell whether part/whole is more than (strict) or at least `fraction`, exactly."""
    left, right = part * fraction.denominator, fraction.numerator * whole
    return left > right if strict else left >= right


def smallest_part(whole: int, fraction: Fraction, strict: bool) -> int:
    """Return the smallest part of `whole` that reaches `fraction`."""
    quotient, remainder = divmod(fraction.numerator * whole, fraction.denominator)
    return quotient + 1 if strict else quotient + (remainder > 0)


def _exact(value: Fraction | int | str) -> Fraction:
    """Return `value` as a Fraction, refusing floats (0.66 is not 2/3)."""
    if isinstance(value, float):
        raise TypeError("give a Fraction, an int or a 'p/q' string, never a float")
    return Fraction(value)


@dataclass(frozen=True)
class Quorum:
    """How many eligible companies must respond: more than (strict) or at least a fraction."""

    fraction: Fraction = Fraction(1, 2)
    strict: bool = True

    def __post_init__(self) -> None:
        value = _exact(self.fraction)
        if not 0 <= value <= 1 or (self.strict and value == 1):
            raise ValueError(f"quorum must be 'at least' 0..1 or 'more than' 0..<1, not {value}")
        object.__setattr__(self, "fraction", value)

    @classmethod
    def parse(cls, text: str) -> Quorum:
        """Read 'more than 1/2', 'at least 2/3' or 'none'."""
        words = text.strip().lower()
        if words == "none":
            return cls(Fraction(0), strict=False)
        for prefix, strict in (("more than ", True), ("at least ", False)):
            if words.startswith(prefix):
                return cls(Fraction(words.removeprefix(prefix).strip()), strict=strict)
        raise ValueError(f"quorum must read 'more than p/q', 'at least p/q' or 'none': {text!r}")

    def met(self, responded: int, eligible: int) -> bool:
        """Tell whether `responded` of `eligible` companies meet the quorum."""
        return reaches(responded, eligible, self.fraction, self.strict)

    def needed(self, eligible: int) -> int:
        """Return the fewest responses that meet the quorum."""
        return smallest_part(eligible, self.fraction, self.strict)

    def describe(self) -> str:
        """Say the rule in words, e.g. 'more than 1/2 of eligible companies'."""
        if self.fraction == 0 and not self.strict:
            return "none"
        return f"{'more than' if self.strict else 'at least'} {self.fraction} of eligible companies"


DEFAULT_QUORUM = Quorum()  # responses from a strict majority of eligible companies
NO_QUORUM = Quorum(Fraction(0), strict=False)


class ThresholdSpec(NamedTuple):
    """A threshold's fraction, whether it is strict, its base, and its words."""

    fraction: Fraction
    strict: bool  # yes must exceed the fraction (True) or may equal it (False)
    of_eligible: bool  # base: eligible companies (True) or votes cast, yes + no (False)
    words: str


class Threshold(StrEnum):
    """What a motion needs to pass; each names its fraction and its base."""

    SIMPLE_MAJORITY = "simple_majority"  # yes * 2 > yes + no, i.e. yes > no
    ABSOLUTE_MAJORITY = "absolute_majority"  # yes * 2 > eligible
    TWO_THIRDS = "two_thirds"  # yes * 3 >= 2 * (yes + no)
    UNANIMITY = "unanimity"  # yes >= yes + no, i.e. no == 0 (and yes > 0)

    @property
    def spec(self) -> ThresholdSpec:
        """Return the fraction, strictness, base and words of this threshold."""
        return _THRESHOLDS[self]

    def base(self, yes: int, no: int, eligible: int) -> int:
        """Return the count the fraction applies to."""
        return eligible if self.spec.of_eligible else yes + no

    def passes(self, yes: int, no: int, eligible: int) -> bool:
        """Tell whether the motion passes; no motion passes without a yes."""
        spec = self.spec
        return yes > 0 and reaches(yes, self.base(yes, no, eligible), spec.fraction, spec.strict)

    def tied(self, yes: int, no: int, eligible: int) -> bool:
        """Tell whether yes sits exactly on a strict boundary (one more yes would pass).

        Simple majority: yes == no > 0. Absolute majority: yes * 2 == eligible, yes > 0.
        Two-thirds and unanimity include their boundary, so they never tie.
        """
        fraction, base = self.spec.fraction, self.base(yes, no, eligible)
        exact = yes * fraction.denominator == fraction.numerator * base
        return self.spec.strict and yes > 0 and exact

    def needed(self, yes: int, no: int, eligible: int) -> int:
        """Return the fewest yes votes that pass, on this vote's base."""
        spec = self.spec
        return max(1, smallest_part(self.base(yes, no, eligible), spec.fraction, spec.strict))


_THRESHOLDS = {
    Threshold.SIMPLE_MAJORITY: ThresholdSpec(
        Fraction(1, 2), True, False, "simple majority of votes cast"),
    Threshold.ABSOLUTE_MAJORITY: ThresholdSpec(
        Fraction(1, 2), True, True, "absolute majority of eligible companies"),
    Threshold.TWO_THIRDS: ThresholdSpec(Fraction(2, 3), False, False, "two-thirds of votes cast"),
    Threshold.UNANIMITY: ThresholdSpec(Fraction(1), False, False, "unanimity of votes cast"),
}


def check_electorate(responded: int, eligible: int) -> None:
    """Refuse an electorate smaller than its responses, or an empty one."""
    if eligible < 1:
        raise ValueError("a ballot needs at least one eligible company")
    if responded > eligible:
        raise ValueError(f"{responded} responses but only {eligible} eligible companies")


def quorum_reason(quorum: Quorum, responded: int, eligible: int) -> str:
    """Say why the quorum was not met."""
    return (f"quorum not met: {responded} of {eligible} eligible companies responded, "
            f"{quorum.describe()} needed ({quorum.needed(eligible)})")


@dataclass(frozen=True)
class ConsensusResponse:
    """One company's answer in a consensus round; an objection must give its reason."""

    company: str
    response: Response
    reason: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "response", Response(self.response))
        object.__setattr__(self, "reason", self.reason.strip())
        if not self.company.strip():
            raise ValueError("a response names its company")
        if self.response is Response.OBJECT and not self.reason:
            raise ValueError(f"{self.company}: an objection needs a reason")


def consensus(
    responses: Iterable[ConsensusResponse], eligible: int, quorum: Quorum = DEFAULT_QUORUM
) -> Outcome:
    """Decide a consensus round: reached when nobody objects and the quorum is met."""
    answers = list(responses)
    companies = Counter(answer.company for answer in answers)
    if twice := sorted(name for name, n in companies.items() if n > 1):
        raise ValueError(f"one response per company: {', '.join(twice)} answered twice")
    check_electorate(len(answers), eligible)
    tally = Counter(answer.response for answer in answers)
    reasons = [f"{a.company} objected (reason: {a.reason})"
               for a in answers if a.response is Response.OBJECT]
    if not quorum.met(len(answers), eligible):
        reasons.append(quorum_reason(quorum, len(answers), eligible))
    figures = (f"{tally[Response.SUPPORT]} support, {tally[Response.STAND_ASIDE]} stand aside, "
               f"{plural(tally[Response.OBJECT], 'objection')}; "
               f"{len(answers)} of {eligible} eligible companies responded")
    counts = {str(r): tally[r] for r in Response} | {"eligible": eligible}
    if reasons:
        status, summary = Status.NOT_REACHED, f"Consensus not reached: {'; '.join(reasons)}."
    else:
        status, summary = Status.REACHED, f"Consensus reached: {figures}."
    return Outcome(Kind.CONSENSUS, status, summary, figures, "no objection",
                   quorum=quorum.describe(), counts=counts, reasons=tuple(reasons))


def motion(
    votes: Iterable[Vote | str],
    eligible: int,
    *,
    threshold: Threshold | str = Threshold.SIMPLE_MAJORITY,
    quorum: Quorum = DEFAULT_QUORUM,
    tie_break: TieBreak | str = TieBreak.STATUS_QUO,
    seed: str | None = None,
) -> Outcome:
    """Decide a motion from yes/no/abstain votes, one per company (quorum counts all three)."""
    threshold, tie_break = Threshold(threshold), check_tie_break(tie_break, seed)
    tally = Counter(Vote(vote) for vote in votes)
    yes, no, abstain = tally[Vote.YES], tally[Vote.NO], tally[Vote.ABSTAIN]
    check_electorate(yes + no + abstain, eligible)
    counts = {"yes": yes, "no": no, "abstain": abstain, "eligible": eligible,
              "needed": threshold.needed(yes, no, eligible)}
    figures = f"{yes} yes, {no} no, {plural(abstain, 'abstention')}"
    outcome = Outcome(Kind.MOTION, Status.FAILED, "", figures, threshold.spec.words,
                      quorum=quorum.describe(), tie_break=tie_break, counts=counts)
    if not quorum.met(yes + no + abstain, eligible):
        reason = quorum_reason(quorum, yes + no + abstain, eligible)
        return replace(outcome, reasons=(reason,), summary=f"Failed: {reason}; {figures}.")
    if threshold.tied(yes, no, eligible):
        record = break_tie(tie_break, ("yes", "no"), seed=seed, status_quo="no")
        return _settle_motion(outcome, record)
    passed = threshold.passes(yes, no, eligible)
    verdict = "Passed" if passed else "Failed"
    summary = f"{verdict}: {figures}; {threshold.spec.words} needed {counts['needed']}."
    return replace(outcome, status=Status.PASSED if passed else Status.FAILED, summary=summary)
