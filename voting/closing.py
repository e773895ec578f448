"""Moving an open ballot's close: the stored record of each change, and the chair's action.

Each change is a row (shown on the ballot) and an audit event. A later or earlier close is
announced by e-mail to the companies that have not answered: `cycles.notify` sends a
`close_moved` notice for the ballot's latest change (`announce` true).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from core import audit, clock
from core.db import UTCDateTime, db
from core.users import User
from voting.ballot_rules import Phase
from voting.errors import BallotError
from voting.models import Ballot
from voting.votes import Vote

MAX_REASON = 1000


class CloseChangeRecord:
    """What every record of a moved close holds (ballots and surveys alike)."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        """Give each table its own checks (a constraint belongs to one table)."""
        return (CheckConstraint("move IN ('now', 'later', 'earlier')", name="move_known"),
                CheckConstraint("new_closes_at <> old_closes_at", name="moved"))

    id: Mapped[int] = mapped_column(primary_key=True)
    move: Mapped[str] = mapped_column(String(10))
    old_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    new_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(MAX_REASON), default="")
    announce: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    @declared_attr
    def changed_by(cls) -> Mapped[User | None]:
        """The chair (or an administrator standing in) who moved the close."""
        return relationship()


class CloseChange(CloseChangeRecord, db.Model):
    """One change of an open ballot's closing time, by the chair (or an admin standing in)."""

    __tablename__ = "ballot_close_change"

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), index=True)


def answered_count(ballot: Ballot) -> int:
    """Return how many companies of the electorate have a vote recorded."""
    stmt = select(func.count(Vote.id)).where(Vote.ballot_id == ballot.id)
    return db.session.scalar(stmt) or 0


def changes_of(ballot: Ballot) -> list[CloseChange]:
    """Return the ballot's close changes, oldest first."""
    return list(db.session.scalars(select(CloseChange).where(CloseChange.ballot_id == ballot.id)
                                   .order_by(CloseChange.changed_at, CloseChange.id)))


def change_close(ballot: Ballot, new_close: datetime | None, by: User, reason: str,
                 notice: timedelta) -> CloseChange:
    """Close an open ballot now, or move its close (audited and recorded); the caller commits.

    The ballot's row is locked first, as counting does: a vote in flight either commits
    before the close moves, or waits and then meets the new close.
    """
    from voting.actions import lock

    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise BallotError(f"the reason is longer than {MAX_REASON} characters")
    lock(ballot, share=False)
    ballot.require_phase(Phase.OPEN)
    planned = ballot.move_close(new_close, answered_count(ballot), notice)
    row = CloseChange(ballot_id=ballot.id, move=planned.move.value, old_closes_at=planned.old,
                      new_closes_at=planned.new, reason=reason, announce=planned.announce,
                      changed_by_id=by.id, changed_at=clock.now())
    db.session.add(row)
    audit.record("ballot.close_change", ballot, actor=by, move=planned.move.value,
                 closes_at_from=planned.old, closes_at_to=planned.new, reason=reason,
                 announced=planned.announce)
    return row
