"""What people do to meetings: schedule, propose and +1 items, attend, decide, act, publish.

Each step checks its rule, changes the records and writes the audit row; the view commits
once. The acting user is a parameter; a refusal is a `MeetingError` with its HTTP status.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from core import audit, clock
from core.db import db
from core.members import Company
from core.users import User
from meetings.models import (
    ActionItem,
    AgendaEndorsement,
    AgendaItem,
    Meeting,
    MeetingAttendance,
    MeetingDecision,
    SensePosition,
)
from meetings.rules import (
    ActionStatus,
    Confirmation,
    DecisionMethod,
    MeetingError,
    MeetingState,
    Position,
    endorse_refusal,
    moved,
    sense_of_meeting,
)
from voting.errors import BallotError
from voting.models import Ballot
from voting.outcome import Kind, Status
from voting.rules import Response


def schedule(by: User, title: str, starts: Sequence[datetime], duration: int, call_link: str,
             notes: str) -> list[Meeting]:
    """Create one meeting per start (one series when several) and carry open actions over."""
    series = uuid.uuid4().hex if len(starts) > 1 else ""
    meetings = [Meeting(series=series, title=title, starts_at=s, duration_minutes=duration,
                        call_link=call_link, members_notes=notes, created_by_id=by.id,
                        state=MeetingState.SCHEDULED.value, sequence=0, minutes="")
                for s in starts]
    db.session.add_all(meetings)
    for m in meetings:
        audit.record("meeting.create", m, actor=by, title=title, starts_at=m.starts_at,
                     series=series, duration_minutes=duration)
    following = Meeting.next_after(clock.now())
    if following is not None and following in meetings:
        carry_over(following, by)
    return meetings


def require_open(meeting: Meeting) -> None:
    """Refuse a change once the minutes are published or the meeting was cancelled."""
    if not meeting.is_open:
        raise MeetingError(f"this meeting is {meeting.state}; it can no longer change", 409)


def update(meeting: Meeting, by: User, **fields) -> None:
    """Change a scheduled meeting's title, time, length, call link or members' notes."""
    require_open(meeting)
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.sequence += 1
    audit.record("meeting.update", meeting, actor=by, **fields)


def cancel(meeting: Meeting, by: User) -> None:
    """Cancel a scheduled meeting (calendars are told: STATUS:CANCELLED)."""
    require_open(meeting)
    meeting.state, meeting.sequence = MeetingState.CANCELLED.value, meeting.sequence + 1
    audit.record("meeting.cancel", meeting, actor=by)


def _check_link(kind: str, link_id: int | None) -> None:
    from surveys.models import RoadmapItem, Survey
    from surveys.proposals import Proposal

    if not kind:
        return
    model = {"proposal": Proposal, "ballot": Ballot, "survey": Survey,
             "roadmap_item": RoadmapItem}.get(kind)
    if model is None or link_id is None or db.session.get(model, link_id) is None:
        raise MeetingError(f"there is no {kind.replace('_', ' ')} #{link_id}")


def propose(meeting: Meeting, by: User, company: Company | None, title: str, description: str,
            link_kind: str = "", link_id: int | None = None) -> AgendaItem:
    """Add an item to the agenda; the proposing company's +1 comes with it."""
    require_open(meeting)
    _check_link(link_kind, link_id)
    last = db.session.scalar(select(func.max(AgendaItem.position))
                             .where(AgendaItem.meeting_id == meeting.id)) or 0
    item = AgendaItem(meeting=meeting, position=last + 1, title=title, description=description,
                      link_kind=link_kind, link_id=link_id if link_kind else None,
                      proposed_by_id=by.id, company_id=company.id if company else None)
    db.session.add(item)
    if company is not None:
        _endorsement(item, company, by)
    audit.record("meeting.agenda_propose", item, actor=by, meeting_id=meeting.id, title=title,
                 company=company.name if company else None, link=f"{link_kind}:{link_id or ''}")
    return item


def _endorsement(item: AgendaItem, company: Company, by: User) -> AgendaEndorsement:
    endorsement = AgendaEndorsement(company_id=company.id, user_id=by.id)
    item.endorsements.append(endorsement)
    return endorsement


def endorse(item: AgendaItem, by: User, company: Company | None) -> None:
    """Record the company's +1 on an item (once per company)."""
    refusal = endorse_refusal(company.id if company else None, item.endorser_ids(),
                              item.meeting.is_open)
    if refusal:
        raise MeetingError(refusal, 403 if company is None else 409)
    _endorsement(item, company, by)
    audit.record("meeting.agenda_endorse", item, actor=by, company=company.name)


def move(item: AgendaItem, direction: str, by: User) -> None:
    """Move an agenda item one place up or down (the chair orders the agenda)."""
    meeting = item.meeting
    require_open(meeting)
    order = moved([i.id for i in meeting.items], item.id, direction)
    for position, i in enumerate(sorted(meeting.items, key=lambda i: order.index(i.id)), 1):
        i.position = position
    audit.record("meeting.agenda_move", item, actor=by, direction=direction, order=order)


def record_attendance(meeting: Meeting, by: User, people: Sequence[User],
                      guests: Sequence[tuple[str, str]]) -> None:
    """Replace the attendance: representatives (with their company that day) and named guests."""
    if meeting.state == MeetingState.CANCELLED:
        raise MeetingError("a cancelled meeting has no attendance", 409)
    day = meeting.starts_at.date()
    rows = []
    for person in people:
        company = person.company(day)
        if company is None:
            raise MeetingError(f"{person} did not represent a company on {day.isoformat()}")
        rows.append(MeetingAttendance(user_id=person.id, company_id=company.id))
    rows += [MeetingAttendance(guest_name=name, organisation=org) for name, org in guests]
    meeting.attendees.clear()
    db.session.flush()
    meeting.attendees.extend(rows)
    audit.record("meeting.attendance", meeting, actor=by,
                 representatives=sorted(str(p) for p in people),
                 guests=[f"{n} ({o})" if o else n for n, o in guests])


def _undecided(item: AgendaItem) -> None:
    require_open(item.meeting)
    if item.decision is not None:
        raise MeetingError("this item is already decided", 409)


@dataclass(frozen=True)
class BallotPlan:
    """The ballot a meeting opens: kind, length in days, and the meeting's address for its text."""

    kind: Kind
    days: int
    meeting_url: str


def _open_ballot(item: AgendaItem, by: User, title: str, wording: str, plan: BallotPlan) -> Ballot:
    now = clock.now()
    when = item.meeting.starts_at.strftime("%-d %B %Y")
    text = f"{wording}\n\nFrom the meeting of {when}: {plan.meeting_url}".strip()
    ballot = Ballot(title=title[:200], text=text, kind=plan.kind, opens_at=now,
                    closes_at=now + timedelta(days=plan.days), created_by=by)
    db.session.add(ballot)
    try:
        members = ballot.open()
    except BallotError as exc:
        raise MeetingError(f"the ballot cannot open: {exc}", 409) from exc
    audit.record("ballot.create", ballot, actor=by, title=ballot.title, kind=plan.kind.value,
                 opens_at=ballot.opens_at, closes_at=ballot.closes_at, options=[],
                 meeting_id=item.meeting_id, agenda_item_id=item.id)
    audit.record("ballot.open", ballot, actor=by, electorate=[c.name for c in members],
                 lot_commitment=ballot.lot_commitment)
    return ballot


def take_sense(item: AgendaItem, by: User, wording: str, answers: dict[int, tuple[str, str]],
               confirmation: Confirmation, plan: BallotPlan) -> MeetingDecision:
    """Record each attending member company's position, count it, confirm with absent members."""
    _undecided(item)
    meeting = item.meeting
    members = {c.id: c for c in Company.members_on(meeting.starts_at.date())}
    attending = {c.id for c in meeting.attending_companies()} & members.keys()
    if set(answers) - attending:
        raise MeetingError("only companies recorded as attending, and members that day, "
                           "take a position")
    try:
        positions = [Position(members[cid].name, Response(r), reason)
                     for cid, (r, reason) in sorted(answers.items())]
    except ValueError as exc:
        raise MeetingError("a position is support, stand aside or object") from exc
    outcome = sense_of_meeting(positions, len(members))
    decision = MeetingDecision(item=item, method=DecisionMethod.SENSE.value, proposal=wording,
                               outcome=outcome.to_dict(), decided_by_id=by.id, decided_at=clock.now())
    decision.positions = [SensePosition(company_id=cid, response=r, reason=reason.strip())
                          for cid, (r, reason) in sorted(answers.items())]
    db.session.add(decision)
    if outcome.status is Status.REACHED and confirmation is Confirmation.CONSENSUS_ROUND:
        decision.ballot = _open_ballot(item, by, f"Confirm: {item.title}", wording,
                                       BallotPlan(Kind.CONSENSUS, plan.days, plan.meeting_url))
    audit.record("meeting.sense", item, actor=by, meeting_id=meeting.id, proposal=wording,
                 summary=outcome.summary, ballot_id=decision.ballot.id if decision.ballot else None)
    return decision


def put_to_members(item: AgendaItem, by: User, wording: str, plan: BallotPlan) -> MeetingDecision:
    """Open a consensus round or a called vote for all member companies on an agenda item."""
    _undecided(item)
    method = DecisionMethod.CONSENSUS_ROUND if plan.kind is Kind.CONSENSUS else DecisionMethod.VOTE
    ballot = _open_ballot(item, by, item.title, wording, plan)
    decision = MeetingDecision(item=item, method=method.value, proposal=wording, ballot=ballot,
                               decided_by_id=by.id, decided_at=clock.now())
    db.session.add(decision)
    audit.record("meeting.ballot", item, actor=by, meeting_id=item.meeting_id, ballot_id=ballot.id,
                 method=method.value)
    return decision


def add_action(meeting: Meeting, by: User, title: str, owner: User | None, owner_name: str,
               due_on: date | None) -> ActionItem:
    """Record an action item with its owner (a person, and their company that day) and due date."""
    if meeting.state == MeetingState.CANCELLED:
        raise MeetingError("a cancelled meeting has no action items", 409)
    company = owner.company(meeting.starts_at.date()) if owner else None
    action = ActionItem(meeting=meeting, title=title, owner_user_id=owner.id if owner else None,
                        owner_company_id=company.id if company else None,
                        owner_name="" if owner else owner_name, due_on=due_on,
                        status=ActionStatus.OPEN.value)
    db.session.add(action)
    audit.record("meeting.action_add", action, actor=by, meeting_id=meeting.id, title=title,
                 owner=str(owner) if owner else owner_name, due_on=due_on)
    return action


def set_action_status(action: ActionItem, by: User, status: ActionStatus) -> None:
    """Mark an action item done, dropped, or open again."""
    if action.status == status.value:
        raise MeetingError(f"this action item is already {status.value}", 409)
    before = action.status
    action.status = status.value
    action.closed_at = None if status is ActionStatus.OPEN else clock.now()
    audit.record("meeting.action_status", action, actor=by, status_from=before, status_to=status.value)


def carry_over(meeting: Meeting, by: User | None) -> list[AgendaItem]:
    """Put every open action item of earlier meetings on this meeting's agenda (once each)."""
    open_items = db.session.scalars(
        select(ActionItem).join(Meeting, ActionItem.meeting_id == Meeting.id)
        .where(ActionItem.status == ActionStatus.OPEN.value, Meeting.starts_at < meeting.starts_at)
        .order_by(ActionItem.id)).all()
    have = {i.carried_action_id for i in meeting.items}
    added = []
    last = max((i.position for i in meeting.items), default=0)
    for action in open_items:
        if action.id in have:
            continue
        last += 1
        added.append(AgendaItem(meeting=meeting, position=last, title=f"Action: {action.title}"[:200],
                                description=f"Owner: {action.owner_label}", carried_action=action))
    if added:
        db.session.add_all(added)
        audit.record("meeting.carry_over", meeting, actor=by, actions=[a.carried_action.id
                                                                       for a in added])
    return added


def save_minutes(meeting: Meeting, by: User, text: str) -> None:
    """Save the chair's edited minutes (Markdown)."""
    require_open(meeting)
    meeting.minutes = text
    audit.record("meeting.minutes", meeting, actor=by, length=len(text))


def publish(meeting: Meeting, by: User) -> None:
    """Publish the minutes to everyone and carry open action items to the next meeting."""
    require_open(meeting)
    if not meeting.minutes.strip():
        raise MeetingError("write (or draft) the minutes before publishing them")
    if meeting.starts_at > clock.now():
        raise MeetingError("the meeting has not started yet", 409)
    meeting.state, meeting.published_at = MeetingState.PUBLISHED.value, clock.now()
    audit.record("meeting.publish", meeting, actor=by)
    following = Meeting.next_after(meeting.starts_at)
    if following is not None:
        carry_over(following, by)
