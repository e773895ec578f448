"""Survey notifications against a real SMTP server on loopback: once each, retried, never blocking."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from mail_helpers import BASE, closed_port, emails, send
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from survey_helpers import make_survey

from core import clock
from core.db import db
from cycles.due import NoticeKind
from cycles.models import NotificationLog
from surveys.responses import Response
from surveys.rules import QuestionType, RespondentUnit

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
MEMBERS = ("AT&T", "NTT", "Orange", "Reliance Jio", "Walmart")
QUESTIONS = [(QuestionType.TEXT, "What should the consortium fund next?", False, {})]
OPENED, REMINDER = "Survey open for", "Reminder:"


def answer(client, login, user, survey, submit: bool = True) -> None:
    """Save (or submit) the user's answer through HTTP, as the answer page does."""
    login(user)
    data = {"base_version": str(_version(survey, user)),
            f"q{survey.questions[0].id}": f"Answer of {user.name}"}
    data |= {"send": "Submit"} if submit else {"save": "Save draft"}
    resp = client.post(f"/surveys/{survey.id}/answer", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)


def _version(survey, user) -> int:
    response = Response.find(survey, user.company(), user)
    return response.version if response else 0


def test_the_right_people_get_each_survey_mail_once(runner, client, login, consortium,
                                                    make_rep, make_user, smtp):
    reps, companies = consortium["reps"], consortium["companies"]
    reps["NTT"].timezone = "Asia/Tokyo"
    unverified = make_rep(companies["AT&T"], make_user("Unverified", verified=False)).user
    db.session.commit()
    login(reps["Orange"])  # Orange's representative turns reminders off on the account page
    assert client.post("/account/notifications", data={"submit": "Save"}).status_code == 302
    with clock.frozen(NOW):
        survey = make_survey(QUESTIONS, hours=48, title="Queens priorities")
        first = send(runner)
        assert first.exit_code == 0 and "5 sent, 0 failed" in first.output, first.output
    # the members' representatives, not the candidate Comcast (outside the snapshot)
    assert smtp.to(OPENED) == emails(consortium, *MEMBERS)
    assert unverified.email not in {m["To"] for m in smtp.messages}
    tokyo = next(m for m in smtp.messages if m["To"] == reps["NTT"].email)
    assert tokyo["Subject"] == "[Concord] Survey open for NTT: Queens priorities"
    text, html = (tokyo.get_body((kind,)).get_content() for kind in ("plain", "html"))
    assert "closes 3 Mar 2027 18:00 JST (09:00 UTC)" in text  # the reader's zone, UTC beside
    assert "closes <strong>3 Mar 2027 18:00 JST (09:00 UTC)</strong>" in html
    link = f"{BASE}/surveys/{survey.id}/answer"
    assert link in text and f'href="{link}"' in html
    with clock.frozen(NOW + timedelta(minutes=10)):
        assert "0 sent, 0 failed" in send(runner).output
        answer(client, login, reps["NTT"], survey)  # submitted: no reminder for NTT
        answer(client, login, reps["Walmart"], survey, submit=False)  # a draft does not count
    with clock.frozen(NOW + timedelta(hours=30)):  # 18 hours before the close
        assert "3 sent, 0 failed" in send(runner).output
        assert "0 sent, 0 failed" in send(runner).output
    # Orange turned reminders off; NTT submitted
    assert smtp.to(REMINDER) == emails(consortium, "AT&T", "Reliance Jio", "Walmart")
    walmart = next(m for m in smtp.messages if m["To"] == reps["Walmart"].email
                   and REMINDER in m["Subject"])
    # a subject past 78 characters is folded; Python's parser keeps the fold's leading space
    assert walmart["Subject"].strip() == ("[Concord] Reminder: Walmart has not submitted a "
                                          "response to Queens priorities")
    assert "A saved draft does not count" in walmart.get_body(("plain",)).get_content()
    assert len(smtp.messages) == 8
    with clock.frozen(NOW + timedelta(hours=49)):  # closed: nothing more, ever
        assert "0 sent, 0 failed" in send(runner).output


def test_per_representative_surveys_remind_each_person_who_has_not_submitted(
        runner, client, login, consortium, make_rep, make_user, smtp):
    reps, companies = consortium["reps"], consortium["companies"]
    colleague = make_rep(companies["AT&T"], make_user("Andy of AT&T")).user
    with clock.frozen(NOW):
        survey = make_survey(QUESTIONS, hours=20, unit=RespondentUnit.REPRESENTATIVE)
        answer(client, login, colleague, survey)
        answer(client, login, reps["NTT"], survey)
        assert "10 sent, 0 failed" in send(runner).output  # 6 opened, 4 reminders
    assert smtp.to(OPENED) == emails(consortium, *MEMBERS) + Counter([colleague.email])
    # Andy submitted for himself, not for AT&T: AT&T's other representative is still reminded
    assert smtp.to(REMINDER) == emails(consortium, "AT&T", "Orange", "Reliance Jio", "Walmart")
    reminder = next(m for m in smtp.messages if REMINDER in m["Subject"])
    assert reminder["Subject"].strip() == ("[Concord] Reminder: you have not submitted a "
                                           "response to Pike roadmap")


def test_smtp_down_is_logged_and_retried_and_submissions_are_unaffected(
        runner, client, login, consortium, smtp, app, caplog):
    reps = consortium["reps"]
    app.config["MAIL_PORT"] = closed_port()
    with clock.frozen(NOW):
        survey = make_survey(QUESTIONS, hours=20)
        with caplog.at_level(logging.WARNING, logger="concord.notifications"):
            down = send(runner)
        assert down.exit_code == 1 and "0 sent, 10 failed, retried next run" in down.output
        assert "cannot reach the SMTP server" in caplog.text
        rows = db.session.scalars(select(NotificationLog)).all()
        assert len(rows) == 10 and all(r.sent_at is None and r.attempts == 1 for r in rows)
        answer(client, login, reps["Walmart"], survey)  # answering does not wait for mail
        [response] = db.session.scalars(select(Response)).all()
        assert response.status == "submitted"
    app.config["MAIL_PORT"] = smtp.port
    with clock.frozen(NOW + timedelta(minutes=5)):
        up = send(runner)
        assert up.exit_code == 0 and "9 sent, 0 failed" in up.output
        assert "0 sent, 0 failed" in send(runner).output
    assert smtp.to(OPENED) == emails(consortium, *MEMBERS)
    # Walmart submitted since: its failed reminder is no longer due, so it is never sent
    assert smtp.to(REMINDER) == emails(consortium, "AT&T", "NTT", "Orange", "Reliance Jio")
    sent = db.session.scalars(select(NotificationLog).where(NotificationLog.sent_at.is_not(None)))
    assert all(r.attempts == 2 and r.last_error == "" for r in sent)


def test_the_log_holds_one_survey_notice_per_kind_survey_and_user(app, consortium):
    with clock.frozen(NOW):
        survey = make_survey(QUESTIONS)
    user = consortium["reps"]["NTT"]
    for _ in range(2):
        db.session.add(NotificationLog(kind=NoticeKind.SURVEY_REMINDER, survey_id=survey.id,
                                       user_id=user.id, email=user.email))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("subject", [
    {"ballot": True},  # a survey and a ballot at once
    {"invitation": True},  # a survey and an invitation at once
    {"user": False},  # a survey notice for nobody
])
def test_a_survey_notice_is_about_exactly_one_thing(app, consortium, make_ballot, subject):
    from core.members import Invitation, RepKind

    with clock.frozen(NOW):
        survey = make_survey(QUESTIONS)
        ballot = make_ballot()
        invitation = Invitation.create(consortium["candidate"], "dana@comcast.example",
                                       RepKind.REPRESENTATIVE, None, 30)
        db.session.commit()
    user = consortium["reps"]["NTT"]
    db.session.add(NotificationLog(
        kind=NoticeKind.SURVEY_OPENED, survey_id=survey.id, email=user.email,
        ballot_id=ballot.id if subject.get("ballot") else None,
        invitation_id=invitation.id if subject.get("invitation") else None,
        user_id=None if subject.get("user") is False else user.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
