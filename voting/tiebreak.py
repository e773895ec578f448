"""Pure tie-breaks: who may break a tie, the published lot, the casting vote, settling ties.

The rule is fixed before a ballot opens. No one breaks a tie in their own cause: a chair who
is a candidate, or whose company is the subject of the motion, does not cast the casting
vote, and neither does anyone without the chair; the ballot's fallback rule (default: lot)
applies instead, and the plan says so before anyone votes. No Flask, no database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from voting.outcome import Kind, Outcome, Status, join_names


class TieBreak(StrEnum):
    """How a tie is broken; chosen before the ballot opens."""

    CASTING_VOTE = "casting_vote"  # the chair picks among the tied options
    STATUS_QUO = "status_quo"  # a tied motion fails; a tied choice keeps the default option
    LOT = "lot"  # draw_lots() on a seed from a secret committed when the ballot opened


FALLBACKS = (TieBreak.LOT, TieBreak.STATUS_QUO)  # what replaces a casting vote nobody may cast

TIE_BREAK_WORDS = {
    TieBreak.CASTING_VOTE: "the chair's casting vote",
    TieBreak.STATUS_QUO: "status quo (a tie changes nothing)",
    TieBreak.LOT: "lot drawn from a secret committed when the ballot opened",
}


@dataclass(frozen=True)
class TieBreakPlan:
    """The tie-break rule in force on a ballot, fixed when it opens, and why."""

    chosen: TieBreak  # the rule the ballot was drafted with
    rule: TieBreak  # the rule that applies to a tie
    casting_voter: str | None = None  # who casts the casting vote (rule is CASTING_VOTE)
    note: str = ""  # why the fallback replaced the casting vote, in words

    def describe(self) -> str:
        """Say the rule in force in words, e.g. for the ballot page."""
        if self.rule is TieBreak.CASTING_VOTE:
            return f"the casting vote of the chair, {self.casting_voter}"
        words = TIE_BREAK_WORDS[self.rule]
        return f"{words}, because {self.note}" if self.note else words


def conflict_of_interest(chair_id: int, chair_company_id: int | None,
                         candidate_ids: Collection[int], subject_company_id: int | None) -> str:
    """Say why the chair may not break this ballot's tie ('' when the chair may)."""
    if chair_id in candidate_ids:
        return "the chair is a candidate"
    if subject_company_id is not None and subject_company_id == chair_company_id:
        return "the motion concerns the chair's own company"
    return ""


def plan_tie_break(chosen: TieBreak | str, fallback: TieBreak | str, chair: str | None,
                   conflict: str = "") -> TieBreakPlan:
    """Return the rule in force: the chair's casting vote only if a chair may cast it."""
    chosen, fallback = TieBreak(chosen), TieBreak(fallback)
    if fallback not in FALLBACKS:
        raise ValueError("the fallback of a casting vote is lot or status quo")
    if chosen is not TieBreak.CASTING_VOTE:
        return TieBreakPlan(chosen, chosen)
    if chair is None:
        return TieBreakPlan(chosen, fallback, note="no chair is in office")
    if conflict:
        return TieBreakPlan(chosen, fallback, note=f"{conflict} ({chair})")
    return TieBreakPlan(chosen, chosen, casting_voter=chair)


@dataclass(frozen=True)
class TieBreakRecord:
    """How a tie was, or is to be, broken: the rule, the tied options and the choice."""

    rule: TieBreak
    tied: tuple[str, ...]
    chosen: str | None = None  # None: awaiting the casting vote, or status quo chose nothing
    chair: str | None = None  # casting vote: the chair who cast it
    seed: str | None = None  # lot: the seed derived from the secret committed at opening
    draw: tuple[str, ...] = ()  # lot: the tied options in drawn order; the first wins


def commitment(secret: str) -> str:
    """Return the SHA-256 commitment to the lot secret, shown from the moment a ballot opens."""
    return hashlib.sha256(secret.encode()).hexdigest()


def lot_seed(secret: str, receipts: Sequence[str]) -> str:
    """Derive the lot seed from the committed secret and the counted ballots' sorted receipts.

    Nobody knows the seed before the votes are in (receipts are random, drawn at casting), and
    anyone can recompute it once the secret is revealed.
    """
    material = secret + "\n" + "\n".join(sorted(receipts))
    return hashlib.sha256(material.encode()).hexdigest()


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
        return settle_motion(outcome, record)
    return settle_choice(outcome, record)


def _how(record: TieBreakRecord) -> str:
    """Say how a tie-break chose, for a summary."""
    if record.rule is TieBreak.CASTING_VOTE:
        return f"the chair's casting vote ({record.chair})"
    if record.rule is TieBreak.LOT:
        return f"lot (seed {record.seed})"
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


def settle_motion(outcome: Outcome, record: TieBreakRecord) -> Outcome:
    """Return a tied motion outcome as the tie-break record leaves it."""
    if record.chosen is None:
        summary = f"Tied: {outcome.figures}; awaiting the chair's casting vote."
        return replace(outcome, status=Status.AWAITING_CASTING_VOTE, summary=summary, tie=record)
    passed = record.chosen == "yes"
    verdict = "Passed" if passed else "Failed"
    summary = f"{verdict} on a tie, decided by {_how(record)}: {outcome.figures}."
    return replace(outcome, status=Status.PASSED if passed else Status.FAILED,
                   summary=summary, tie=record)
