"""What people do to ballots: cast and change votes, decide, the casting vote, publish, call a vote."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from core import audit, clock
from core.db import db
from core.users import User
from voting.ballot_rules import Phase, Secrecy, Stage, stored_choice
from voting.casting import CastReceipt, cast_vote
from voting.count import CastBallot, decide, tally
from voting.errors import BallotError, NotEntitled, WrongPhase
from voting.models import Ballot
from voting.outcome import Kind, Outcome, Status
from voting.tiebreak import TieBreak, apply_casting_vote, lot_seed
from voting.votes import current_votes

# Features that act on published outcomes (cycles: the register) register a callback here; it
# runs inside publish(), in the same transaction, so an outcome and its effects commit together.
on_publish: list[Callable[[Ballot], None]] = []


def lock(ballot: Ballot, *, share: bool) -> None:
    """Lock the ballot's row and reload it: votes share the lock, counting takes it alone.

    A vote in flight when the chair counts therefore either commits before the count reads
    the votes, or waits and then finds the ballot decided.
    """
    stmt = select(Ballot).where(Ballot.id == ballot.id).with_for_update(read=share)
    db.session.execute(stmt.execution_options(populate_existing=True)).scalar_one()


def cast(ballot: Ballot, user: User, raw: dict[str, Any]) -> CastReceipt:
    """Record or change the user's company's vote on the ballot and commit (voting.casting)."""
    return cast_vote(ballot.id, user, raw)


def counted_ballots(ballot: Ballot) -> list[CastBallot]:
    """Return the ballots that count: each company's current vote, read as counted."""
    spec = ballot.spec()
    return [CastBallot(v.receipt, stored_choice(spec, v.choice), v.company.name)
            for v in current_votes(ballot.id)]


def count(ballot: Ballot) -> Outcome:
    """Count the ballot's current votes under its rules (deterministic)."""
    ballots, spec = counted_ballots(ballot), ballot.spec()
    seed = None
    if spec.tie_break is TieBreak.LOT:
        seed = lot_seed(ballot.lot_secret or "", [b.receipt for b in ballots])
    counted = tally(spec, ballots, secret=ballot.secrecy is Secrecy.SECRET)
    return decide(spec, counted, len(ballot.electors), seed)


def decide_ballot(ballot: Ballot) -> Outcome:
    """Count a closed ballot and store the outcome (it may await the chair's casting vote)."""
    lock(ballot, share=False)
    ballot.require_phase(Phase.CLOSED)
    outcome = count(ballot)
    ballot.outcome, ballot.stage, ballot.decided_at = outcome.to_dict(), Stage.DECIDED, clock.now()
    audit.record("ballot.decide", ballot, status=outcome.status.value, summary=outcome.summary,
                 lot_secret_revealed=ballot.lot_secret)
    return outcome


def record_casting_vote(ballot: Ballot, choice: str, chair: User) -> Outcome:
    """Settle a tie with the casting vote of the chair fixed when the ballot opened, only."""
    ballot.require_phase(Phase.DECIDED)
    if (ballot.outcome or {}).get("status") != Status.AWAITING_CASTING_VOTE.value:
        raise WrongPhase("this ballot is not awaiting a casting vote")
    if ballot.casting_voter_id != chair.id:
        raise NotEntitled(f"only {ballot.casting_voter}, chair when this ballot opened, casts "
                          "its casting vote; no one else, administrators included, may")
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
        raise WrongPhase("record the chair's casting vote before publishing")
    ballot.stage, ballot.statement, ballot.published_at = Stage.PUBLISHED, statement, clock.now()
    audit.record("ballot.publish", ballot, statement=statement)
    for callback in on_publish:
        callback(ballot)


def called_vote(parent: Ballot) -> Ballot | None:
    """Return the vote called on a consensus round, unless it was withdrawn."""
    stmt = select(Ballot).where(Ballot.parent_id == parent.id, Ballot.withdrawn_at.is_(None))
    return db.session.scalars(stmt).first()


def call_vote(parent: Ballot, by: User) -> Ballot:
    """Create a draft motion vote on a consensus round's proposal that did not reach consensus."""
    if parent.kind is not Kind.CONSENSUS:
        raise BallotError("a vote is called on a consensus round")
    if parent.stage not in (Stage.DECIDED, Stage.PUBLISHED) or \
            (parent.outcome or {}).get("status") != Status.NOT_REACHED.value:
        raise WrongPhase("a vote can be called only when the round ended without consensus")
    if (existing := called_vote(parent)) is not None:
        raise WrongPhase(f"a vote was already called on this round (ballot #{existing.id}); "
                         "withdraw it first to call another")
    now = clock.now()
    child = Ballot(title=f"Vote: {parent.title}"[:200], text=parent.text, kind=Kind.MOTION,
                   parent=parent, created_by=by, opens_at=now, closes_at=now + (parent.closes_at
                   - parent.opens_at), quorum=parent.quorum, secrecy=parent.secrecy,
                   subject_company_id=parent.subject_company_id)
    db.session.add(child)
    audit.record("ballot.call_vote", child, parent_id=parent.id, title=child.title)
    return child


def withdraw(ballot: Ballot, reason: str) -> None:
    """Withdraw a draft or open ballot with a reason; it is never counted."""
    if not reason.strip():
        raise BallotError("say why the ballot is withdrawn")
    lock(ballot, share=False)
    ballot.withdraw()
    audit.record("ballot.withdraw", ballot, reason=reason.strip(), parent_id=ballot.parent_id)
