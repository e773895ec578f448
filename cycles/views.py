"""The annual cycles in the app: the overview, the public chairs page, e-mail preferences, wiring."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from core import audit, clock
from core.config import ConfigError
from core.db import db
from core.member_rules import CompanyStatus
from core.members import ChairTerm
from core.users import Role, require_role
from cycles.forms import PreferencesForm
from cycles.models import ChairElection, Nomination, RevocationProposal, UserPreference
from cycles.rules import CycleRuleError, WindowRule

bp = Blueprint("cycles", __name__)
members_only = require_role(Role.REPRESENTATIVE, Role.CHAIR, Role.ADMIN)
THRESHOLDS = {"simple_majority", "absolute_majority", "two_thirds", "unanimity"}


def init_app(app: Flask) -> None:
    """Check the cycle settings, register the pages, the publish hook and the CLI command."""
    from cycles import cli, effects, election_views, membership_views  # noqa: F401  (routes)
    from voting.actions import on_publish
    from voting.public import reasons_private

    try:
        WindowRule.from_settings(app.config["INVITATION_WINDOW_START"],
                                 app.config["INVITATION_WINDOW_DAYS"])
    except CycleRuleError as exc:
        raise ConfigError(f"INVITATION_WINDOW_START / INVITATION_WINDOW_DAYS: {exc}") from exc
    if app.config["REVOCATION_THRESHOLD"] not in THRESHOLDS:
        raise ConfigError(f"REVOCATION_THRESHOLD must be one of {sorted(THRESHOLDS)}")
    if app.config["REMINDER_HOURS"] < 0:
        raise ConfigError("REMINDER_HOURS cannot be negative")
    app.register_blueprint(bp)
    from core.views import home_sections
    from cycles.home import waiting_for

    if waiting_for not in home_sections:  # the dashboard's "what waits for me" lists
        home_sections.append(waiting_for)
    if apply_published_outcome not in on_publish:  # one hook, however many apps a process builds
        on_publish.append(apply_published_outcome)
    if effects.is_nomination_round not in reasons_private:
        reasons_private.append(effects.is_nomination_round)
    cli.init_app(app)


def apply_published_outcome(ballot) -> None:
    """Apply a published cycle ballot's effects as the publisher, and flash what they say."""
    from cycles import effects

    in_request = has_request_context()  # the command line publishes too, as nobody
    by = current_user._get_current_object() if in_request and current_user.is_authenticated \
        else None
    notices = effects.apply_outcome(ballot, by=by,
                                    invitation_days=current_app.config["INVITATION_DAYS"])
    for notice in notices if in_request else ():
        flash(notice, "error")


def window_rule() -> WindowRule:
    """Return the yearly invitation window from the settings."""
    return WindowRule.from_settings(current_app.config["INVITATION_WINDOW_START"],
                                    current_app.config["INVITATION_WINDOW_DAYS"])


def is_member_viewer() -> bool:
    """Tell whether the viewer speaks for a member company, chairs, or administers the site."""
    if current_user.roles() & {Role.CHAIR, Role.ADMIN}:
        return True
    company = current_user.company()
    return company is not None and company.status is CompanyStatus.MEMBER


def is_chair_or_admin() -> bool:
    """Tell whether the viewer holds the chair or administers the site."""
    return bool(current_user.roles() & {Role.CHAIR, Role.ADMIN})


def _latest(model, limit: int = 50) -> list:
    return list(db.session.scalars(select(model).order_by(model.created_at.desc()).limit(limit)))


@bp.get("/cycles/")
@members_only
def index():
    """Show the invitation window, nominations, revocations and chair elections."""
    rule, today = window_rule(), clock.today()
    window = rule.containing(today)
    return render_template(
        "cycles/index.html", window=window, next_window=rule.next_after(today), rule=rule,
        nominations=_latest(Nomination), revocations=_latest(RevocationProposal),
        elections=_latest(ChairElection), member=is_member_viewer(),
        chair=is_chair_or_admin())


@bp.get("/chairs")
def chairs():
    """List every chair term, newest first, with the election that gave it (public)."""
    terms = db.session.scalars(select(ChairTerm).order_by(ChairTerm.starts_on.desc())).all()
    elections = {e.chair_term_id: e for e in db.session.scalars(
        select(ChairElection).where(ChairElection.chair_term_id.is_not(None)))}
    return render_template("cycles/chairs.html", terms=terms, elections=elections,
                           current=ChairTerm.current())


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    """Let users turn e-mail reminders off (or on)."""
    pref = UserPreference.for_user(current_user.id)
    form = PreferencesForm(obj=pref)
    if form.validate_on_submit():
        before = pref.reminders
        pref.reminders, pref.updated_at = form.reminders.data, clock.now()
        db.session.add(pref)
        audit.record("user.notifications", current_user, reminders_from=before,
                     reminders_to=pref.reminders)
        db.session.commit()
        flash("Reminders are " + ("on." if pref.reminders else "off."), "success")
        return redirect(url_for("cycles.preferences"))
    return render_template("cycles/preferences.html", form=form), 422 if form.errors else 200
