"""New-member nominations and revocation motions: propose, then follow the linked ballot."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core import clock
from core.db import db
from core.forms import choices
from core.member_rules import CompanyStatus
from core.members import Company
from core.timefmt import zone
from core.users import Role, require_role
from cycles.actions import CycleError, Evidence, member_company, nominate, propose_revocation
from cycles.forms import NominationForm, RevocationForm
from cycles.models import Nomination, RevocationProposal
from cycles.rules import parse_contacts
from cycles.views import bp, is_member_viewer, members_only, window_rule

representatives_only = require_role(Role.REPRESENTATIVE)


def _page(template: str, form, error: str | None = None, status: int | None = None, **ctx):
    """Render a form page: 422 on form errors, or the refusal's own status."""
    code = status or (422 if form.errors else 200)
    return render_template(template, form=form, error=error, **ctx), code


@bp.route("/cycles/nominations/new", methods=["GET", "POST"])
@representatives_only
def nominate_company():
    """Nominate a candidate company inside the yearly invitation window."""
    nominator = member_company(current_user)  # a refusal is answered by core/errors.py
    rule, today = window_rule(), clock.today()
    window = rule.containing(today)
    form = NominationForm(member_from=window.closes_on if window else None)
    ctx = {"window": window, "refusal": None if window else rule.refusal(today),
           "nominator": nominator}
    if window is None and request.method == "POST":
        return _page("cycles/nomination_form.html", form, rule.refusal(today), 409, **ctx)
    if not form.validate_on_submit():
        return _page("cycles/nomination_form.html", form, **ctx)
    evidence = Evidence(form.operator_or_nsp.data, form.participates.data,
                        form.dedicated_ftes.data, form.upstream_ftes.data)
    try:
        nom = nominate(current_user, form.company_name.data, evidence,
                       parse_contacts(form.contacts.data), (form.notes.data or "").strip(),
                       form.member_from.data, window, ctx["refusal"] or "")
    except CycleError as exc:
        db.session.rollback()
        return _page("cycles/nomination_form.html", form, str(exc), exc.status, **ctx)
    db.session.commit()
    flash(f"{nom.company.name} is nominated. Its consensus round is open to the "
          f"{len(nom.ballot.electors)} member companies until the window closes.", "success")
    return redirect(url_for("cycles.nomination", nomination_id=nom.id))


@bp.get("/cycles/nominations/<int:nomination_id>")
@members_only
def nomination(nomination_id: int):
    """Show a nomination, its round, and (to members only) its contacts and objections."""
    nom = db.session.get(Nomination, nomination_id) or abort(404)
    return render_template("cycles/nomination.html", nom=nom, member=is_member_viewer(),
                           phase=nom.ballot.phase())


def _revocation_targets(exclude: Company | None) -> list[Company]:
    members = Company.members_on(clock.today())
    return [c for c in members if exclude is None or c.id != exclude.id]


@bp.route("/cycles/revocations/new", methods=["GET", "POST"])
@representatives_only
def propose():
    """Propose that a member company's membership be revoked (a board motion)."""
    proposer = member_company(current_user)  # a refusal is answered by core/errors.py
    form = RevocationForm()
    form.company_id.choices = choices((c.id, c.name) for c in _revocation_targets(proposer))
    if not form.is_submitted():
        local_now = clock.now().astimezone(zone(current_user.timezone)).replace(tzinfo=None)
        form.closes_at.data = (local_now + timedelta(days=14)).replace(second=0, microsecond=0)
        form.effective_on.data = form.closes_at.data.date() + timedelta(days=1)
    threshold = current_app.config["REVOCATION_THRESHOLD"]
    ctx = {"threshold": threshold.replace("_", " ")}
    if not form.validate_on_submit():
        return _page("cycles/revocation_form.html", form, **ctx)
    company = db.session.get(Company, form.company_id.data) or abort(404)
    try:
        rev = propose_revocation(current_user, company, form.grounds.data, form.effective_on.data,
                                 form.closing(current_user.timezone), threshold)
    except CycleError as exc:
        db.session.rollback()
        return _page("cycles/revocation_form.html", form, str(exc), exc.status, **ctx)
    db.session.commit()
    flash(f"The motion to revoke {company.name}'s membership is open to the other "
          f"{len(rev.ballot.electors)} member companies.", "success")
    return redirect(url_for("cycles.revocation", revocation_id=rev.id))


@bp.get("/cycles/revocations/<int:revocation_id>")
@members_only
def revocation(revocation_id: int):
    """Show a revocation motion and what came of it."""
    rev = db.session.get(RevocationProposal, revocation_id) or abort(404)
    history = rev.company.history if is_member_viewer() else []
    return render_template("cycles/revocation.html", rev=rev, phase=rev.ballot.phase(),
                           history=history, member_status=CompanyStatus.MEMBER)
