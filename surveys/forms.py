"""One form class per survey screen, and the one function that builds a survey's answer form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from core.forms import IntegerField, choices
from core.timefmt import zone
from surveys.catalog import Size, Stage, Team, WorkKind, label
from surveys.rules import DONT_KNOW, OTHER, QuestionType, RespondentUnit, to_raw


def _enum_choices(enum, blank: str | None = None) -> list:
    pairs = [(m.value, label(m)) for m in enum]
    return choices(([("", blank)] if blank is not None else []) + pairs)


class RoadmapItemForm(FlaskForm):
    """Create or edit a roadmap work item."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=10_000)])
    team = SelectField("Functional specialty team", choices=_enum_choices(Team))
    kind = SelectField("Kind", choices=_enum_choices(WorkKind))
    components = StringField("Impacted components (comma-separated, e.g. Nova, Neutron)",
                             validators=[Length(max=600)])
    size = SelectField("Size of effort", choices=_enum_choices(Size, "Not sized yet"))
    target_release = StringField("Target OpenStack release", validators=[Length(max=40)])
    stage = SelectField("Stage", choices=_enum_choices(Stage))
    member_value = TextAreaField("Value to members", validators=[Length(max=5000)])
    community_value = TextAreaField("Value to the wider community", validators=[Length(max=5000)])
    blueprint_url = URLField("Blueprint link", validators=[Optional(), URL(), Length(max=500)])
    spec_url = URLField("Specification link", validators=[Optional(), URL(), Length(max=500)])
    review_url = URLField("Review link", validators=[Optional(), URL(), Length(max=500)])
    submit = SubmitField("Save")


class SurveyForm(FlaskForm):
    """Create a survey or change its settings; times are in the editor's own time zone."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    introduction = TextAreaField("Introduction", validators=[Length(max=10_000)])
    cycle = StringField("Roadmap cycle (e.g. Pike)", validators=[Length(max=40)])
    unit = SelectField("Who responds", choices=choices([
        (RespondentUnit.COMPANY.value, "One response per company (any of its representatives)"),
        (RespondentUnit.REPRESENTATIVE.value, "One response per representative")]),
        default=RespondentUnit.COMPANY.value)
    opens_at = DateTimeLocalField("Opens", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField("Closes", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    submit = SubmitField("Save")

    def window(self, tz_name: str) -> tuple[datetime | None, datetime | None]:
        """Return opens_at and closes_at as aware UTC datetimes."""
        tz = zone(tz_name)
        return tuple(None if f.data is None else f.data.replace(tzinfo=tz).astimezone(UTC)
                     for f in (self.opens_at, self.closes_at))  # type: ignore[return-value]


def local_naive(value: datetime | None, tz_name: str) -> datetime | None:
    """Show a stored UTC time in the editor's zone, as the datetime-local input expects."""
    return None if value is None else value.astimezone(zone(tz_name)).replace(tzinfo=None)


class MoveCloseForm(FlaskForm):
    """Move an open survey's close later, or earlier with notice, saying why."""

    closes_at = DateTimeLocalField("New closing time", validators=[InputRequired()],
                                   format="%Y-%m-%dT%H:%M")
    reason = TextAreaField("Why (sent to the companies that have not submitted)",
                           validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField("Move the close")


class SectionForm(FlaskForm):
    """Add a section."""

    title = StringField("Section title", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Add section")


class QuestionForm(FlaskForm):
    """A question's text and its type's settings (the template shows those of its type)."""

    section_id = SelectField("Section", coerce=int)
    text = TextAreaField("Question", validators=[DataRequired(), Length(max=2000)])
    help_text = TextAreaField("Help text", validators=[Length(max=2000)])
    required = BooleanField("Required")
    # Checked by surveys.question_settings, since the other types never send it.
    points = SelectField("Scale points", coerce=int, choices=choices([(5, "5"), (7, "7")]),
                         validate_choice=False)
    labels = TextAreaField("Labels of the points, lowest first, one per line (empty: standard)",
                           validators=[Length(max=2000)])
    dont_know = BooleanField("Offer \"don't know\"")
    statements = TextAreaField("Statements, one per line", validators=[Length(max=10_000)])
    options = TextAreaField("Options, one per line", validators=[Length(max=10_000)])
    other = BooleanField("Offer \"Other\" with a text box")
    min_choices = IntegerField("At least this many choices", validators=[Optional(),
                                                                          NumberRange(min=0)])
    max_choices = IntegerField("At most this many choices", validators=[Optional(),
                                                                         NumberRange(min=1)])
    items = SelectMultipleField("Roadmap items", coerce=int, validate_choice=False,
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    top_k = IntegerField("Rank only a top k (empty: rank all)", validators=[Optional()])
    total = IntegerField("Points to spread", validators=[Optional()])
    min_value = StringField("Lowest value (empty: none)", validators=[Length(max=30)])
    max_value = StringField("Highest value (empty: none)", validators=[Length(max=30)])
    integer = BooleanField("Whole numbers only")
    max_length = IntegerField("Maximum length in characters", validators=[Optional()])
    submit = SubmitField("Save question")

    SETTINGS = ("points", "labels", "dont_know", "statements", "options", "other",
                "min_choices", "max_choices", "items", "top_k", "total", "min_value",
                "max_value", "integer", "max_length")

    def settings_data(self) -> dict[str, Any]:
        """Return the type settings as a plain dict for surveys.question_settings."""
        return {name: self[name].data for name in self.SETTINGS}


class FinalizeForm(FlaskForm):
    """Accept the chosen proposals into a section; the others are declined."""

    accept = SelectMultipleField("Accept", coerce=int, validate_choice=False)
    section_id = SelectField("Add the accepted questions to", coerce=int)
    submit = SubmitField("Finalize the questions")


# ---- the answer form -------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """The fields of one question in the answer form, in display order."""

    question: Any
    fields: tuple[Field, ...]
    other: Field | None = None


class AnswerFormBase(FlaskForm):
    """What every answer form has: the version it was loaded at, and two buttons."""

    base_version = HiddenField(default="0")
    save = SubmitField("Save draft")
    send = SubmitField("Submit")

    blocks: list[Block]


def _scale_choices(config: Mapping) -> list:
    pairs = [(str(n), f"{n} · {text}") for n, text in enumerate(config["labels"], start=1)]
    if config.get("dont_know"):
        pairs.append((DONT_KNOW, "Don't know"))
    return choices(pairs)


def _fields_for(question, titles: Mapping[int, str]) -> list[tuple[str, Field]]:
    """Return (name, unbound field) pairs for one question."""
    c, name = question.config, f"q{question.id}"
    match question.type:
        case QuestionType.LIKERT:
            return [(name, RadioField(question.text, choices=_scale_choices(c), validate_choice=False))]
        case QuestionType.MATRIX:
            return [(f"{name}_{n}", RadioField(s, choices=_scale_choices(c), validate_choice=False))
                    for n, s in enumerate(c["statements"])]
        case QuestionType.SINGLE:
            pairs = [(o, o) for o in c["options"]] + ([(OTHER, "Other")] if c.get("other") else [])
            return [(name, RadioField(question.text, choices=choices(pairs), validate_choice=False))]
        case QuestionType.MULTIPLE:
            return [(name, SelectMultipleField(
                question.text, choices=choices((o, o) for o in c["options"]), validate_choice=False,
                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()))]
        case QuestionType.RANKING:
            ranks = choices([("", "not ranked")] + [(str(r), str(r)) for r in
                                          range(1, (c.get("top_k") or len(c["items"])) + 1)])
            return [(f"{name}_{i}", SelectField(titles[i], choices=ranks, validate_choice=False))
                    for i in c["items"]]
        case QuestionType.BUDGET:
            widget = NumberInput(step=1, min=0, max=c["total"])
            return [(f"{name}_{i}", StringField(titles[i], widget=widget)) for i in c["items"]]
        case QuestionType.NUMBER:
            step = "1" if c.get("integer") else "any"
            return [(name, StringField(question.text, widget=NumberInput(step=step)))]
    return [(name, TextAreaField(question.text, render_kw={"maxlength": c["max_length"]}))]


def _initial(question, value: Any) -> dict[str, Any]:
    """Return form data that shows a stored answer."""
    raw, name = to_raw(question.spec, value), f"q{question.id}"
    if raw is None:
        return {}
    match question.type:
        case QuestionType.MATRIX:
            return {f"{name}_{n}": v or None for n, v in enumerate(raw)}
        case QuestionType.SINGLE:
            return {name: raw[0], f"{name}_other": raw[1]}
        case QuestionType.RANKING | QuestionType.BUDGET:
            return {f"{name}_{i}": v for i, v in raw.items()}
    return {name: raw}


def build_answer_form(questions: Sequence, titles: Mapping[int, str],
                      values: Mapping[int, Any] | None, base_version: int = 0) -> AnswerFormBase:
    """Build a survey's answer form: filled from stored `values`, or from the request if None."""

    class AnswerForm(AnswerFormBase):
        pass

    layout: list[tuple[Any, list[str], str | None]] = []
    for q in questions:
        names = []
        for name, field in _fields_for(q, titles):
            setattr(AnswerForm, name, field)
            names.append(name)
        other = None
        if q.type is QuestionType.SINGLE and q.config.get("other"):
            other = f"q{q.id}_other"
            setattr(AnswerForm, other, StringField("Other (please say)", validators=[]))
        layout.append((q, names, other))
    if values is None:
        form = AnswerForm()  # a POST: only what was sent counts, never stored answers
    else:
        data = {"base_version": str(base_version)}
        for q in questions:
            data.update(_initial(q, values.get(q.id)))
        form = AnswerForm(formdata=None, data=data)
    form.blocks = [Block(q, tuple(form[n] for n in names), form[other] if other else None)
                   for q, names, other in layout]
    return form


def raw_answers(form: AnswerFormBase) -> dict[int, Any]:
    """Extract each question's raw input, in the shape surveys.rules expects."""
    raws: dict[int, Any] = {}
    for block in form.blocks:
        q, fields = block.question, block.fields
        match q.type:
            case QuestionType.MATRIX:
                raws[q.id] = [f.data or "" for f in fields]
            case QuestionType.SINGLE:
                raws[q.id] = (fields[0].data or "", block.other.data if block.other else "")
            case QuestionType.MULTIPLE:
                raws[q.id] = list(fields[0].data or [])
            case QuestionType.RANKING | QuestionType.BUDGET:
                raws[q.id] = {i: f.data or "" for i, f in zip(q.config["items"], fields, strict=True)}
            case _:
                raws[q.id] = fields[0].data or ""
    return raws


def base_version(form: AnswerFormBase) -> int:
    """Return the response version the form was loaded at (0: none yet; -1: missing or bad)."""
    text = (form.base_version.data or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else -1
