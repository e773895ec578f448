"""Ballot pages for members: the list, a ballot with its rules in words, casting and changing a vote."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.db import db
from core.users import Role, require_role
from voting.ballot_rules import KIND_WORDS, Phase, Secrecy, Stage, state_words, stored_choice
from voting.close_rules import everyone_answered
from voting.closing import changes_of
from voting.errors import BallotError
from voting.forms import (
    ActionForm,
    CastingForm,
    CloseNowForm,
    MoveCloseForm,
    PublishForm,
    raw_choice,
)
from voting.models import Ballot
from voting.outcome import Kind, Status
from voting.tiebreak import TieBreak
from voting.votes import Vote, current_votes

bp = Blueprint("voting", __name__, url_prefix="/ballots")
members_only = require_role(Role.REPRESENTATIVE, Role.CHAIR, Role.ADMIN)


def init_app(app: Flask) -> None:
    """Register the decisions blueprints."""
    from voting import api, chair_views, public  # noqa: F401  (routes attach to blueprints)

    app.register_blueprint(bp)
    app.register_blueprint(public.bp)
    api.init_app(app)


def is_chair_or_admin() -> bool:
    """Tell whether the current user holds the chair or administers the site."""
    return bool(current_user.roles() & {Role.CHAIR, Role.ADMIN})


def load_ballot(ballot_id: int) -> Ballot:
    """Load a ballot the current member may see (drafts only for the chair and admins)."""
    ballot = db.session.get(Ballot, ballot_id) or abort(404)
    if ballot.stage is Stage.DRAFT and not is_chair_or_admin():
        abort(404)
    return ballot


@bp.get("/")
@members_only
def index():
    """List ballots: open, upcoming, awaiting decision, decided."""
    ballots = db.session.scalars(select(Ballot).order_by(Ballot.closes_at.desc())).all()
    groups: dict[str, list[Ballot]] = {p.value: [] for p in Phase}
    for ballot in ballots:
        if ballot.stage is Stage.DRAFT and not is_chair_or_admin():
            continue
        groups[ballot.phase().value].append(ballot)
    company = current_user.company()
    voted: set[int] = set()
    if company is not None:
        voted = set(db.session.scalars(select(Vote.ballot_id).where(
            Vote.company_id == company.id)))
    return render_template("voting/index.html", groups=groups, chair=is_chair_or_admin(),
                           company=company, voted=voted, kind_words=KIND_WORDS,
                           awaiting={b.id for b in groups["decided"] if awaiting_casting_vote(b)})


def rules_in_words(ballot: Ballot) -> list[str]:
    """Say the ballot's counting rules in plain words, as the public record will state them."""
    words = [f"Quorum: {ballot.quorum.describe()}."]
    if ballot.kind is Kind.CONSENSUS:
        words.append("Consensus is reached when no company objects and the quorum is met.")
    elif ballot.kind is Kind.MOTION:
        words.append(f"Passes with a {ballot.threshold.value.replace('_', ' ')}: "
                     f"{ballot.threshold.spec.words}. A tie (as many yes as no) goes to the "
                     "tie-break only when one more yes would pass the motion.")
    elif ballot.kind is Kind.RANKED:
        reading = {"last": "ranked equally last", "abstain": "no preference"}[ballot.unranked]
        words.append(f"Counted by the Schulze method; unranked options read as {reading}.")
    if ballot.default_option:
        words.append(f"Default option: {ballot.default_option}.")
    plan = ballot.tie_break_plan()
    if ballot.kind is not Kind.CONSENSUS:
        when = "if it opened now" if ballot.stage is Stage.DRAFT else "fixed when it opened"
        words.append(f"Ties: {plan.describe()} ({when}).")
    if ballot.lot_commitment and plan.rule is TieBreak.LOT and ballot.kind is not Kind.CONSENSUS:
        words.append(f"Lot commitment (SHA-256 of the secret drawn at opening, revealed with "
                     f"the count): {ballot.lot_commitment}.")
    words.append("Secret ballot: only counts are published, never individual ballots; each "
                 "company sees its own receipt and choice." if ballot.secrecy is Secrecy.SECRET
                 else "Open ballot: the published tally names each company's vote.")
    return words


def awaiting_casting_vote(ballot: Ballot) -> bool:
    """Tell whether a counted ballot is tied and waits for the chair's casting vote."""
    return (ballot.outcome or {}).get("status") == Status.AWAITING_CASTING_VOTE.value


def ballot_page(ballot: Ballot, error: str | None = None) -> str:
    """Render a ballot: text, rules, deadline, the company's vote and receipt, who has voted."""
    from voting.actions import called_vote

    company = current_user.company()
    mine = None
    if company is not None:
        mine = db.session.scalars(select(Vote).where(Vote.ballot_id == ballot.id,
                                                     Vote.company_id == company.id)).first()
    current, voted = ballot.phase(), current_votes(ballot.id)
    answered = {v.company_id for v in voted}
    waiting = sorted((e.company.name for e in ballot.electors if e.company_id not in answered),
                     key=str.casefold)
    awaiting = awaiting_casting_vote(ballot)
    return render_template(
        "voting/ballot.html", ballot=ballot, phase=current, rules=rules_in_words(ballot),
        state=state_words(current, awaiting), kind_words=KIND_WORDS[ballot.kind.value],
        company=company, mine=mine, voted=voted, waiting=waiting, error=error,
        my_choice=stored_choice(ballot.spec(), mine.choice) if mine else {},
        may_vote=company is not None and company.id in ballot.elector_ids(),
        concerned=company is not None and company.id == ballot.subject_company_id,
        chair=is_chair_or_admin(), form=ActionForm(), publish_form=PublishForm(),
        casting_form=CastingForm(), close_now_form=CloseNowForm(),
        move_close_form=MoveCloseForm(formdata=None), awaiting=awaiting,
        everyone_answered=everyone_answered(len(ballot.electors), len(answered)),
        close_changes=changes_of(ballot), Kind=Kind, outcome=ballot.outcome,
        called=called_vote(ballot) if ballot.kind is Kind.CONSENSUS else None)


@bp.get("/<int:ballot_id>")
@members_only
def show(ballot_id: int):
    """Show a ballot."""
    return ballot_page(load_ballot(ballot_id))


@bp.post("/<int:ballot_id>/vote")
@require_role(Role.REPRESENTATIVE)
def vote(ballot_id: int):
    """Cast or change the company's vote (only the last one counts)."""
    from voting.actions import cast

    ballot = load_ballot(ballot_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        recorded = cast(ballot, current_user, raw_choice(ballot.kind, request.form))
    except BallotError as exc:
        db.session.rollback()
        return ballot_page(ballot, f"Your vote was not recorded: {exc}."), exc.status
    flash(f"Vote recorded for {recorded.company} (version {recorded.version}). "
          f"Your receipt: {recorded.receipt}.", "success")
    return redirect(url_for("voting.show", ballot_id=ballot.id))
