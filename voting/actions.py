"""What people do to ballots: cast and change votes, decide, the casting vote, publish, call a vote."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import audit, clock
from core.db import db
from core.members import Company
from core.users import User
from voting.ballot_rules import (
    ChoiceError,
    Phase,
    Secrecy,
    Stage,
    decide,
    lot_seed,
    normalize_choice,
)
from voting.models import Ballot, BallotError, NotEntitled, Vote, VoteRevision, current_votes, new_receipt
from voting.rules import Kind, Outcome, Status, TieBreak, apply_casting_vote

# Features that act on published outcomes (cycles: the register) register a callback here; it
# runs inside publish(), in the same transaction, so an outcome and its effects commit together.
on_publish: list[Callable[[Ballot], None]] = []


def voter_company(ballot: Ballot, user: User) -> Company:
    """Return the company the user may vote for on this ballot, or refuse with the reason."""
    company = user.company()
    if company is None:
        raise NotEntitled("you do not represent a company, so you cannot vote")
    if not ballot.has_elector(company.id):
        raise NotEntitled(f"{company.name} is not in this ballot's electorate (only companies "
                          "that were members when it opened vote)")
    return company


@dataclass(frozen=True)
class CastReceipt:
    """What the voter is told: the receipt, the version and the company (read before commit)."""

    receipt: str
    version: int
    company: str


def cast(ballot: Ballot, user: User, raw: dict[str, Any]) -> CastReceipt:
    """Record or change the company's vote and commit; retry once if a colleague raced us."""
    for attempt in (1, 2):
        try:
            vote = _cast_once(ballot, user, raw)
            # Read what the answer needs now: after commit every attribute would reload.
            done = CastReceipt(vote.receipt, vote.version, vote.company.name)
            db.session.commit()
            return done
        except IntegrityError:
            # Two representatives of one company inserted the first vote at once; the row now
            # exists, so the retry locks it and records this as the next version.
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _cast_once(ballot: Ballot, user: User, raw: dict[str, Any]) -> Vote:
    ballot.require_phase(Phase.OPEN)
    company = voter_company(ballot, user)
    try:
        choice = normalize_choice(ballot.spec(), raw)
    except ChoiceError as exc:
        raise BallotError(str(exc)) from exc
    vote = db.session.scalars(
        select(Vote).where(Vote.ballot_id == ballot.id, Vote.company_id == company.id)
        .with_for_update()
    ).first()
    now, receipt = clock.now(), new_receipt()
    if vote is None:
        vote = Vote(ballot_id=ballot.id, company=company, version=1)
        db.session.add(vote)
    else:
        vote.version += 1
    vote.choice, vote.receipt, vote.cast_by_id, vote.cast_at = choice, receipt, user.id, now
    db.session.add(VoteRevision(ballot_id=ballot.id, company_id=company.id, version=vote.version,
                                choice=choice, receipt=receipt, cast_by_id=user.id, cast_at=now))
    # The audit row names who voted, never the choice nor the receipt: the published tally
    # sheet maps receipts to choices, so a receipt here would unmask a secret ballot.
    audit.record("vote.cast", ballot, actor=user, company=company.name, version=vote.version)
    return vote


def count(ballot: Ballot) -> Outcome:
    """Count the ballot's current votes under its rules (deterministic)."""
    votes = current_votes(ballot.id)
    seed = None
    if ballot.tie_break is TieBreak.LOT:
        seed = lot_seed(ballot.lot_secret or "", [v.receipt for v in votes])
    # A secret consensus round must not name who objected in its published reasons.
    names = [v.company.name if ballot.secrecy is Secrecy.OPEN else f"a company ({v.receipt})"
             for v in votes]
    return decide(ballot.spec(), [v.choice for v in votes], len(ballot.electors), seed=seed,
                  companies=names)


def decide_ballot(ballot: Ballot) -> Outcome:
    """Count a closed ballot and store the outcome (it may await the chair's casting vote)."""
    ballot.require_phase(Phase.CLOSED)
    outcome = count(ballot)
    ballot.outcome, ballot.stage, ballot.decided_at = outcome.to_dict(), Stage.DECIDED, clock.now()
    audit.record("ballot.decide", ballot, status=outcome.status.value, summary=outcome.summary)
    return outcome


def record_casting_vote(ballot: Ballot, choice: str, chair: User) -> Outcome:
    """Settle a tie under the casting-vote rule with the chair's choice."""
    ballot.require_phase(Phase.DECIDED)
    if (ballot.outcome or {}).get("status") != Status.AWAITING_CASTING_VOTE.value:
        raise BallotError("this ballot is not awaiting a casting vote")
    try:
        outcome = apply_casting_vote(count(ballot), choice, str(chair))
    except ValueError as exc:
        raise BallotError(str(exc)) from exc
    ballot.outcome, ballot.casting_by_id = outcome.to_dict(), chair.id
    audit.record("ballot.casting_vote", ballot, choice=choice, chair=str(chair),
                 summary=outcome.summary)
    return outcome


def publish(ballot: Ballot, statement: str) -> None:
    """Publish a decided outcome with the chair's optional statement."""
    ballot.require_phase(Phase.DECIDED)
    if (ballot.outcome or {}).get("status") == Status.AWAITING_CASTING_VOTE.value:
        raise BallotError("record the chair's casting vote before publishing")
    ballot.stage, ballot.statement, ballot.published_at = Stage.PUBLISHED, statement, clock.now()
    audit.record("ballot.publish", ballot, statement=statement)
    for callback in on_publish:
        callback(ballot)


def call_vote(parent: Ballot, by: User) -> Ballot:
    """Create a draft motion vote on a consensus round's proposal that did not reach consensus."""
    if parent.kind is not Kind.CONSENSUS:
        raise BallotError("a vote is called on a consensus round")
    if parent.stage not in (Stage.DECIDED, Stage.PUBLISHED) or \
            (parent.outcome or {}).get("status") != Status.NOT_REACHED.value:
        raise BallotError("a vote can be called only when the round ended without consensus")
    now = clock.now()
    child = Ballot(title=f"Vote: {parent.title}"[:200], text=parent.text, kind=Kind.MOTION,
                   parent=parent, created_by=by, opens_at=now, closes_at=now + (parent.closes_at
                   - parent.opens_at), quorum=parent.quorum, secrecy=parent.secrecy)
    db.session.add(child)
    audit.record("ballot.call_vote", child, parent_id=parent.id, title=child.title)
    return child
