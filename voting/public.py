"""The public decisions register, its Atom feed, each outcome, and the exports behind them."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, jsonify, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from core.db import db
from core.users import Role
from voting.ballot_rules import Phase, Secrecy, Stage, redact_reasons
from voting.export import ballot_sheet, describe_choice, without_reasons
from voting.models import Ballot, current_votes
from voting.rules import Kind

bp = Blueprint("decisions", __name__, url_prefix="/decisions")
MEMBER_ROLES = {Role.REPRESENTATIVE, Role.CHAIR, Role.ADMIN}
# Features register rules naming ballots whose objection reasons only members may read
# (e.g. a new-member round: a candidate's objections stay inside the consortium).
reasons_private: list[Callable[[Ballot], bool]] = []


def hides_reasons(ballot: Ballot) -> bool:
    """Tell whether the public must not read who objected and why (secret or private rounds)."""
    if ballot.kind is not Kind.CONSENSUS:
        return False
    return ballot.secrecy is Secrecy.SECRET or any(rule(ballot) for rule in reasons_private)


def redacted_for_viewer(ballot: Ballot) -> bool:
    """Tell whether this viewer gets the redacted view (the public, for private reasons)."""
    return hides_reasons(ballot) and not (current_user.roles() & MEMBER_ROLES)


def shown_outcome(ballot: Ballot, public: bool = False) -> dict | None:
    """Return the outcome this viewer (or, with public=True, anyone) may read."""
    if ballot.outcome is None:
        return None
    hide = hides_reasons(ballot) if public else redacted_for_viewer(ballot)
    return redact_reasons(ballot.outcome) if hide else ballot.outcome


def _published() -> list[Ballot]:
    stmt = select(Ballot).where(Ballot.stage == Stage.PUBLISHED)
    return list(db.session.scalars(stmt.order_by(Ballot.published_at.desc())))


def visible_result(ballot_id: int) -> Ballot:
    """Load a ballot whose result the viewer may see: published for all, closed for members."""
    ballot = db.session.get(Ballot, ballot_id) or abort(404)
    if ballot.stage is Stage.PUBLISHED:
        return ballot
    if current_user.roles() & MEMBER_ROLES and ballot.phase() in (Phase.CLOSED, Phase.DECIDED):
        return ballot
    abort(404)


@bp.get("/")
def index():
    """List published outcomes, newest first (public)."""
    ballots = _published()
    return render_template("voting/decisions.html", ballots=ballots,
                           summaries={b.id: shown_outcome(b)["summary"] for b in ballots})


@bp.get("/feed.atom")
def feed():
    """Serve the register as an Atom feed."""
    ballots = _published()[:50]
    xml = render_template("voting/decisions.atom", ballots=ballots,
                          summaries={b.id: shown_outcome(b, public=True)["summary"] for b in ballots},
                          self_url=url_for("decisions.feed", _external=True),
                          home=url_for("decisions.index", _external=True))
    return Response(xml, mimetype="application/atom+xml")


def tally_sheet(ballot: Ballot) -> list[dict]:
    """Return the counted ballots: receipt and choice, plus the company on open ballots."""
    hide = redacted_for_viewer(ballot)
    rows = [{"receipt": v.receipt,
             "choice": describe_choice(ballot.kind, without_reasons(v.choice) if hide else v.choice),
             "company": v.company.name if ballot.secrecy is Secrecy.OPEN else None}
            for v in current_votes(ballot.id)]
    return sorted(rows, key=lambda r: (r["company"] or "", r["receipt"]))


@bp.get("/<int:ballot_id>")
def show(ballot_id: int):
    """Show an outcome with its tally sheet, so each voter can find their receipt."""
    ballot = visible_result(ballot_id)
    return render_template("voting/decision.html", ballot=ballot, outcome=shown_outcome(ballot),
                           sheet=tally_sheet(ballot), electors=sorted(
                               e.company.name for e in ballot.electors))


@bp.get("/<int:ballot_id>/ballots.csv")
def ballots_csv(ballot_id: int):
    """Export the anonymized ballots (header = options, one row per ballot, receipt column)."""
    ballot = visible_result(ballot_id)
    hide = redacted_for_viewer(ballot)
    body = ballot_sheet(ballot.spec(), [(v.receipt, without_reasons(v.choice) if hide else v.choice)
                                        for v in current_votes(ballot.id)])
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="ballot-{ballot.id}.csv"'})


@bp.get("/<int:ballot_id>/outcome.json")
def outcome_json(ballot_id: int):
    """Export the outcome as JSON (null until the chair has counted)."""
    ballot = visible_result(ballot_id)
    return jsonify(ballot=ballot.id, title=ballot.title, kind=ballot.kind.value,
                   phase=ballot.phase().value, outcome=shown_outcome(ballot),
                   statement=ballot.statement or None)
