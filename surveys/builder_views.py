"""The survey builder (chair and admin): settings, sections, questions, state moves, duplication."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from core import audit
from core.db import db
from core.forms import ConfirmForm, choices
from core.users import chair_or_admin_required
from surveys import question_settings
from surveys.forms import QuestionForm, SectionForm, SurveyForm, local_naive
from surveys.models import Question, Survey, add_question, item_titles
from surveys.question_settings import SettingsError
from surveys.rules import Phase, QuestionType, RespondentUnit, SurveyError, sentence
from surveys.views import bp, get_or_404, is_editable, render


def problem_page(survey: Survey, message: str, status: int = 409):
    """Show the survey with the reason a change was refused."""
    return render("surveys/detail.html", status=status, survey=survey, phase=survey.phase(),
                  manager=True, response=None, titles=item_titles(), problem=message,
                  editable=is_editable(survey), eligible=False)


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")


def _settings_from(form: SurveyForm) -> dict[str, Any]:
    opens_at, closes_at = form.window(current_user.timezone)
    return {"title": form.title.data.strip(), "introduction": form.introduction.data or "",
            "cycle": (form.cycle.data or "").strip(), "unit": RespondentUnit(form.unit.data),
            "opens_at": opens_at, "closes_at": closes_at}


@bp.route("/new", methods=["GET", "POST"])
@chair_or_admin_required
def survey_new():
    """Create a draft survey with a first section."""
    form = SurveyForm()
    if form.validate_on_submit():
        survey = Survey(created_by=current_user)
        try:
            survey.change_settings(**_settings_from(form))
        except SurveyError as exc:
            form.closes_at.errors.append(sentence(str(exc)))
        else:
            db.session.add(survey)
            survey.add_section("Questions")
            audit.record("survey.create", survey, title=survey.title, cycle=survey.cycle,
                         unit=survey.unit.value)
            db.session.commit()
            flash(f"The draft survey “{survey.title}” is created. Add its questions.", "success")
            return redirect(url_for("surveys.detail", survey_id=survey.id))
    return render("surveys/survey_form.html", form=form, survey=None)


@bp.route("/<int:survey_id>/settings", methods=["GET", "POST"])
@chair_or_admin_required
def survey_settings(survey_id: int):
    """Change a draft or proposed survey's title, introduction, cycle, unit and window."""
    survey = get_or_404(Survey, survey_id)
    tz = current_user.timezone
    form = SurveyForm(data={"title": survey.title, "introduction": survey.introduction,
                            "cycle": survey.cycle, "unit": survey.unit.value,
                            "opens_at": local_naive(survey.opens_at, tz),
                            "closes_at": local_naive(survey.closes_at, tz)})
    if form.validate_on_submit():
        settings = _settings_from(form)
        try:
            if settings["unit"] is not survey.unit and survey.has_responses():
                raise SurveyError("who responds cannot change once a response exists")
            survey.change_settings(**settings)
        except SurveyError as exc:
            form.closes_at.errors.append(sentence(str(exc)))
        else:
            audit.record("survey.settings", survey, **{**settings, "unit": survey.unit.value})
            db.session.commit()
            flash("The survey settings are saved.", "success")
            return redirect(url_for("surveys.detail", survey_id=survey.id))
    return render("surveys/survey_form.html", form=form, survey=survey)


@bp.post("/<int:survey_id>/sections")
@chair_or_admin_required
def section_add(survey_id: int):
    """Append a section."""
    survey = get_or_404(Survey, survey_id)
    form = SectionForm()
    if not form.validate_on_submit():
        return problem_page(survey, "Give the new section a title (at most 200 characters).", 422)
    try:
        section = survey.add_section(form.title.data.strip())
    except SurveyError as exc:
        return problem_page(survey, f"The section was not added: {exc}.")
    audit.record("survey.section.add", survey, title=section.title)
    db.session.commit()
    return redirect(url_for("surveys.detail", survey_id=survey.id, _anchor="builder"))


def question_config(form: QuestionForm, qtype: QuestionType) -> dict | None:
    """Validate the form and its type settings; return the settings, or None with field errors."""
    titles = item_titles()
    form.items.choices = choices(titles.items())
    if not form.validate_on_submit():
        return None
    try:
        return question_settings.normalize(qtype, form.settings_data(), titles.keys())
    except SettingsError as exc:
        form[exc.field].errors.append(sentence(str(exc)))
        return None


def _question_form(survey: Survey, **kwargs) -> QuestionForm:
    form = QuestionForm(**kwargs)
    form.section_id.choices = choices((s.id, s.title) for s in survey.sections)
    form.items.choices = choices(item_titles().items())
    return form


def _section(survey: Survey, section_id: int):
    return next((s for s in survey.sections if s.id == section_id), None) or abort(404)


@bp.route("/<int:survey_id>/questions/new/<qtype>", methods=["GET", "POST"])
@chair_or_admin_required
def question_new(survey_id: int, qtype: str):
    """Add a question of a type to a section."""
    survey = get_or_404(Survey, survey_id)
    kind = _question_type(qtype)
    form = _question_form(survey)
    config = question_config(form, kind)
    if config is not None:
        try:
            question = add_question(_section(survey, form.section_id.data), kind,
                                    form.text.data.strip(), (form.help_text.data or "").strip(),
                                    form.required.data, config)
        except SurveyError as exc:
            form.text.errors.append(f"Not added: {exc}.")
        else:
            audit.record("survey.question.add", survey, type=kind.value, text=question.text,
                         required=question.required, config=config)
            db.session.commit()
            flash("The question is added.", "success")
            return redirect(url_for("surveys.detail", survey_id=survey.id, _anchor="builder"))
    return render("surveys/question_form.html", form=form, survey=survey, qtype=kind,
                  type_label=question_settings.TYPE_LABELS[kind], question=None)


def _question_type(value: str) -> QuestionType:
    try:
        return QuestionType(value)
    except ValueError:
        abort(404)


def _question_of(survey: Survey, question_id: int) -> Question:
    question = get_or_404(Question, question_id)
    if question.section.survey_id != survey.id:
        abort(404)
    return question


@bp.route("/<int:survey_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@chair_or_admin_required
def question_edit(survey_id: int, question_id: int):
    """Change a question (refused once a response exists)."""
    survey = get_or_404(Survey, survey_id)
    question = _question_of(survey, question_id)
    data = {**question_settings.to_form_data(question.type, question.config),
            "section_id": question.section_id}
    form = _question_form(survey, obj=question, data=data)
    config = question_config(form, question.type)
    if config is not None:
        try:
            question.change(_section(survey, form.section_id.data), form.text.data.strip(),
                            (form.help_text.data or "").strip(), form.required.data, config)
        except SurveyError as exc:
            form.text.errors.append(f"Not saved: {exc}.")
        else:
            audit.record("survey.question.edit", survey, question_id=question.id,
                         text=question.text, required=question.required, config=config)
            db.session.commit()
            flash("The question is saved.", "success")
            return redirect(url_for("surveys.detail", survey_id=survey.id, _anchor="builder"))
    return render("surveys/question_form.html", form=form, survey=survey, qtype=question.type,
                  type_label=question_settings.TYPE_LABELS[question.type], question=question)


@bp.post("/<int:survey_id>/questions/<int:question_id>/delete")
@chair_or_admin_required
def question_delete(survey_id: int, question_id: int):
    """Remove a question (refused once a response exists)."""
    survey = get_or_404(Survey, survey_id)
    question = _question_of(survey, question_id)
    _confirmed()
    try:
        question.remove()
    except SurveyError as exc:
        return problem_page(survey, f"The question was not removed: {exc}.")
    audit.record("survey.question.delete", survey, question_id=question_id, text=question.text)
    db.session.commit()
    flash("The question is removed.", "success")
    return redirect(url_for("surveys.detail", survey_id=survey.id, _anchor="builder"))


@bp.post("/<int:survey_id>/questions/<int:question_id>/move/<any(up, down):direction>")
@chair_or_admin_required
def question_move(survey_id: int, question_id: int, direction: str):
    """Move a question one place up or down within its section."""
    survey = get_or_404(Survey, survey_id)
    question = _question_of(survey, question_id)
    _confirmed()
    try:
        question.shift(-1 if direction == "up" else 1)
    except SurveyError as exc:
        return problem_page(survey, f"The question was not moved: {exc}.")
    audit.record("survey.question.move", survey, question_id=question.id, direction=direction)
    db.session.commit()
    return redirect(url_for("surveys.detail", survey_id=survey.id, _anchor=f"q{question.id}"))


STATE_MOVES = {
    "propose": ("propose", "The survey is proposed: representatives can now suggest and +1 "
                           "questions."),
    "draft": ("back_to_draft", "The survey is a draft again."),
    "open": ("open", "The survey is open for answers."),
    "close": ("close", "The survey is closed."),
}


@bp.post("/<int:survey_id>/state/<any(propose, draft, open, close):action>")
@chair_or_admin_required
def survey_state(survey_id: int, action: str):
    """Move the survey along draft -> proposed -> open -> closed."""
    survey = get_or_404(Survey, survey_id)
    _confirmed()
    method, message = STATE_MOVES[action]
    before = survey.state
    if action == "close" and survey.phase() is Phase.OPEN:
        return _close_now(survey)
    try:
        getattr(survey, method)()
    except SurveyError as exc:
        db.session.rollback()
        return problem_page(survey, f"Not done: {exc}.")
    details: dict[str, Any] = {"from": before.value, "to": survey.state.value}
    if action == "open":
        details["eligible"] = [c.name for c in survey.eligible]
    audit.record(f"survey.{action}", survey, **details)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("surveys.detail", survey_id=survey.id))


def _close_now(survey: Survey):
    """Close a survey open for answers at once: only once every eligible company has submitted."""
    from surveys.close_views import notice_period
    from surveys.closing import change_close

    try:
        change_close(survey, None, current_user, "every eligible company has submitted",
                     notice_period())
    except SurveyError as exc:
        db.session.rollback()
        return problem_page(survey, f"Not closed: {exc}.")
    db.session.commit()
    flash("The survey is closed: every eligible company had submitted.", "success")
    return redirect(url_for("surveys.detail", survey_id=survey.id))


@bp.post("/<int:survey_id>/duplicate")
@chair_or_admin_required
def survey_duplicate(survey_id: int):
    """Copy a survey's settings and questions into a new draft."""
    survey = get_or_404(Survey, survey_id)
    _confirmed()
    copy = survey.duplicate(current_user)
    audit.record("survey.duplicate", copy, copied_from=survey.id, questions=len(copy.questions))
    db.session.commit()
    flash(f"This draft is a copy of “{survey.title}”. Set its dates and title.", "success")
    return redirect(url_for("surveys.detail", survey_id=copy.id))
