"""Demo meetings: a fortnightly call alternating 14:00 and 04:00 UTC, three with published minutes.

Run through the real meeting actions at past moments: agenda items with +1s, attendance per
company (and a guest), a decision taken by the sense of the meeting and confirmed by a
consensus round of all members (published, so it is in the decisions register), action items
(one done, one carried over), and the next meeting with its agenda open for proposals.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from core import clock
from core.db import db
from core.members import ChairTerm, Company, Representative
from core.users import User
from meetings import actions
from meetings.chair_views import facts
from meetings.documents import draft_minutes
from meetings.models import Meeting
from meetings.rules import ActionStatus, Confirmation, series_starts
from voting import actions as voting
from voting.outcome import Kind

CALL = "https://meet.example/concord-fortnightly"
SITE = "http://127.0.0.1:5000/meetings/"  # the ballot text names its meeting by address


def _rep(slug: str) -> User:
    stmt = (select(User).join(Representative, Representative.user_id == User.id)
            .join(Company, Company.id == Representative.company_id)
            .where(Company.slug == slug).order_by(Representative.kind, User.id))
    return db.session.scalars(stmt).first()


def _company(slug: str) -> Company:
    return db.session.scalars(select(Company).where(Company.slug == slug)).one()


def _held(meeting: Meeting, chair: User, slugs: tuple[str, ...], guests=()) -> None:
    """Record the attendance as the meeting ends."""
    with clock.frozen(meeting.ends_at):
        actions.record_attendance(meeting, chair, [_rep(s) for s in slugs], list(guests))


def _publish(meeting: Meeting, chair: User, notes: str = "") -> None:
    """Draft the minutes from the records, save and publish them the day after."""
    with clock.frozen(meeting.starts_at + timedelta(days=1)):
        text = draft_minutes(facts(meeting))
        actions.save_minutes(meeting, chair, text + (f"\n{notes}\n" if notes else ""))
        actions.publish(meeting, chair)


def _confirm(ballot, chair: User) -> None:
    """Let the members answer the confirmation round, then count and publish it."""
    for hour, slug in enumerate(("att", "ntt", "orange", "reliance-jio"), start=1):
        with clock.frozen(ballot.opens_at + timedelta(hours=hour)):
            voting.cast(ballot, _rep(slug), {"response": "support"})
    with clock.frozen(ballot.closes_at + timedelta(hours=1)):
        voting.decide_ballot(ballot)
        voting.publish(ballot, "Confirmed: the meeting's decision stands.")
    db.session.commit()


def load_demo_meetings() -> None:
    """Create the demo meetings (call after the demo companies, people and chair exist)."""
    chair = ChairTerm.current().user
    first_day = clock.today() - timedelta(days=40)  # the fourth is in two days
    first = datetime.combine(first_day, time(14, 0), tzinfo=UTC)
    with clock.frozen(first - timedelta(days=5)):
        meetings = actions.schedule(
            chair, "Fortnightly operators call", series_starts(first, 14, 4, time(4, 0)), 60,
            CALL, "Etherpad: https://etherpad.example/p/concord-operators (members only)")
        for slug, title in (("ntt", "Confirm the alternating call times"),
                            ("att", "Measures of success for the collaboration")):
            item = actions.propose(meetings[0], _rep(slug), _company(slug), title, "")
            for other in ("orange", "reliance-jio"):
                actions.endorse(item, _rep(other), _company(other))
    one, two, three, following = meetings
    _held(one, chair, ("att", "ntt", "orange", "reliance-jio"), [("Kim Lee", "Intel")])
    with clock.frozen(one.starts_at + timedelta(minutes=30)):
        answers = {_company(s).id: ("support", "") for s in ("att", "ntt", "orange")}
        answers[_company("reliance-jio").id] = ("stand_aside", "")
        decision = actions.take_sense(
            one.items[0], chair, "Meet every two weeks, alternating 14:00 and 04:00 UTC, so "
            "that members from Pacific time to Japan can attend.", answers,
            Confirmation.CONSENSUS_ROUND,
            actions.BallotPlan(Kind.CONSENSUS, 7, f"{SITE}{one.id}"))
        slides = actions.add_action(one, chair, "Share the measures-of-success slides",
                                    _rep("att"), "", one.starts_at.date() + timedelta(days=7))
        actions.add_action(one, chair, "Open a chat channel per collaboration area",
                           _rep("orange"), "", one.starts_at.date() + timedelta(days=21))
    _publish(one, chair)  # both actions are open: they go to the next agenda
    with clock.frozen(one.starts_at + timedelta(days=6)):
        actions.set_action_status(slides, _rep("att"), ActionStatus.DONE)
    db.session.commit()
    _confirm(decision.ballot, chair)
    _held(two, chair, ("att", "ntt", "walmart"))
    with clock.frozen(two.starts_at + timedelta(minutes=20)):
        actions.propose(two, _rep("walmart"), _company("walmart"), "Logging working group",
                        "Start in chat; set up a call if we need a further push.")
        actions.add_action(two, chair, "Draft the logging working group's charter",
                           _rep("walmart"), "", following.starts_at.date())
    _publish(two, chair)
    _held(three, chair, ("att", "ntt", "orange", "reliance-jio", "walmart"))
    _publish(three, chair, "The ORM demo is planned for the next call.")
    with clock.frozen(following.starts_at - timedelta(days=3)):
        item = actions.propose(following, _rep("ntt"), _company("ntt"), "ORM demo", "")
        actions.endorse(item, _rep("att"), _company("att"))
    db.session.commit()
