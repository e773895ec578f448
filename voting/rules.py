"""Pure decision rules: quorum, thresholds, consensus rounds, motion votes.

Entry points: consensus() and motion() return an `Outcome` (voting.outcome); tie-breaks are
in voting.tiebreak. Choice ballots (plurality, approval, ranked) are counted in voting.tally into the same
`Outcome`. Plain values in, frozen dataclasses out: no Flask, no database. A count is compared
with a fraction on integers by cross-multiplication, never by float division (Helios once
computed an absolute majority as ``n/2 + 1`` in floats and 3 of 5 votes did not win).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

from voting.outcome import Kind, Objection, Outcome, Status, plural
from voting.tiebreak import TieBreak, break_tie, check_tie_break, settle_motion


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

    @property
    def text(self) -> str:
        """Return the rule as `parse` reads it: 'more than 1/2', 'at least 2/3' or 'none'."""
        if self.fraction == 0 and not self.strict:
            return "none"
        return f"{'more than' if self.strict else 'at least'} {self.fraction}"

    def describe(self) -> str:
        """Say the rule in words, e.g. 'more than 1/2 of eligible companies'."""
        return "none" if self.text == "none" else f"{self.text} of eligible companies"


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
        """Tell whether the vote is a tie that the tie-break rule settles.

        A tie is as many yes as no among votes cast (at least one each), and it goes to the
        tie-break only where it sits exactly on the threshold: always under a simple majority;
        under an absolute majority only when yes is exactly half the eligible companies (3-3
        of 6; 2-2 of 6 simply fails, and 3 yes, 0 no of 6 is no tie at all). Two-thirds and
        unanimity include their boundary, so a tie there is below it and simply fails.
        """
        if yes != no or yes == 0 or not self.spec.strict:
            return False
        fraction = self.spec.fraction
        return yes * fraction.denominator == fraction.numerator * self.base(yes, no, eligible)

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


def objection_words(objections: Sequence[Objection], private: bool = False) -> list[str]:
    """Say the objections: by company and reason, or counted only when their reasons are private."""
    if private:
        return [f"{plural(len(objections), 'objection')} (reasons are shown to members only)"
                ] if objections else []
    return [f"{o.company or 'a company'} objected (reason: {o.reason})" for o in objections]


def consensus_summary(status: Status, figures: str, reasons: Sequence[str]) -> str:
    """Return the one-sentence summary of a consensus round."""
    if status is Status.REACHED:
        return f"Consensus reached: {figures}."
    return f"Consensus not reached: {'; '.join(reasons)}."


def consensus(
    responses: Iterable[ConsensusResponse], eligible: int, quorum: Quorum = DEFAULT_QUORUM,
    *, secret: bool = False,
) -> Outcome:
    """Decide a consensus round: reached when nobody objects and the quorum is met.

    A secret round records its objections without the objecting company.
    """
    answers = list(responses)
    companies = Counter(answer.company for answer in answers)
    if twice := sorted(name for name, n in companies.items() if n > 1):
        raise ValueError(f"one response per company: {', '.join(twice)} answered twice")
    tally = Counter(answer.response for answer in answers)
    objections = tuple(Objection(None if secret else a.company, a.reason)
                       for a in answers if a.response is Response.OBJECT)
    return consensus_counts(tally[Response.SUPPORT], tally[Response.STAND_ASIDE], objections,
                            eligible, quorum)


def consensus_counts(support: int, stand_aside: int, objections: Sequence[Objection],
                     eligible: int, quorum: Quorum = DEFAULT_QUORUM) -> Outcome:
    """Decide a consensus round from its counts and its objections."""
    objected = len(objections)
    responded = support + stand_aside + objected
    check_electorate(responded, eligible)
    if min(support, stand_aside) < 0:
        raise ValueError("counts cannot be negative")
    quorum_reasons = () if quorum.met(responded, eligible) else (
        quorum_reason(quorum, responded, eligible),)
    figures = (f"{support} support, {stand_aside} stand aside, "
               f"{plural(objected, 'objection')}; "
               f"{responded} of {eligible} eligible companies responded")
    counts = {str(Response.SUPPORT): support, str(Response.STAND_ASIDE): stand_aside,
              str(Response.OBJECT): objected, "eligible": eligible}
    status = Status.NOT_REACHED if objections or quorum_reasons else Status.REACHED
    reasons = (*objection_words(objections), *quorum_reasons)
    return Outcome(Kind.CONSENSUS, status, consensus_summary(status, figures, reasons), figures,
                   "no objection", quorum=quorum.describe(), counts=counts,
                   reasons=tuple(reasons), objections=tuple(objections))


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
    tally = Counter(Vote(vote) for vote in votes)
    return motion_counts(tally[Vote.YES], tally[Vote.NO], tally[Vote.ABSTAIN], eligible,
                         threshold=threshold, quorum=quorum, tie_break=tie_break, seed=seed)


def motion_counts(
    yes: int, no: int, abstain: int, eligible: int, *,
    threshold: Threshold | str = Threshold.SIMPLE_MAJORITY,
    quorum: Quorum = DEFAULT_QUORUM,
    tie_break: TieBreak | str = TieBreak.STATUS_QUO,
    seed: str | None = None,
) -> Outcome:
    """Decide a motion from its counts of yes, no and abstain."""
    threshold, tie_break = Threshold(threshold), check_tie_break(tie_break, seed)
    if min(yes, no, abstain) < 0:
        raise ValueError("counts cannot be negative")
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
        return settle_motion(outcome, record)
    passed = threshold.passes(yes, no, eligible)
    verdict = "Passed" if passed else "Failed"
    summary = f"{verdict}: {figures}; {threshold.spec.words} needed {counts['needed']}."
    return replace(outcome, status=Status.PASSED if passed else Status.FAILED, summary=summary)
