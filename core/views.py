"""Home and dashboard, the public member list, and the user's account page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from core import audit, clock, sessions
from core.db import db
from core.forms import AccountForm, ConfirmForm
from core.members import ChairTerm, Company, Invitation
from core.users import User

bp = Blueprint("core", __name__)
# Features add what waits for the signed-in person (cycles.home.waiting_for): each callable
# takes the user and returns template variables for the dashboard.
home_sections: list[Callable[[User], dict[str, Any]]] = []


@bp.get("/")
def home():
    """Show the landing page, or the signed-in person's dashboard."""
    chair = ChairTerm.current()
    if not current_user.is_authenticated:
        return render_template("home.html", chair=chair)
    rep = current_user.representation()
    extra: dict[str, Any] = {}
    for section in home_sections:
        extra.update(section(current_user._get_current_object()))
    return render_template(
        "dashboard.html", rep=rep, chair=chair,
        admin_contact=current_app.config.get("ADMIN_CONTACT"),
        invited=_open_invitation_for(current_user.email) if rep is None else None, **extra,
    )


def _open_invitation_for(email: str | None) -> Invitation | None:
    """Return an open invitation to this address, if any (it binds once the address is verified)."""
    if not email:
        return None
    now = clock.now()
    return db.session.scalars(select(Invitation).where(
        func.lower(Invitation.email) == email.lower(), Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > now)).first()


@bp.get("/members")
def members():
    """List today's member companies with their join dates (public)."""
    return render_template("members.html", companies=Company.members_on(clock.today()))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Let users set their own time zone."""
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        old = current_user.timezone
        current_user.timezone = form.timezone.data.strip()
        audit.record("user.settings", current_user, timezone_from=old,
                     timezone_to=current_user.timezone)
        db.session.commit()
        flash("Your settings are saved.", "success")
        return redirect(url_for("core.account"))
    return render_template("account.html", form=form, everywhere_form=ConfirmForm()), \
        422 if form.errors else 200


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of the user, in every browser and device (a copied cookie too)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    sessions.revoke_all(user)
    audit.record("user.sign_out_everywhere", user, actor=user)
    db.session.commit()
    sessions.end_here()
    flash("You are signed out of Concord everywhere: every browser and device must sign in "
          "again.", "success")
    return redirect(url_for("core.home"))


@bp.get("/healthz")
def healthz():
    """Tell a load balancer the process is up."""
    return {"status": "ok"}
