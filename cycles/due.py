"""Pure: which e-mail notifications are due now, and to whom, from plain facts.

A ballot opened (to the representatives of every company in its electorate); a reminder
`reminder_hours` before it closes (to the representatives of companies that have not voted,
unless they turned reminders off); an outcome published (the electorate and the company a
cycle ballot is about, for `outcome_days`); an invitation (to its address while it is open).
A survey opened (to the representatives of the companies in its eligible snapshot); a
reminder `reminder_hours` before it closes (to the representatives of eligible companies that
have not submitted, or, for a per-representative survey, to each representative who has not
submitted). When the chair moves a ballot's close, the representatives of the companies that
have not voted are told (`close_moved`; a later move is told again), and so are those who
have not submitted when the chair moves a survey's close. A notice already sent
(its key is in `sent`) is never due again; one that failed is due again on the next run for
as long as it is still relevant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class NoticeKind(StrEnum):
    """What a notification tells its reader."""

    BALLOT_OPENED = "ballot_opened"
    BALLOT_REMINDER = "ballot_reminder"
    OUTCOME_PUBLISHED = "outcome_published"
    INVITED = "invited"
    SURVEY_OPENED = "survey_opened"
    SURVEY_REMINDER = "survey_reminder"
    CLOSE_MOVED = "close_moved"


@dataclass(frozen=True)
class BallotFacts:
    """What the rules need to know about a ballot."""

    id: int
    stage: str  # voting.ballot_rules.Stage value
    opens_at: datetime
    closes_at: datetime
    published_at: datetime | None = None
    electors: frozenset[int] = frozenset()  # company ids
    voted: frozenset[int] = frozenset()  # company ids whose vote is recorded
    concerned: frozenset[int] = frozenset()  # companies a cycle ballot is about
    close_moved_at: datetime | None = None  # the chair's latest move of the close, if any


@dataclass(frozen=True)
class SurveyFacts:
    """What the rules need to know about a survey."""

    id: int
    state: str  # surveys.rules.SurveyState value
    opens_at: datetime
    closes_at: datetime
    per_representative: bool = False  # one response per representative, not per company
    eligible: frozenset[int] = frozenset()  # company ids in the snapshot taken at opening
    submitted: frozenset[int] = frozenset()  # company ids (or user ids if per_representative)
    close_moved_at: datetime | None = None  # the chair's latest move of the close, if any


@dataclass(frozen=True)
class Person:
    """A representative today, with a verified address and their reminder preference."""

    user_id: int
    company_id: int
    email: str
    reminders: bool = True


@dataclass(frozen=True)
class InvitationFacts:
    """An open invitation."""

    id: int
    email: str


@dataclass(frozen=True)
class Notice:
    """One e-mail to send; `key` is what the log's unique constraints hold once."""

    kind: NoticeKind
    email: str
    ballot_id: int | None = None
    invitation_id: int | None = None
    user_id: int | None = None
    survey_id: int | None = None

    @property
    def key(self) -> tuple[str, int | None, int | None, int | None, int | None]:
        """Return (kind, ballot, invitation, user, survey): one sent notice per key, ever."""
        return (self.kind.value, self.ballot_id, self.invitation_id, self.user_id, self.survey_id)


def _ballot_notices(now: datetime, ballot: BallotFacts, people: Iterable[Person],
                    reminder: timedelta, outcome_days: int) -> list[Notice]:
    """Return the notices one ballot calls for at `now`."""
    notices = []
    is_open = ballot.stage == "open" and ballot.opens_at <= now < ballot.closes_at
    recent = (ballot.stage == "published" and ballot.published_at is not None
              and now - ballot.published_at <= timedelta(days=outcome_days))
    for person in people:
        def notice(kind: NoticeKind, person: Person = person) -> Notice:
            return Notice(kind, person.email, ballot_id=ballot.id, user_id=person.user_id)
        if is_open and person.company_id in ballot.electors:
            notices.append(notice(NoticeKind.BALLOT_OPENED))
            if (now >= ballot.closes_at - reminder and person.reminders
                    and person.company_id not in ballot.voted):
                notices.append(notice(NoticeKind.BALLOT_REMINDER))
            # A moved close is news for everyone who has not answered, reminders off or not.
            if ballot.close_moved_at is not None and person.company_id not in ballot.voted:
                notices.append(notice(NoticeKind.CLOSE_MOVED))
        if recent and person.company_id in ballot.electors | ballot.concerned:
            notices.append(notice(NoticeKind.OUTCOME_PUBLISHED))
    return notices


def _survey_notices(now: datetime, survey: SurveyFacts, people: Iterable[Person],
                    reminder: timedelta) -> list[Notice]:
    """Return the notices one survey calls for at `now` (nothing outside its window)."""
    if not (survey.state == "open" and survey.opens_at <= now < survey.closes_at):
        return []
    notices = []
    closing = now >= survey.closes_at - reminder
    for person in people:
        if person.company_id not in survey.eligible:
            continue
        notices.append(Notice(NoticeKind.SURVEY_OPENED, person.email, survey_id=survey.id,
                              user_id=person.user_id))
        answered = person.user_id if survey.per_representative else person.company_id
        if closing and person.reminders and answered not in survey.submitted:
            notices.append(Notice(NoticeKind.SURVEY_REMINDER, person.email, survey_id=survey.id,
                                  user_id=person.user_id))
        if survey.close_moved_at is not None and answered not in survey.submitted:
            notices.append(Notice(NoticeKind.CLOSE_MOVED, person.email, survey_id=survey.id,
                                  user_id=person.user_id))
    return notices


def due_notices(now: datetime, ballots: Iterable[BallotFacts], people: Iterable[Person],
                invitations: Iterable[InvitationFacts], sent: Iterable[tuple],
                reminder_hours: int = 24, outcome_days: int = 7,
                surveys: Iterable[SurveyFacts] = ()) -> list[Notice]:
    """Return every notice due at `now` that was not sent before, in a stable order."""
    if reminder_hours < 0 or outcome_days < 0:
        raise ValueError("reminder_hours and outcome_days cannot be negative")
    done, people = set(sent), list(people)
    reminder = timedelta(hours=reminder_hours)
    notices = [n for ballot in ballots
               for n in _ballot_notices(now, ballot, people, reminder, outcome_days)]
    notices += [n for survey in surveys for n in _survey_notices(now, survey, people, reminder)]
    notices += [Notice(NoticeKind.INVITED, inv.email, invitation_id=inv.id) for inv in invitations]
    unique = {n.key: n for n in notices if n.key not in done}
    return sorted(unique.values(), key=lambda n: (n.ballot_id or 0, n.survey_id or 0,
                                                  n.invitation_id or 0, n.kind.value,
                                                  n.user_id or 0))
