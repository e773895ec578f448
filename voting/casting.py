"""Casting a vote: the hot path of a deadline surge, in a few statements built once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from core import audit, clock
from core.db import db
from core.users import User, display_name
from voting import cast_sql as sql
from voting.ballot_rules import (
    BallotSpec,
    ChoiceError,
    Phase,
    Stage,
    normalize_choice,
    phase,
    phase_refusal,
)
from voting.errors import BallotError, NoSuchBallot, NotEntitled, WrongPhase
from voting.outcome import CHOICE_KINDS, Kind
from voting.schulze import Unranked
from voting.votes import lock_for_vote, new_receipt, store_vote

Check = Callable[["BallotForVote"], None]


@dataclass(frozen=True)
class CastReceipt:
    """What the voter is told: the receipt, the version and the company; and who cast it."""

    receipt: str
    version: int
    company: str
    cast_by: int


@dataclass(frozen=True)
class Voter:
    """Who casts and for which company (the audit event's actor: its id and its name)."""

    id: int
    name: str
    company_id: int
    company_name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Turn:
    """Taken once the ballot and elector rows are held: an audit lane, its head, the vote row."""

    lane: int | None  # None: every lane was busy
    seq: int | None  # the lane's head, read as of the moment the lane was held (None: empty)
    hash: str | None
    version: int  # the company's next version of its vote (its row now held, if any)


@dataclass(frozen=True)
class BallotForVote:
    """The facts of a ballot a vote needs, read with the vote's locks (a row, not the model)."""

    id: int
    kind: Kind
    stage: Stage
    opens_at: datetime
    closes_at: datetime
    withdrawn: bool
    unranked: Unranked
    allow_equal_ranks: bool
    default_option: str | None
    elector: bool  # the voter's company is in the electorate (its row is now held)
    turn: Turn | None = None  # what the same statement took after those rows (PostgreSQL)

    __tablename__ = "ballot"  # the audit event's subject, as for the model

    def phase(self, now: datetime | None = None) -> Phase:
        """Return the phase at a moment (now by default), by the same rule as the model."""
        return phase(self.stage, self.opens_at, self.closes_at, now or clock.now(),
                     withdrawn=self.withdrawn)

    def require_open(self, now: datetime | None = None) -> None:
        """Refuse unless the ballot takes votes (at `now`)."""
        current = self.phase(now)
        if current is not Phase.OPEN:
            raise WrongPhase(phase_refusal(current, (Phase.OPEN,)))

    def choice_spec(self, options: tuple[str, ...]) -> BallotSpec:
        """Return what checking a choice needs (the count's rules are not read here)."""
        return BallotSpec(self.kind, options, unranked=self.unranked,
                          allow_equal_ranks=self.allow_equal_ranks,
                          default_option=self.default_option)


def load_for_vote(ballot_id: int, company_id: int | None) -> BallotForVote | None:
    """Read a ballot with the vote's shared lock and hold the company's elector row, at once.

    The ballot's row is shared by every vote and taken alone by the count, so a vote in
    flight when the chair counts either commits first or waits and then finds the ballot
    counted. The elector row is the company's own turn: two colleagues voting at once queue
    there, so the second sees the first's vote and records the next version. On PostgreSQL
    the same statement then takes the rest of the turn (BallotForVote.turn): a free audit
    lane, the lane's head and the company's vote row.
    """
    conn = db.session.connection()
    pg = conn.dialect.name == "postgresql"
    params = {"ballot": ballot_id, "company": company_id, **_LANE_PARAMS}
    row, turn = None, False
    if company_id is not None:
        turn = pg and audit.held_lane() is None  # else the held lane is the vote's lane
        stmt = sql.HOLD_PG_TURN if turn else sql.HOLD_PG if pg else sql.HOLD_SQLITE
        row = conn.execute(stmt, params).first()
    if row is None:
        # No company, not in the electorate, or no such ballot: read the ballot alone (the
        # vote will be refused, so it takes no elector row and no lane).
        row, turn = conn.execute(sql.READ_PG if pg else sql.READ_SQLITE, params).first(), False
    return None if row is None else _facts(row, turn)


def _facts(row: Any, turn: bool) -> BallotForVote:
    return BallotForVote(row.id, row.kind, row.stage, row.opens_at, row.closes_at,
                         row.withdrawn_at is not None, row.unranked, row.allow_equal_ranks,
                         row.default_option, bool(row.elector),
                         Turn(row.lane, row.head_seq, row.head_hash, (row.version or 0) + 1)
                         if turn else None)


def cast_vote(ballot_id: int, user: User, raw: Any, check: Check | None = None) -> CastReceipt:
    """Record or change the user's company's vote on a ballot and commit.

    `check` sees the ballot as read under the locks, before the rules do (the API's 404
    for drafts and its checks of the request's shape come first, as on every endpoint).
    """
    return _twice(lambda: _cast_once(ballot_id, user, raw, check))


def cast_by_token(digest: str, ballot_id: int, raw: Any, check: Check | None = None,
                  member: Callable[[int], None] | None = None) -> CastReceipt | None:
    """Cast for a bearer token's member, if it is the API's common case, in one statement.

    The statement finds the token's member, the company they represent today, that
    company's elector row, the ballot and the turn. It finds nothing for anything else (no
    such token or ballot, revoked, no company today, not an elector, or SQLite): then None,
    and the caller takes the usual path, which says exactly why. `member` is told the
    member's user id as soon as the statement has found them.
    """
    return _twice(lambda: _cast_by_token_once(digest, ballot_id, raw, check, member))


def _twice(attempt: Callable[[], Any]) -> Any:
    try:
        return attempt()
    except IntegrityError:
        # A unique key refused the write: a receipt drawn twice, or a colleague's first vote
        # that slipped in where no row existed to lock. Start once more with fresh values.
        db.session.rollback()  # (a connection of the token path rolled back as it closed)
        return attempt()


def _cast_once(ballot_id: int, user: User, raw: Any, check: Check | None) -> CastReceipt:
    company = user.company()
    ballot = load_for_vote(ballot_id, company.id if company else None)
    if ballot is None:
        raise NoSuchBallot("no such ballot")
    if check is not None:
        check(ballot)
    ballot.require_open()
    if company is None:
        raise NotEntitled("you do not represent a company, so you cannot vote")
    if not ballot.elector:
        raise NotEntitled(f"{company.name} is not in this ballot's electorate (the companies "
                          "that were members when it opened, less any company it concerns)")
    return _record(ballot, Voter(user.id, str(user), company.id, company.name), raw)


def _cast_by_token_once(digest: str, ballot_id: int, raw: Any, check: Check | None,
                        member: Callable[[int], None] | None) -> CastReceipt | None:
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    # A connection of its own, not the ORM session's: this path loads no model, and the
    # session's unit of work around BEGIN and COMMIT was a fifth of the vote.
    with db.engine.connect() as conn:
        row = conn.execute(sql.TOKEN_TURN, {"digest": digest, "day": clock.today(),
                                            "ballot": ballot_id, **_LANE_PARAMS}).first()
        if row is None:
            return None  # nothing was locked; the usual path starts afresh
        if member is not None:
            member(row.user_id)
        ballot = _facts(row, turn=True)
        if check is not None:
            check(ballot)
        ballot.require_open()
        voter = Voter(row.user_id, display_name(row.user_id, row.user_name, row.user_email),
                      row.company_id, row.company_name)
        return _record(ballot, voter, raw, conn)


def _record(ballot: BallotForVote, voter: Voter, raw: Any, conn: Any = None) -> CastReceipt:
    """Check the choice, take the rest of the turn if need be, write and commit.

    On `conn` if given (a Core connection the caller closes), else in the ORM session.
    """
    options = ballot_options(ballot.id, conn) if ballot.kind in CHOICE_KINDS else ()
    try:
        choice = normalize_choice(ballot.choice_spec(options), raw)
    except ChoiceError as exc:
        raise BallotError(str(exc)) from exc
    # Lock order, the same for every vote: ballot (shared), the company's elector row, an
    # audit lane, the company's vote row. Colleagues queue on the elector row before taking
    # a lane, so no lane holder ever waits for another vote of its company (no deadlock).
    # The close is absolute: the time stored is read after every lock this vote waits for,
    # and checked again (a database trigger checks it too).
    turn = ballot.turn
    if turn is not None and turn.lane is not None:
        lane, version, head = audit.adopt_lane(turn.lane, conn), turn.version, turn
    else:  # SQLite, a lane held already, or every lane busy: wait for one, then read
        lane = audit.adopt_lane(None, conn) if turn is not None else audit.lock_chain()
        version, head = lock_for_vote(ballot.id, voter.company_id, lane, conn)
    now, receipt = clock.now(), new_receipt()
    ballot.require_open(now)
    # The audit row names who voted, never the choice nor the receipt: an open ballot's
    # record maps receipts to choices, so a receipt here would unmask a secret ballot.
    event = audit.next_event(lane, head, now, "vote.cast", ballot, voter,
                             {"company": voter.company_name, "version": version})
    store_vote({"ballot_id": ballot.id, "company_id": voter.company_id, "choice": choice,
                "receipt": receipt, "version": version, "cast_by_id": voter.id,
                "cast_at": now}, event, conn)
    (conn or db.session).commit()
    return CastReceipt(receipt, version, voter.company_name, voter.id)


def ballot_options(ballot_id: int, conn: Any = None) -> tuple[str, ...]:
    """Return a choice ballot's option labels in order (frozen once it opened)."""
    rows = (conn or db.session.connection()).execute(sql.OPTIONS, {"ballot": ballot_id})
    return tuple(label for (label,) in rows)


_LANE_PARAMS = {"lane_key": audit.PG_LOCK_KEY, "lane_last": audit.LANES - 1}
