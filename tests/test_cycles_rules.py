"""Pure rules of the annual cycles: the window, criteria, terms, succession, due notifications."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cycles.due import BallotFacts, InvitationFacts, NoticeKind, Person, due_notices
from cycles.rules import (
    CycleRuleError,
    TermSpan,
    WindowRule,
    effective_on,
    nomination_failures,
    parse_contacts,
    parse_month_day,
    plan_succession,
    slugify,
    term_end,
    winner,
)

JUNE = WindowRule.from_settings("06-01", 30)  # 1 June to 30 June inclusive


@pytest.mark.parametrize(("text", "expected"), [("06-01", (6, 1)), ("12-31", (12, 31)),
                                                (" 01-15 ", (1, 15))])
def test_month_day_parses(text, expected):
    assert parse_month_day(text) == expected


@pytest.mark.parametrize("text", ["6-1", "06/01", "13-01", "02-29", "02-30", "", "june"])
def test_month_day_refuses(text):
    with pytest.raises(CycleRuleError):
        parse_month_day(text)


@pytest.mark.parametrize("days", [0, -1, 366, "30"])
def test_window_length_refused(days):
    with pytest.raises(CycleRuleError):
        WindowRule.from_settings("06-01", days)


@pytest.mark.parametrize(
    ("rule", "day", "opens", "closes"),
    [(JUNE, date(2027, 6, 1), date(2027, 6, 1), date(2027, 7, 1)),
     (JUNE, date(2027, 6, 30), date(2027, 6, 1), date(2027, 7, 1)),
     (JUNE, date(2027, 7, 1), None, None),
     (JUNE, date(2027, 5, 31), None, None),
     # a window across New Year still contains its January days
     (WindowRule.from_settings("12-15", 30), date(2028, 1, 10), date(2027, 12, 15),
      date(2028, 1, 14)),
     (WindowRule.from_settings("12-15", 30), date(2028, 1, 14), None, None)],
)
def test_window_containing(rule, day, opens, closes):
    window = rule.containing(day)
    assert (window.opens_on, window.closes_on) == (opens, closes) if opens else window is None


@pytest.mark.parametrize(
    ("day", "next_opens"),
    [(date(2027, 5, 31), date(2027, 6, 1)), (date(2027, 6, 1), date(2028, 6, 1)),
     (date(2027, 7, 1), date(2028, 6, 1)), (date(2027, 1, 1), date(2027, 6, 1))],
)
def test_next_window(day, next_opens):
    assert JUNE.next_after(day).opens_on == next_opens


def test_refusal_says_when_the_next_window_opens():
    words = JUNE.refusal(date(2027, 7, 2))
    assert "The next window opens on 1 June 2028" in words
    assert "closes at the end of 30 June 2028" in words and "30 days from 1 June" in words


@pytest.mark.parametrize(
    ("evidence", "failures"),
    [((True, True, 4, 2), []),
     ((False, True, 4, 2), ["must be a large operator and/or network service provider"]),
     ((True, False, 4, 2), ["must commit to participate equally in meetings and activities"]),
     ((True, True, 3, 2), ["needs at least 4 dedicated FTEs contributing to OpenStack (has 3)"]),
     ((True, True, 4, 1), ["needs at least 2 FTEs on upstream roadmap work (has 1)"]),
     ((False, False, 0, 0), ["must be a large operator and/or network service provider",
                             "must commit to participate equally in meetings and activities",
                             "needs at least 4 dedicated FTEs contributing to OpenStack (has 0)",
                             "needs at least 2 FTEs on upstream roadmap work (has 0)"])],
)
def test_nomination_failures_name_each_criterion(evidence, failures):
    assert nomination_failures(*evidence) == failures


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a@x.org\nB@X.org", ["a@x.org", "b@x.org"]), ("a@x.org, a@x.org;c@y", ["a@x.org", "c@y"]),
     ("  \n ", [])],
)
def test_parse_contacts(text, expected):
    assert parse_contacts(text) == expected


@pytest.mark.parametrize(
    ("stated", "today", "expected"),
    [(date(2027, 7, 1), date(2027, 6, 20), date(2027, 7, 1)),
     (date(2027, 7, 1), date(2027, 7, 5), date(2027, 7, 5))],  # never backdated
)
def test_effective_on(stated, today, expected):
    assert effective_on(stated, today) == expected


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2027, 1, 1), date(2028, 1, 1)), (date(2028, 2, 29), date(2029, 3, 1)),
     (date(2027, 7, 15), date(2028, 7, 15))],
)
def test_term_end_is_one_year(start, end):
    assert term_end(start) == end


OLD = TermSpan(1, "Carol", date(2026, 1, 1), date(2027, 1, 1))


@pytest.mark.parametrize(
    ("terms", "start", "end", "shorten", "conflict"),
    [([OLD], date(2027, 1, 1), date(2028, 1, 1), (), None),  # consecutive: nothing to do
     ([OLD], date(2026, 9, 1), date(2027, 9, 1), ((1, date(2026, 9, 1)),), None),
     ([TermSpan(2, "Naoko", date(2027, 3, 1), date(2028, 3, 1))], date(2027, 1, 1),
      date(2028, 1, 1), (), "the term of Naoko from 2027-03-01"),
     ([], date(2027, 1, 1), date(2028, 1, 1), (), None)],
)
def test_plan_succession(terms, start, end, shorten, conflict):
    plan = plan_succession(terms, start, end)
    assert plan.shorten == shorten
    assert (conflict is None and plan.conflict is None) or conflict in plan.conflict


@pytest.mark.parametrize(
    ("status", "winners", "expected"),
    [("decided", ["A (X)"], "A (X)"), ("decided", ["A", "B"], None), ("no_decision", [], None),
     ("awaiting_casting_vote", [], None)],
)
def test_winner(status, winners, expected):
    assert winner(status, winners) == expected


@pytest.mark.parametrize(("name", "slug"), [("Deutsche Telekom AG", "deutsche-telekom-ag"),
                                            ("AT&T", "at-t"), ("***", "company")])
def test_slugify(name, slug):
    assert slugify(name) == slug


NOW = datetime(2027, 6, 10, 12, 0, tzinfo=UTC)
PEOPLE = [Person(1, 10, "a@att"), Person(2, 10, "b@att", reminders=False), Person(3, 20, "c@ntt"),
          Person(4, 30, "d@comcast")]


def ballot(**changes) -> BallotFacts:
    values = {"id": 7, "stage": "open", "opens_at": NOW - timedelta(days=1),
              "closes_at": NOW + timedelta(hours=30), "electors": frozenset({10, 20})}
    return BallotFacts(**(values | changes))


def keys(notices) -> set[tuple[str, int | None]]:
    return {(n.kind.value, n.user_id or n.invitation_id) for n in notices}


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # open, not yet within 24 h of the close: the electorate's representatives
        (ballot(), {("ballot_opened", 1), ("ballot_opened", 2), ("ballot_opened", 3)}),
        # within 24 h: reminders to companies that have not voted, unless turned off (user 2)
        (ballot(closes_at=NOW + timedelta(hours=3), voted=frozenset({20})),
         {("ballot_opened", 1), ("ballot_opened", 2), ("ballot_opened", 3),
          ("ballot_reminder", 1)}),
        # upcoming or closed: nothing
        (ballot(opens_at=NOW + timedelta(hours=1)), set()),
        (ballot(closes_at=NOW - timedelta(seconds=1)), set()),
        (ballot(stage="draft"), set()),
        # published: the electorate and the company it is about
        (ballot(stage="published", published_at=NOW - timedelta(days=1),
                concerned=frozenset({30})),
         {("outcome_published", 1), ("outcome_published", 2), ("outcome_published", 3),
          ("outcome_published", 4)}),
        # published long ago: no longer news
        (ballot(stage="published", published_at=NOW - timedelta(days=8)), set()),
    ],
)
def test_due_notices_for_a_ballot(facts, expected):
    assert keys(due_notices(NOW, [facts], PEOPLE, [], sent=[])) == expected


def test_sent_notices_are_never_due_again_and_invitations_go_once():
    first = due_notices(NOW, [ballot()], PEOPLE, [InvitationFacts(5, "new@comcast")], sent=[])
    assert ("invited", 5) in keys(first)
    again = due_notices(NOW, [ballot()], PEOPLE, [InvitationFacts(5, "new@comcast")],
                        sent=[n.key for n in first])
    assert again == []


def test_due_order_is_stable_and_counts_each_key_once():
    notices = due_notices(NOW, [ballot(), ballot()], PEOPLE, [], sent=[])
    assert len(notices) == 3 and notices == sorted(notices, key=lambda n: n.user_id)
    assert {n.kind for n in notices} == {NoticeKind.BALLOT_OPENED}


def test_due_notices_refuse_negative_settings():
    with pytest.raises(ValueError, match="negative"):
        due_notices(NOW, [], [], [], [], reminder_hours=-1)
