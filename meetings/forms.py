"""One form per meeting screen; times are read in the chair's own zone and stored in UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from core.forms import IntegerField, choices
from core.timefmt import zone
from meetings.rules import ITEM_LINKS, MAX_EVERY_DAYS, MAX_SERIES

HHMM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
MAX_GUESTS = 100


class PostForm(FlaskForm):
    """A button: CSRF only."""


def _check_link(form, field) -> None:
    if field.data and not re.match(r"^https?://[^\s<>\"']+$", field.data):
        raise ValidationError("give an http:// or https:// address")


class MeetingForm(FlaskForm):
    """A meeting's title, time (in your zone), length, call link and members-only notes."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField("Starts (your time zone)", validators=[InputRequired()])
    duration_minutes = IntegerField("Length in minutes", default=60,
                                    validators=[InputRequired(), NumberRange(min=1, max=1440)])
    call_link = StringField("Video-call link (members only)",
                            validators=[Length(max=500), _check_link])
    members_notes = TextAreaField("Members-only notes", validators=[Length(max=20000)])
    submit = SubmitField("Save")

    def start(self, tz_name: str) -> datetime | None:
        """Return the start as an aware UTC datetime, or None with a field error."""
        try:
            value = self.starts_at.data.replace(tzinfo=zone(tz_name)).astimezone(UTC)
        except (OverflowError, ValueError):
            value = None
        if value is None or not 2000 <= value.year <= 2200:
            self.starts_at.errors = [*self.starts_at.errors, "give a date between 2000 and 2200"]
            return None
        return value


class NewMeetingForm(MeetingForm):
    """A meeting, or a series every N days alternating between two times."""

    count = IntegerField("How many meetings", default=1,
                         validators=[InputRequired(), NumberRange(min=1, max=MAX_SERIES)])
    every_days = IntegerField("Repeat every (days)", default=14,
                              validators=[InputRequired(), NumberRange(min=1, max=MAX_EVERY_DAYS)])
    # Stripped first: Optional() lets whitespace through unvalidated, and it means "empty".
    alternate = StringField("Every other meeting at (HH:MM UTC; empty: same time)",
                            filters=[lambda v: v.strip() if isinstance(v, str) else v],
                            validators=[Optional(), Length(max=5)])

    def validate_alternate(self, field: StringField) -> None:
        """Accept HH:MM only."""
        if field.data and not HHMM.match(field.data):
            raise ValidationError("write the time as HH:MM (UTC), e.g. 04:00")

    def alternate_time(self) -> time | None:
        """Return the alternate UTC time, if any."""
        if not self.alternate.data:
            return None
        hours, minutes = self.alternate.data.split(":")
        return time(int(hours), int(minutes))


class ItemForm(FlaskForm):
    """Propose an agenda item; it may point to a proposal, ballot, survey or roadmap item."""

    title = StringField("Topic", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Details", validators=[Length(max=5000)])
    link_kind = SelectField("Points to", default="", choices=choices(
        [("", "Nothing"), *((k, k.replace("_", " ").capitalize()) for k in ITEM_LINKS)]))
    link_id = IntegerField("Number (#)", validators=[Optional(), NumberRange(min=1)])
    submit = SubmitField("Propose")

    def validate_link_id(self, field: IntegerField) -> None:
        """Require a number exactly when the item points to something."""
        if bool(self.link_kind.data) != (field.data is not None):
            raise ValidationError("give the number of what the item points to (or choose Nothing)")


class AttendanceForm(FlaskForm):
    """Who attended: representatives, and guests by name ('Name, Organisation' per line)."""

    people = SelectMultipleField("Representatives", coerce=int, choices=[])
    guests = TextAreaField("Guests, one per line: Name, Organisation",
                           validators=[Length(max=10000)])
    submit = SubmitField("Save attendance")

    def validate_guests(self, field: TextAreaField) -> None:
        """Refuse too many guests and overlong names."""
        if len(self.guest_list()) > MAX_GUESTS:
            raise ValidationError(f"at most {MAX_GUESTS} guests")
        if any(len(n) > 120 or len(o) > 120 for n, o in self.guest_list()):
            raise ValidationError("names and organisations are at most 120 characters")

    def guest_list(self) -> list[tuple[str, str]]:
        """Return (name, organisation) per non-empty line."""
        rows = []
        for line in (self.guests.data or "").splitlines():
            name, _, org = line.partition(",")
            if name.strip():
                rows.append((" ".join(name.split()), " ".join(org.split())))
        return rows


RESPONSES = choices([("", "Not given"), ("support", "Support"), ("stand_aside", "Stand aside"),
                     ("object", "Object")])


class SenseForm(FlaskForm):
    """The sense of the meeting: the proposal, and a position per attending member company."""

    proposal = TextAreaField("Proposal", validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField("Record the sense of the meeting")

    def answers(self, company_ids: list[int]) -> dict[int, tuple[str, str]]:
        """Return company id -> (response, reason) for the companies that took a position."""
        found = {}
        for cid in company_ids:
            response = getattr(self, f"pos_{cid}").data
            if response:
                found[cid] = (response, getattr(self, f"reason_{cid}").data or "")
        return found


def sense_form(companies) -> SenseForm:
    """Build the sense form with one position and reason per attending company."""

    class Form(SenseForm):
        pass

    for company in companies:
        setattr(Form, f"pos_{company.id}", SelectField(company.name, choices=RESPONSES, default=""))
        setattr(Form, f"reason_{company.id}", StringField(f"Reason ({company.name})",
                                                           validators=[Length(max=2000)]))
    return Form()


class PutForm(FlaskForm):
    """Open a consensus round or a called vote for all member companies."""

    proposal = TextAreaField("Proposal", validators=[DataRequired(), Length(max=5000)])
    kind = SelectField("Kind", choices=choices([("consensus", "Consensus round"),
                                                 ("motion", "Called vote (motion)")]))
    days = IntegerField("Open for (days)", default=7,
                        validators=[InputRequired(), NumberRange(min=1, max=60)])
    submit = SubmitField("Open to all members")


class ActionForm(FlaskForm):
    """An action item: what, who (a representative or a name), by when."""

    title = StringField("Action", validators=[DataRequired(), Length(max=300)])
    owner = SelectField("Owner", coerce=int, choices=[], validate_choice=True)
    owner_name = StringField("Or owner by name", validators=[Length(max=120)])
    due_on = DateField("Due on", validators=[Optional()])
    submit = SubmitField("Add action item")

    def validate_owner_name(self, field: StringField) -> None:
        """Require an owner: a representative or a name."""
        if not self.owner.data and not (field.data or "").strip():
            raise ValidationError("choose a representative or give the owner's name")

    def validate_due_on(self, field: DateField) -> None:
        """Keep due dates plausible."""
        if field.data and not 2000 <= field.data.year <= 2200:
            raise ValidationError("give a date between 2000 and 2200")


class ActionStatusForm(FlaskForm):
    """Mark an action item done, dropped or open."""

    status = SelectField("Status", choices=choices([("done", "Done"), ("dropped", "Dropped"),
                                                     ("open", "Open")]))


class MinutesForm(FlaskForm):
    """The minutes in Markdown, drafted from the meeting and edited by the chair."""

    minutes = TextAreaField("Minutes (Markdown)", validators=[DataRequired(), Length(max=100000)])
    submit = SubmitField("Save minutes")
