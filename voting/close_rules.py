"""Pure: when the chair may move an open ballot's close, and what the move is.

- **Close now** only once every company in the electorate has answered: nobody loses a
  chance to vote. Closing is setting the close to this moment (votes are refused at or
  after the close).
- **Later**, at any time while the ballot is open: nobody loses time.
- **Earlier**, but never sooner than the reminder period from now, so everyone who has not
  answered still gets the notice a reminder would have given them.

A later or earlier close is announced by e-mail to the representatives of the companies that
have not answered. Plain values in, a frozen dataclass out: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

MAX_EXTENSION = timedelta(days=366)  # a close further out than this is a new ballot


class CloseRuleError(ValueError):
    """A change of the close the rules refuse; the message says why."""


class CloseMove(StrEnum):
    """How the close moves."""

    NOW = "now"
    LATER = "later"
    EARLIER = "earlier"


@dataclass(frozen=True)
class CloseChange:
    """A permitted change: from `old` to `new`; `announce` when those not answered are told."""

    move: CloseMove
    old: datetime
    new: datetime

    @property
    def announce(self) -> bool:
        """Tell whether the companies that have not answered are e-mailed (not on close now)."""
        return self.move is not CloseMove.NOW


def _hours(period: timedelta) -> str:
    hours = int(period.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def everyone_answered(eligible: int, answered: int) -> bool:
    """Tell whether every eligible company has answered (an empty electorate never has)."""
    return eligible > 0 and answered >= eligible


def plan_close_change(*, now: datetime, opens_at: datetime, closes_at: datetime,
                      new_close: datetime | None, eligible: int, answered: int,
                      notice: timedelta) -> CloseChange:
    """Return the change of the close to `new_close` (None: close now), or refuse it."""
    if not opens_at <= now < closes_at:
        raise CloseRuleError("only the close of an open ballot can change")
    if new_close is None:
        if not everyone_answered(eligible, answered):
            raise CloseRuleError(
                f"{answered} of {eligible} companies have answered; it closes at once only "
                "when every company has. Move the close earlier with notice instead")
        if now <= opens_at:
            raise CloseRuleError("it opened this very moment; close it a moment later")
        return CloseChange(CloseMove.NOW, closes_at, now)
    if new_close.tzinfo is None:
        raise CloseRuleError("the new close needs a time zone")
    if new_close == closes_at:
        raise CloseRuleError("that is already the closing time")
    if new_close > closes_at:
        if new_close - now > MAX_EXTENSION:
            raise CloseRuleError("the close can move at most a year ahead")
        return CloseChange(CloseMove.LATER, closes_at, new_close)
    earliest = now + notice
    if new_close < earliest:
        raise CloseRuleError(
            f"an earlier close needs at least {_hours(notice)}' notice (the reminder period) "
            "for the companies that have not answered; choose a time at least that far ahead")
    return CloseChange(CloseMove.EARLIER, closes_at, new_close)
