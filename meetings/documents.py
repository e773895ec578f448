"""PURE: the minutes drafted in Markdown and the iCalendar text, from plain facts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from icalendar import Calendar, Event

MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")  # every line starts with a marker of ours
PRODID = "-//Concord//Meetings//EN"


def md(text: str) -> str:
    """Escape text for Markdown (one line: line breaks become spaces)."""
    return MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


@dataclass(frozen=True)
class AttendanceLine:
    """The people one company (or organisation) sent."""

    company: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class ItemLine:
    """One agenda item as the minutes tell it."""

    title: str
    plus_ones: tuple[str, ...] = ()
    link: str = ""
    decision: str = ""  # the outcome in words, when decided
    carried: bool = False  # an open action item carried over from an earlier meeting


@dataclass(frozen=True)
class ActionLine:
    """One action item."""

    title: str
    owner: str
    due_on: date | None
    status: str


@dataclass(frozen=True)
class MinutesFacts:
    """Everything the draft is made of."""

    title: str
    starts_at: datetime
    attendance: Sequence[AttendanceLine] = ()
    items: Sequence[ItemLine] = ()
    actions: Sequence[ActionLine] = ()
    notes: str = field(default="")


def draft_minutes(facts: MinutesFacts) -> str:
    """Return a Markdown draft: attendance per company, agenda, decisions, action items."""
    when = facts.starts_at.astimezone(UTC).strftime("%-d %B %Y, %H:%M UTC")
    lines = [f"# {md(facts.title)}", "", f"{when}", "", "## Attendance", ""]
    lines += [f"- **{md(a.company)}**: {', '.join(md(n) for n in a.names)}"
              for a in facts.attendance] or ["- No attendance recorded."]
    lines += ["", "## Agenda", ""]
    for n, item in enumerate(facts.items, 1):
        extra = " (carried over)" if item.carried else ""
        plus = f" (+1: {', '.join(md(c) for c in item.plus_ones)})" if item.plus_ones else ""
        lines.append(f"{n}. {md(item.title)}{extra}{plus}")
        if item.link:
            lines.append(f"   - See {item.link}")
        if item.decision:
            lines.append(f"   - Decision: {md(item.decision)}")
    if not facts.items:
        lines.append("No agenda items.")
    decided = [i for i in facts.items if i.decision]
    lines += ["", "## Decisions", ""]
    lines += [f"- {md(i.title)}: {md(i.decision)}" for i in decided] or ["- None."]
    lines += ["", "## Action items", ""]
    lines += [f"- [{'x' if a.status == 'done' else ' '}] {md(a.title)} ({md(a.owner)}"
              f"{', due ' + a.due_on.isoformat() if a.due_on else ''}; {a.status})"
              for a in facts.actions] or ["- None."]
    if facts.notes.strip():
        lines += ["", "## Notes", "", facts.notes.strip()]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class CalendarEvent:
    """One meeting as a calendar sees it."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    url: str
    sequence: int
    cancelled: bool = False


def calendar_text(name: str, events: Sequence[CalendarEvent], stamp: datetime) -> str:
    """Return an RFC 5545 calendar (CRLF lines, folded at 75 octets) holding the events."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for e in events:
        event = Event()
        event.add("uid", e.uid)
        event.add("dtstamp", stamp.astimezone(UTC))
        event.add("dtstart", e.starts_at.astimezone(UTC))
        event.add("dtend", e.ends_at.astimezone(UTC))
        event.add("summary", e.summary)
        event.add("description", e.description)
        event.add("url", e.url)
        event.add("sequence", e.sequence)
        event.add("status", "CANCELLED" if e.cancelled else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical().decode("utf-8")
