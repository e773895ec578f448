"""The pure rule for moving an open ballot's close: close now, later, earlier with notice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from voting.close_rules import (
    CloseMove,
    CloseRuleError,
    everyone_answered,
    plan_close_change,
)

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
OPENS, CLOSES = NOW - timedelta(days=2), NOW + timedelta(days=5)
DAY = timedelta(hours=24)


def plan(new_close, eligible=5, answered=3, now=NOW, opens=OPENS, closes=CLOSES):
    return plan_close_change(now=now, opens_at=opens, closes_at=closes, new_close=new_close,
                             eligible=eligible, answered=answered, notice=DAY)


def test_close_now_once_everyone_answered():
    change = plan(None, answered=5)
    assert (change.move, change.old, change.new, change.announce) == (
        CloseMove.NOW, CLOSES, NOW, False)


def test_close_now_refused_while_a_company_has_not_answered():
    with pytest.raises(CloseRuleError, match="4 of 5 companies have answered"):
        plan(None, answered=4)


def test_empty_electorate_never_counts_as_everyone():
    assert not everyone_answered(0, 0)
    assert everyone_answered(3, 3)


def test_later_any_time_and_announced():
    change = plan(CLOSES + DAY)
    assert change.move is CloseMove.LATER and change.announce


def test_earlier_needs_the_reminder_period_of_notice():
    change = plan(NOW + DAY)
    assert change.move is CloseMove.EARLIER and change.new == NOW + DAY and change.announce
    with pytest.raises(CloseRuleError, match="24 hours' notice"):
        plan(NOW + DAY - timedelta(minutes=1))


def test_same_close_and_naive_time_refused():
    with pytest.raises(CloseRuleError, match="already"):
        plan(CLOSES)
    with pytest.raises(CloseRuleError, match="time zone"):
        plan(CLOSES.replace(tzinfo=None) + DAY)


def test_only_an_open_ballot():
    with pytest.raises(CloseRuleError, match="open ballot"):
        plan(None, answered=5, now=CLOSES)
    with pytest.raises(CloseRuleError, match="open ballot"):
        plan(CLOSES + DAY, now=OPENS - DAY)


def test_not_more_than_a_year_ahead():
    with pytest.raises(CloseRuleError, match="a year"):
        plan(NOW + timedelta(days=400))
