"""One form class per screen of the member register and the account page."""

from __future__ import annotations

import wtforms
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from core.db import INT_MAX
from core.member_rules import SLUG_RE, CompanyStatus
from core.members import RepKind
from core.timefmt import is_timezone, timezone_choices


def choices(pairs) -> list[SelectChoice]:
    """Build SelectField choices from (value, label) pairs (WTForms 3.3 drops tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


class IntegerField(wtforms.IntegerField):
    """An IntegerField that refuses numbers no database integer holds, as a field error.

    WTForms reads any number of digits, and its NumberRange then raises OverflowError (a 500)
    on an int too large for a float; an unchecked one would fail at the database instead.
    """

    def process_formdata(self, valuelist: list) -> None:
        """Read the number; refuse it beyond +/- INT_MAX."""
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > INT_MAX:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value: the number is too large."))


STATUS_CHOICES = choices((s.value, s.value.capitalize()) for s in CompanyStatus)
KIND_CHOICES = choices((k.value, k.value.capitalize()) for k in RepKind)


class CompanyForm(FlaskForm):
    """Create or edit a company and its criteria evidence."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    slug = StringField(
        "Short name (for addresses)",
        validators=[DataRequired(), Length(max=60),
                    Regexp(SLUG_RE, message="Use lower-case letters, digits and single hyphens.")],
    )
    operator_or_nsp = BooleanField("Large operator and/or network service provider")
    dedicated_ftes = IntegerField(
        "Dedicated FTEs contributing to OpenStack",
        validators=[InputRequired(), NumberRange(min=0, max=100000)], default=0,
    )
    upstream_ftes = IntegerField(
        "FTEs on upstream roadmap work",
        validators=[InputRequired(), NumberRange(min=0, max=100000)], default=0,
    )
    criteria_notes = TextAreaField("Notes on the criteria", validators=[Length(max=5000)])
    initial_status = SelectField(
        "Initial status", choices=STATUS_CHOICES[:2], default=CompanyStatus.CANDIDATE.value
    )
    initial_date = DateField("Effective from", validators=[Optional()])
    submit = SubmitField("Save")


class StatusChangeForm(FlaskForm):
    """Move a company to a new status from a date, with a reason."""

    status = SelectField("New status", choices=STATUS_CHOICES)
    effective_on = DateField("Effective from", validators=[InputRequired()])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField("Change status")


class InvitationForm(FlaskForm):
    """Invite an e-mail address to act for a company."""

    company_id = SelectField("Company", coerce=int, validators=[InputRequired()])
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254),
                                             Email(check_deliverability=False)])
    kind = SelectField("As", choices=KIND_CHOICES)
    submit = SubmitField("Invite")


class AppointForm(FlaskForm):
    """Appoint an existing user as a company's representative."""

    user_id = SelectField("Person", coerce=int, validators=[InputRequired()])
    company_id = SelectField("Company", coerce=int, validators=[InputRequired()])
    kind = SelectField("As", choices=KIND_CHOICES)
    start_on = DateField("From", validators=[InputRequired()])
    submit = SubmitField("Appoint")


class EndForm(FlaskForm):
    """End a representative's mandate on a last day."""

    last_day = DateField("Last day", validators=[InputRequired()])
    submit = SubmitField("End")


class ChairTermForm(FlaskForm):
    """Record a chair term."""

    user_id = SelectField("Chairperson", coerce=int, validators=[InputRequired()])
    starts_on = DateField("From", validators=[InputRequired()])
    ends_on = DateField("Until (first day after the term)", validators=[InputRequired()])
    submit = SubmitField("Record term")


class ConfirmForm(FlaskForm):
    """A bare POST form (CSRF only) for one-click actions."""

    submit = SubmitField("Confirm")


class AccountForm(FlaskForm):
    """The user's own settings."""

    timezone = SelectField("Time zone", validators=[DataRequired(), Length(max=64)],
                           validate_choice=False)  # the message below says more than "invalid"
    submit = SubmitField("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = choices(timezone_choices())

    def validate_timezone(self, field: SelectField) -> None:
        """Accept only known IANA zone names."""
        if not is_timezone(field.data.strip()):
            raise ValidationError("Unknown time zone; use a name such as Europe/Paris or UTC.")


class TokenForm(FlaskForm):
    """Name a new personal API token."""

    name = StringField("Token name (what it is for)", validators=[DataRequired(), Length(max=80)])
    submit = SubmitField("Create token")
