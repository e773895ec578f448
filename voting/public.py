"""The public decisions register, its Atom feed, each outcome, and the records behind them."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Blueprint, Response, abort, jsonify, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from core.db import db
from core.users import Role
from voting import record, record_csv
from voting.actions import called_vote, counted_ballots
from voting.ballot_rules import Phase, Secrecy, Stage, stored_choice
from voting.export import describe_choice
from voting.models import Ballot
from voting.outcome import Kind
from voting.votes import Vote

bp = Blueprint("decisions", __name__, url_prefix="/decisions")
MEMBER_ROLES = {Role.REPRESENTATIVE, Role.CHAIR, Role.ADMIN}
# Features register rules naming ballots whose objection reasons only members may read
# (e.g. a new-member round: a candidate's objections stay inside the consortium).
reasons_private: list[Callable[[Ballot], bool]] = []
# Features say where a decision was taken, as (words, address): a meeting names its page.
origins: list[Callable[[Ballot], tuple[str, str] | None]] = []


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
    return record.redact(ballot.outcome) if hide else ballot.outcome


def public_record(ballot: Ballot) -> dict:
    """Return the decision's record as this viewer may read it (what recount and verify read)."""
    revealed = ballot.stage in (Stage.DECIDED, Stage.PUBLISHED)
    lot = {"commitment": ballot.lot_commitment,
           "secret": ballot.lot_secret if revealed else None} if ballot.lot_commitment else None
    about = {"id": ballot.id, "title": ballot.title,
             "url": url_for("decisions.show", ballot_id=ballot.id, _external=True),
             "published_at": ballot.published_at.isoformat() if ballot.published_at else None}
    return record.build(ballot=about, spec=ballot.spec(), secrecy=ballot.secrecy,
                        eligible=len(ballot.electors), plan=ballot.tie_break_plan(),
                        ballots=counted_ballots(ballot), outcome=ballot.outcome, lot=lot,
                        private_reasons=redacted_for_viewer(ballot))


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


def my_ballot(ballot: Ballot) -> dict | None:
    """Return the signed-in company's counted ballot: its receipt and choice in words."""
    company = current_user.company()
    if company is None:
        return None
    vote = db.session.scalars(select(Vote).where(Vote.ballot_id == ballot.id,
                                                 Vote.company_id == company.id)).first()
    return vote and {"company": company.name, "receipt": vote.receipt,
                     "choice": describe_choice(ballot.kind, stored_choice(ballot.spec(),
                                                                          vote.choice))}


@bp.get("/<int:ballot_id>")
def show(ballot_id: int):
    """Show an outcome with what it was counted from, and how to recount it yourself."""
    ballot = visible_result(ballot_id)
    found = public_record(ballot)
    sheet = [{**row, "words": describe_choice(ballot.kind, row["choice"])}
             for row in found.get("ballots", [])]
    called = called_vote(ballot) if ballot.kind is Kind.CONSENSUS else None
    origin = next((found for found in (rule(ballot) for rule in origins) if found), None)
    return render_template("voting/decision.html", ballot=ballot, outcome=found["outcome"],
                           record=found, sheet=sheet, mine=my_ballot(ballot),
                           called=called if called and called.stage is Stage.PUBLISHED else None,
                           origin=origin,
                           electors=sorted(e.company.name for e in ballot.electors))


@bp.get("/<int:ballot_id>/ballots.csv")
def ballots_csv(ballot_id: int):
    """Export the decision's record as CSV: its rules, then its ballots (or its counts)."""
    ballot = visible_result(ballot_id)
    return Response(record_csv.write(public_record(ballot)), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="decision-{ballot.id}.csv"'})


@bp.get("/<int:ballot_id>/record.json")
def record_json(ballot_id: int):
    """Export the decision's record as JSON (what `python -m voting.recount` reads)."""
    ballot = visible_result(ballot_id)
    body = json.dumps(public_record(ballot), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'inline; filename="decision-{ballot.id}.json"'})


@bp.get("/<int:ballot_id>/outcome.json")
def outcome_json(ballot_id: int):
    """Export the outcome as JSON (null until the chair has counted)."""
    ballot = visible_result(ballot_id)
    return jsonify(ballot=ballot.id, title=ballot.title, kind=ballot.kind.value,
                   phase=ballot.phase().value, outcome=shown_outcome(ballot),
                   statement=ballot.statement or None)
