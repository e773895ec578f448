"""After the protocol: find the user by (issuer, subject), refresh claims, bind invitations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import select

from core import audit, clock
from core.db import db
from core.member_rules import RegisterError
from core.members import Invitation, Representative
from core.users import User


def _display_name(claims: Mapping[str, Any]) -> str:
    """Pick the best human name the claims offer."""
    name = claims.get("name") or " ".join(
        p for p in (claims.get("given_name"), claims.get("family_name")) if p
    )
    return (name or claims.get("email") or claims["sub"])[:200]


def sign_in(claims: Mapping[str, Any]) -> User:
    """Return the user for verified ID-token claims, creating and binding as needed (no commit)."""
    issuer = current_app.config["OIDC_ISSUER"].rstrip("/")
    user = db.session.scalars(
        select(User).where(User.issuer == issuer, User.subject == claims["sub"])
    ).first()
    created = user is None
    if created:
        user = User(issuer=issuer, subject=claims["sub"])
        db.session.add(user)
    user.name = _display_name(claims)
    user.email = (claims.get("email") or "").strip().lower()[:254] or None
    # Only a provider-verified address may bind an invitation; anything else is a plain string.
    user.email_verified = claims.get("email_verified") is True
    user.last_login_at = clock.now()
    audit.record("user.create" if created else "user.sign_in", user, actor=user,
                 email=user.email, email_verified=user.email_verified)
    if user.email and user.email_verified:
        bind_invitations(user)
    return user


def bind_invitations(user: User) -> list[Representative]:
    """Turn the user's open invitations into representative rows."""
    bound = []
    for inv in Invitation.open_for(user.email):
        try:
            rep = Representative.appoint(user, inv.company, inv.kind, clock.today())
        except RegisterError as exc:
            audit.record("invitation.not_bound", inv, actor=user, reason=str(exc))
            continue
        inv.accepted_at = clock.now()
        inv.accepted_by = user
        db.session.flush()
        audit.record("invitation.accept", inv, actor=user, company=inv.company.name,
                     representative_id=rep.id, kind=str(inv.kind))
        bound.append(rep)
    return bound
