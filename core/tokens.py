"""Personal API tokens: shown once, stored hashed, sent as `Authorization: Bearer <token>`."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import ForeignKey, String, and_, bindparam, or_, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from core import audit, clock, ops
from core.db import UTCDateTime, db
from core.forms import ConfirmForm, TokenForm
from core.users import User, login_manager, remember_representation, representation_order

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")
PREFIX = "cnc_"


class ApiToken(db.Model):
    """A personal token acting as its user on the JSON API."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@login_manager.request_loader
def load_from_bearer(req) -> User | None:
    """Authenticate an API request carrying a bearer token."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    # One query for the token, its user and the company they act for today: every API call
    # asks who the caller is and for which company, so the roles cost nothing more.
    found = db.session.execute(_bearer_statement(), {"digest": _digest(header[7:].strip()),
                                                     "day": clock.today()}).first()
    if found is None:
        return None
    user, representation = found
    remember_representation(user, representation)
    g.bearer_token = True  # bearer requests are exempt from CSRF (no ambient cookie)
    ops.note_user(user.id)
    return user


@cache
def _bearer_statement():
    """Build, once, the query behind every API call (its compiled form is then reused)."""
    from core.members import Representative

    day = bindparam("day")
    acting = and_(Representative.user_id == User.id, Representative.start_on <= day,
                  or_(Representative.end_on.is_(None), Representative.end_on >= day))
    return (select(User, Representative).join(ApiToken, ApiToken.user_id == User.id)
            .outerjoin(Representative, acting)
            .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None))
            .order_by(*representation_order()).limit(1)
            .options(joinedload(Representative.company)))


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """List the user's tokens and create a new one (shown once)."""
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token = PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(user=current_user, name=form.name.data.strip(),
                         token_hash=_digest(new_token))
        db.session.add(token)
        audit.record("api_token.create", token, name=token.name)
        db.session.commit()
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == current_user.id)
                                .order_by(ApiToken.created_at.desc())).all()
    status = 422 if form.errors else 200
    return render_template("account_tokens.html", form=form, tokens=tokens, new_token=new_token,
                           confirm=ConfirmForm()), status


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    """Revoke one of the user's tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        audit.record("api_token.revoke", token, name=token.name)
        db.session.commit()
    flash(f"Token '{token.name}' is revoked.", "success")
    return redirect(url_for("tokens.index"))


def bearer_authenticated() -> bool:
    """Tell whether this request authenticated with a bearer token."""
    return bool(g.get("bearer_token"))
