"""Closing early and moving the close: the chair's routes, the audit, the page, the e-mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from mail_helpers import emails, send
from sqlalchemy import select

from core import clock
from core.audit import AuditEvent
from core.db import db
from voting.closing import CloseChange
from voting.outcome import Kind
from voting.votes import Vote

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
MEMBERS = ("AT&T", "NTT", "Orange", "Reliance Jio", "Walmart")


@pytest.fixture(autouse=True)
def _no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


def _vote_all(client, login, consortium, ballot, companies=MEMBERS):
    for name in companies:
        login(consortium["reps"][name])
        assert client.post(f"/ballots/{ballot.id}/vote",
                           data={"response": "support"}).status_code == 302


def test_close_now_once_everyone_answered(client, login, consortium, make_ballot, travel):
    travel(NOW)
    ballot = make_ballot(Kind.CONSENSUS, hours=72)
    travel(NOW + timedelta(hours=1))
    _vote_all(client, login, consortium, ballot, MEMBERS[:4])
    login(consortium["chair"])
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "4 of 5 companies have answered" in page and "Not yet answered: Walmart" in page
    assert "Close now" not in page
    refused = client.post(f"/ballots/{ballot.id}/close-now", data={"confirm": "y"})
    assert refused.status_code == 422 and "4 of 5 companies have answered" in refused.get_data(
        as_text=True)
    _vote_all(client, login, consortium, ballot, MEMBERS[4:])
    login(consortium["chair"])
    assert "Close now" in client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    unconfirmed = client.post(f"/ballots/{ballot.id}/close-now", data={})
    assert unconfirmed.status_code == 422
    travel(NOW + timedelta(hours=2))
    assert client.post(f"/ballots/{ballot.id}/close-now",
                       data={"confirm": "y"}).status_code == 302
    db.session.refresh(ballot)
    assert ballot.closes_at == NOW + timedelta(hours=2) and ballot.phase().value == "closed"
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "closed at once, every company having answered" in page and "Count the votes" in page
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "ballot.close_change")).one()
    assert event.details["move"] == "now"
    login(consortium["reps"]["NTT"])  # a vote at or after the close is refused
    late = client.post(f"/ballots/{ballot.id}/vote", data={"response": "object", "reason": "x"})
    assert late.status_code == 409
    assert db.session.scalars(select(Vote).where(Vote.company_id == consortium["companies"][
        "NTT"].id)).one().choice["response"] == "support"


def test_move_later_and_earlier_with_notice(client, login, consortium, make_ballot, travel):
    travel(NOW)
    ballot = make_ballot(Kind.MOTION, hours=72)
    login(consortium["chair"])
    later = client.post(f"/ballots/{ballot.id}/move-close",
                        data={"closes_at": "2027-03-06T09:00", "reason": "Holiday in Tokyo"})
    assert later.status_code == 302
    db.session.refresh(ballot)
    assert ballot.closes_at == datetime(2027, 3, 6, 9, 0, tzinfo=UTC)
    too_soon = client.post(f"/ballots/{ballot.id}/move-close",
                           data={"closes_at": "2027-03-02T08:00", "reason": "hurry"})
    assert too_soon.status_code == 422 and "24 hours&#39; notice" in too_soon.get_data(
        as_text=True)
    earlier = client.post(f"/ballots/{ballot.id}/move-close",
                          data={"closes_at": "2027-03-02T10:00", "reason": "Board meets"})
    assert earlier.status_code == 302
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "moved later" in page and "moved earlier" in page and "Board meets" in page
    assert [c.move for c in db.session.scalars(select(CloseChange))] == ["later", "earlier"]


def test_only_the_chair_moves_the_close(client, login, consortium, make_ballot):
    ballot = make_ballot(Kind.MOTION)
    login(consortium["reps"]["NTT"])
    assert client.post(f"/ballots/{ballot.id}/close-now",
                       data={"confirm": "y"}).status_code == 403
    assert client.post(f"/ballots/{ballot.id}/move-close", data={
        "closes_at": "2099-01-01T00:00", "reason": "x"}).status_code == 403


def test_a_moved_close_is_mailed_to_those_who_have_not_voted(runner, client, login, consortium,
                                                             make_ballot, smtp):
    with clock.frozen(NOW):
        ballot = make_ballot(Kind.MOTION, hours=96, title="Adopt the Queens roadmap")
        login(consortium["reps"]["NTT"])
        assert client.post(f"/ballots/{ballot.id}/vote", data={"vote": "yes"}).status_code == 302
        assert send(runner).exit_code == 0  # the opening notices
        login(consortium["chair"])
        assert client.post(f"/ballots/{ballot.id}/move-close", data={
            "closes_at": "2027-03-03T09:00", "reason": "The board meets on the 3rd"}
        ).status_code == 302
    with clock.frozen(NOW + timedelta(minutes=5)):
        assert send(runner).exit_code == 0
    waiting = ("AT&T", "Orange", "Reliance Jio", "Walmart")
    assert smtp.to("New closing time") == emails(consortium, *waiting)
    text = next(m for m in smtp.messages if "New closing time" in m["Subject"]).get_body(
        ("plain",)).get_content()
    assert "moved the closing time" in text and "The board meets on the 3rd" in text
    with clock.frozen(NOW + timedelta(minutes=10)):
        login(consortium["chair"])
        assert client.post(f"/ballots/{ballot.id}/move-close", data={
            "closes_at": "2027-03-04T09:00", "reason": "One more day"}).status_code == 302
        assert send(runner).exit_code == 0  # a second move is told again
    assert smtp.to("New closing time") == emails(consortium, *waiting) + emails(
        consortium, *waiting)
