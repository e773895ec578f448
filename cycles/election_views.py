"""Chair election pages: call it, nominate, accept or decline, open the vote."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from core import clock
from core.db import db
from core.forms import ConfirmForm, choices
from core.members import Representative
from core.timefmt import zone
from core.users import chair_or_admin_required
from cycles import elections
from cycles.actions import CycleError
from cycles.forms import AnswerForm, CandidateForm, ElectionForm
from cycles.models import ChairCandidacy, ChairElection
from cycles.views import bp, is_chair_or_admin, is_member_viewer, members_only


def _candidate_form() -> CandidateForm:
    form = CandidateForm()
    form.rep_id.choices = choices((r.id, f"{r.user.name} ({r.company.name})")
                                  for r in elections.eligible_representatives())
    return form


def election_page(election: ChairElection, error: str | None = None, status: int = 200,
                  candidate_form: CandidateForm | None = None):
    """Render an election with its candidates and the controls the viewer may use."""
    return render_template(
        "cycles/election.html", election=election, error=error,
        candidate_form=candidate_form or _candidate_form(), answer_form=AnswerForm(),
        confirm=ConfirmForm(), chair=is_chair_or_admin(), member=is_member_viewer(),
        phase=election.ballot.phase() if election.ballot else None), status


@bp.route("/cycles/elections/new", methods=["GET", "POST"])
@chair_or_admin_required
def election_new():
    """Call the yearly chair election."""
    form = ElectionForm()
    if not form.is_submitted():
        local_now = clock.now().astimezone(zone(current_user.timezone)).replace(tzinfo=None)
        form.title.data = f"Chair election {clock.today().year}"
        form.closes_at.data = (local_now + timedelta(days=14)).replace(second=0, microsecond=0)
        form.term_starts_on.data = form.closes_at.data.date() + timedelta(days=1)
    if not form.validate_on_submit():
        return render_template("cycles/election_form.html", form=form, error=None), \
            422 if form.errors else 200
    try:
        election = elections.create(current_user, form.title.data, form.method.data,
                                    form.tie_break.data, form.secrecy.data,
                                    form.term_starts_on.data, form.closing(current_user.timezone))
    except CycleError as exc:
        db.session.rollback()
        return render_template("cycles/election_form.html", form=form, error=str(exc)), exc.status
    db.session.commit()
    flash("The election is called: members may now nominate candidates.", "success")
    return redirect(url_for("cycles.election", election_id=election.id))


@bp.get("/cycles/elections/<int:election_id>")
@members_only
def election(election_id: int):
    """Show an election."""
    return election_page(db.session.get(ChairElection, election_id) or abort(404))


def _act(election: ChairElection, form, step: Callable[[], str]):
    """Validate the form, run the step, commit and redirect; refusals re-render the page."""
    if not form.validate_on_submit():
        return election_page(election, "Please correct the form: " + "; ".join(
            f"{k}: {' '.join(v)}" for k, v in form.errors.items()), 422)
    try:
        message = step()
    except CycleError as exc:
        db.session.rollback()
        return election_page(election, f"Not done: {exc}.", exc.status)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("cycles.election", election_id=election.id))


@bp.post("/cycles/elections/<int:election_id>/candidates")
@members_only
def nominate_candidate(election_id: int):
    """Nominate a member representative for chair."""
    election = db.session.get(ChairElection, election_id) or abort(404)
    form = _candidate_form()

    def step() -> str:
        rep = db.session.get(Representative, form.rep_id.data) or abort(404)
        candidacy = elections.nominate(election, current_user, rep)
        return (f"{candidacy.label} is a candidate." if candidacy.accepted_at else
                f"{candidacy.label} is nominated; they must accept to stand.")
    return _act(election, form, step)


@bp.post("/cycles/elections/<int:election_id>/candidates/<int:candidacy_id>/answer")
@members_only
def answer_candidacy(election_id: int, candidacy_id: int):
    """Let the nominee accept or decline."""
    candidacy = db.session.get(ChairCandidacy, candidacy_id)
    if candidacy is None or candidacy.election_id != election_id:
        abort(404)
    if candidacy.user_id != current_user.id:
        abort(403, "Only the nominee can accept or decline a nomination.")
    form = AnswerForm()

    def step() -> str:
        elections.answer(candidacy, current_user, form.answer.data == "accept")
        return "You stand for chair." if candidacy.accepted_at else "You declined the nomination."
    return _act(candidacy.election, form, step)


@bp.post("/cycles/elections/<int:election_id>/open")
@chair_or_admin_required
def open_election(election_id: int):
    """Open the vote among the candidates who accepted."""
    election = db.session.get(ChairElection, election_id) or abort(404)

    def step() -> str:
        ballot = elections.open_voting(election, current_user)
        return f"The vote is open to {len(ballot.electors)} member companies."
    return _act(election, ConfirmForm(), step)
