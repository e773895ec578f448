"""Meeting pages: the public list and minutes (HTML and Markdown), calendars, and the wiring."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, Response, abort, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from core import clock
from core.config import ConfigError
from core.db import db
from core.users import Role
from meetings.documents import CalendarEvent, calendar_text
from meetings.forms import ActionForm, ActionStatusForm, ItemForm, PostForm
from meetings.markdown import minutes_html
from meetings.models import AgendaItem, Meeting, MeetingDecision
from meetings.rules import Confirmation, MeetingState
from voting import public

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
MEMBER_ROLES = {Role.REPRESENTATIVE, Role.CHAIR, Role.ADMIN}
CALENDAR_MONTHS_BACK = 6


def meeting_origin(ballot) -> tuple[str, str] | None:
    """Name the meeting a decision was taken in, for the decisions register."""
    decision = db.session.scalars(select(MeetingDecision)
                                  .where(MeetingDecision.ballot_id == ballot.id)).first()
    if decision is None:
        return None
    meeting = decision.item.meeting
    return (f"the meeting of {meeting.starts_at.day} {meeting.starts_at:%b %Y}",
            url_for("meetings.show", meeting_id=meeting.id))


def init_app(app: Flask) -> None:
    """Check the meeting settings, register the pages and the action-item reminders."""
    from cycles import notify
    from meetings import agenda_views, chair_views, reminders  # noqa: F401  (routes)

    if app.config["MEETING_CONFIRMATION"] not in {c.value for c in Confirmation}:
        raise ConfigError("MEETING_CONFIRMATION must be one of "
                          f"{sorted(c.value for c in Confirmation)}")
    for name in ("MEETING_CONFIRMATION_DAYS", "ACTION_REMINDER_DAYS"):
        if not 0 <= app.config[name] <= 60 or (name == "MEETING_CONFIRMATION_DAYS"
                                               and app.config[name] < 1):
            raise ConfigError(f"{name} must be a whole number of days (1 to 60)")
    app.add_template_filter(minutes_html, "minutes_html")
    if meeting_origin not in public.origins:  # one hook, however many apps a process builds
        public.origins.append(meeting_origin)
    app.register_blueprint(bp)
    if reminders.send_due not in notify.extra_senders:  # one hook, however many apps are built
        notify.extra_senders.append(reminders.send_due)


def is_member_viewer() -> bool:
    """Tell whether the viewer takes part (representative, chair, admin): call link and notes."""
    return bool(current_user.roles() & MEMBER_ROLES)


def is_chair_or_admin() -> bool:
    """Tell whether the viewer holds the chair or administers the site."""
    return bool(current_user.roles() & {Role.CHAIR, Role.ADMIN})


def load_meeting(meeting_id: int) -> Meeting:
    """Load a meeting or 404."""
    return db.session.get(Meeting, meeting_id) or abort(404)


def load_item(meeting: Meeting, item_id: int) -> AgendaItem:
    """Load an agenda item of this meeting or 404."""
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def item_link(item: AgendaItem) -> str:
    """Return the address of what an agenda item points to ('' when nothing)."""
    if not item.link_kind or item.link_id is None:
        return ""
    if item.link_kind == "proposal":
        from surveys.proposals import Proposal

        proposal = db.session.get(Proposal, item.link_id)
        return url_for("surveys.proposal_list", survey_id=proposal.survey_id) if proposal else ""
    if item.link_kind == "ballot":
        from voting.models import Ballot

        ballot = db.session.get(Ballot, item.link_id)
        if ballot is not None and ballot.published_at is not None:
            return url_for("decisions.show", ballot_id=item.link_id)
        return url_for("voting.show", ballot_id=item.link_id)
    if item.link_kind == "survey":
        return url_for("surveys.detail", survey_id=item.link_id)
    return url_for("surveys.item_detail", item_id=item.link_id)


def meeting_page(meeting: Meeting, problem: str | None = None, forms: dict | None = None):
    """Render a meeting: public minutes, plus agenda, call link and notes for members."""
    from meetings.chair_views import owner_choices

    member, chair = is_member_viewer(), is_chair_or_admin()
    if not member and meeting.state == MeetingState.SCHEDULED:
        items, actions = [], []
    else:
        items, actions = meeting.items, meeting.actions
    forms = forms or {}
    if member and "item" not in forms:
        forms["item"] = ItemForm(formdata=None)
    if chair and "action" not in forms:
        forms["action"] = ActionForm(formdata=None, prefix="action")
        forms["action"].owner.choices = owner_choices(meeting)
    company = current_user.company() if member else None
    return render_template("meetings/show.html", meeting=meeting, items=items, actions=actions,
                           member=member, chair=chair, problem=problem, forms=forms,
                           button=PostForm(), status_form=ActionStatusForm(formdata=None),
                           company=company, link=item_link,
                           groups=_groups(meeting)), 200 if problem is None else 422


def _groups(meeting: Meeting) -> list[tuple[str, list[str]]]:
    """Return the attendance per company (then guests per organisation), by name."""
    found: dict[str, list[str]] = {}
    for a in meeting.attendees:
        found.setdefault(a.group, []).append(a.name)
    return sorted(found.items())


@bp.get("/")
def index():
    """List the coming meetings and the published minutes (public)."""
    now = clock.now()
    upcoming = db.session.scalars(select(Meeting).where(
        Meeting.state != MeetingState.PUBLISHED.value, Meeting.starts_at >= now - _grace())
        .order_by(Meeting.starts_at).limit(20)).all()
    published = db.session.scalars(select(Meeting).where(
        Meeting.state == MeetingState.PUBLISHED.value).order_by(Meeting.starts_at.desc())).all()
    awaiting = []
    if is_chair_or_admin():
        awaiting = db.session.scalars(select(Meeting).where(
            Meeting.state == MeetingState.SCHEDULED.value, Meeting.starts_at < now - _grace())
            .order_by(Meeting.starts_at.desc())).all()
    return render_template("meetings/index.html", upcoming=upcoming, published=published,
                           awaiting=awaiting, chair=is_chair_or_admin())


def _grace() -> timedelta:
    return timedelta(hours=12)  # a meeting under way is still "coming" until it surely ended


@bp.get("/<int:meeting_id>")
def show(meeting_id: int):
    """Show a meeting: minutes for everyone once published; more for members."""
    return meeting_page(load_meeting(meeting_id))


@bp.get("/<int:meeting_id>/minutes.md")
def minutes_md(meeting_id: int):
    """Serve the published minutes as Markdown (members also get the members-only notes)."""
    meeting = load_meeting(meeting_id)
    if not meeting.is_published:
        abort(404)
    body = meeting.minutes
    if is_member_viewer() and meeting.members_notes.strip():
        body = body.rstrip("\n") + "\n\n## Members-only notes\n\n" + meeting.members_notes + "\n"
    resp = Response(body, mimetype="text/markdown")
    resp.headers["Content-Disposition"] = f'inline; filename="meeting-{meeting.id}-minutes.md"'
    return resp


def _event(meeting: Meeting) -> CalendarEvent:
    url = url_for("meetings.show", meeting_id=meeting.id, _external=True)
    return CalendarEvent(
        uid=f"meeting-{meeting.id}@concord", starts_at=meeting.starts_at, ends_at=meeting.ends_at,
        summary=meeting.title, url=url, sequence=meeting.sequence,
        description=f"Agenda, call link (members) and minutes: {url}",
        cancelled=meeting.state == MeetingState.CANCELLED)


def _calendar(meetings: list[Meeting], name: str) -> Response:
    text = calendar_text(name, [_event(m) for m in meetings], clock.now())
    resp = Response(text, mimetype="text/calendar")
    resp.headers["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return resp


@bp.get("/calendar.ics")
def calendar():
    """Serve every meeting from six months back as an iCalendar feed (public; no call link)."""
    since = clock.now() - timedelta(days=31 * CALENDAR_MONTHS_BACK)
    meetings = db.session.scalars(select(Meeting).where(Meeting.starts_at >= since)
                                  .order_by(Meeting.starts_at)).all()
    return _calendar(list(meetings), "Concord meetings")


@bp.get("/<int:meeting_id>/meeting.ics")
def meeting_ics(meeting_id: int):
    """Serve one meeting as an iCalendar file."""
    meeting = load_meeting(meeting_id)
    return _calendar([meeting], meeting.title)
