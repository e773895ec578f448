"""Roadmap survey pages for respondents: the list, a survey, answering it, and its history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from core import audit
from core.db import db
from core.users import Role, representative_required, require_role
from surveys import responses, rules
from surveys.catalog import label
from surveys.forms import base_version, build_answer_form, raw_answers
from surveys.models import Survey, item_titles
from surveys.responses import Response, ResponseConflict
from surveys.rules import Phase, SurveyError, SurveyState

bp = Blueprint("surveys", __name__, url_prefix="/surveys")
member_required = require_role(Role.REPRESENTATIVE, Role.CHAIR, Role.ADMIN)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"catalog_label": label}


def get_or_404(model, ident: int):
    """Load a row by primary key or answer 404."""
    return db.session.get(model, ident) or abort(404)


def is_manager() -> bool:
    """Tell whether the current user builds surveys (the chair or an administrator)."""
    return bool(current_user.roles() & {Role.CHAIR, Role.ADMIN})


def visible_survey(survey_id: int) -> Survey:
    """Load a survey the current user may see; drafts exist only for the chair and admins."""
    survey = get_or_404(Survey, survey_id)
    if survey.state is SurveyState.DRAFT and not is_manager():
        abort(404)
    return survey


def render(template: str, status: int | None = None, **ctx: Any):
    """Render a page; a form with errors answers 422 unless another status is given."""
    form = ctx.get("form")
    return render_template(template, **ctx), status or (422 if form is not None and form.errors
                                                        else 200)


@bp.get("/")
@member_required
def index():
    """List the surveys (the chair and admins also see drafts)."""
    stmt = select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())
    if not is_manager():
        stmt = stmt.where(Survey.state != SurveyState.DRAFT)
    surveys = list(db.session.scalars(stmt))
    company = current_user.company()
    mine = {}
    if company is not None:
        mine = {s.id: Response.find(s, company, current_user) for s in surveys}
    return render("surveys/index.html", surveys=surveys, mine=mine, manager=is_manager())


@bp.get("/<int:survey_id>")
@member_required
def detail(survey_id: int):
    """Show a survey: its outline, its phase and, for the chair and admins, the builder."""
    survey = visible_survey(survey_id)
    company = current_user.company()
    response = Response.find(survey, company, current_user) if company else None
    return render("surveys/detail.html", survey=survey, phase=survey.phase(),
                  manager=is_manager(), response=response, titles=item_titles(),
                  editable=is_editable(survey), eligible=survey.is_eligible(company))


def is_editable(survey: Survey) -> bool:
    """Tell whether the survey's questions may still change."""
    try:
        survey.check_editable()
    except SurveyError:
        return False
    return True


def _respondent(survey: Survey):
    """Return the company the current user answers for, or abort 403 with the reason."""
    try:
        return responses.check_respondent(survey, current_user)
    except SurveyError as exc:
        abort(403, description=f"You cannot answer this survey: {exc}.")


@bp.route("/<int:survey_id>/answer", methods=["GET", "POST"])
@representative_required
def answer(survey_id: int):
    """Show the answer form; save a draft or submit (a new version each time)."""
    survey = visible_survey(survey_id)
    company = _respondent(survey)
    response = Response.find(survey, company, current_user)
    questions, titles = survey.questions, item_titles()
    if request.method != "POST":
        values = response.current_values() if response else {}
        form = build_answer_form(questions, titles, values, response.version if response else 0)
        return _answer_page(survey, form, response, values)
    form = build_answer_form(questions, titles, None)
    if not form.validate_on_submit() or base_version(form) < 0:
        abort(400, description="The form is incomplete or out of date; reload the page.")
    try:
        responses.check_open(survey)  # say so before any answer-by-answer complaint
    except SurveyError as exc:
        return _answer_page(survey, form, response, {}, problem=rules.sentence(str(exc)),
                            status=409)
    submit = bool(form.send.data)
    values, errors = rules.check_answers(survey.specs(), raw_answers(form), final=submit)
    if errors:
        return _answer_page(survey, form, response, values, errors=errors, status=422)
    return _save(survey, company, response, form, values, submit)


def _save(survey: Survey, company, response: Response | None, form, values: dict, submit: bool):
    """Store the checked answers as a new version, audited, or explain why not (409)."""
    try:
        version = responses.save(survey, company, current_user, base_version(form), values, submit)
        db.session.flush()  # the unique index and the version check speak here
    except (ResponseConflict, StaleDataError, IntegrityError):
        return _conflict(survey, form)
    except SurveyError as exc:
        db.session.rollback()
        return _answer_page(survey, form, response, values, problem=rules.sentence(str(exc)),
                            status=409)
    audit.record("survey.response.submit" if submit else "survey.response.save",
                 version.response, survey_id=survey.id, company=company.name,
                 version=version.number)
    db.session.commit()
    flash("Your answers are submitted. You can change them until the survey closes." if submit
          else "Your draft is saved. It does not count until it is submitted.", "success")
    return redirect(url_for("surveys.answer", survey_id=survey.id))


def _conflict(survey: Survey, form):
    """Keep what the user typed and explain that a colleague saved first (409)."""
    db.session.rollback()
    company = current_user.company()
    response = Response.find(survey, company, current_user)
    latest = response.version_row(response.version) if response else None
    form.base_version.data = str(response.version if response else 0)
    who = f"{latest.saved_by} saved this response" if latest else "Someone saved this response"
    message = (f"{who} while you were editing it. Your answers below are not saved yet: check "
               "them, then save again to replace that version (it stays in the history).")
    return _answer_page(survey, form, response, {}, problem=message, status=409)


def _answer_page(survey: Survey, form, response: Response | None, values: dict,
                 errors: dict | None = None, problem: str | None = None, status: int = 200):
    phase = survey.phase()
    shown = values if values else (response.current_values() if response else {})
    return render("surveys/answer.html", status=status, survey=survey, form=form,
                  response=response, errors=errors or {}, problem=problem, phase=phase,
                  progress=rules.progress(survey.specs(), shown),
                  can_save=phase is Phase.OPEN)


@bp.get("/<int:survey_id>/history")
@representative_required
def history(survey_id: int):
    """List every saved version of the user's response: draft or submission, who and when."""
    survey = visible_survey(survey_id)
    company = _respondent(survey)
    response = Response.find(survey, company, current_user)
    return render("surveys/history.html", survey=survey, response=response)


def init_app(app: Flask) -> None:
    """Register the surveys blueprint with all its pages."""
    from surveys import (  # noqa: F401  (their routes attach to the blueprints)
        builder_views,
        catalog_views,
        close_views,
        proposal_views,
        public_results,
        report_views,
        results_views,
    )
    from surveys.closing import answered_count, changes_of, submitted_companies

    # The survey page lists each move of the close and who has submitted (names, never answers).
    app.jinja_env.globals.update(survey_close_changes=changes_of,
                                 survey_answered=answered_count,
                                 survey_submitted=submitted_companies)

    app.register_blueprint(bp)
    app.register_blueprint(public_results.bp)
