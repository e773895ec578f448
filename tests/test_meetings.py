"""Meetings over HTTP: lifecycle, attendance, decisions in the meeting, actions, minutes, calendars."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from mail_helpers import send
from sqlalchemy import select

from core import clock
from core.audit import AuditEvent, verify_database
from core.db import db
from meetings.models import ActionItem, AgendaItem, Meeting, MeetingDecision
from voting.ballot_rules import Stage
from voting.models import Ballot
from voting.outcome import Kind

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CALL = "https://meet.example/concord-weekly"


@pytest.fixture
def chair_in(client, login, consortium, travel):
    """The chair signed in, with CSRF off and the clock at NOW."""
    client.application.config["WTF_CSRF_ENABLED"] = False
    travel(NOW)
    login(consortium["chair"])
    return consortium


def schedule(client, **changes) -> list[Meeting]:
    data = {"title": "Weekly call", "starts_at": "2027-03-03T14:00", "duration_minutes": "60",
            "count": "1", "every_days": "14", "alternate": "", "call_link": CALL,
            "members_notes": "Dial-in PIN 4242"} | changes
    resp = client.post("/meetings/new", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return list(db.session.scalars(select(Meeting).order_by(Meeting.starts_at)))


def actions_of(name: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == name)))


def test_a_series_alternates_times_and_the_chair_edits_and_cancels(client, login, chair_in):
    meetings = schedule(client, count="3", alternate="04:00")
    assert [m.starts_at.hour for m in meetings] == [14, 4, 14]
    assert len({m.series for m in meetings}) == 1 and meetings[0].series
    first = meetings[0]
    resp = client.post(f"/meetings/{first.id}/edit", data={
        "title": "Weekly call (moved)", "starts_at": "2027-03-03T15:00", "duration_minutes": "90",
        "call_link": CALL, "members_notes": ""})
    assert resp.status_code == 302
    assert first.title == "Weekly call (moved)" and first.sequence == 1
    assert client.post(f"/meetings/{meetings[1].id}/cancel").status_code == 302
    assert meetings[1].state == "cancelled"
    assert client.post(f"/meetings/{meetings[1].id}/cancel").status_code == 409
    assert client.post("/meetings/new", data={"title": "x", "starts_at": "2027-03-03T14:00",
                                              "duration_minutes": "0", "count": "1",
                                              "every_days": "7"}).status_code == 422
    assert len(actions_of("meeting.create")) == 3 and verify_database().ok


def test_a_blank_alternate_time_means_the_same_time(client, chair_in):
    """Whitespace in the alternate time is "empty", not a 500 (found by the form fuzzer)."""
    assert [m.starts_at.hour for m in schedule(client, count="2", alternate=" \t ")] == [14, 14]


def test_representatives_propose_and_plus_one_once_and_the_chair_orders(client, login, chair_in):
    meeting = schedule(client)[0]
    reps = chair_in["reps"]
    login(reps["NTT"])
    assert client.post(f"/meetings/{meeting.id}/agenda",
                       data={"title": "Logging", "description": "", "link_kind": ""}).status_code == 302
    assert client.post(f"/meetings/{meeting.id}/agenda", data={
        "title": "Ballot", "link_kind": "ballot", "link_id": "999"}).status_code == 422
    login(reps["Orange"])
    client.post(f"/meetings/{meeting.id}/agenda", data={"title": "Telemetry", "link_kind": ""})
    first, second = meeting.items
    assert first.endorser_ids() == {reps["NTT"].company().id}  # proposing is its company's +1
    assert client.post(f"/meetings/{meeting.id}/agenda/{first.id}/endorse").status_code == 302
    assert client.post(f"/meetings/{meeting.id}/agenda/{first.id}/endorse").status_code == 409
    login(reps["Orange"])
    assert client.post(f"/meetings/{meeting.id}/agenda/{second.id}/move/up").status_code == 403
    login(chair_in["chair"])
    assert client.post(f"/meetings/{meeting.id}/agenda/{second.id}/move/up").status_code == 302
    db.session.expire_all()
    assert [i.title for i in meeting.items] == ["Telemetry", "Logging"]
    assert client.post(f"/meetings/{meeting.id}/agenda/{second.id}/move/up").status_code == 409


def _attend(client, meeting, consortium, names=("AT&T", "NTT", "Orange")):
    people = [str(consortium["reps"][n].id) for n in names]
    resp = client.post(f"/meetings/{meeting.id}/attendance",
                       data={"people": people, "guests": "Kim Lee, Intel\n\nSam"})
    assert resp.status_code == 302, resp.get_data(as_text=True)


def test_attendance_is_listed_per_company_with_guests(client, login, chair_in):
    meeting = schedule(client)[0]
    _attend(client, meeting, chair_in)
    assert [c.name for c in meeting.attending_companies()] == ["AT&T", "NTT", "Orange"]
    assert sorted({a.group for a in meeting.attendees}) == ["AT&T", "Guests", "Intel", "NTT", "Orange"]
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Kim Lee" in page and "Rep of NTT" in page
    resp = client.post(f"/meetings/{meeting.id}/attendance", data={"people": ["99999"]})
    assert resp.status_code == 422


def test_sense_of_the_meeting_opens_a_confirmation_round_for_all_members(client, login,
                                                                         chair_in):
    meeting = schedule(client)[0]
    client.post(f"/meetings/{meeting.id}/agenda", data={"title": "Add Intel", "link_kind": ""})
    item = meeting.items[0]
    _attend(client, meeting, chair_in)
    ids = {n: chair_in["companies"][n].id for n in ("AT&T", "NTT", "Orange")}
    page = client.get(f"/meetings/{meeting.id}/agenda/{item.id}/sense")
    assert page.status_code == 200 and "Reliance Jio" not in page.get_data(as_text=True)
    resp = client.post(f"/meetings/{meeting.id}/agenda/{item.id}/sense", data={
        "proposal": "Invite Intel to join", f"pos_{ids['AT&T']}": "support",
        f"pos_{ids['NTT']}": "support", f"pos_{ids['Orange']}": "stand_aside"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    decision = db.session.scalars(select(MeetingDecision)).one()
    assert decision.outcome["status"] == "reached" and len(decision.positions) == 3
    ballot = decision.ballot
    assert ballot.kind is Kind.CONSENSUS and ballot.stage is Stage.OPEN
    assert len(ballot.electors) == 5 and ballot.closes_at == NOW + timedelta(days=7)
    assert f"/meetings/{meeting.id}" in ballot.text
    again = client.post(f"/meetings/{meeting.id}/agenda/{item.id}/sense",
                        data={"proposal": "x", f"pos_{ids['NTT']}": "support"})
    assert again.status_code == 409


def test_an_objection_needs_a_reason_and_absent_companies_take_no_position(client, chair_in):
    meeting = schedule(client)[0]
    client.post(f"/meetings/{meeting.id}/agenda", data={"title": "Add Intel", "link_kind": ""})
    item = meeting.items[0]
    _attend(client, meeting, chair_in)
    ntt, jio = chair_in["companies"]["NTT"].id, chair_in["companies"]["Reliance Jio"].id
    url = f"/meetings/{meeting.id}/agenda/{item.id}/sense"
    assert client.post(url, data={"proposal": "p", f"pos_{ntt}": "object"}).status_code == 422
    assert client.post(url, data={"proposal": "p", f"pos_{jio}": "support"}).status_code == 422
    resp = client.post(url, data={"proposal": "p", f"pos_{ntt}": "object",
                                  f"reason_{ntt}": "Not yet"})
    assert resp.status_code == 302
    decision = db.session.scalars(select(MeetingDecision)).one()
    assert decision.outcome["status"] == "not_reached" and decision.ballot is None


def test_the_chair_may_put_an_item_to_all_members_instead(client, chair_in):
    meeting = schedule(client)[0]
    client.post(f"/meetings/{meeting.id}/agenda", data={"title": "New logo", "link_kind": ""})
    item = meeting.items[0]
    resp = client.post(f"/meetings/{meeting.id}/agenda/{item.id}/ballot",
                       data={"proposal": "Adopt logo B", "kind": "motion", "days": "10"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    ballot = db.session.scalars(select(Ballot)).one()
    assert ballot.kind is Kind.MOTION and item.decision.method == "vote"
    assert ballot.closes_at == NOW + timedelta(days=10)


def test_action_items_carry_over_and_owners_close_them(client, login, chair_in, travel):
    first, second = schedule(client, count="2", every_days="7")
    ntt = chair_in["reps"]["NTT"]
    resp = client.post(f"/meetings/{first.id}/actions", data={
        "action-title": "Share the ORM demo", "action-owner": str(ntt.id),
        "action-due_on": "2027-03-09"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    client.post(f"/meetings/{first.id}/actions",
                data={"action-title": "Book a room", "action-owner": "0",
                      "action-owner_name": "Kim Lee (Intel)"})
    assert client.post(f"/meetings/{first.id}/actions",
                       data={"action-title": "No owner", "action-owner": "0"}).status_code == 422
    share, book = first.actions
    assert share.owner_company.name == "NTT" and book.owner_label == "Kim Lee (Intel)"
    login(chair_in["reps"]["Orange"])
    url = f"/meetings/{first.id}/actions/{book.id}/status"
    assert client.post(url, data={"status": "done"}).status_code == 403
    login(chair_in["chair"])
    assert client.post(url, data={"status": "done"}).status_code == 302
    travel(NOW + timedelta(days=3))
    client.get(f"/meetings/{first.id}/minutes")
    assert client.post(f"/meetings/{first.id}/minutes",
                       data={"minutes": "# Weekly call\n"}).status_code == 302
    assert client.post(f"/meetings/{first.id}/publish").status_code == 302
    carried = db.session.scalars(select(AgendaItem).where(
        AgendaItem.meeting_id == second.id)).all()
    assert [i.carried_action_id for i in carried] == [share.id]  # the open one only
    login(ntt)
    status = client.post(f"/meetings/{first.id}/actions/{share.id}/status", data={"status": "done"})
    assert status.status_code == 302 and db.session.get(ActionItem, share.id).status == "done"
    assert client.post(f"/meetings/{first.id}/actions/{share.id}/status",
                       data={"status": "done"}).status_code == 409


def test_published_minutes_are_public_and_the_call_link_is_for_members(client, login, chair_in,
                                                                       travel):
    meeting = schedule(client)[0]
    client.post(f"/meetings/{meeting.id}/agenda", data={"title": "Add Intel", "link_kind": ""})
    _attend(client, meeting, chair_in)
    assert client.post(f"/meetings/{meeting.id}/publish").status_code == 422  # no minutes yet
    draft = client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert "**NTT**" in draft and "Add Intel" in draft
    travel(NOW + timedelta(days=2, hours=6))
    client.post(f"/meetings/{meeting.id}/minutes",
                data={"minutes": "# Weekly call\n\n- **NTT**: present\n"})
    login(None)
    assert client.get(f"/meetings/{meeting.id}/minutes.md").status_code == 404
    hidden = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Add Intel" not in hidden and CALL not in hidden
    assert client.post(f"/meetings/{meeting.id}/publish").status_code == 302  # to sign-in
    login(chair_in["reps"]["NTT"])
    assert client.post(f"/meetings/{meeting.id}/publish").status_code == 403
    login(chair_in["chair"])
    assert client.post(f"/meetings/{meeting.id}/publish").status_code == 302
    login(None)
    listing = client.get("/meetings/").get_data(as_text=True)
    assert "Weekly call" in listing and "AT&amp;T, NTT, Orange" in listing
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Add Intel" in page and "Kim Lee" in page and CALL not in page
    assert "Dial-in PIN" not in page
    md = client.get(f"/meetings/{meeting.id}/minutes.md")
    assert md.mimetype == "text/markdown" and "Dial-in PIN" not in md.get_data(as_text=True)
    login(chair_in["reps"]["Orange"])
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert CALL in page and "Dial-in PIN" in page
    assert "Dial-in PIN" in client.get(f"/meetings/{meeting.id}/minutes.md").get_data(as_text=True)
    login(chair_in["chair"])
    assert client.post(f"/meetings/{meeting.id}/agenda",
                       data={"title": "Late", "link_kind": ""}).status_code == 409


def test_calendar_feeds_are_valid_icalendar(client, login, chair_in):
    meetings = schedule(client, count="2", alternate="04:00")
    client.post(f"/meetings/{meetings[1].id}/cancel")
    login(None)
    feed = client.get("/meetings/calendar.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    cal = Calendar.from_ical(feed.get_data(as_text=True))
    events = cal.walk("VEVENT")
    assert [e.decoded("DTSTART") for e in events] == [m.starts_at for m in meetings]
    assert str(events[1]["STATUS"]) == "CANCELLED" and int(events[1]["SEQUENCE"]) == 1
    assert CALL not in feed.get_data(as_text=True)
    one = client.get(f"/meetings/{meetings[0].id}/meeting.ics")
    assert one.mimetype == "text/calendar"
    (event,) = Calendar.from_ical(one.get_data()).walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meetings[0].id}@concord"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)
    assert client.get("/meetings/424242/meeting.ics").status_code == 404


def test_action_reminders_go_out_with_the_other_notifications(runner, client, chair_in, smtp,
                                                               travel):
    meeting = schedule(client)[0]
    ntt = chair_in["reps"]["NTT"]
    client.post(f"/meetings/{meeting.id}/actions",
                data={"action-title": "Share the ORM demo", "action-owner": str(ntt.id),
                      "action-due_on": "2027-03-09"})
    travel(datetime(2027, 3, 5, 9, tzinfo=UTC))
    assert "0 sent" in send(runner).output  # more than ACTION_REMINDER_DAYS ahead
    travel(datetime(2027, 3, 7, 9, tzinfo=UTC))
    assert "1 sent" in send(runner).output
    assert "0 sent" in send(runner).output  # once
    assert smtp.to("Action item due 2027-03-09") == {ntt.email: 1}
    assert clock.today() == date(2027, 3, 7)


def test_the_demo_has_past_minutes_a_decision_and_a_next_meeting(app, client):
    from devtools.demo_data import load_demo

    assert load_demo()
    listing = client.get("/meetings/").get_data(as_text=True)
    assert listing.count("Markdown</a>") == 3 and "AT&amp;T, NTT, Orange, Reliance Jio" in listing
    published = db.session.scalars(select(Meeting).where(Meeting.state == "published")
                                   .order_by(Meeting.starts_at)).all()
    page = client.get(f"/meetings/{published[0].id}").get_data(as_text=True)
    assert "Consensus reached" in page and "Kim Lee" in page and "concord-fortnightly" not in page
    assert "In the decisions register" in page
    register = re.search(r'href="/decisions/(\d+)"', page)
    decision = client.get(f"/decisions/{register.group(1)}").get_data(as_text=True)
    assert f'from <a href="/meetings/{published[0].id}">the meeting of' in decision
    following = Meeting.next_after(clock.now())
    assert following is not None and following.items
    assert Calendar.from_ical(client.get("/meetings/calendar.ics").get_data()).walk("VEVENT")
    assert verify_database().ok
