"""Pure rules of survey notifications (cycles/due.py): who is told a survey opened, who is reminded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cycles.due import BallotFacts, NoticeKind, Person, SurveyFacts, due_notices

NOW = datetime(2027, 6, 10, 12, 0, tzinfo=UTC)
# Users 1 and 2 represent company 10 (2 turned reminders off), 3 and 5 company 20, 4 company 30.
PEOPLE = [Person(1, 10, "a@att"), Person(2, 10, "b@att", reminders=False), Person(3, 20, "c@ntt"),
          Person(5, 20, "e@ntt"), Person(4, 30, "d@comcast")]
OPENED = {("survey_opened", u) for u in (1, 2, 3, 5)}  # company 30 is not in the snapshot


def survey(**changes) -> SurveyFacts:
    values = {"id": 9, "state": "open", "opens_at": NOW - timedelta(days=1),
              "closes_at": NOW + timedelta(hours=30), "eligible": frozenset({10, 20})}
    return SurveyFacts(**(values | changes))


def due(*surveys: SurveyFacts, sent=(), hours: int = 24):
    return due_notices(NOW, [], PEOPLE, [], sent=sent, reminder_hours=hours, surveys=surveys)


def keys(notices) -> set[tuple[str, int | None]]:
    return {(n.kind.value, n.user_id) for n in notices}


def reminders(*users: int) -> set[tuple[str, int]]:
    return {("survey_reminder", u) for u in users}


CLOSING = NOW + timedelta(hours=3)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # open, not yet within 24 h of the close: the snapshot's representatives
        (survey(), OPENED),
        # within 24 h, one response per company: companies that have not submitted,
        # unless the person turned reminders off (user 2)
        (survey(closes_at=CLOSING), OPENED | reminders(1, 3, 5)),
        (survey(closes_at=CLOSING, submitted=frozenset({20})), OPENED | reminders(1)),
        (survey(closes_at=CLOSING, submitted=frozenset({10, 20})), OPENED),
        # per representative: each person who has not submitted, not their whole company
        (survey(closes_at=CLOSING, per_representative=True, submitted=frozenset({3})),
         OPENED | reminders(1, 5)),
        # the submitted set holds user ids then: company id 20 spares nobody
        (survey(closes_at=CLOSING, per_representative=True, submitted=frozenset({20})),
         OPENED | reminders(1, 3, 5)),
        # the reminder starts exactly `reminder_hours` before the close
        (survey(closes_at=NOW + timedelta(hours=24)), OPENED | reminders(1, 3, 5)),
        (survey(closes_at=NOW + timedelta(hours=24, seconds=1)), OPENED),
        # a company outside the snapshot hears nothing, even if its people are representatives
        (survey(closes_at=CLOSING, eligible=frozenset({30})), {("survey_opened", 4),
                                                               ("survey_reminder", 4)}),
        # not yet open, closed by time or by the chair, draft or proposed: nothing
        (survey(opens_at=NOW + timedelta(minutes=1)), set()),
        (survey(closes_at=NOW), set()),
        (survey(state="closed", closes_at=CLOSING), set()),
        (survey(state="draft"), set()),
        (survey(state="proposed"), set()),
    ],
)
def test_due_notices_for_a_survey(facts, expected):
    assert keys(due(facts)) == expected


def test_sent_survey_notices_are_never_due_again():
    first = due(survey(closes_at=CLOSING))
    assert due(survey(closes_at=CLOSING), sent=[n.key for n in first]) == []
    # a failed reminder (not in `sent`) is due again while the survey is open
    retry = due(survey(closes_at=CLOSING), sent=[n.key for n in first if n.user_id != 3])
    assert keys(retry) == {("survey_opened", 3), ("survey_reminder", 3)}


def test_survey_and_ballot_notices_are_keyed_apart():
    # ballot 9 and survey 9, both open for user 1: sending one does not count as the other
    ballot = BallotFacts(9, "open", NOW - timedelta(days=1), NOW + timedelta(hours=30),
                         electors=frozenset({10}))
    notices = due_notices(NOW, [ballot], PEOPLE, [], sent=[], surveys=[survey()])
    ballot_sent = [n.key for n in notices if n.ballot_id is not None]
    left = due_notices(NOW, [ballot], PEOPLE, [], sent=ballot_sent, surveys=[survey()])
    assert {n.kind for n in left} == {NoticeKind.SURVEY_OPENED}
    assert all(n.ballot_id is None and n.survey_id == 9 for n in left)


def test_survey_notices_come_in_a_stable_order_once_per_key():
    notices = due(survey(closes_at=CLOSING), survey(closes_at=CLOSING))
    assert len(notices) == len(OPENED | reminders(1, 3, 5))
    assert notices == sorted(notices, key=lambda n: (n.kind.value, n.user_id))
    assert all(n.survey_id == 9 and n.invitation_id is None for n in notices)
