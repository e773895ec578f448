"""Casting a vote: the hot path of a deadline surge, in a few statements built once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, column, text
from sqlalchemy.exc import IntegrityError

from core import audit, clock
from core.db import db
from core.users import User
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
from voting.models import Ballot
from voting.outcome import CHOICE_KINDS, Kind
from voting.schulze import Unranked
from voting.votes import lock_for_vote, new_receipt, store_vote


@dataclass(frozen=True)
class CastReceipt:
    """What the voter is told: the receipt, the version and the company (read before commit)."""

    receipt: str
    version: int
    company: str


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
    lane_tried: bool = False  # the same statement tried for a free audit lane...
    lane: int | None = None  # ...and took this one (None: every lane was busy)

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
    the same statement then tries for a free audit lane (BallotForVote.lane).
    """
    conn = db.session.connection()
    pg = conn.dialect.name == "postgresql"
    params = {"ballot": ballot_id, "company": company_id, "lane_key": audit.PG_LOCK_KEY,
              "lane_last": audit.LANES - 1}
    row, lane_tried = None, False
    if company_id is not None:
        lane_tried = pg and audit.held_lane() is None
        row = conn.execute(HOLD_PG_LANE if lane_tried else HOLD_PG if pg else HOLD_SQLITE,
                           params).first()
    if row is None:
        # No company, not in the electorate, or no such ballot: read the ballot alone (the
        # vote will be refused, so it takes no elector row and no lane).
        row, lane_tried = conn.execute(READ_PG if pg else READ_SQLITE, params).first(), False
    if row is None:
        return None
    return BallotForVote(row.id, row.kind, row.stage, row.opens_at, row.closes_at,
                         row.withdrawn_at is not None, row.unranked, row.allow_equal_ranks,
                         row.default_option, bool(row.elector), lane_tried, row.lane)


def cast_vote(ballot_id: int, user: User, raw: Any,
              check: Callable[[BallotForVote], None] | None = None) -> CastReceipt:
    """Record or change the user's company's vote on a ballot and commit.

    `check` sees the ballot as read under the locks, before the rules do (the API's 404
    for drafts and its checks of the request's shape come first, as on every endpoint).
    """
    try:
        return _cast_once(ballot_id, user, raw, check)
    except IntegrityError:
        # A unique key refused the write: a receipt drawn twice, or a colleague's vote that
        # slipped in first where no row lock guards it. Start once more with fresh values.
        db.session.rollback()
        return _cast_once(ballot_id, user, raw, check)


def _cast_once(ballot_id: int, user: User, raw: Any,
               check: Callable[[BallotForVote], None] | None) -> CastReceipt:
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
    options = ballot_options(ballot_id) if ballot.kind in CHOICE_KINDS else ()
    try:
        choice = normalize_choice(ballot.choice_spec(options), raw)
    except ChoiceError as exc:
        raise BallotError(str(exc)) from exc
    # Lock order, the same for every vote: ballot (shared), the company's elector row, an
    # audit lane, the company's vote row. Colleagues queue on the elector row before taking
    # a lane, so no lane holder ever waits for another vote of its company (no deadlock).
    # The close is absolute: the time stored is read after every lock this vote waits for,
    # and checked again (a database trigger checks it too).
    lane = audit.adopt_lane(ballot.lane) if ballot.lane_tried else audit.lock_chain()
    version, head = lock_for_vote(ballot_id, company.id, lane)
    now, receipt = clock.now(), new_receipt()
    ballot.require_open(now)
    # The audit row names who voted, never the choice nor the receipt: an open ballot's
    # record maps receipts to choices, so a receipt here would unmask a secret ballot.
    event = audit.next_event(lane, head, now, "vote.cast", ballot, user,
                             {"company": company.name, "version": version})
    store_vote({"ballot_id": ballot_id, "company_id": company.id, "choice": choice,
                "receipt": receipt, "version": version, "cast_by_id": user.id, "cast_at": now},
               event)
    done = CastReceipt(receipt, version, company.name)  # read now: commit expires the company
    db.session.commit()
    return done


def ballot_options(ballot_id: int) -> tuple[str, ...]:
    """Return a choice ballot's option labels in order (frozen once it opened)."""
    rows = db.session.connection().execute(OPTIONS, {"ballot": ballot_id})
    return tuple(label for (label,) in rows)


def _statements() -> dict[str, Any]:
    """Build the vote's reads as SQL text with typed columns (compiled once, then cached).

    SQL text because the ballot's row is shared and the elector's held alone in one
    statement, which SQLAlchemy's single FOR clause cannot say; SQLite, one writer at a
    time, needs neither clause.
    """
    ballot = Ballot.__table__.c
    fields = ("id", "kind", "stage", "opens_at", "closes_at", "withdrawn_at", "unranked",
              "allow_equal_ranks", "default_option")
    typed = [ballot[name] for name in fields]
    listed = ", ".join(fields)
    ballot_and_elector = (
        f"SELECT {', '.join(f'b.{name}' for name in fields)}, e.id AS elector FROM ballot AS b "
        "JOIN ballot_elector AS e ON e.ballot_id = b.id AND e.company_id = :company "
        "WHERE b.id = :ballot")
    locks = " FOR SHARE OF b FOR UPDATE OF e"
    # On PostgreSQL the lane is tried by the outer query, for the row the inner one returns:
    # only once the ballot and elector rows are locked. So a vote never holds a lane while it
    # waits for its company's turn, and no lane holder waits for a colleague (no deadlock).
    try_lane = audit.TRY_LANE_SQL.format(ready="found.elector IS NOT NULL")

    def outer(lane: str, inner: str) -> str:
        return f"SELECT {listed}, elector, {lane} AS lane FROM ({inner}) AS found"

    alone = f"SELECT {listed}, NULL AS elector, NULL AS lane FROM ballot WHERE id = :ballot"

    def build(sql: str) -> Any:
        stmt = text(sql).bindparams(bindparam("ballot", type_=ballot["id"].type))
        for name in ("company", "lane_key", "lane_last"):
            if f":{name}" in sql:
                stmt = stmt.bindparams(bindparam(name, type_=Integer()))
        return stmt.columns(*typed, column("elector", Integer), column("lane", Integer))

    return {
        "HOLD_PG": build(outer("NULL", ballot_and_elector + locks)),
        "HOLD_PG_LANE": build(outer(try_lane, ballot_and_elector + locks)),
        "HOLD_SQLITE": build(outer("NULL", ballot_and_elector)),
        "READ_PG": build(alone + " FOR SHARE"),
        "READ_SQLITE": build(alone),
        "OPTIONS": text("SELECT label FROM ballot_option WHERE ballot_id = :ballot "
                        "ORDER BY position"),
    }


_BUILT = _statements()
HOLD_PG, HOLD_PG_LANE, HOLD_SQLITE = _BUILT["HOLD_PG"], _BUILT["HOLD_PG_LANE"], _BUILT["HOLD_SQLITE"]
READ_PG, READ_SQLITE, OPTIONS = _BUILT["READ_PG"], _BUILT["READ_SQLITE"], _BUILT["OPTIONS"]
