"""The signed-in person: User model (keyed on OIDC issuer and subject), roles and role checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING

from flask import abort, g, has_request_context
from flask_login import AnonymousUserMixin, LoginManager, UserMixin, current_user
from sqlalchemy import Boolean, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column

from core import clock
from core.db import UTCDateTime, db

if TYPE_CHECKING:
    from core.members import ChairTerm, Company, Representative

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in with OpenStackID to continue."
login_manager.login_message_category = "info"


class Role(StrEnum):
    """The five audiences Concord serves, from least to most powerful."""

    PUBLIC = "public"
    USER = "user"
    REPRESENTATIVE = "representative"
    CHAIR = "chair"
    ADMIN = "admin"


def display_name(user_id: int, name: str | None, email: str | None) -> str:
    """Name a user as everywhere in the site: their name, else their e-mail, else 'user N'."""
    return name or email or f"user {user_id}"


class User(UserMixin, db.Model):
    """A person who signed in through OpenStackID."""

    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by signing out: sessions issued under an older epoch are refused (core/sessions.py).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def __str__(self) -> str:
        return display_name(self.id, self.name, self.email)

    def representation(self, on: date | None = None) -> Representative | None:
        """Return the user's active representative row on a day (today by default)."""
        if on is None:
            return _per_request(("rep", self.id), lambda: self.representation(clock.today()))
        from core.members import Representative

        day = on
        stmt = (
            select(Representative)
            .where(Representative.user_id == self.id, *Representative.active_on(day))
            .order_by(*representation_order())
            .options(joinedload(Representative.company))  # company() follows on every vote
        )
        return db.session.scalars(stmt).first()

    def company(self, on: date | None = None) -> Company | None:
        """Return the company the user acts for on a day, if any."""
        rep = self.representation(on)
        return rep.company if rep else None

    def chair_term(self, on: date | None = None) -> ChairTerm | None:
        """Return the chair term the user holds on a day, if any."""
        if on is None:
            return _per_request(("chair", self.id), lambda: self.chair_term(clock.today()))
        from core.members import ChairTerm

        term = ChairTerm.current(on)
        return term if term and term.user_id == self.id else None

    def roles(self) -> set[Role]:
        """Return every role the user holds today."""
        roles = {Role.PUBLIC, Role.USER}
        if self.representation() is not None:
            roles.add(Role.REPRESENTATIVE)
        if self.chair_term() is not None:
            roles.add(Role.CHAIR)
        if self.is_admin:
            roles.add(Role.ADMIN)
        return roles

    def holds(self, allowed: set[Role]) -> bool:
        """Tell whether the user holds one of these roles, asking the database as little as possible."""
        # Cheapest first: the admin flag is loaded already, a representative needs one query.
        if allowed & {Role.PUBLIC, Role.USER} or (Role.ADMIN in allowed and self.is_admin):
            return True
        if Role.REPRESENTATIVE in allowed and self.representation() is not None:
            return True
        return Role.CHAIR in allowed and self.chair_term() is not None


CACHE_KEY = "_concord_request_cache"


def representation_order() -> tuple:
    """Order a user's active rows so the first is "the" representation: a full representative."""
    from core.members import Representative

    return Representative.kind, Representative.start_on


def remember_representation(user: User, representation: Representative | None) -> None:
    """Note, for this request, the representation a loader read along with the user."""
    if has_request_context():
        g.setdefault(CACHE_KEY, {})[("rep", user.id)] = representation


def _per_request(key: tuple, compute: Callable[[], object]):
    """Compute a value once per request (roles are checked several times per request)."""
    if not has_request_context():
        return compute()
    cache = g.setdefault(CACHE_KEY, {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def forget_request_cache() -> None:
    """Drop the per-request cache (after a change that alters roles within the request)."""
    g.pop(CACHE_KEY, None)


class Anonymous(AnonymousUserMixin):
    """The public: no sign-in."""

    timezone = "UTC"
    is_admin = False

    def roles(self) -> set[Role]:
        """Return the public role only."""
        return {Role.PUBLIC}

    def holds(self, allowed: set[Role]) -> bool:
        """The public holds the public role only."""
        return Role.PUBLIC in allowed

    def company(self, on: date | None = None) -> None:
        """The public acts for no company."""
        return None


login_manager.anonymous_user = Anonymous


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the session's user while that session is current (lifetimes, not signed out)."""
    from core import sessions

    return sessions.load(user_id)


def require_role(*allowed: Role) -> Callable:
    """Decorate a view so only users holding one of `allowed` roles reach it (401/403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.holds(set(allowed)):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def acting_for_chair() -> bool:
    """Tell whether the current user is an administrator doing chair acts without holding the chair.

    That is how chair acts happen when no chair term is current (and when an administrator
    steps in for a sitting chair); every such act is audited with `acting_for_chair=True`.
    """
    return bool(current_user.is_authenticated and current_user.is_admin
                and current_user.chair_term() is None)


admin_required = require_role(Role.ADMIN)
chair_or_admin_required = require_role(Role.CHAIR, Role.ADMIN)
representative_required = require_role(Role.REPRESENTATIVE)
