"""Forms of the decisions screens: the ballot editor, the vote form, and the chair's controls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from core.csv_cells import starts_formula
from core.forms import choices
from core.timefmt import zone
from voting.ballot_rules import Secrecy
from voting.outcome import Kind
from voting.rules import Threshold
from voting.schulze import Unranked
from voting.tiebreak import TieBreak

KIND_LABELS = {Kind.CONSENSUS: "Consensus round (support / stand aside / object)",
               Kind.MOTION: "Motion vote (yes / no / abstain)",
               Kind.PLURALITY: "Single choice", Kind.APPROVAL: "Approval (choose any number)",
               Kind.RANKED: "Ranked (Schulze method)"}
QUORUMS = [("more than 1/2", "Responses from more than half of the eligible companies"),
           ("at least 2/3", "Responses from at least two-thirds"),
           ("none", "No quorum")]
THRESHOLDS = {Threshold.SIMPLE_MAJORITY: "Simple majority of votes cast (abstentions excluded)",
              Threshold.ABSOLUTE_MAJORITY: "Absolute majority of eligible companies",
              Threshold.TWO_THIRDS: "Two-thirds of votes cast",
              Threshold.UNANIMITY: "Unanimity of votes cast"}
TIE_BREAKS = {TieBreak.STATUS_QUO: "Status quo: a tie changes nothing (a tied motion fails)",
              TieBreak.CASTING_VOTE: "The chair's casting vote",
              TieBreak.LOT: "Lot, from a secret committed when the ballot opens"}
FALLBACKS = {TieBreak.LOT: "Lot, from a secret committed when the ballot opens",
             TieBreak.STATUS_QUO: "Status quo: a tie changes nothing"}
UNRANKED = {Unranked.LAST: "Unranked options count as ranked equally last (Debian)",
            Unranked.ABSTAIN: "Unranked options express no preference (Kubernetes / CIVS)"}
MAX_OPTIONS = 50


class BallotForm(FlaskForm):
    """Create or edit a draft ballot."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    text = TextAreaField("Proposal", validators=[Length(max=20000)])
    kind = SelectField("Kind", choices=choices((k.value, v) for k, v in KIND_LABELS.items()))
    options = TextAreaField("Options (choice and ranked ballots: one per line)",
                            validators=[Length(max=10000)])
    secrecy = SelectField("Secrecy", choices=choices([
        (Secrecy.OPEN.value, "Open: the tally names who voted what, as the minutes do"),
        (Secrecy.SECRET.value, "Secret: only counts are published")]))
    quorum = SelectField("Quorum", choices=choices(QUORUMS))
    threshold = SelectField("Threshold (motions)",
                            choices=choices((k.value, v) for k, v in THRESHOLDS.items()))
    tie_break = SelectField("Tie-break", choices=choices((k.value, v) for k, v in TIE_BREAKS.items()))
    tie_break_fallback = SelectField(
        "If the chair may not cast the casting vote (the chair is a candidate, the motion "
        "concerns the chair's company, or no chair is in office)",
        choices=choices((k.value, v) for k, v in FALLBACKS.items()), default=TieBreak.LOT.value)
    unranked = SelectField("Unranked options (ranked ballots)",
                           choices=choices((k.value, v) for k, v in UNRANKED.items()))
    allow_equal_ranks = BooleanField("Allow equal ranks (ranked ballots)", default=True)
    default_option = StringField("Default option, e.g. 'None of the above' (optional)",
                                 validators=[Optional(), Length(max=200)])
    opens_at = DateTimeLocalField("Opens", validators=[InputRequired()])
    closes_at = DateTimeLocalField("Closes", validators=[InputRequired()])
    submit = SubmitField("Save draft")

    def option_labels(self) -> list[str]:
        """Return the non-empty option lines, stripped."""
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def validate_options(self, field: TextAreaField) -> None:
        """Check options fit the kind: distinct, short, two or more for choice ballots."""
        labels = self.option_labels()
        if self.kind.data not in {k.value for k in Kind} or \
                Kind(self.kind.data) in (Kind.CONSENSUS, Kind.MOTION):
            return  # an unknown kind is reported on the kind field
        if len(labels) < 2:
            raise ValidationError("A choice ballot needs at least two options, one per line.")
        if len(labels) > MAX_OPTIONS:
            raise ValidationError(f"At most {MAX_OPTIONS} options.")
        if len(set(labels)) != len(labels):
            raise ValidationError("Each option must be different.")
        if any(len(label) > 200 for label in labels):
            raise ValidationError("An option is longer than 200 characters.")
        # Labels head the columns of the ballot export that voting.recount reads back, so
        # they are written as they are: refuse what a spreadsheet would run as a formula.
        if bad := next((label for label in labels if starts_formula(label)), None):
            raise ValidationError(f"An option cannot start with =, +, -, or @ (“{bad[:40]}”): "
                                  "spreadsheets would read it as a formula in the ballot export.")

    def validate_default_option(self, field: StringField) -> None:
        """The default option must be one of the options."""
        if field.data and field.data.strip() not in self.option_labels():
            raise ValidationError("The default option must be one of the options.")

    def validate_closes_at(self, field: DateTimeLocalField) -> None:
        """Close after opening."""
        # Compared only when both were sent: a field missing from the post keeps the
        # edited ballot's stored (zoned) time, which cannot be compared with a typed one;
        # its own InputRequired already refuses the post.
        sent = self.opens_at.raw_data and field.raw_data
        if sent and self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError("The ballot must close after it opens.")

    def window(self, tz_name: str) -> tuple[datetime, datetime]:
        """Return the opening and closing times as aware datetimes in the user's zone."""
        tz = zone(tz_name)
        return self.opens_at.data.replace(tzinfo=tz), self.closes_at.data.replace(tzinfo=tz)


class ActionForm(FlaskForm):
    """A chair action or a vote: CSRF only; the fields are read per ballot kind."""

    submit = SubmitField("Confirm")


class PublishForm(FlaskForm):
    """Publish an outcome with an optional statement."""

    statement = TextAreaField("Statement (optional)", validators=[Length(max=5000)])
    submit = SubmitField("Publish the outcome")


class WithdrawForm(FlaskForm):
    """Withdraw a draft or open ballot, saying why."""

    reason = TextAreaField("Why it is withdrawn", validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField("Withdraw the ballot")


class CloseNowForm(FlaskForm):
    """Close an open ballot at once (every company has answered), confirmed."""

    confirm = BooleanField("Every company has answered: close the ballot now. Nobody can vote "
                           "or change a vote after this.", validators=[DataRequired()])
    submit = SubmitField("Close now")


class MoveCloseForm(FlaskForm):
    """Move an open ballot's close later, or earlier with notice, saying why."""

    closes_at = DateTimeLocalField("New closing time", validators=[InputRequired()])
    reason = TextAreaField("Why (sent to the companies that have not answered)",
                           validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField("Move the close")


class CastingForm(FlaskForm):
    """The chair's casting vote among tied options."""

    choice = StringField("Casting vote", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Record casting vote")


def raw_choice(kind: Kind, form: MultiDict) -> dict[str, Any]:
    """Read a vote from submitted form fields, per kind (validation is in ballot_rules)."""
    if kind is Kind.CONSENSUS:
        return {"response": form.get("response", ""), "reason": form.get("reason", "")}
    if kind is Kind.MOTION:
        return {"vote": form.get("vote", "")}
    if kind is Kind.PLURALITY:
        return {"choice": form.get("choice") or None}
    if kind is Kind.APPROVAL:
        return {"approve": form.getlist("approve")}
    prefix = "rank::"
    return {"ranks": {k[len(prefix):]: v for k, v in form.items() if k.startswith(prefix)}}
