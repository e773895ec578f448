"""Administrator pages for the member register; every change is audited in its own transaction."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from core import audit, clock
from core.db import db
from core.forms import (
    AppointForm,
    ChairTermForm,
    CompanyForm,
    ConfirmForm,
    EndForm,
    InvitationForm,
    StatusChangeForm,
    choices,
)
from core.member_rules import CompanyStatus, RegisterError
from core.members import ChairTerm, Company, Invitation, RepKind, Representative
from core.users import User, admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def _only_admins() -> None:
    """Guard every admin page."""


def _get(model, ident: int):
    return db.session.get(model, ident) or abort(404)


def _unique_clash(form: CompanyForm, company: Company | None) -> bool:
    """Flag a name or slug already used by another company on the form."""
    clash = False
    for field, column in ((form.name, Company.name), (form.slug, Company.slug)):
        other = db.session.scalars(select(Company).where(column == field.data.strip())).first()
        if other is not None and other is not company:
            field.errors.append(f"{other.name} already uses this.")
            clash = True
    return clash


def _render(template: str, form, **ctx):
    """Render a form page; 422 when the submitted form has errors."""
    return render_template(template, form=form, **ctx), 422 if form.errors else 200


@bp.get("/")
def index():
    """Show the admin overview."""
    return render_template("admin/index.html", report=audit.verify_database())


@bp.get("/companies")
def companies():
    """List every company with today's status."""
    rows = db.session.scalars(select(Company).order_by(Company.name)).all()
    return render_template("admin/companies.html", companies=rows)


@bp.route("/companies/new", methods=["GET", "POST"])
def company_new():
    """Create a company with its first status."""
    form = CompanyForm()
    if form.validate_on_submit() and not _unique_clash(form, None):
        company = Company()
        _fill_company(form, company)
        db.session.add(company)
        start = form.initial_date.data or clock.today()
        company.change_status(CompanyStatus(form.initial_status.data), start, "created",
                              current_user)
        audit.record("company.create", company, name=company.name,
                     status=form.initial_status.data, effective_on=start)
        db.session.commit()
        flash(f"{company.name} was added.", "success")
        return redirect(url_for("admin.company_detail", company_id=company.id))
    return _render("admin/company_form.html", form, company=None)


def _fill_company(form: CompanyForm, company: Company) -> None:
    company.name = form.name.data.strip()
    company.slug = form.slug.data.strip()
    company.operator_or_nsp = form.operator_or_nsp.data
    company.dedicated_ftes = form.dedicated_ftes.data
    company.upstream_ftes = form.upstream_ftes.data
    company.criteria_notes = form.criteria_notes.data or ""


@bp.get("/companies/<int:company_id>")
def company_detail(company_id: int):
    """Show a company's history, representatives and invitations."""
    company = _get(Company, company_id)
    form = StatusChangeForm(effective_on=clock.today())
    return render_template("admin/company.html", company=company, form=form,
                           invitations=_invitations(company.id))


def _invitations(company_id: int | None = None) -> list[Invitation]:
    stmt = select(Invitation).order_by(Invitation.created_at.desc())
    if company_id is not None:
        stmt = stmt.where(Invitation.company_id == company_id)
    return list(db.session.scalars(stmt))


@bp.route("/companies/<int:company_id>/edit", methods=["GET", "POST"])
def company_edit(company_id: int):
    """Edit a company's name and criteria evidence."""
    company = _get(Company, company_id)
    form = CompanyForm(obj=company)
    del form.initial_status, form.initial_date
    if form.validate_on_submit() and not _unique_clash(form, company):
        before = {"name": company.name, "slug": company.slug}
        _fill_company(form, company)
        audit.record("company.update", company, before=before, name=company.name,
                     slug=company.slug, operator_or_nsp=company.operator_or_nsp,
                     dedicated_ftes=company.dedicated_ftes, upstream_ftes=company.upstream_ftes)
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("admin.company_detail", company_id=company.id))
    return _render("admin/company_form.html", form, company=company)


@bp.post("/companies/<int:company_id>/status")
def company_status(company_id: int):
    """Record a dated status change."""
    company = _get(Company, company_id)
    form = StatusChangeForm()
    if form.validate_on_submit():
        try:
            company.change_status(CompanyStatus(form.status.data), form.effective_on.data,
                                  form.reason.data.strip(), current_user)
        except RegisterError as exc:
            form.status.errors.append(str(exc))
        else:
            audit.record("company.status", company, status=form.status.data,
                         effective_on=form.effective_on.data, reason=form.reason.data.strip())
            db.session.commit()
            flash(f"{company.name} is {form.status.data} from {form.effective_on.data}.", "success")
            return redirect(url_for("admin.company_detail", company_id=company.id))
    return _render("admin/company.html", form, company=company,
                   invitations=_invitations(company.id))


def _company_choices() -> list:
    return choices((c.id, c.name)
                   for c in db.session.scalars(select(Company).order_by(Company.name)))


def _user_choices() -> list:
    users = db.session.scalars(select(User).order_by(User.name))
    return choices((u.id, f"{u.name} <{u.email or 'no e-mail'}>") for u in users)


@bp.route("/invitations", methods=["GET", "POST"])
def invitations():
    """List invitations and invite a new representative by e-mail."""
    form = InvitationForm()
    form.company_id.choices = _company_choices()
    if form.validate_on_submit():
        company = _get(Company, form.company_id.data)
        try:
            inv = Invitation.create(company, form.email.data, RepKind(form.kind.data),
                                    current_user, current_app.config["INVITATION_DAYS"])
        except RegisterError as exc:
            form.email.errors.append(str(exc))
        else:
            audit.record("invitation.create", inv, email=inv.email, company=company.name,
                         kind=form.kind.data)
            db.session.commit()
            flash(f"{inv.email} is invited to act for {company.name}. They are bound to it "
                  "the first time they sign in with that verified address.", "success")
            return redirect(url_for("admin.invitations"))
    return _render("admin/invitations.html", form, invitations=_invitations(),
                   confirm=ConfirmForm())


@bp.post("/invitations/<int:invitation_id>/revoke")
def invitation_revoke(invitation_id: int):
    """Withdraw an open invitation."""
    inv = _get(Invitation, invitation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        inv.revoke()
    except RegisterError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.invitations")), 303
    audit.record("invitation.revoke", inv, email=inv.email)
    db.session.commit()
    flash(f"The invitation for {inv.email} is revoked.", "success")
    return redirect(url_for("admin.invitations"))


@bp.route("/representatives", methods=["GET", "POST"])
def representatives():
    """List representatives and appoint an existing user."""
    form = AppointForm(start_on=clock.today())
    form.company_id.choices = _company_choices()
    form.user_id.choices = _user_choices()
    if form.validate_on_submit():
        user, company = _get(User, form.user_id.data), _get(Company, form.company_id.data)
        try:
            rep = Representative.appoint(user, company, RepKind(form.kind.data),
                                         form.start_on.data)
        except RegisterError as exc:
            form.user_id.errors.append(str(exc))
        else:
            audit.record("representative.appoint", rep, user=str(user), company=company.name,
                         kind=form.kind.data, start_on=form.start_on.data)
            db.session.commit()
            flash(f"{user} now acts for {company.name}.", "success")
            return redirect(url_for("admin.representatives"))
    rows = db.session.scalars(
        select(Representative).order_by(Representative.company_id, Representative.start_on)
    ).all()
    return _render("admin/representatives.html", form, reps=rows,
                   end_form=EndForm(last_day=clock.today()))


@bp.post("/representatives/<int:rep_id>/end")
def representative_end(rep_id: int):
    """End a representative's mandate."""
    rep = _get(Representative, rep_id)
    form = EndForm()
    if not form.validate_on_submit():
        flash("Give a valid last day.", "error")
        return redirect(url_for("admin.representatives")), 303
    try:
        rep.end(form.last_day.data)
    except RegisterError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.representatives")), 303
    audit.record("representative.end", rep, user=str(rep.user), company=rep.company.name,
                 last_day=form.last_day.data)
    db.session.commit()
    flash(f"{rep.user} acts for {rep.company.name} until {form.last_day.data}.", "success")
    return redirect(url_for("admin.representatives"))


@bp.route("/chair-terms", methods=["GET", "POST"])
def chair_terms():
    """List chair terms and record a new one."""
    form = ChairTermForm()
    form.user_id.choices = _user_choices()
    if form.validate_on_submit():
        user = _get(User, form.user_id.data)
        company = user.company(form.starts_on.data)
        try:
            if company is None:
                raise RegisterError(f"{user} does not represent a company on {form.starts_on.data}")
            term = ChairTerm.record(user, company, form.starts_on.data, form.ends_on.data)
        except RegisterError as exc:
            form.user_id.errors.append(str(exc))
        else:
            audit.record("chair_term.create", term, user=str(user), company=company.name,
                         starts_on=term.starts_on, ends_on=term.ends_on)
            db.session.commit()
            flash(f"{user} chairs from {term.starts_on} until {term.ends_on}.", "success")
            return redirect(url_for("admin.chair_terms"))
    terms = db.session.scalars(select(ChairTerm).order_by(ChairTerm.starts_on.desc())).all()
    return _render("admin/chair_terms.html", form, terms=terms)


@bp.get("/audit")
def audit_log():
    """Show the latest audit events."""
    from core.audit import AuditEvent

    # Newest first by insertion: seq counts within a lane, and lanes interleave.
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(200))
    return render_template("admin/audit.html", events=list(events))
