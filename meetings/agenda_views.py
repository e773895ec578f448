"""Members at work on a meeting: propose agenda items, +1 them; the chair orders; owners report."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user, login_required

from core.db import db
from core.users import Role, chair_or_admin_required, require_role
from meetings import actions
from meetings.forms import ActionStatusForm, ItemForm, PostForm
from meetings.models import ActionItem
from meetings.rules import ActionStatus, MeetingError
from meetings.views import bp, is_chair_or_admin, load_item, load_meeting, meeting_page

members_only = require_role(Role.REPRESENTATIVE, Role.CHAIR, Role.ADMIN)
DIRECTIONS = ("up", "down")


def _done(meeting_id: int, message: str, anchor: str = "#agenda"):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("meetings.show", meeting_id=meeting_id) + anchor)


def _refused(meeting, exc: MeetingError):
    db.session.rollback()
    page, _status = meeting_page(meeting, exc.sentence())
    return page, exc.status


@bp.post("/<int:meeting_id>/agenda")
@members_only
def propose(meeting_id: int):
    """Propose an agenda item (a representative's company +1s it by proposing)."""
    meeting = load_meeting(meeting_id)
    form = ItemForm()
    if not form.validate_on_submit():
        return meeting_page(meeting, "Please correct the proposal.", {"item": form})
    try:
        actions.propose(meeting, current_user, current_user.company(), form.title.data.strip(),
                        (form.description.data or "").strip(), form.link_kind.data or "",
                        form.link_id.data)
    except MeetingError as exc:
        return _refused(meeting, exc)
    return _done(meeting.id, "Item proposed.")


@bp.post("/<int:meeting_id>/agenda/<int:item_id>/endorse")
@members_only
def endorse(meeting_id: int, item_id: int):
    """+1 an agenda item for your company (once per company)."""
    meeting = load_meeting(meeting_id)
    item = load_item(meeting, item_id)
    if not PostForm().validate_on_submit():
        return meeting_page(meeting, "The form expired; try again.")
    try:
        actions.endorse(item, current_user, current_user.company())
    except MeetingError as exc:
        return _refused(meeting, exc)
    return _done(meeting.id, "+1 recorded for your company.", f"#item-{item.id}")


@bp.post("/<int:meeting_id>/agenda/<int:item_id>/move/<direction>")
@chair_or_admin_required
def move_item(meeting_id: int, item_id: int, direction: str):
    """Move an agenda item one place up or down."""
    meeting = load_meeting(meeting_id)
    item = load_item(meeting, item_id)
    if direction not in DIRECTIONS:
        abort(404)
    if not PostForm().validate_on_submit():
        return meeting_page(meeting, "The form expired; try again.")
    try:
        actions.move(item, direction, current_user)
    except MeetingError as exc:
        return _refused(meeting, exc)
    return _done(meeting.id, "Agenda reordered.", f"#item-{item.id}")


@bp.post("/<int:meeting_id>/actions/<int:action_id>/status")
@login_required
def action_status(meeting_id: int, action_id: int):
    """Mark an action item done, dropped or open again (its owner, the chair, or an admin)."""
    meeting = load_meeting(meeting_id)
    action = db.session.get(ActionItem, action_id)
    if action is None or action.meeting_id != meeting.id:
        abort(404)
    if action.owner_user_id != current_user.id and not is_chair_or_admin():
        abort(403)
    form = ActionStatusForm()
    if not form.validate_on_submit():
        return meeting_page(meeting, "Choose done, dropped or open.")
    try:
        actions.set_action_status(action, current_user, ActionStatus(form.status.data))
    except MeetingError as exc:
        return _refused(meeting, exc)
    return _done(meeting.id, f"Action item marked {form.status.data}.", "#actions")
