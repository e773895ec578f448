"""One form per screen of the annual cycles."""

from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from core.forms import IntegerField, choices
from core.timefmt import zone
from cycles.rules import MAX_CONTACTS, parse_contacts


class NominationForm(FlaskForm):
    """Nominate a candidate company with its evidence for the charter's criteria."""

    company_name = StringField("Candidate company", validators=[DataRequired(), Length(max=120)])
    operator_or_nsp = BooleanField("It is a large operator and/or network service provider")
    participates = BooleanField("It commits to participate equally in meetings and activities")
    dedicated_ftes = IntegerField("Dedicated FTEs contributing to OpenStack (at least 4)",
                                  validators=[InputRequired(), NumberRange(min=0, max=100000)])
    upstream_ftes = IntegerField("FTEs on upstream work aligned with the roadmap (at least 2)",
                                 validators=[InputRequired(), NumberRange(min=0, max=100000)])
    contacts = TextAreaField("Contact e-mail addresses, one per line (they are invited if it joins)",
                             validators=[DataRequired(), Length(max=3000)])
    notes = TextAreaField("Notes for the members", validators=[Length(max=5000)])
    member_from = DateField("Member from", validators=[InputRequired()])
    submit = SubmitField("Nominate")

    def validate_contacts(self, field: TextAreaField) -> None:
        """Accept up to MAX_CONTACTS well-formed addresses."""
        addresses = parse_contacts(field.data)
        if not addresses:
            raise ValidationError("Give at least one contact address.")
        if len(addresses) > MAX_CONTACTS:
            raise ValidationError(f"At most {MAX_CONTACTS} contacts.")
        for address in addresses:
            try:
                validate_email(address, check_deliverability=False)
            except EmailNotValidError as exc:
                raise ValidationError(f"{address} is not an e-mail address: {exc}") from exc


class ClosingForm(FlaskForm):
    """A form with a closing time read in the user's own time zone."""

    closes_at = DateTimeLocalField("Voting closes (your time zone)", validators=[InputRequired()])

    def closing(self, tz_name: str) -> datetime:
        """Return the closing time as an aware datetime in the user's zone."""
        return self.closes_at.data.replace(tzinfo=zone(tz_name))


class RevocationForm(ClosingForm):
    """Propose that a member company's membership be revoked."""

    company_id = SelectField("Member company", coerce=int, validators=[InputRequired()])
    grounds = TextAreaField("Which minimum criterion it no longer meets, and the evidence",
                            validators=[DataRequired(), Length(max=5000)])
    effective_on = DateField("Revoked from (if the motion passes)", validators=[InputRequired()])
    submit = SubmitField("Put the motion to the board")


class ElectionForm(ClosingForm):
    """Call the yearly chair election."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    method = SelectField("Ballot", choices=choices([
        ("ranked", "Ranked: members rank the candidates (Schulze method)"),
        ("plurality", "Single choice: most votes wins")]))
    tie_break = SelectField("Tie-break", choices=choices([
        ("casting_vote", "The outgoing chair's casting vote (lot instead if the chair stands)"),
        ("lot", "Lot, from a seed committed when the ballot opens")]))
    secrecy = SelectField("Secrecy", choices=choices([
        ("secret", "Secret: only counts are published"),
        ("open", "Open: the tally names each company's vote")]))
    term_starts_on = DateField("The new term starts on (for one year)", validators=[InputRequired()])
    submit = SubmitField("Call the election")


class CandidateForm(FlaskForm):
    """Nominate a member representative for chair."""

    rep_id = SelectField("Representative", coerce=int, validators=[InputRequired()])
    submit = SubmitField("Nominate")


class AnswerForm(FlaskForm):
    """The nominee accepts or declines."""

    answer = RadioField("Your answer", choices=choices([("accept", "I accept"),
                                                        ("decline", "I decline")]),
                        validators=[InputRequired()])
    submit = SubmitField("Answer")


class PreferencesForm(FlaskForm):
    """The user's e-mail preferences."""

    reminders = BooleanField("Remind me, before a ballot or survey closes, when a vote or "
                             "response is still missing")
    submit = SubmitField("Save")
