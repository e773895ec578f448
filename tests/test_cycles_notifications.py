"""Notifications against a real SMTP server on loopback (aiosmtpd): once each, retried, never blocking."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from mail_helpers import BASE, closed_port, emails, send
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import clock
from core.db import db
from core.members import Invitation, RepKind
from cycles.due import NoticeKind
from cycles.models import NotificationLog
from voting.actions import decide_ballot, publish
from voting.outcome import Kind

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_the_right_people_get_each_mail_once(runner, client, login, consortium, make_ballot,
                                             smtp):
    reps = consortium["reps"]
    reps["NTT"].timezone = "Asia/Tokyo"
    db.session.commit()
    login(reps["Orange"])  # Orange's representative turns reminders off on the account page
    assert client.post("/account/notifications", data={"submit": "Save"}).status_code == 302
    with clock.frozen(NOW):
        ballot = make_ballot(Kind.MOTION, hours=20, title="Adopt the Queens roadmap")
        login(reps["NTT"])
        assert client.post(f"/ballots/{ballot.id}/vote", data={"vote": "yes"}).status_code == 302
        invitation = Invitation.create(consortium["candidate"], "dana@comcast.example",
                                       RepKind.REPRESENTATIVE, None, 30)
        db.session.commit()
        result = send(runner)
        assert result.exit_code == 0, result.output
        assert "9 sent, 0 failed" in result.output
    members = ("AT&T", "NTT", "Orange", "Reliance Jio", "Walmart")
    assert smtp.to("Open for your company") == emails(consortium, *members)
    # 20 hours before the close: companies that have not voted, except who turned it off
    assert smtp.to("Reminder") == emails(consortium, "AT&T", "Reliance Jio", "Walmart")
    assert smtp.to("You are invited to act for Comcast") == Counter({invitation.email: 1})
    tokyo = next(m for m in smtp.messages if m["To"] == reps["NTT"].email)
    text = tokyo.get_body(("plain",)).get_content()
    html = tokyo.get_body(("html",)).get_content()
    assert "closes 2 Mar 2027 14:00 JST (05:00 UTC)" in text  # the reader's zone, UTC beside
    assert f"{BASE}/ballots/{ballot.id}" in text and f'href="{BASE}/ballots/{ballot.id}"' in html
    with clock.frozen(NOW + timedelta(minutes=10)):
        again = send(runner)
    assert again.exit_code == 0 and "0 sent, 0 failed" in again.output
    assert len(smtp.messages) == 9
    with clock.frozen(NOW + timedelta(hours=21)):
        decide_ballot(ballot)
        publish(ballot, "Adopted.")
        db.session.commit()
        assert send(runner).exit_code == 0
        assert send(runner).output.startswith("Notifications: 0 sent")
    assert smtp.to("Outcome published: Adopt the Queens roadmap") == emails(consortium, *members)
    outcome = next(m for m in smtp.messages if "Outcome" in m["Subject"])
    assert f"{BASE}/decisions/{ballot.id}" in outcome.get_body(("plain",)).get_content()


def test_smtp_down_is_logged_and_retried_and_votes_are_unaffected(runner, client, login,
                                                                  consortium, make_ballot,
                                                                  smtp, app, caplog):
    reps = consortium["reps"]
    app.config["MAIL_PORT"] = closed_port()
    with clock.frozen(NOW):
        ballot = make_ballot(Kind.MOTION, hours=48)
        with caplog.at_level(logging.WARNING, logger="concord.notifications"):
            down = send(runner)
        assert down.exit_code == 1 and "0 sent, 5 failed, retried next run" in down.output
        assert "cannot reach the SMTP server" in caplog.text
        rows = db.session.scalars(select(NotificationLog)).all()
        assert len(rows) == 5 and all(r.sent_at is None and r.attempts == 1 for r in rows)
        login(reps["Walmart"])  # voting does not wait for mail
        assert client.post(f"/ballots/{ballot.id}/vote", data={"vote": "no"}).status_code == 302
    app.config["MAIL_PORT"] = smtp.port
    with clock.frozen(NOW + timedelta(minutes=5)):
        up = send(runner)
    assert up.exit_code == 0 and "5 sent, 0 failed" in up.output
    assert smtp.to("Open for your company") == emails(
        consortium, "AT&T", "NTT", "Orange", "Reliance Jio", "Walmart")
    rows = db.session.scalars(select(NotificationLog)).all()
    assert all(r.sent_at is not None and r.attempts == 2 and r.last_error == "" for r in rows)


def test_the_log_refuses_a_second_row_for_the_same_notice(app, consortium, make_ballot):
    ballot = make_ballot(Kind.MOTION)
    user = consortium["reps"]["NTT"]
    for _ in range(2):
        db.session.add(NotificationLog(kind=NoticeKind.BALLOT_REMINDER, ballot_id=ballot.id,
                                       user_id=user.id, email=user.email))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_sending_needs_base_url(runner, app, consortium):
    app.config["BASE_URL"] = None
    result = send(runner)
    assert result.exit_code == 2 and "BASE_URL is not set" in result.output
