"""Sessions that end: a new session at sign-in, idle and absolute lifetimes, revocation on the server."""

# The session is Flask's signed cookie, so the server keeps no list of sessions; instead each
# user has a `session_epoch`. A session records the epoch it was issued under and the user
# loader accepts it only while the user's epoch is unchanged: signing out (or out everywhere)
# raises the epoch, so every cookie issued before, copied or not, is dead on its next request.

from __future__ import annotations

import secrets
import time

from flask import Flask, current_app, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import login_user, logout_user
from sqlalchemy import update

from core import ops
from core.db import db
from core.users import User, login_manager

AUTH_KEY = "_concord_auth"
# Flask-Login's own keys; dropped with ours when a session has ended.
LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", AUTH_KEY)
SEEN_EVERY = 60  # seconds: refresh the idle clock at most this often, not every request


def init_app(app: Flask) -> None:
    """Keep sessions in the signed cookie, and sign-ins to the session alone (no "remember me")."""
    app.session_interface = CookieSessions()
    # Concord never sets Flask-Login's remember cookie (start() signs in without it), and a
    # session ends with its cookie. Flask-Login's hook after every response refreshes or
    # clears that cookie, reading the session on each one to learn it has nothing to do.
    app.after_request_funcs[None].remove(login_manager._update_remember_cookie)


def _now() -> float:
    """Return wall-clock seconds (not core.clock: tests freeze that for rules, not for cookies)."""
    return time.time()


def stamp(user: User) -> dict:
    """Return the session record for a user signing in now (tests sign in with it too)."""
    now = int(_now())
    # A fresh random id: the new cookie shares nothing with one issued before the sign-in.
    return {"epoch": user.session_epoch, "at": now, "seen": now, "sid": secrets.token_urlsafe(16)}


def start(user: User) -> None:
    """Sign the user in on a brand-new session (whatever the old one held is dropped)."""
    session.clear()
    login_user(user)
    session[AUTH_KEY] = stamp(user)
    ops.note_user(user.id)


def revoke_all(user: User) -> None:
    """End every session of the user, on every device, from the next request (the caller commits)."""
    # One UPDATE: two sign-outs at once must both count, never write back the same number.
    db.session.execute(update(User).where(User.id == user.id)
                       .values(session_epoch=User.session_epoch + 1))
    db.session.expire(user, ["session_epoch"])


def end_here() -> None:
    """Forget the session in this browser (after revoke_all, for the server's part)."""
    logout_user()
    session.clear()


def load(user_id: str) -> User | None:
    """Return the session's user while the session is current, else forget it and return None."""
    record = session.get(AUTH_KEY)
    user = _current_user(user_id, record)
    if user is None:
        for key in LOGIN_KEYS:
            session.pop(key, None)
        return None
    now = int(_now())
    if now - record["seen"] >= SEEN_EVERY:
        session[AUTH_KEY] = {**record, "seen": now}
    ops.note_user(user.id)
    return user


def _current_user(user_id: str, record: object) -> User | None:
    """Check the session's lifetimes and epoch; return its user if it is still good."""
    if not isinstance(record, dict) or not isinstance(record.get("at"), int) \
            or not isinstance(record.get("seen"), int):
        return None  # issued before sessions were stamped, or not by us: sign in again
    now, config = int(_now()), current_app.config
    if now - record["seen"] > config["SESSION_IDLE_MINUTES"] * 60:
        return None
    if now - record["at"] > config["SESSION_MAX_HOURS"] * 3600:
        return None
    try:
        user = db.session.get(User, int(user_id))
    except ValueError:
        return None
    if user is None or user.session_epoch != record.get("epoch"):
        return None
    return user


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key set."""

    # Flask builds a new serializer (and its signer settings) on every request, even one
    # with no cookie at all: a tenth of a bare page's time. Keys change only on restart or
    # rotation, so the serializer is kept for as long as the keys stay the same.
    def open_session(self, app, request):
        """Open the session from its cookie; a request that sent no cookie at all starts empty."""
        # Werkzeug finds the cookies by walking every header of the request: an API call or
        # a first visit, which sends none, skips that walk and gets what Flask would give it.
        if "HTTP_COOKIE" not in request.environ and self.get_signing_serializer(app) is not None:
            return self.session_class()
        return super().open_session(app, request)

    def get_signing_serializer(self, app):
        """Return the serializer for the app's current secret key and fallbacks."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = app.extensions.get("concord.session_serializer")
        if cached is None or cached[0] != keys:
            cached = (keys, super().get_signing_serializer(app))
            app.extensions["concord.session_serializer"] = cached
        return cached[1]
