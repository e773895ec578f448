"""Action-item reminders, sent by `flask concord send-notifications` with the other notices.

One reminder per action item: claimed in `action_reminder` (unique per item) before it is
sent, then marked sent, or released with the error so the next run retries it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import Flask, render_template
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from core import clock
from core.db import db
from core.users import User
from cycles.mail import Mailer, MailError
from cycles.models import UserPreference
from meetings.models import ActionItem, ActionReminder
from meetings.rules import ActionFacts, ActionStatus, reminders_due

log = logging.getLogger("concord.notifications")
STALE_CLAIM = timedelta(minutes=15)  # a claim this old belongs to a run that died


def due_now(days_before: int) -> list[ActionFacts]:
    """Return the action items whose reminder is due now."""
    rows = db.session.scalars(select(ActionItem).where(
        ActionItem.status == ActionStatus.OPEN.value, ActionItem.owner_user_id.is_not(None),
        ActionItem.due_on.is_not(None))).all()
    sent = set(db.session.scalars(select(ActionReminder.action_item_id).where(
        ActionReminder.sent_at.is_not(None))))
    facts = [ActionFacts(a.id, True, a.due_on, a.owner_user_id) for a in rows]
    return reminders_due(clock.today(), facts, sent, days_before)


def _claim(item: ActionFacts, user: User) -> ActionReminder | None:
    now = clock.now()
    row = ActionReminder(action_item_id=item.id, user_id=user.id, email=user.email or "",
                         attempts=1, claimed_at=now, last_error="")
    db.session.add(row)
    try:
        db.session.commit()
        return row
    except IntegrityError:
        db.session.rollback()
    taken = db.session.execute(update(ActionReminder).where(
        ActionReminder.action_item_id == item.id, ActionReminder.sent_at.is_(None),
        or_(ActionReminder.claimed_at.is_(None),
            ActionReminder.claimed_at < now - STALE_CLAIM)).values(
        claimed_at=now, attempts=ActionReminder.attempts + 1))
    db.session.commit()
    if taken.rowcount != 1:
        return None
    return db.session.scalars(select(ActionReminder).where(
        ActionReminder.action_item_id == item.id)).one()


def _message(app: Flask, action: ActionItem, user: User) -> EmailMessage:
    base = app.config.get("BASE_URL")
    if not base:
        raise MailError("BASE_URL is not set, so links in e-mail cannot be absolute")
    subject = f"[Concord] Action item due {action.due_on.isoformat()}: {action.title}"[:250]
    with app.test_request_context("/", base_url=base.rstrip("/")):
        text = render_template("meetings/mail/action_reminder.txt", action=action, user=user)
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = user.email
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=app.config["MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(text)
    return message


def send_due(app: Flask, mailer: Mailer) -> tuple[int, int, int]:
    """Send each due action-item reminder once; return (sent, failed, skipped)."""
    sent = failed = skipped = 0
    off = set(db.session.scalars(select(UserPreference.user_id).where(
        UserPreference.reminders.is_(False))))
    for item in due_now(app.config["ACTION_REMINDER_DAYS"]):
        user = db.session.get(User, item.owner_id)
        if user is None or not user.email or not user.email_verified or user.id in off:
            continue
        row = _claim(item, user)
        if row is None:
            skipped += 1
            continue
        try:
            mailer.send(_message(app, db.session.get(ActionItem, item.id), user))
        except MailError as exc:
            row.claimed_at, row.last_error = None, str(exc)[:2000]
            log.warning("action reminder %s to %s failed: %s", item.id, user.email, exc)
            db.session.commit()
            failed += 1
            continue
        row.sent_at, row.last_error = clock.now(), ""
        db.session.commit()
        sent += 1
    return sent, failed, skipped
