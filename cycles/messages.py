"""The words of each notification: subject and context, every time in the reader's zone with UTC."""

from __future__ import annotations

from email.message import EmailMessage

from flask import Flask

from core.db import db
from core.members import Invitation
from core.timefmt import format_local
from core.users import User
from cycles.due import Notice, NoticeKind
from cycles.mail import MailError, compose
from surveys.models import Survey
from surveys.rules import RespondentUnit
from voting.models import Ballot

SUBJECTS = {
    NoticeKind.BALLOT_OPENED: "[Concord] Open for your company: {title}",
    NoticeKind.BALLOT_REMINDER: "[Concord] Reminder: {company} has not voted on {title}",
    NoticeKind.OUTCOME_PUBLISHED: "[Concord] Outcome published: {title}",
    NoticeKind.INVITED: "[Concord] You are invited to act for {company}",
    NoticeKind.SURVEY_OPENED: "[Concord] Survey open for {company}: {title}",
    NoticeKind.SURVEY_REMINDER: "[Concord] Reminder: {who} not submitted a response to {title}",
    NoticeKind.CLOSE_MOVED: "[Concord] New closing time: {title}",
}


def build(app: Flask, notice: Notice) -> EmailMessage:
    """Compose the e-mail for one notice."""
    if notice.kind is NoticeKind.INVITED:
        return _invitation(app, notice)
    if notice.survey_id is not None:
        return _survey(app, notice)
    ballot, user = db.session.get(Ballot, notice.ballot_id), db.session.get(User, notice.user_id)
    if ballot is None or user is None:
        raise MailError("the ballot or the person no longer exists")
    company = user.company()
    tz = user.timezone

    def when(value):
        return format_local(value, tz)

    subject = SUBJECTS[notice.kind].format(title=ballot.title,
                                           company=company.name if company else "your company")
    change = None
    if notice.kind is NoticeKind.CLOSE_MOVED:
        from voting.closing import changes_of

        change = next((c for c in reversed(changes_of(ballot)) if c.announce), None)
    return compose(app, notice.email, subject[:250], notice.kind.value, ballot=ballot, user=user,
                   company=company, when=when, hours=app.config["REMINDER_HOURS"], change=change)


def _invitation(app: Flask, notice: Notice) -> EmailMessage:
    inv = db.session.get(Invitation, notice.invitation_id)
    if inv is None:
        raise MailError("the invitation no longer exists")
    subject = SUBJECTS[NoticeKind.INVITED].format(company=inv.company.name)

    def when(value):
        return format_local(value, "UTC")  # no account yet, so no zone of theirs to use

    return compose(app, notice.email, subject, NoticeKind.INVITED.value, invitation=inv,
                   company=inv.company, when=when)


def _survey(app: Flask, notice: Notice) -> EmailMessage:
    survey, user = db.session.get(Survey, notice.survey_id), db.session.get(User, notice.user_id)
    if survey is None or user is None:
        raise MailError("the survey or the person no longer exists")
    company = user.company()
    per_person = survey.unit is RespondentUnit.REPRESENTATIVE
    tz = user.timezone

    def when(value):
        return format_local(value, tz)

    name = company.name if company else "your company"
    subject = SUBJECTS[notice.kind].format(title=survey.title, company=name,
                                           who="you have" if per_person else f"{name} has")
    template, change = notice.kind.value, None
    if notice.kind is NoticeKind.CLOSE_MOVED:
        from surveys.closing import changes_of

        template = "survey_close_moved"
        change = next((c for c in reversed(changes_of(survey)) if c.announce), None)
    return compose(app, notice.email, subject[:250], template, survey=survey, user=user,
                   company=company, per_person=per_person, when=when,
                   hours=app.config["REMINDER_HOURS"], change=change)
