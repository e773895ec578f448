"""Published survey results for everyone (no sign-in): pages, a printable report, CSV and JSON.

Every response here reads the document stored at publication (surveys/publication.py), so a
published survey costs one row read, and a revoked one is gone from every page at once.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from threading import Lock

from flask import Blueprint, Response, abort, jsonify, render_template
from flask_login import current_user
from sqlalchemy import select

from core.db import db
from core.users import Role
from surveys.export import response_rate
from surveys.public_document import csv_text
from surveys.public_view import QuestionView, question_views
from surveys.publication import Publication, live_publications

bp = Blueprint("results", __name__, url_prefix="/results")
MEMBER_ROLES = {Role.REPRESENTATIVE, Role.CHAIR, Role.ADMIN}
CACHE_SIZE = 32

# Views (charts and tables) of a live publication never change: keep the most recent ones.
# The key includes the publication time, so a re-publication never meets a stale entry, and
# every request checks the database first, so a revoked survey is never served from here.
_views: OrderedDict[tuple[int, datetime], list[QuestionView]] = OrderedDict()
_views_lock = Lock()


def live_publication(survey_id: int) -> Publication:
    """Load the live publication of a survey, or answer 404."""
    stmt = select(Publication).where(Publication.survey_id == survey_id,
                                     Publication.published_at.is_not(None),
                                     Publication.revoked_at.is_(None))
    return db.session.scalars(stmt).first() or abort(404)


def views_of(publication: Publication) -> list[QuestionView]:
    """Return the question views of a live publication, built once per process."""
    key = (publication.id, publication.published_at)
    with _views_lock:
        if key in _views:
            _views.move_to_end(key)
            return _views[key]
    built = question_views(publication.document or {"questions": []})
    with _views_lock:
        _views[key] = built
        while len(_views) > CACHE_SIZE:
            _views.popitem(last=False)
    return built


def _member_rate(publication: Publication) -> tuple[int, int] | None:
    """Return (companies that submitted, eligible companies) for members, else None."""
    if not current_user.roles() & MEMBER_ROLES:
        return None
    rates = response_rate(publication.survey)
    return sum(1 for r in rates if r.submitted), len(rates)


@bp.get("/")
def index():
    """List the surveys whose results are public, most recently published first."""
    return render_template("results/index.html", publications=live_publications())


@bp.get("/<int:survey_id>")
def show(survey_id: int):
    """Show a survey's published results with charts, tables and method notes."""
    publication = live_publication(survey_id)
    return render_template("results/show.html", publication=publication,
                           doc=publication.document, views=views_of(publication),
                           rate=_member_rate(publication))


@bp.get("/<int:survey_id>/report")
def report(survey_id: int):
    """Show the printable report of the published results."""
    publication = live_publication(survey_id)
    return render_template("results/report.html", publication=publication,
                           doc=publication.document, views=views_of(publication))


@bp.get("/<int:survey_id>/results.csv")
def results_csv(survey_id: int):
    """Download the published figures as CSV, one figure per row."""
    publication = live_publication(survey_id)
    return Response(csv_text(publication.document or {"questions": []}), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="survey-{survey_id}-results.csv"'})


@bp.get("/<int:survey_id>/results.json")
def results_json(survey_id: int):
    """Download the published results document as JSON."""
    return jsonify(live_publication(survey_id).document)
