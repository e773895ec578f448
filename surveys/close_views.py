"""The chair's controls over an open survey's close: close now once all have answered, or move it."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, url_for
from flask_login import current_user

from core.db import db
from core.timefmt import zone
from core.users import chair_or_admin_required
from surveys.builder_views import problem_page
from surveys.closing import change_close
from surveys.forms import MoveCloseForm
from surveys.models import Survey
from surveys.rules import SurveyError
from surveys.views import bp, get_or_404


def notice_period() -> timedelta:
    """Return the notice an earlier close needs: the reminder period."""
    return timedelta(hours=current_app.config["REMINDER_HOURS"])


@bp.post("/<int:survey_id>/move-close")
@chair_or_admin_required
def move_close(survey_id: int):
    """Move an open survey's close later, or earlier with at least the reminder period's notice."""
    survey = get_or_404(Survey, survey_id)
    form = MoveCloseForm()
    if not form.validate_on_submit():
        return problem_page(survey, "Not moved: " + "; ".join(
            f"{getattr(form, name).label.text}: {' '.join(errors)}"
            for name, errors in form.errors.items()), 422)
    new_close = form.closes_at.data.replace(tzinfo=zone(current_user.timezone))
    try:
        row = change_close(survey, new_close, current_user, form.reason.data, notice_period())
    except SurveyError as exc:
        db.session.rollback()
        return problem_page(survey, f"Not moved: {exc}.")
    db.session.commit()
    flash(f"The close moved {row.move}; the companies that have not submitted will be told by "
          "e-mail.", "success")
    return redirect(url_for("surveys.detail", survey_id=survey.id))
