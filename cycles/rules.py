"""Pure rules of the annual cycles: the invitation window, nomination criteria, chair terms.

Plain values in, frozen dataclasses out: no Flask, no database. The window is a yearly
period of `days` days starting on a month-day (settings INVITATION_WINDOW_START, e.g.
"06-01", and INVITATION_WINDOW_DAYS); its end is exclusive, like a chair term's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from core.member_rules import criteria_failures

MONTH_DAY_RE = re.compile(r"^(\d{2})-(\d{2})$")
MAX_WINDOW_DAYS = 365  # longer windows would overlap the next year's
MAX_CONTACTS = 10


class CycleRuleError(ValueError):
    """A setting or a value the cycle rules cannot work with; the message says why."""


def parse_month_day(text: str) -> tuple[int, int]:
    """Read 'MM-DD' (29 February is refused: not every year has it)."""
    match = MONTH_DAY_RE.match(str(text).strip())
    if not match:
        raise CycleRuleError(f"a window start reads MM-DD, e.g. 06-01, not {text!r}")
    month, day = int(match[1]), int(match[2])
    try:
        date(2001, month, day)  # a common year: refuses 02-29 and impossible days
    except ValueError as exc:
        raise CycleRuleError(f"{text!r} is not a day that every year has") from exc
    return month, day


@dataclass(frozen=True)
class Window:
    """One year's invitation window: from `opens_on` until the day before `closes_on`."""

    opens_on: date
    closes_on: date

    def __contains__(self, day: date) -> bool:
        return self.opens_on <= day < self.closes_on

    @property
    def last_day(self) -> date:
        """Return the last day nominations are accepted."""
        return self.closes_on - timedelta(days=1)


@dataclass(frozen=True)
class WindowRule:
    """The yearly window setting: a start month-day and a length in days."""

    month: int
    day: int
    days: int

    @classmethod
    def from_settings(cls, start: str, days: int) -> WindowRule:
        """Build the rule from the two settings, refusing unusable values."""
        month, day = parse_month_day(start)
        if not isinstance(days, int) or not 1 <= days <= MAX_WINDOW_DAYS:
            raise CycleRuleError(f"the window lasts 1 to {MAX_WINDOW_DAYS} days, not {days!r}")
        return cls(month, day, days)

    def in_year(self, year: int) -> Window:
        """Return the window that opens in `year`."""
        opens = date(year, self.month, self.day)
        return Window(opens, opens + timedelta(days=self.days))

    def containing(self, day: date) -> Window | None:
        """Return the window open on `day` (it may have opened the year before), if any."""
        for year in (day.year - 1, day.year):
            window = self.in_year(year)
            if day in window:
                return window
        return None

    def next_after(self, day: date) -> Window:
        """Return the first window that opens after `day`."""
        this_year = self.in_year(day.year)
        return this_year if this_year.opens_on > day else self.in_year(day.year + 1)

    def refusal(self, day: date) -> str:
        """Say why a nomination on `day` is refused and when the next window opens."""
        upcoming = self.next_after(day)
        return (f"Nominations are accepted only during the yearly invitation window "
                f"({self.days} days from {_words(upcoming.opens_on, year=False)}). "
                f"The next window opens on {_words(upcoming.opens_on)} and closes at the end "
                f"of {_words(upcoming.last_day)}.")


def _words(day: date, year: bool = True) -> str:
    """Say a date as '1 June 2027' (or '1 June')."""
    text = f"{day.day} {day.strftime('%B')}"
    return f"{text} {day.year}" if year else text


PARTICIPATION = "must commit to participate equally in meetings and activities"


def nomination_failures(operator_or_nsp: bool, participates: bool, dedicated_ftes: int,
                        upstream_ftes: int) -> list[str]:
    """Name each charter minimum criterion a nomination's evidence does not meet."""
    failures = criteria_failures(operator_or_nsp, dedicated_ftes, upstream_ftes)
    if not participates:
        failures.insert(1 if not operator_or_nsp else 0, PARTICIPATION)
    return failures


def parse_contacts(text: str) -> list[str]:
    """Split contact addresses given one per line (or comma-separated), lower-cased, once each."""
    seen: list[str] = []
    for part in re.split(r"[\s,;]+", text or ""):
        address = part.strip().lower()
        if address and address not in seen:
            seen.append(address)
    return seen


def effective_on(stated: date, today: date) -> date:
    """Return the day an outcome takes effect: the stated day, never before the day it is applied.

    A backdated change would rewrite who was a member when earlier ballots opened.
    """
    return max(stated, today)


def term_end(start: date) -> date:
    """Return the first day after a one-year term (a term from 29 February ends on 1 March)."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return date(start.year + 1, 3, 1)


@dataclass(frozen=True)
class TermSpan:
    """A recorded chair term: who, from `starts_on` until the day before `ends_on`."""

    id: int
    holder: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Succession:
    """How a new term fits the register: terms to end early, or why it cannot."""

    shorten: tuple[tuple[int, date], ...] = ()  # (term id, new ends_on)
    conflict: str | None = None


def plan_succession(terms: Iterable[TermSpan], starts_on: date, ends_on: date) -> Succession:
    """Fit a new term [starts_on, ends_on): a running term ends on its first day; a later one conflicts."""
    shorten = []
    for term in sorted(terms, key=lambda t: t.starts_on):
        if term.ends_on <= starts_on or term.starts_on >= ends_on:
            continue  # no overlap
        if term.starts_on < starts_on:
            shorten.append((term.id, starts_on))  # the outgoing chair's powers end that day
        else:
            return Succession(conflict=(
                f"the term of {term.holder} from {term.starts_on.isoformat()} to "
                f"{term.ends_on.isoformat()} overlaps; end or correct it first"))
    return Succession(shorten=tuple(shorten))


def candidate_label(name: str, company: str) -> str:
    """Name a chair candidate on the ballot: 'Carol Chen (AT&T)'.

    The label heads a column of the ballot export, which is written as it is (voting.recount
    reads it back), so a leading =, +, - or @ of a name is dropped: no formula in a spreadsheet.
    """
    shown = name.strip().lstrip("=+-@").strip() or "Candidate"
    return f"{shown} ({company.strip()})"[:200]


def winner(status: str, winners: Sequence[str]) -> str | None:
    """Return the single winner of a decided choice outcome, else None."""
    return winners[0] if status == "decided" and len(winners) == 1 else None


def slugify(name: str) -> str:
    """Make a company's short name for addresses: 'Deutsche Telekom AG' -> 'deutsche-telekom-ag'."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60].rstrip("-") or "company"
