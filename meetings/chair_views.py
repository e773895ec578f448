"""The chair's meeting screens: schedule, edit, cancel, attendance, decisions, actions, minutes."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from core import clock
from core.db import db
from core.members import Company, Representative
from core.timefmt import zone
from core.users import User, chair_or_admin_required
from meetings import actions
from meetings.documents import (
    ActionLine,
    AttendanceLine,
    ItemLine,
    MinutesFacts,
    draft_minutes,
)
from meetings.forms import (
    ActionForm,
    AttendanceForm,
    MeetingForm,
    MinutesForm,
    NewMeetingForm,
    PostForm,
    PutForm,
    sense_form,
)
from meetings.models import Meeting
from meetings.rules import Confirmation, MeetingError, series_starts
from meetings.views import _groups, bp, item_link, load_item, load_meeting, meeting_page
from voting.outcome import Kind


def _done(meeting: Meeting, message: str, anchor: str = ""):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id) + anchor)


def _refused(meeting: Meeting, exc: MeetingError):
    db.session.rollback()
    page, _status = meeting_page(meeting, exc.sentence())
    return page, exc.status


def _form_errors(form) -> str:
    return "Please correct the form: " + "; ".join(
        f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())


def owner_choices(meeting: Meeting) -> list[tuple[int, str]]:
    """Return the representatives on the meeting's day as (user id, 'Name (Company)'), 0 first."""
    day = meeting.starts_at.date()
    reps = db.session.scalars(select(Representative).where(*Representative.active_on(day))).all()
    people = sorted((r.user_id, f"{r.user} ({r.company.name})") for r in reps)
    return [(0, "Someone else (name below)"), *sorted(people, key=lambda p: p[1])]


@bp.route("/new", methods=["GET", "POST"])
@chair_or_admin_required
def new():
    """Schedule a meeting, or a series every N days alternating between two times."""
    form = NewMeetingForm()
    if form.validate_on_submit() and (first := form.start(current_user.timezone)) is not None:
        try:
            starts = series_starts(first, form.every_days.data, form.count.data,
                                   form.alternate_time())
        except MeetingError as exc:
            form.count.errors = [*form.count.errors, str(exc)]
        else:
            made = actions.schedule(current_user, form.title.data.strip(), starts,
                                    form.duration_minutes.data, form.call_link.data or "",
                                    form.members_notes.data or "")
            return _done(made[0], f"Scheduled {len(made)} meeting{'s' * (len(made) > 1)}.")
    return render_template("meetings/form.html", form=form, meeting=None), \
        422 if form.is_submitted() else 200


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@chair_or_admin_required
def edit(meeting_id: int):
    """Change a scheduled meeting (calendars see the new SEQUENCE)."""
    meeting = load_meeting(meeting_id)
    form = MeetingForm(obj=meeting)
    if not form.is_submitted():
        form.starts_at.data = meeting.starts_at.astimezone(
            zone(current_user.timezone)).replace(tzinfo=None)
    if form.validate_on_submit() and (start := form.start(current_user.timezone)) is not None:
        try:
            actions.update(meeting, current_user, title=form.title.data.strip(), starts_at=start,
                           duration_minutes=form.duration_minutes.data,
                           call_link=form.call_link.data or "",
                           members_notes=form.members_notes.data or "")
        except MeetingError as exc:
            return _refused(meeting, exc)
        return _done(meeting, "Meeting saved.")
    return render_template("meetings/form.html", form=form, meeting=meeting), \
        422 if form.is_submitted() else 200


@bp.post("/<int:meeting_id>/cancel")
@chair_or_admin_required
def cancel(meeting_id: int):
    """Cancel a scheduled meeting."""
    meeting = load_meeting(meeting_id)
    if not PostForm().validate_on_submit():
        return meeting_page(meeting, "The form expired; try again.")
    try:
        actions.cancel(meeting, current_user)
    except MeetingError as exc:
        return _refused(meeting, exc)
    return _done(meeting, "Meeting cancelled.")


@bp.route("/<int:meeting_id>/attendance", methods=["GET", "POST"])
@chair_or_admin_required
def attendance(meeting_id: int):
    """Record who attended: representatives per company, and guests by name."""
    meeting = load_meeting(meeting_id)
    form = AttendanceForm()
    form.people.choices = [(uid, label) for uid, label in owner_choices(meeting) if uid]
    if not form.is_submitted():
        form.people.data = [a.user_id for a in meeting.attendees if a.user_id]
        form.guests.data = "\n".join(f"{a.guest_name}, {a.organisation}".rstrip(", ")
                                     for a in meeting.attendees if a.user_id is None)
    if form.validate_on_submit():
        people = [db.session.get(User, uid) for uid in form.people.data or []]
        try:
            actions.record_attendance(meeting, current_user, people, form.guest_list())
        except MeetingError as exc:
            return _refused(meeting, exc)
        return _done(meeting, "Attendance saved.", "#attendance")
    return render_template("meetings/attendance.html", form=form, meeting=meeting), \
        422 if form.is_submitted() else 200


def _decide_page(meeting, item, sense, put, status: int = 200, problem: str | None = None):
    return render_template("meetings/decide.html", meeting=meeting, item=item, sense=sense,
                           put=put, problem=problem,
                           confirmation=current_app.config["MEETING_CONFIRMATION"],
                           days=current_app.config["MEETING_CONFIRMATION_DAYS"]), status


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/sense", methods=["GET", "POST"])
@chair_or_admin_required
def sense(meeting_id: int, item_id: int):
    """Take the sense of the meeting on an agenda item: each attending company's position."""
    meeting = load_meeting(meeting_id)
    item = load_item(meeting, item_id)
    members = {c.id for c in Company.members_on(meeting.starts_at.date())}
    companies = [c for c in meeting.attending_companies() if c.id in members]
    form = sense_form(companies)
    if not form.is_submitted():
        form.proposal.data = item.title
    if form.validate_on_submit():
        url = url_for("meetings.show", meeting_id=meeting.id, _external=True)
        plan = actions.BallotPlan(Kind.CONSENSUS, current_app.config["MEETING_CONFIRMATION_DAYS"],
                                  url)
        try:
            decision = actions.take_sense(item, current_user, form.proposal.data.strip(),
                                          form.answers([c.id for c in companies]),
                                          Confirmation(current_app.config["MEETING_CONFIRMATION"]),
                                          plan)
        except MeetingError as exc:
            db.session.rollback()
            return _decide_page(meeting, item, form, PutForm(formdata=None), exc.status,
                                exc.sentence())
        return _done(meeting, decision.words(), f"#item-{item.id}")
    return _decide_page(meeting, item, form, PutForm(formdata=None),
                        422 if form.is_submitted() else 200)


@bp.post("/<int:meeting_id>/agenda/<int:item_id>/ballot")
@chair_or_admin_required
def put(meeting_id: int, item_id: int):
    """Open a consensus round or a called vote for all member companies on an agenda item."""
    meeting = load_meeting(meeting_id)
    item = load_item(meeting, item_id)
    form = PutForm()
    if not form.validate_on_submit():
        return _decide_page(meeting, item, sense_form([]), form, 422, _form_errors(form))
    url = url_for("meetings.show", meeting_id=meeting.id, _external=True)
    try:
        decision = actions.put_to_members(item, current_user, form.proposal.data.strip(),
                                          actions.BallotPlan(Kind(form.kind.data),
                                                             form.days.data, url))
    except MeetingError as exc:
        db.session.rollback()
        return _decide_page(meeting, item, sense_form([]), form, exc.status, exc.sentence())
    return _done(meeting, decision.words(), f"#item-{item.id}")


@bp.post("/<int:meeting_id>/actions")
@chair_or_admin_required
def add_action(meeting_id: int):
    """Add an action item with its owner and due date."""
    meeting = load_meeting(meeting_id)
    form = ActionForm(prefix="action")  # shares the meeting page with the agenda item form
    form.owner.choices = owner_choices(meeting)
    if not form.validate_on_submit():
        return meeting_page(meeting, _form_errors(form), {"action": form})
    owner = db.session.get(User, form.owner.data) if form.owner.data else None
    try:
        actions.add_action(meeting, current_user, form.title.data.strip(), owner,
                           (form.owner_name.data or "").strip(), form.due_on.data)
    except MeetingError as exc:
        return _refused(meeting, exc)
    return _done(meeting, "Action item added.", "#actions")


def facts(meeting: Meeting) -> MinutesFacts:
    """Gather what the minutes are drafted from."""
    items = [ItemLine(i.title, tuple(e.company.name for e in i.endorsements), item_link(i),
                      i.decision.words() if i.decision else "", i.carried_action_id is not None)
             for i in meeting.items]
    acts = [ActionLine(a.title, a.owner_label, a.due_on, a.status) for a in meeting.actions]
    people = [AttendanceLine(group, tuple(names)) for group, names in _groups(meeting)]
    return MinutesFacts(meeting.title, meeting.starts_at, people, items, acts)


@bp.route("/<int:meeting_id>/minutes", methods=["GET", "POST"])
@chair_or_admin_required
def minutes(meeting_id: int):
    """Edit the minutes, drafted from the attendance, agenda, decisions and action items."""
    meeting = load_meeting(meeting_id)
    form = MinutesForm()
    if not form.is_submitted():
        form.minutes.data = meeting.minutes or draft_minutes(facts(meeting))
    if form.validate_on_submit():
        try:
            actions.save_minutes(meeting, current_user, form.minutes.data)
        except MeetingError as exc:
            return _refused(meeting, exc)
        return _done(meeting, "Minutes saved. Publish them when they are final.", "#minutes")
    return render_template("meetings/minutes.html", form=form, meeting=meeting,
                           draft=draft_minutes(facts(meeting)), button=PostForm()), \
        422 if form.is_submitted() else 200


@bp.post("/<int:meeting_id>/publish")
@chair_or_admin_required
def publish(meeting_id: int):
    """Publish the minutes to everyone; open action items go to the next meeting's agenda."""
    meeting = load_meeting(meeting_id)
    if not PostForm().validate_on_submit():
        return meeting_page(meeting, "The form expired; try again.")
    try:
        actions.publish(meeting, current_user)
    except MeetingError as exc:
        return _refused(meeting, exc)
    return _done(meeting, f"Minutes published on {clock.today().isoformat()}.")
