"""JSON API `/api/v1` for ballots, votes and outcomes (session or personal bearer token)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, abort, current_app, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.db import db
from core.tokens import authenticated_by_bearer, bearer_authenticated, bearer_only
from core.users import Role
from voting.ballot_rules import Stage, stored_choice
from voting.casting import BallotForVote, CastReceipt, cast_by_token, cast_vote
from voting.choice_schema import choice_problem
from voting.errors import BallotError, NoSuchBallot
from voting.models import Ballot
from voting.openapi import openapi_document
from voting.public import shown_outcome
from voting.votes import Vote

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MEMBER_ROLES = {Role.REPRESENTATIVE, Role.CHAIR, Role.ADMIN}


def init_app(app: Flask) -> None:
    """Register the API; CSRF is checked here for cookie sessions, skipped for bearer tokens."""
    app.extensions["csrf"].exempt(bp)
    app.register_blueprint(bp)


def _check_csrf() -> None:
    """Require the CSRF token on unsafe requests made with the session cookie."""
    unsafe = request.method in ("POST", "PUT", "PATCH", "DELETE")
    if unsafe and not bearer_authenticated() and current_app.config.get("WTF_CSRF_ENABLED", True):
        current_app.extensions["csrf"].protect()


def error(status: int, message: str):
    """Return a JSON error."""
    return jsonify(error=status, message=message), status


def members_api(view):
    """Allow member roles only: 401 without credentials, 403 without membership."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return error(401, "sign in or send 'Authorization: Bearer <token>'")
        if not current_user.holds(MEMBER_ROLES):
            return error(403, "only representatives of member companies, the chair and "
                              "administrators use this")
        _check_csrf()
        return view(*args, **kwargs)
    return wrapped


def ballot_json(ballot: Ballot) -> dict:
    """Describe a ballot (never running results)."""
    return {
        "id": ballot.id, "title": ballot.title, "text": ballot.text, "kind": ballot.kind.value,
        "phase": ballot.phase().value, "secrecy": ballot.secrecy.value,
        "options": [o.label for o in ballot.options], "quorum": ballot.quorum.text,
        "threshold": ballot.threshold.value, "tie_break": ballot.tie_break.value,
        "tie_break_in_force": ballot.tie_break_plan().rule.value,
        "tie_break_words": ballot.tie_break_plan().describe(),
        "unranked": ballot.unranked.value, "default_option": ballot.default_option,
        "opens_at": ballot.opens_at.isoformat(), "closes_at": ballot.closes_at.isoformat(),
        "electorate": sorted(e.company.name for e in ballot.electors),
        "url": url_for("voting.show", ballot_id=ballot.id, _external=True),
    }


def _visible(ballot_id: int) -> Ballot:
    """Load a ballot the caller may see."""
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None or (ballot.stage is Stage.DRAFT and not _staff()):
        abort(404, "no such ballot")
    return ballot


def _staff() -> bool:
    """Tell whether the caller sees drafts (the chair and administrators)."""
    return current_user.holds({Role.CHAIR, Role.ADMIN})


@bp.get("/ballots")
@members_api
def ballots():
    """List the ballots the caller may see."""
    rows = db.session.scalars(select(Ballot).order_by(Ballot.closes_at.desc())).all()
    staff = current_user.roles() & {Role.CHAIR, Role.ADMIN}
    return jsonify(ballots=[ballot_json(b) for b in rows if staff or b.stage is not Stage.DRAFT])


@bp.get("/ballots/<int:ballot_id>")
@members_api
def ballot(ballot_id: int):
    """Describe one ballot, with the caller's company's current vote and receipt."""
    found = _visible(ballot_id)
    data = ballot_json(found)
    company = current_user.company()
    mine = company and db.session.scalars(select(Vote).where(
        Vote.ballot_id == found.id, Vote.company_id == company.id)).first()
    data["my_vote"] = ({"choice": stored_choice(found.spec(), mine.choice),
                        "receipt": mine.receipt, "version": mine.version} if mine else None)
    return jsonify(data)


@bp.post("/ballots/<int:ballot_id>/vote")
def vote(ballot_id: int):
    """Cast or change the caller's company's vote; body is the choice, e.g. {"vote": "yes"}."""
    body = request.get_json(silent=True)
    digest = bearer_only(request)
    if digest is not None:
        # A deadline surge's common case, a representative's token voting for an elector
        # company, in one statement; anything else finds nothing there and goes on below,
        # where it is answered exactly as on every other endpoint.
        answer = _answer(lambda: cast_by_token(
            digest, ballot_id, body, check=_checks(body),
            member=lambda user_id: authenticated_by_bearer(digest, user_id)))
        if answer is not None:
            return answer
    return _vote_as_member(ballot_id, body)


@members_api
def _vote_as_member(ballot_id: int, body: Any):
    """Cast as the signed-in member (session or bearer token)."""
    return _answer(lambda: cast_vote(ballot_id, current_user, body, check=_checks(body)))


def _checks(body: Any) -> Callable[[BallotForVote], None]:
    """Return the request's own checks, made on the ballot as read under the vote's locks."""
    def check(found: BallotForVote) -> None:
        if found.stage is Stage.DRAFT and not _staff():
            raise NoSuchBallot("no such ballot")
        if not isinstance(body, dict):
            raise Refusal(400, "send a JSON object, e.g. {\"vote\": \"yes\"}")
        if problem := choice_problem(found.kind, body):  # the schema the OpenAPI document shows
            raise Refusal(422, problem[1], field=problem[0])
    return check


def _answer(cast: Callable[[], CastReceipt | None]):
    """Answer a cast: 201 with the receipt, the refusal's status and message, or None."""
    try:
        recorded = cast()
    except (BallotError, Refusal) as exc:
        db.session.rollback()
        return jsonify(error=exc.status, message=str(exc), **getattr(exc, "extra", {})), exc.status
    if recorded is None:
        return None
    return jsonify(receipt=recorded.receipt, version=recorded.version,
                   company=recorded.company), 201


class Refusal(Exception):
    """An answer other than the vote: the request itself is wrong (status, message, fields)."""

    def __init__(self, status: int, message: str, **extra: str):
        super().__init__(message)
        self.status, self.extra = status, extra


@bp.get("/ballots/<int:ballot_id>/outcome")
@members_api
def outcome(ballot_id: int):
    """Return the outcome once the chair has counted (409 before)."""
    found = _visible(ballot_id)
    if found.outcome is None:
        return error(409, f"no outcome yet: the ballot is {found.phase().value}")
    return jsonify(ballot=found.id, outcome=found.outcome, statement=found.statement or None)


@bp.get("/decisions")
def decisions():
    """List published outcomes (public)."""
    rows = db.session.scalars(select(Ballot).where(Ballot.stage == Stage.PUBLISHED)
                              .order_by(Ballot.published_at.desc())).all()
    return jsonify(decisions=[{
        "id": b.id, "title": b.title, "kind": b.kind.value,
        "published_at": b.published_at.isoformat(),
        "summary": (shown_outcome(b, public=True) or {}).get("summary"),
        "url": url_for("decisions.show", ballot_id=b.id, _external=True),
        "record_json": url_for("decisions.record_json", ballot_id=b.id, _external=True),
        "record_csv": url_for("decisions.ballots_csv", ballot_id=b.id, _external=True)}
        for b in rows])


@bp.get("/openapi.json")
def openapi():
    """Serve the OpenAPI document describing this API."""
    return jsonify(openapi_document(url_for("api.ballots", _external=True).rsplit("/", 1)[0]))
