"""PURE: meeting rules: series times, agenda order and +1s, the sense of the meeting, reminders.

Plain values in, frozen dataclasses out: no Flask, no database. The sense of the meeting is
counted by the decisions' own `voting.rules.consensus_counts`, so a meeting's consensus reads
exactly like a round's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from core.domain_errors import DomainError
from voting.outcome import Objection, Outcome
from voting.rules import DEFAULT_QUORUM, Quorum, Response, consensus_counts

MAX_SERIES = 52  # a year of weekly calls at most, in one go
MAX_EVERY_DAYS = 91
ITEM_LINKS = ("proposal", "ballot", "survey", "roadmap_item")


class MeetingError(DomainError):
    """A meeting step the rules refuse; the message says why (HTTP status: `status`)."""


class MeetingState(StrEnum):
    """Where a meeting is: scheduled, minutes published, or cancelled."""

    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class ActionStatus(StrEnum):
    """An action item is open until done or dropped."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class DecisionMethod(StrEnum):
    """How an agenda item was decided: the sense of the meeting, or a ballot for all members."""

    SENSE = "sense"
    CONSENSUS_ROUND = "consensus_round"
    VOTE = "vote"


class Confirmation(StrEnum):
    """What absent members may do about a decision taken in a meeting (MEETING_CONFIRMATION)."""

    CONSENSUS_ROUND = "consensus_round"  # a consensus round open to all member companies
    NONE = "none"  # the meeting's decision stands as taken


def series_starts(first: datetime, every_days: int, count: int,
                  alternate: time | None = None) -> list[datetime]:
    """Return the start of each meeting of a series; odd ones at the `alternate` UTC time."""
    if first.tzinfo is None:
        raise MeetingError("the first meeting's time must carry its zone")
    if not 1 <= count <= MAX_SERIES:
        raise MeetingError(f"a series has 1 to {MAX_SERIES} meetings")
    if count > 1 and not 1 <= every_days <= MAX_EVERY_DAYS:
        raise MeetingError(f"meetings repeat every 1 to {MAX_EVERY_DAYS} days")
    start = first.astimezone(UTC)
    starts = []
    for n in range(count):
        day = start.date() + timedelta(days=n * every_days)
        at = alternate if alternate is not None and n % 2 else start.time()
        starts.append(datetime.combine(day, at.replace(tzinfo=None), tzinfo=UTC))
    return starts


def moved(order: Sequence[int], item_id: int, direction: str) -> list[int]:
    """Return the agenda order with one item moved one place up or down."""
    ids = list(order)
    if item_id not in ids or direction not in ("up", "down"):
        raise MeetingError("unknown agenda item or direction", 404)
    at = ids.index(item_id)
    to = at - 1 if direction == "up" else at + 1
    if not 0 <= to < len(ids):
        raise MeetingError(f"this item is already {'first' if to < 0 else 'last'}", 409)
    ids[at], ids[to] = ids[to], ids[at]
    return ids


def endorse_refusal(company_id: int | None, endorsers: Iterable[int], open_agenda: bool) -> str:
    """Say why a company may not +1 an agenda item ('' when it may)."""
    if company_id is None:
        return "only a representative of a member company can +1 an item"
    if not open_agenda:
        return "the agenda is closed: the meeting's minutes are published or it was cancelled"
    if company_id in set(endorsers):
        return "your company has already +1'd this item (a company +1s an item once)"
    return ""


@dataclass(frozen=True)
class Position:
    """One attending company's position on the sense of the meeting."""

    company: str
    response: Response
    reason: str = ""


def sense_of_meeting(positions: Sequence[Position], eligible: int,
                     quorum: Quorum = DEFAULT_QUORUM) -> Outcome:
    """Count the attending companies' positions against the member companies (the quorum base)."""
    if not positions:
        raise MeetingError("record the position of at least one attending company")
    names = [p.company for p in positions]
    if len(set(names)) != len(names):
        raise MeetingError("each company takes one position")
    objections = []
    for p in positions:
        if p.response is Response.OBJECT:
            if not p.reason.strip():
                raise MeetingError(f"{p.company} objects: record the reason")
            objections.append(Objection(p.company, p.reason.strip()))
    support = sum(p.response is Response.SUPPORT for p in positions)
    aside = sum(p.response is Response.STAND_ASIDE for p in positions)
    if len(positions) > eligible:
        raise MeetingError("more positions than member companies")
    return consensus_counts(support, aside, objections, eligible, quorum)


@dataclass(frozen=True)
class ActionFacts:
    """What the reminder rule needs to know about an action item."""

    id: int
    open: bool
    due_on: date | None
    owner_id: int | None


def reminders_due(today: date, items: Iterable[ActionFacts], sent: set[int],
                  days_before: int) -> list[ActionFacts]:
    """Return the open items with an owner that fall due within `days_before` days (or are late)."""
    return [i for i in items if i.open and i.owner_id is not None and i.due_on is not None
            and i.id not in sent and today >= i.due_on - timedelta(days=days_before)]
