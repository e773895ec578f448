"""Pure meeting rules without an app: series times, agenda, sense of the meeting, minutes, iCalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from meetings.documents import (
    ActionLine,
    AttendanceLine,
    CalendarEvent,
    ItemLine,
    MinutesFacts,
    calendar_text,
    draft_minutes,
    md,
)
from meetings.rules import (
    ActionFacts,
    MeetingError,
    Position,
    endorse_refusal,
    moved,
    reminders_due,
    sense_of_meeting,
    series_starts,
)
from voting.outcome import Status
from voting.rules import Response

FIRST = datetime(2027, 3, 3, 14, 0, tzinfo=UTC)


def test_series_alternates_between_two_utc_times_every_two_weeks():
    starts = series_starts(FIRST, 14, 4, time(4, 0))
    assert starts == [FIRST, datetime(2027, 3, 17, 4, 0, tzinfo=UTC),
                      datetime(2027, 3, 31, 14, 0, tzinfo=UTC),
                      datetime(2027, 4, 14, 4, 0, tzinfo=UTC)]


def test_series_without_alternate_keeps_the_time_and_reads_zones():
    paris = FIRST.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert series_starts(paris, 7, 2) == [FIRST, FIRST + timedelta(days=7)]


@pytest.mark.parametrize("count, every", [(0, 7), (53, 7), (2, 0), (2, 92)])
def test_series_limits(count, every):
    with pytest.raises(MeetingError):
        series_starts(FIRST, every, count)


def test_series_refuses_naive_times():
    with pytest.raises(MeetingError):
        series_starts(datetime(2027, 1, 1, 14), 7, 1)


def test_move_up_and_down_and_the_ends():
    assert moved([1, 2, 3], 3, "up") == [1, 3, 2]
    assert moved([1, 2, 3], 1, "down") == [2, 1, 3]
    with pytest.raises(MeetingError) as first:
        moved([1, 2, 3], 1, "up")
    assert first.value.status == 409
    with pytest.raises(MeetingError):
        moved([1, 2], 7, "up")


def test_a_company_plus_ones_once_while_the_agenda_is_open():
    assert endorse_refusal(5, {1, 2}, True) == ""
    assert "once" in endorse_refusal(2, {1, 2}, True)
    assert "closed" in endorse_refusal(5, set(), False)
    assert "representative" in endorse_refusal(None, set(), True)


def test_sense_of_the_meeting_reaches_consensus_like_a_round():
    outcome = sense_of_meeting([Position("AT&T", Response.SUPPORT), Position("NTT", Response.SUPPORT),
                                Position("Orange", Response.STAND_ASIDE)], eligible=5)
    assert outcome.status is Status.REACHED
    assert outcome.counts["support"] == 2 and outcome.counts["eligible"] == 5


def test_an_objection_blocks_and_needs_a_reason():
    with pytest.raises(MeetingError, match="reason"):
        sense_of_meeting([Position("NTT", Response.OBJECT)], eligible=3)
    outcome = sense_of_meeting([Position("AT&T", Response.SUPPORT),
                                Position("NTT", Response.OBJECT, "Too soon")], eligible=3)
    assert outcome.status is Status.NOT_REACHED
    assert "NTT objected (reason: Too soon)" in outcome.summary


def test_too_few_attending_companies_miss_the_quorum():
    outcome = sense_of_meeting([Position("AT&T", Response.SUPPORT)], eligible=5)
    assert outcome.status is Status.NOT_REACHED and "quorum" in outcome.summary


def test_sense_refusals():
    with pytest.raises(MeetingError):
        sense_of_meeting([], eligible=3)
    with pytest.raises(MeetingError):
        sense_of_meeting([Position("A", Response.SUPPORT), Position("A", Response.SUPPORT)], 3)
    with pytest.raises(MeetingError):
        sense_of_meeting([Position("A", Response.SUPPORT), Position("B", Response.SUPPORT)], 1)


def test_reminders_fall_due_before_the_date_once_and_only_for_open_owned_items():
    today = date(2027, 3, 10)
    items = [ActionFacts(1, True, date(2027, 3, 12), 7), ActionFacts(2, True, date(2027, 3, 20), 7),
             ActionFacts(3, False, date(2027, 3, 11), 7), ActionFacts(4, True, None, 7),
             ActionFacts(5, True, date(2027, 3, 1), None), ActionFacts(6, True, date(2027, 3, 1), 8)]
    assert [i.id for i in reminders_due(today, items, set(), 3)] == [1, 6]
    assert [i.id for i in reminders_due(today, items, {1}, 3)] == [6]


def test_minutes_draft_lists_companies_agenda_decisions_and_actions():
    text = draft_minutes(MinutesFacts(
        "Weekly call", FIRST,
        [AttendanceLine("AT&T", ("Ann", "Bo")), AttendanceLine("NTT", ("Shin",))],
        [ItemLine("Add Intel", ("AT&T", "NTT"), "", "Consensus reached: 2 support."),
         ItemLine("Action: demo ORM", carried=True)],
        [ActionLine("Share the slides", "Ann (AT&T)", date(2027, 3, 10), "open")]))
    assert "- **AT&T**: Ann, Bo" in text and "**NTT**: Shin" in text
    assert "1. Add Intel (+1: AT&T, NTT)" in text and "(carried over)" in text
    assert "- Add Intel: Consensus reached: 2 support." in text
    assert "- [ ] Share the slides (Ann (AT&T), due 2027-03-10; open)" in text
    assert "3 March 2027, 14:00 UTC" in text


def test_markdown_escapes_user_text():
    assert md("[click](javascript:x) *b* <i>\nnext") == r"\[click\](javascript:x) \*b\* \<i\> next"


def test_calendar_is_valid_icalendar_with_crlf_and_folded_lines():
    long_title = "Consortium call " + "é" * 80
    text = calendar_text("Concord", [
        CalendarEvent("meeting-1@concord", FIRST, FIRST + timedelta(hours=1), long_title,
                      "Agenda; notes, etc.", "https://concord.example/meetings/1", 2),
        CalendarEvent("meeting-2@concord", FIRST, FIRST + timedelta(hours=1), "Off", "",
                      "https://concord.example/meetings/2", 1, cancelled=True)],
        stamp=FIRST)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cal = Calendar.from_ical(text)
    events = cal.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == ["meeting-1@concord", "meeting-2@concord"]
    assert events[0].decoded("DTSTART") == FIRST and str(events[0]["SUMMARY"]) == long_title
    assert str(events[0]["DESCRIPTION"]) == "Agenda; notes, etc."
    assert str(events[1]["STATUS"]) == "CANCELLED" and int(events[0]["SEQUENCE"]) == 2
    assert str(cal["VERSION"]) == "2.0" and "PRODID" in cal


def test_minutes_render_as_safe_html_under_the_page_headings():
    from meetings.markdown import minutes_html

    html = str(minutes_html("# Call\n\n- **NTT**: Naoko\n\n<script>alert(1)</script>\n\n"
                            "[x](javascript:alert(1))"))
    assert "<h3>Call</h3>" in html and "<strong>NTT</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
