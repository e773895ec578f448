"""The chair's publication of a closed survey: choose, approve free texts, preview, publish, revoke."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import abort, current_app, flash, redirect, url_for
from flask_login import current_user

from core import audit
from core.db import db
from core.users import acting_for_chair, chair_or_admin_required
from surveys.models import Survey
from surveys.public_view import question_views
from surveys.publication import Publication, PublicationError, check_closed
from surveys.responses import Answer
from surveys.results_forms import PublicationForm, PublishForm
from surveys.results_source import free_texts, public_document, questions_meta
from surveys.rules import sentence
from surveys.views import bp, get_or_404, render


def floor() -> tuple[int, int]:
    """Return the configured thresholds: the defaults, and the least a chair may choose."""
    return (current_app.config["RESULTS_K_RESPONDENTS"],
            current_app.config["RESULTS_K_COMPANIES"])


def digest(document: dict[str, Any]) -> str:
    """Fingerprint a public document, so that what is published is what was previewed."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stand_in() -> dict[str, bool]:
    """Mark an administrator's chair act in the audit details."""
    return {"acting_for_chair": True} if acting_for_chair() else {}


def _closed_survey(survey_id: int) -> Survey:
    """Load a survey whose results may be worked on, or answer 404 / 409 with the reason."""
    survey = get_or_404(Survey, survey_id)
    try:
        check_closed(survey)
    except PublicationError as exc:
        abort(409, description=sentence(str(exc)))
    return survey


def _draft(survey: Survey) -> Publication:
    """Return the survey's publication, or an unsaved one with nothing chosen (for reading)."""
    k_respondents, k_companies = floor()
    return Publication.of(survey) or Publication(question_ids=[], k_respondents=k_respondents,
                                                 k_companies=k_companies)


def _page(survey: Survey, form: PublicationForm | None = None, problem: str | None = None):
    """Render the publication screen (422 on form errors, 409 with a problem)."""
    publication, metas = _draft(survey), questions_meta(survey)
    if form is None:
        form = PublicationForm(data={"questions": publication.question_ids,
                                     "k_respondents": publication.k_respondents,
                                     "k_companies": publication.k_companies,
                                     "allow_unanimous": bool(publication.allow_unanimous)})
        form.setup([(m.question_id, m.text) for m in metas], floor())
    texts: dict[str, list] = {}
    for text in free_texts(survey):
        texts.setdefault(text.question_id, []).append(text)
    return render("surveys/publication.html", status=409 if problem else None, survey=survey,
                  publication=publication, form=form, metas=metas, texts=texts,
                  approved=publication.approved_answer_ids(), problem=problem, floor=floor())


def _refused(survey: Survey, exc: PublicationError):
    """Undo the request's changes and show why it was refused."""
    db.session.rollback()
    return _page(survey, problem=f"Not done: {sentence(str(exc))}")


@bp.get("/<int:survey_id>/publication")
@chair_or_admin_required
def publication(survey_id: int):
    """Show what is chosen for publication, the free texts to approve, and the state."""
    return _page(_closed_survey(survey_id))


@bp.post("/<int:survey_id>/publication")
@chair_or_admin_required
def publication_choose(survey_id: int):
    """Save which questions to publish and the thresholds."""
    survey = _closed_survey(survey_id)
    form = PublicationForm().setup([(m.question_id, m.text) for m in questions_meta(survey)],
                                   floor())
    if not form.validate_on_submit():
        return _page(survey, form=form)
    publication = Publication.start(survey, *floor())
    try:
        publication.choose(form.questions.data or [], form.k_respondents.data,
                           form.k_companies.data, floor(), form.allow_unanimous.data)
    except PublicationError as exc:
        return _refused(survey, exc)
    audit.record("survey.publication.choose", survey, questions=publication.question_ids,
                 k_respondents=publication.k_respondents, k_companies=publication.k_companies,
                 allow_unanimous=publication.allow_unanimous, **_stand_in())
    db.session.commit()
    flash("The choice is saved. Preview the results before publishing them.", "success")
    return redirect(url_for("surveys.publication", survey_id=survey.id))


@bp.post("/<int:survey_id>/publication/answers/<int:answer_id>/<any(approve, withdraw):action>")
@chair_or_admin_required
def publication_free_text(survey_id: int, answer_id: int, action: str):
    """Approve one free-text answer for publication, or withdraw the approval."""
    survey = _closed_survey(survey_id)
    text = next((t for t in free_texts(survey) if t.answer_id == answer_id), None)
    if text is None:
        abort(404, description="This survey has no counted free-text answer with that number.")
    publication = Publication.start(survey, *floor())
    answer = db.session.get(Answer, answer_id)
    try:
        if action == "approve":
            publication.approve(answer, current_user)
        else:
            publication.withdraw(answer)
    except PublicationError as exc:
        return _refused(survey, exc)
    audit.record(f"survey.publication.{action}", survey, answer_id=answer_id,
                 question_id=text.question_id, text=text.text, **_stand_in())
    db.session.commit()
    flash("The answer is approved for publication." if action == "approve"
          else "The approval is withdrawn.", "success")
    return redirect(url_for("surveys.publication", survey_id=survey.id, _anchor="texts"))


@bp.get("/<int:survey_id>/publication/preview")
@chair_or_admin_required
def publication_preview(survey_id: int):
    """Show exactly what the public will see, from the same gated document and template."""
    survey = _closed_survey(survey_id)
    publication = _draft(survey)
    document = publication.document if publication.live else public_document(survey, publication)
    form = PublishForm(data={"digest": digest(document)})
    return render("surveys/publication_preview.html", survey=survey, publication=publication,
                  doc=document, views=question_views(document), form=form)


@bp.post("/<int:survey_id>/publication/publish")
@chair_or_admin_required
def publication_publish(survey_id: int):
    """Publish the previewed results; refuse if they changed since the preview."""
    survey = _closed_survey(survey_id)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400, description="The form is incomplete or out of date: preview the results "
                               "again, then publish.")
    publication = Publication.of(survey)
    if publication is None:
        return _refused(survey, PublicationError("choose at least one question to publish"))
    try:
        publication.check_editable()
        document = public_document(survey, publication)
        if digest(document) != form.digest.data:
            raise PublicationError("the choice or the approvals changed since your preview; "
                                   "preview the results again, then publish")
        publication.publish(document, current_user)
    except PublicationError as exc:
        return _refused(survey, exc)
    audit.record("survey.publication.publish", survey, questions=publication.question_ids,
                 k_respondents=publication.k_respondents, k_companies=publication.k_companies,
                 allow_unanimous=publication.allow_unanimous,
                 approved_answers=sorted(publication.approved_answer_ids()),
                 digest=form.digest.data, **_stand_in())
    db.session.commit()
    flash("The results are public.", "success")
    return redirect(url_for("results.show", survey_id=survey.id))


@bp.post("/<int:survey_id>/publication/revoke")
@chair_or_admin_required
def publication_revoke(survey_id: int):
    """Take the results off the public pages at once."""
    survey = get_or_404(Survey, survey_id)
    publication = Publication.of(survey)
    if publication is None or not publication.live:
        abort(409, description="The results of this survey are not public, so there is nothing "
                               "to revoke.")
    publication.revoke(current_user)
    audit.record("survey.publication.revoke", survey, **_stand_in())
    db.session.commit()
    flash("The results are no longer public.", "success")
    return redirect(url_for("surveys.publication", survey_id=survey.id))
