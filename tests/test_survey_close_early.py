"""Closing a survey early: at once only when every company has submitted, or move the close with notice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from survey_helpers import every_type, make_items, make_survey, valid_post

from core import clock
from core.audit import AuditEvent
from core.db import db
from cycles.due import NoticeKind, Person, SurveyFacts, due_notices
from surveys.closing import changes_of
from surveys.rules import SurveyState

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


def test_a_moved_survey_close_is_told_to_those_who_have_not_submitted():
    survey = SurveyFacts(1, "open", NOW - timedelta(days=1), NOW + timedelta(days=5),
                         eligible=frozenset({10, 20}), submitted=frozenset({10}),
                         close_moved_at=NOW - timedelta(minutes=5))
    people = [Person(1, 10, "a@x"), Person(2, 20, "b@x", reminders=False)]
    moved = [n for n in due_notices(NOW, [], people, [], [], surveys=[survey])
             if n.kind is NoticeKind.CLOSE_MOVED]
    assert [(n.email, n.survey_id) for n in moved] == [("b@x", 1)]  # reminders off or not
    unmoved = SurveyFacts(**{**survey.__dict__, "close_moved_at": None})
    assert not [n for n in due_notices(NOW, [], people, [], [], surveys=[unmoved])
                if n.kind is NoticeKind.CLOSE_MOVED]


@pytest.fixture
def open_survey(app, consortium, login, client):
    app.config["WTF_CSRF_ENABLED"] = False
    items = [i.id for i in make_items("Logging", "Telemetry", "Tempest")]
    survey = make_survey(every_type(items))
    return survey, items


def _submit(client, login, rep, survey, items):
    login(rep)
    resp = client.post(f"/surveys/{survey.id}/answer",
                       data={**valid_post(survey, items), "send": "Submit"})
    assert resp.status_code == 302


def test_close_now_waits_for_every_company(client, login, consortium, open_survey):
    survey, items = open_survey
    reps = consortium["reps"]
    _submit(client, login, reps["NTT"], survey, items)
    login(consortium["chair"])
    refused = client.post(f"/surveys/{survey.id}/state/close", data={"confirm": "y"})
    assert refused.status_code == 409 and "1 of 5 companies have answered" in refused.get_data(True)
    assert survey.state is SurveyState.OPEN
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Close now" not in page and "1 of 5 eligible companies have submitted" in page
    login(reps["Orange"])  # every member sees who has submitted, by name only
    seen = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "1 of 5 companies have submitted</strong>: NTT." in seen
    assert "Not yet submitted: AT&amp;T, Orange, Reliance Jio, Walmart." in seen
    login(consortium["chair"])
    for name in ("AT&T", "Orange", "Reliance Jio", "Walmart"):
        _submit(client, login, reps[name], survey, items)
    login(consortium["chair"])
    assert "Close now" in client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert client.post(f"/surveys/{survey.id}/state/close", data={"confirm": "y"}).status_code == 302
    assert survey.state is SurveyState.CLOSED and survey.closes_at <= clock.now()
    assert [c.move for c in changes_of(survey)] == ["now"]


def test_move_later_or_earlier_with_notice_recorded_audited_and_mailed(
        client, login, consortium, open_survey, smtp, runner, travel):
    survey, items = open_survey
    _submit(client, login, consortium["reps"]["NTT"], survey, items)
    login(consortium["chair"])
    old = survey.closes_at
    soon = (clock.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")  # less than 24 h notice
    refused = client.post(f"/surveys/{survey.id}/move-close",
                          data={"closes_at": soon, "reason": "Hurry"})
    assert refused.status_code == 409 and "notice" in refused.get_data(True)
    assert survey.closes_at == old
    later = (old + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/surveys/{survey.id}/move-close",
                       data={"closes_at": later, "reason": "Tokyo holidays"}).status_code == 302
    assert survey.closes_at > old and [c.move for c in changes_of(survey)] == ["later"]
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Changes of the closing time" in page and "Tokyo holidays" in page
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "survey.close_change")).one().details["move"] == "later"
    assert runner.invoke(args=["concord", "send-notifications"]).exit_code == 0
    told = {m["To"] for m in smtp.messages if "New closing time" in m["Subject"]}
    assert told == {consortium["reps"][n].email for n in ("AT&T", "Orange", "Reliance Jio",
                                                          "Walmart")}
    assert any("Tokyo holidays" in m.get_body(("plain",)).get_content() for m in smtp.messages)
    travel(clock.now() + timedelta(minutes=5))
    earlier = (clock.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/surveys/{survey.id}/move-close",
                       data={"closes_at": earlier, "reason": "Sooner after all"}).status_code == 302
    runner.invoke(args=["concord", "send-notifications"])
    again = [m for m in smtp.messages if "New closing time" in m["Subject"]]
    assert len(again) == 8  # a second move is told again


def test_moving_the_close_of_a_closed_survey_is_refused(client, login, consortium, open_survey,
                                                         travel):
    survey, _ = open_survey
    login(consortium["chair"])
    travel(survey.closes_at + timedelta(seconds=1))
    late = (clock.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    resp = client.post(f"/surveys/{survey.id}/move-close", data={"closes_at": late, "reason": "x"})
    assert resp.status_code == 409 and "open for answers" in resp.get_data(True)
