"""Sign a test client in the way core/sessions.py does, without the provider."""

from __future__ import annotations

from core.sessions import AUTH_KEY, stamp
from core.users import User


def signed_in(user: User) -> dict:
    """Return what a session holds after `user` signed in (Flask-Login's keys and ours)."""
    return {"_user_id": str(user.id), "_fresh": True, AUTH_KEY: stamp(user)}
