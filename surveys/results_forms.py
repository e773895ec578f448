"""Forms of the publication screens: what to publish, and the publish confirmation."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import IntegerField, choices

MAX_K = 1000


class PublicationForm(FlaskForm):
    """Choose the questions to publish and the disclosure thresholds."""

    questions = SelectMultipleField("Questions to publish", widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput())
    k_respondents = IntegerField("Fewest respondents behind a published figure",
                                 validators=[InputRequired()])
    k_companies = IntegerField("Fewest companies behind a published figure",
                               validators=[InputRequired()])
    allow_unanimous = BooleanField(
        "Show a unanimous answer as such",
        description="Off (the default): when every respondent gave the same answer, the "
                    "results do not show it in a way that reveals each company's answer; "
                    "a coarser figure is shown instead.")
    submit = SubmitField("Save the choice")

    def setup(self, pairs: Sequence[tuple[str, str]], floor: tuple[int, int]) -> PublicationForm:
        """Offer the survey's questions and refuse thresholds below the configured ones."""
        self.questions.choices = choices(pairs)
        for field, least in ((self.k_respondents, floor[0]), (self.k_companies, floor[1])):
            field.validators = [InputRequired(), NumberRange(
                min=least, max=MAX_K, message=f"Give a whole number from {least} to {MAX_K}.")]
        return self


class PublishForm(FlaskForm):
    """Publish exactly the previewed results (the digest names what was previewed)."""

    digest = HiddenField(validators=[InputRequired(), Length(min=64, max=64)])
    submit = SubmitField("Publish these results")
