"""Chair and admin views of a survey's responses: the rate per company and the CSV export."""

from __future__ import annotations

from flask import Response as HttpResponse
from flask import abort

from core import audit
from core.db import db
from core.users import chair_or_admin_required
from surveys.export import response_rate, tidy_csv
from surveys.models import Survey
from surveys.rules import Phase
from surveys.views import bp, get_or_404, render


@bp.get("/<int:survey_id>/responses")
@chair_or_admin_required
def response_list(survey_id: int):
    """Show who has responded, per eligible company (not what they answered)."""
    survey = get_or_404(Survey, survey_id)
    rates = response_rate(survey)
    return render("surveys/responses.html", survey=survey, rates=rates, phase=survey.phase(),
                  submitted=sum(1 for r in rates if r.submitted))


@bp.get("/<int:survey_id>/export.csv")
@chair_or_admin_required
def export_csv(survey_id: int):
    """Download the identified responses as tidy CSV, once the survey is closed."""
    survey = get_or_404(Survey, survey_id)
    if survey.phase() is not Phase.CLOSED:
        abort(409, description="The identified responses can be exported once the survey has "
                               "closed, so that no answer changes after the export.")
    body = tidy_csv(survey)
    # Reading identified answers is worth a trace, like any change.
    audit.record("survey.export", survey, rows=body.count("\n") - 1)
    db.session.commit()
    return HttpResponse(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="survey-{survey.id}-responses.csv"'})
