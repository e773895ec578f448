"""Personal API tokens: shown once, stored hashed, sent as `Authorization: Bearer <token>`."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    url_for,
)
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


def bearer_digest(headers) -> str | None:
    """Return the digest of the request's bearer token, or None without one."""
    header = headers.get("Authorization", "")
    return _digest(header[7:].strip()) if header.startswith("Bearer ") else None


def bearer_only(req) -> str | None:
    """Return the bearer token's digest if the request has no session cookie besides it.

    With both, Flask-Login signs the session's user in first; the shortcuts that read the
    token alone (the limits' key, the API's one-statement vote) stand aside then.
    """
    # Asked up to three times a request (each limit's key, the vote): the answer is kept in
    # the environ, and a request that sent no cookie at all skips parsing the cookies.
    environ = req.environ
    if "concord.bearer_only" not in environ:
        cookie = "HTTP_COOKIE" in environ and current_app.config["SESSION_COOKIE_NAME"] in req.cookies
        environ["concord.bearer_only"] = None if cookie else bearer_digest(req.headers)
    return environ["concord.bearer_only"]


@login_manager.request_loader
def load_from_bearer(req) -> User | None:
    """Authenticate an API request carrying a bearer token."""
    digest = bearer_digest(req.headers)
    if digest is None:
        return None
    # One query for the token, its user and the company they act for today: every API call
    # asks who the caller is and for which company, so the roles cost nothing more.
    found = db.session.execute(_bearer_statement(), {"digest": digest,
                                                     "day": clock.today()}).first()
    if found is None:
        return None
    user, representation = found
    remember_representation(user, representation)
    authenticated_by_bearer(digest, user.id)
    return user


def authenticated_by_bearer(digest: str, user_id: int) -> None:
    """Note that this request's bearer token is valid and acts for this user."""
    g.bearer_token = True  # bearer requests are exempt from CSRF (no ambient cookie)
    ops.note_user(user_id)
    _remember(digest, user_id)


def token_user(digest: str) -> int | None:
    """Return the user a token acts for (a token never changes user), or None if unknown.

    Only the rate limits' key uses it, before the request is authenticated: it says whose
    bucket a request counts in, never whether the token is valid (revoked tokens count in
    their user's bucket too). Kept per process: the first lookup reads every token's user
    at once (up to a bound), a token made later costs one query the first time.
    """
    user_id = _TOKEN_USERS.get(digest)
    if user_id is None:
        # One statement on its own autocommit connection: no BEGIN and ROLLBACK around it,
        # and no transaction left open in the session for the rest of the request.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if not _LOADED:
                rows = conn.execute(_ALL_TOKEN_USERS, {"bound": _BOUND})
                _TOKEN_USERS.update((token, user) for token, user in rows)
                _LOADED.append(True)
                user_id = _TOKEN_USERS.get(digest)
            if user_id is None:
                user_id = conn.execute(_TOKEN_USER, {"digest": digest}).scalar()
        if user_id is not None:
            _remember(digest, user_id)
    return user_id


def _remember(digest: str, user_id: int) -> None:
    if len(_TOKEN_USERS) >= _BOUND:  # a bound, not a policy: the entries are refilled on use
        _TOKEN_USERS.clear()
    _TOKEN_USERS[digest] = user_id


_TOKEN_USERS: dict[str, int] = {}
_LOADED: list[bool] = []  # every token's user read once in this process
_BOUND = 10_000
_TOKEN_USER = select(ApiToken.user_id).where(ApiToken.token_hash == bindparam("digest"))
_ALL_TOKEN_USERS = (select(ApiToken.token_hash, ApiToken.user_id)
                    .where(ApiToken.revoked_at.is_(None)).order_by(ApiToken.id.desc())
                    .limit(bindparam("bound")))

# The member a bearer token acts for and the company they represent today, as SQL text a
# vote joins in one statement (PostgreSQL; voting.cast_sql): the same rows, in the same
# order, as _bearer_statement() and User.representation().
BEARER_MEMBER_SQL = (
    "SELECT u.id AS user_id, u.name AS user_name, u.email AS user_email, r.company_id, "
    "c.name AS company_name FROM api_token AS t JOIN user_account AS u ON u.id = t.user_id "
    "JOIN LATERAL (SELECT company_id FROM representative WHERE user_id = u.id "
    "AND start_on <= :day AND (end_on IS NULL OR end_on >= :day) "
    "ORDER BY kind, start_on LIMIT 1) AS r ON true JOIN company AS c ON c.id = r.company_id "
    "WHERE t.token_hash = :digest AND t.revoked_at IS NULL")


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
