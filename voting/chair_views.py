"""The chair's controls: draft, edit, open, close early or move the close, decide, casting vote,
publish, call a vote."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core import audit
from core.db import db
from core.timefmt import zone
from core.users import acting_for_chair, chair_or_admin_required
from voting.ballot_rules import Secrecy, Stage
from voting.errors import BallotError
from voting.forms import (
    ActionForm,
    BallotForm,
    CastingForm,
    CloseNowForm,
    MoveCloseForm,
    PublishForm,
    WithdrawForm,
)
from voting.models import Ballot, Option
from voting.outcome import Kind
from voting.rules import Threshold
from voting.schulze import Unranked
from voting.tiebreak import TieBreak
from voting.views import ballot_page, bp


def _apply(form: BallotForm, ballot: Ballot) -> None:
    """Copy the editor's fields onto a draft ballot."""
    ballot.title, ballot.text = form.title.data.strip(), form.text.data or ""
    ballot.kind, ballot.secrecy = Kind(form.kind.data), Secrecy(form.secrecy.data)
    ballot.quorum, ballot.threshold = form.quorum.data, Threshold(form.threshold.data)
    ballot.tie_break, ballot.unranked = TieBreak(form.tie_break.data), Unranked(form.unranked.data)
    ballot.tie_break_fallback = TieBreak(form.tie_break_fallback.data)
    ballot.allow_equal_ranks = form.allow_equal_ranks.data
    ballot.default_option = (form.default_option.data or "").strip() or None
    ballot.opens_at, ballot.closes_at = form.window(current_user.timezone)
    labels = form.option_labels() if ballot.kind not in (Kind.CONSENSUS, Kind.MOTION) else []
    ballot.options = [Option(position=i, label=label) for i, label in enumerate(labels, 1)]


def _audit_stand_in(ballot: Ballot) -> None:
    """Audit a chair act done by an administrator standing in for the chair."""
    if acting_for_chair():
        audit.record("chair.stand_in", ballot, act=request.endpoint, acting_for_chair=True)


def _settings(ballot: Ballot) -> dict:
    return {"kind": ballot.kind.value, "secrecy": ballot.secrecy.value,
            "quorum": ballot.quorum.text, "threshold": ballot.threshold.value,
            "tie_break": ballot.tie_break.value,
            "tie_break_fallback": ballot.tie_break_fallback.value,
            "unranked": ballot.unranked.value, "options": [o.label for o in ballot.options],
            "default_option": ballot.default_option, "opens_at": ballot.opens_at,
            "closes_at": ballot.closes_at}


@bp.route("/new", methods=["GET", "POST"])
@chair_or_admin_required
def new():
    """Draft a ballot."""
    form = BallotForm()
    if form.validate_on_submit():
        ballot = Ballot(created_by=current_user)
        _apply(form, ballot)
        db.session.add(ballot)
        audit.record("ballot.create", ballot, title=ballot.title, **_settings(ballot))
        _audit_stand_in(ballot)
        db.session.commit()
        flash("Draft saved. Check it, then open it to the members.", "success")
        return redirect(url_for("voting.show", ballot_id=ballot.id))
    return render_template("voting/form.html", form=form, ballot=None), 422 if form.errors else 200


@bp.route("/<int:ballot_id>/edit", methods=["GET", "POST"])
@chair_or_admin_required
def edit(ballot_id: int):
    """Edit a draft (rules are fixed once a ballot opens)."""
    ballot = db.session.get(Ballot, ballot_id) or abort(404)
    if ballot.stage is not Stage.DRAFT:
        flash("An opened ballot cannot be edited: its rules were fixed when it opened.", "error")
        return redirect(url_for("voting.show", ballot_id=ballot.id)), 303
    form = BallotForm(obj=ballot, options="\n".join(o.label for o in ballot.options),
                      quorum=ballot.quorum.text)
    if not form.is_submitted():
        tz = zone(current_user.timezone)
        form.opens_at.data = ballot.opens_at.astimezone(tz).replace(tzinfo=None)
        form.closes_at.data = ballot.closes_at.astimezone(tz).replace(tzinfo=None)
    if form.validate_on_submit():
        ballot.options.clear()
        db.session.flush()  # free the (ballot, position) slots before the new options
        _apply(form, ballot)
        audit.record("ballot.update", ballot, title=ballot.title, **_settings(ballot))
        _audit_stand_in(ballot)
        db.session.commit()
        flash("Draft saved.", "success")
        return redirect(url_for("voting.show", ballot_id=ballot.id))
    return render_template("voting/form.html", form=form, ballot=ballot), \
        422 if form.errors else 200


def _chair_action(ballot_id: int, action: Callable[[Ballot], str], form=None):
    """Run a chair action on a ballot: validate CSRF, act, audit inside, commit, redirect."""
    ballot = db.session.get(Ballot, ballot_id) or abort(404)
    form = form or ActionForm()
    if not form.validate_on_submit():
        return ballot_page(ballot, "Please correct the form: " + "; ".join(
            f"{k}: {' '.join(v)}" for k, v in form.errors.items())), 422
    try:
        message = action(ballot)
        _audit_stand_in(ballot)
    except BallotError as exc:
        db.session.rollback()
        return ballot_page(ballot, f"Not done: {exc}."), exc.status
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("voting.show", ballot_id=ballot.id))


@bp.post("/<int:ballot_id>/open")
@chair_or_admin_required
def open_ballot(ballot_id: int):
    """Open a draft to the companies that are members on its opening date."""
    def act(ballot: Ballot) -> str:
        members = ballot.open()
        plan = ballot.tie_break_plan()
        audit.record("ballot.open", ballot, electorate=[c.name for c in members],
                     lot_commitment=ballot.lot_commitment, opens_at=ballot.opens_at,
                     tie_break=plan.rule.value, casting_voter=plan.casting_voter,
                     tie_break_note=plan.note)
        return f"Opened to {len(ballot.electors)} member companies."
    return _chair_action(ballot_id, act)


def _notice_period() -> timedelta:
    return timedelta(hours=current_app.config["REMINDER_HOURS"])


@bp.post("/<int:ballot_id>/close-now")
@chair_or_admin_required
def close_now(ballot_id: int):
    """Close an open ballot at once, once every company of its electorate has answered."""
    from voting.closing import change_close

    def act(ballot: Ballot) -> str:
        change_close(ballot, None, current_user, "every company has answered", _notice_period())
        return "Closed: every company had answered. Count the votes when you are ready."
    return _chair_action(ballot_id, act, CloseNowForm())


@bp.post("/<int:ballot_id>/move-close")
@chair_or_admin_required
def move_close(ballot_id: int):
    """Move an open ballot's close later, or earlier with at least the reminder period's notice."""
    from voting.closing import change_close

    form = MoveCloseForm()

    def act(ballot: Ballot) -> str:
        new_close = form.closes_at.data.replace(tzinfo=zone(current_user.timezone))
        row = change_close(ballot, new_close, current_user, form.reason.data, _notice_period())
        return (f"The close moved {row.move}; the companies that have not answered will be told "
                "by e-mail.")
    return _chair_action(ballot_id, act, form)


@bp.post("/<int:ballot_id>/decide")
@chair_or_admin_required
def decide(ballot_id: int):
    """Count a closed ballot."""
    from voting.actions import decide_ballot

    return _chair_action(ballot_id, lambda b: decide_ballot(b).summary)


@bp.post("/<int:ballot_id>/casting-vote")
@chair_or_admin_required
def casting_vote(ballot_id: int):
    """Record the chair's casting vote on a tie."""
    from voting.actions import record_casting_vote

    form = CastingForm()
    return _chair_action(
        ballot_id, lambda b: record_casting_vote(b, form.choice.data.strip(), current_user).summary,
        form)


@bp.post("/<int:ballot_id>/publish")
@chair_or_admin_required
def publish(ballot_id: int):
    """Publish the outcome in the public decisions register."""
    from voting.actions import publish as do_publish

    form = PublishForm()

    def act(ballot: Ballot) -> str:
        do_publish(ballot, (form.statement.data or "").strip())
        return "Published in the decisions register."
    return _chair_action(ballot_id, act, form)


@bp.post("/<int:ballot_id>/withdraw")
@chair_or_admin_required
def withdraw(ballot_id: int):
    """Withdraw a draft or open ballot (a called vote withdrawn frees its round for another)."""
    from voting.actions import withdraw as do_withdraw

    form = WithdrawForm()

    def act(ballot: Ballot) -> str:
        do_withdraw(ballot, form.reason.data or "")
        return "Ballot withdrawn; it will not be counted."
    return _chair_action(ballot_id, act, form)


@bp.post("/<int:ballot_id>/call-vote")
@chair_or_admin_required
def call_vote(ballot_id: int):
    """Call a vote on a proposal that did not reach consensus."""
    from voting.actions import call_vote as do_call

    parent = db.session.get(Ballot, ballot_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        child = do_call(parent, current_user)
        _audit_stand_in(child)
    except BallotError as exc:
        db.session.rollback()
        return ballot_page(parent, f"Not done: {exc}."), exc.status
    db.session.commit()
    flash("A draft vote was created on the same proposal; set its dates and open it.", "success")
    return redirect(url_for("voting.edit", ballot_id=child.id))
