"""Question proposals: representatives suggest and +1 questions; the chair finalizes them."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from core import audit
from core.db import db
from core.forms import ConfirmForm, choices
from core.users import chair_or_admin_required, representative_required
from surveys import proposals
from surveys.builder_views import question_config
from surveys.forms import FinalizeForm, QuestionForm
from surveys.models import Survey, item_titles
from surveys.proposals import Proposal, ProposalStatus
from surveys.question_settings import TYPE_LABELS
from surveys.rules import QuestionType, SurveyError
from surveys.views import bp, get_or_404, is_manager, member_required, render, visible_survey


def _page(survey: Survey, status: int = 200, problem: str | None = None, form=None):
    """Show the proposals with their +1 counts (and the chair's finalize form)."""
    company = current_user.company()
    items = Proposal.of(survey)
    if form is None:
        form = FinalizeForm()
        form.accept.data = [p.id for p in items if p.status is ProposalStatus.PENDING
                            and p.endorsements]
    form.section_id.choices = choices((s.id, s.title) for s in survey.sections)
    return render("surveys/proposals.html", status=status, survey=survey, proposals=items,
                  company=company, can_endorse=proposals.company_members_today(company),
                  manager=is_manager(), finalize=form, problem=problem, titles=item_titles(),
                  types=TYPE_LABELS)


@bp.get("/<int:survey_id>/proposals")
@member_required
def proposal_list(survey_id: int):
    """List the proposed questions with their endorsements."""
    return _page(visible_survey(survey_id))


def _member_company():
    """Return the current user's company if it is a member today; 403 otherwise."""
    company = current_user.company()
    if not proposals.company_members_today(company):
        abort(403, description="Only representatives of member companies propose and +1 "
                               "questions.")
    return company


@bp.route("/<int:survey_id>/proposals/new/<qtype>", methods=["GET", "POST"])
@representative_required
def proposal_new(survey_id: int, qtype: str):
    """Suggest a question for a proposed survey."""
    survey = visible_survey(survey_id)
    company = _member_company()
    try:
        kind = QuestionType(qtype)
    except ValueError:
        abort(404)
    form = QuestionForm()
    del form.section_id  # the chair places accepted questions
    config = question_config(form, kind)
    if config is not None:
        try:
            proposal = Proposal.suggest(survey, company, current_user, kind, form.text.data.strip(),
                                        (form.help_text.data or "").strip(), form.required.data,
                                        config)
        except SurveyError as exc:
            form.text.errors.append(f"Not proposed: {exc}.")
        else:
            audit.record("survey.proposal.create", proposal, survey_id=survey.id,
                         company=company.name, type=kind.value, text=proposal.text, config=config)
            db.session.commit()
            flash("Your question is proposed. Other companies can now +1 it.", "success")
            return redirect(url_for("surveys.proposal_list", survey_id=survey.id))
    return render("surveys/question_form.html", form=form, survey=survey, qtype=kind,
                  type_label=TYPE_LABELS[kind], question=None, proposing=True)


def _proposal(survey: Survey, proposal_id: int) -> Proposal:
    proposal = get_or_404(Proposal, proposal_id)
    if proposal.survey_id != survey.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    return proposal


@bp.post("/<int:survey_id>/proposals/<int:proposal_id>/endorse")
@representative_required
def proposal_endorse(survey_id: int, proposal_id: int):
    """Give the company's +1 to a proposed question."""
    survey = visible_survey(survey_id)
    proposal, company = _proposal(survey, proposal_id), _member_company()
    try:
        proposal.endorse(company, current_user)
    except SurveyError as exc:
        return _page(survey, 409, f"No +1 recorded: {exc}.")
    audit.record("survey.proposal.endorse", proposal, company=company.name)
    db.session.commit()
    flash(f"+1 from {company.name} recorded.", "success")
    return redirect(url_for("surveys.proposal_list", survey_id=survey.id, _anchor=f"p{proposal.id}"))


@bp.post("/<int:survey_id>/proposals/<int:proposal_id>/withdraw")
@representative_required
def proposal_withdraw(survey_id: int, proposal_id: int):
    """Take back the company's +1."""
    survey = visible_survey(survey_id)
    proposal, company = _proposal(survey, proposal_id), _member_company()
    try:
        proposal.withdraw(company)
    except SurveyError as exc:
        return _page(survey, 409, f"Nothing withdrawn: {exc}.")
    audit.record("survey.proposal.withdraw", proposal, company=company.name)
    db.session.commit()
    flash(f"The +1 from {company.name} is withdrawn.", "success")
    return redirect(url_for("surveys.proposal_list", survey_id=survey.id, _anchor=f"p{proposal.id}"))


@bp.post("/<int:survey_id>/proposals/finalize")
@chair_or_admin_required
def proposal_finalize(survey_id: int):
    """Accept the chosen proposals into the survey and decline the rest."""
    survey = get_or_404(Survey, survey_id)
    form = FinalizeForm()
    form.section_id.choices = choices((s.id, s.title) for s in survey.sections)
    if not form.validate_on_submit():
        return _page(survey, 422, "Choose the questions to accept and the section that receives them.", form)
    section = next(s for s in survey.sections if s.id == form.section_id.data)
    try:
        added = proposals.finalize(survey, set(form.accept.data or []), section)
    except SurveyError as exc:
        db.session.rollback()
        return _page(survey, 409, f"Not finalized: {exc}.")
    audit.record("survey.proposals.finalize", survey, accepted=[q.id for q in added],
                 section=section.title)
    db.session.commit()
    flash(f"{len(added)} proposed question(s) joined the survey; the others were declined.",
          "success")
    return redirect(url_for("surveys.detail", survey_id=survey.id, _anchor="builder"))
