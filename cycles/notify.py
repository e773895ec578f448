"""Send the notifications that are due: gather facts, ask cycles.due, claim, send, record.

Each notice is claimed in its own transaction before it is sent (the log's unique keys mean
two runs at once cannot both claim it), then marked sent or failed. A failure is logged and
left unsent, so the next run retries it while it is still relevant. Votes never wait for
this, and neither do survey answers: it runs from `flask concord send-notifications`, never
inside a request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core import clock
from core.db import db
from core.members import Invitation, Representative
from cycles import messages
from cycles.due import (
    BallotFacts,
    InvitationFacts,
    Notice,
    NoticeKind,
    Person,
    SurveyFacts,
    due_notices,
)
from cycles.mail import Mailer, MailError
from cycles.models import Nomination, NotificationLog, RevocationProposal, UserPreference
from surveys.closing import SurveyCloseChange
from surveys.models import Survey, survey_company
from surveys.responses import Response
from surveys.rules import RespondentUnit, SurveyState
from voting.ballot_rules import Stage
from voting.closing import CloseChange
from voting.models import Ballot
from voting.votes import Vote

log = logging.getLogger("concord.notifications")
OUTCOME_DAYS = 7  # an outcome published longer ago than this is no longer news
STALE_CLAIM = timedelta(minutes=15)  # a claim this old belongs to a run that died
# Other features' notices sent in the same run and over the same connection (meetings:
# action-item reminders); each takes (app, mailer) and returns (sent, failed, skipped).
extra_senders: list[Callable[[Flask, Mailer], tuple[int, int, int]]] = []


@dataclass(frozen=True)
class RunReport:
    """What one run did."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by another run at the same time


def _ballot_facts(now) -> list[BallotFacts]:
    stmt = select(Ballot).where(or_(
        (Ballot.stage == Stage.OPEN) & (Ballot.opens_at <= now) & (Ballot.closes_at > now),
        (Ballot.stage == Stage.PUBLISHED) & (Ballot.published_at >= now - timedelta(days=OUTCOME_DAYS))))
    ballots = db.session.scalars(stmt).all()
    ids = [b.id for b in ballots]
    voted: dict[int, set[int]] = {i: set() for i in ids}
    for ballot_id, company_id in db.session.execute(
            select(Vote.ballot_id, Vote.company_id).where(Vote.ballot_id.in_(ids))):
        voted[ballot_id].add(company_id)
    concerned: dict[int, set[int]] = {i: set() for i in ids}
    for model in (Nomination, RevocationProposal):
        for ballot_id, company_id in db.session.execute(
                select(model.ballot_id, model.company_id).where(model.ballot_id.in_(ids))):
            concerned[ballot_id].add(company_id)
    moved = dict(db.session.execute(
        select(CloseChange.ballot_id, func.max(CloseChange.changed_at))
        .where(CloseChange.ballot_id.in_(ids), CloseChange.announce.is_(True))
        .group_by(CloseChange.ballot_id)).all())
    return [BallotFacts(b.id, b.stage.value, b.opens_at, b.closes_at, b.published_at,
                        frozenset(b.elector_ids()), frozenset(voted[b.id]),
                        frozenset(concerned[b.id]), moved.get(b.id)) for b in ballots]


def _rearm_close_notices() -> None:
    """Forget close notices older than their ballot's latest move, so the new move is told."""
    latest = (select(func.max(CloseChange.changed_at))
              .where(CloseChange.ballot_id == NotificationLog.ballot_id,
                     CloseChange.announce.is_(True)).scalar_subquery())
    db.session.execute(delete(NotificationLog).where(
        NotificationLog.kind == NoticeKind.CLOSE_MOVED, NotificationLog.created_at < latest)
        .execution_options(synchronize_session=False))
    latest_survey = (select(func.max(SurveyCloseChange.changed_at))
                     .where(SurveyCloseChange.survey_id == NotificationLog.survey_id,
                            SurveyCloseChange.announce.is_(True)).scalar_subquery())
    db.session.execute(delete(NotificationLog).where(
        NotificationLog.kind == NoticeKind.CLOSE_MOVED, NotificationLog.survey_id.is_not(None),
        NotificationLog.created_at < latest_survey)
        .execution_options(synchronize_session=False))
    db.session.commit()


def _survey_facts(now) -> list[SurveyFacts]:
    """Return the surveys open for answers now, with who is eligible and who has submitted."""
    surveys = db.session.scalars(select(Survey).where(
        Survey.state == SurveyState.OPEN, Survey.opens_at <= now, Survey.closes_at > now)).all()
    ids = [s.id for s in surveys]
    eligible: dict[int, set[int]] = {i: set() for i in ids}
    for survey_id, company_id in db.session.execute(
            select(survey_company.c.survey_id, survey_company.c.company_id)
            .where(survey_company.c.survey_id.in_(ids))):
        eligible[survey_id].add(company_id)
    submitted: dict[int, set[int]] = {i: set() for i in ids}
    per_rep = {s.id for s in surveys if s.unit is RespondentUnit.REPRESENTATIVE}
    # A draft does not count: only a response submitted at least once spares a reminder.
    for survey_id, company_id, user_id in db.session.execute(
            select(Response.survey_id, Response.company_id, Response.user_id)
            .where(Response.survey_id.in_(ids), Response.submitted_number.is_not(None))):
        submitted[survey_id].add(user_id if survey_id in per_rep else company_id)
    moved = dict(db.session.execute(
        select(SurveyCloseChange.survey_id, func.max(SurveyCloseChange.changed_at))
        .where(SurveyCloseChange.survey_id.in_(ids), SurveyCloseChange.announce.is_(True))
        .group_by(SurveyCloseChange.survey_id)).all())
    return [SurveyFacts(s.id, s.state.value, s.opens_at, s.closes_at, s.id in per_rep,
                        frozenset(eligible[s.id]), frozenset(submitted[s.id]), moved.get(s.id))
            for s in surveys]


def _people() -> list[Person]:
    """Return today's representatives who have a verified address."""
    reps = db.session.scalars(select(Representative).options(selectinload(Representative.user))
                              .where(*Representative.active_on(clock.today()))).all()
    off = set(db.session.scalars(select(UserPreference.user_id).where(
        UserPreference.reminders.is_(False))))
    return [Person(r.user_id, r.company_id, r.user.email, r.user_id not in off)
            for r in reps if r.user.email and r.user.email_verified]


def _invitations(now) -> list[InvitationFacts]:
    stmt = select(Invitation).where(Invitation.accepted_at.is_(None),
                                    Invitation.revoked_at.is_(None), Invitation.expires_at > now)
    return [InvitationFacts(i.id, i.email) for i in db.session.scalars(stmt)]


def _sent(ballots: list[BallotFacts], invitations: list[InvitationFacts],
          surveys: list[SurveyFacts]) -> set[tuple]:
    """Return the keys already sent for these ballots, invitations and surveys (not all history)."""
    rows = db.session.execute(
        select(NotificationLog.kind, NotificationLog.ballot_id, NotificationLog.invitation_id,
               NotificationLog.user_id, NotificationLog.survey_id)
        .where(NotificationLog.sent_at.is_not(None),
               NotificationLog.ballot_id.in_([b.id for b in ballots])
               | NotificationLog.invitation_id.in_([i.id for i in invitations])
               | NotificationLog.survey_id.in_([s.id for s in surveys])))
    return {(kind.value, *ids) for kind, *ids in rows}


def due_now() -> list[Notice]:
    """Return the notices due at this moment."""
    now = clock.now()
    ballots, invitations, surveys = _ballot_facts(now), _invitations(now), _survey_facts(now)
    return due_notices(now, ballots, _people(), invitations, _sent(ballots, invitations, surveys),
                       reminder_hours=current_app.config["REMINDER_HOURS"],
                       outcome_days=OUTCOME_DAYS, surveys=surveys)


def _key(notice: Notice):
    """Return the WHERE clause that finds the notice's log row by its unique key."""
    if notice.ballot_id is not None:
        subject = (NotificationLog.ballot_id == notice.ballot_id) & (
            NotificationLog.user_id == notice.user_id)
    elif notice.survey_id is not None:
        subject = (NotificationLog.survey_id == notice.survey_id) & (
            NotificationLog.user_id == notice.user_id)
    else:
        subject = NotificationLog.invitation_id == notice.invitation_id
    return (NotificationLog.kind == notice.kind) & subject


def _claim(notice: Notice) -> NotificationLog | None:
    """Take the notice for this run, or return None if another run holds or sent it."""
    now = clock.now()
    row = NotificationLog(kind=notice.kind, ballot_id=notice.ballot_id,
                          survey_id=notice.survey_id, invitation_id=notice.invitation_id,
                          user_id=notice.user_id, email=notice.email, attempts=1, claimed_at=now,
                          last_error="")
    db.session.add(row)
    try:
        db.session.commit()
        return row
    except IntegrityError:
        db.session.rollback()  # a row exists: a failed attempt to retry, or another run's claim
    key = _key(notice)
    taken = db.session.execute(
        update(NotificationLog).where(key, NotificationLog.sent_at.is_(None), or_(
            NotificationLog.claimed_at.is_(None), NotificationLog.claimed_at < now - STALE_CLAIM))
        .values(claimed_at=now, attempts=NotificationLog.attempts + 1, email=notice.email))
    db.session.commit()
    if taken.rowcount != 1:
        return None
    return db.session.scalars(select(NotificationLog).where(key)).one()


def _deliver(app: Flask, mailer: Mailer, notice: Notice, row: NotificationLog) -> bool:
    """Compose and send one claimed notice; record the result; tell whether it went."""
    try:
        mailer.send(messages.build(app, notice))
    except MailError as exc:
        row.claimed_at, row.last_error = None, str(exc)[:2000]
        log.warning("notification %s to %s failed (attempt %d, retried next run): %s",
                    notice.kind.value, notice.email, row.attempts, exc)
        db.session.commit()
        return False
    row.sent_at, row.last_error = clock.now(), ""
    db.session.commit()
    return True


def send_due(app: Flask) -> RunReport:
    """Send every due notice once; failures are left for the next run."""
    sent = failed = skipped = 0
    _rearm_close_notices()
    with Mailer(app.config) as mailer:
        for notice in due_now():
            row = _claim(notice)
            if row is None:
                skipped += 1
            elif _deliver(app, mailer, notice, row):
                sent += 1
            else:
                failed += 1
        for extra in extra_senders:
            more = extra(app, mailer)
            sent, failed, skipped = sent + more[0], failed + more[1], skipped + more[2]
    return RunReport(sent, failed, skipped)
