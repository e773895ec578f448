"""Rate limits (Flask-Limiter) on sign-in, vote casting and the JSON API."""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

# Endpoints limited per client address (nobody is signed in yet) and per user.
SIGNIN_ENDPOINTS = ("auth.login", "auth.callback")
VOTE_ENDPOINTS = ("voting.vote", "api.vote")
API_BLUEPRINT = "api"


def user_or_address() -> str:
    """Key a limit on the signed-in user (many people share an office's address), else the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return f"addr:{get_remote_address()}"


def init_app(app: Flask) -> Limiter | None:
    """Attach the limits to the registered endpoints; call after every blueprint is registered."""
    if not app.config["RATELIMIT_ENABLED"]:
        return None
    # Storage, headers and Retry-After come from the RATELIMIT_* settings (core/config.py).
    limiter = Limiter(key_func=get_remote_address, app=app)
    limited = frozenset((*SIGNIN_ENDPOINTS, *VOTE_ENDPOINTS))
    # Every other request skips the limiter's lookups at once (its hook runs on each request).
    limiter.request_filter(lambda: request.blueprint != API_BLUEPRINT
                           and request.endpoint not in limited)
    for endpoint in SIGNIN_ENDPOINTS:
        _limit_endpoint(app, limiter, endpoint, app.config["RATELIMIT_SIGNIN"], get_remote_address)
    for endpoint in VOTE_ENDPOINTS:
        _limit_endpoint(app, limiter, endpoint, app.config["RATELIMIT_VOTE"], user_or_address)
    if API_BLUEPRINT in app.blueprints:
        limiter.limit(app.config["RATELIMIT_API"], key_func=user_or_address)(
            app.blueprints[API_BLUEPRINT])
    app.extensions["concord.limiter"] = limiter
    return limiter


def _limit_endpoint(app: Flask, limiter: Limiter, endpoint: str, value: str, key) -> None:
    """Wrap one endpoint's view in a limit (this app's copy only; the function stays untouched)."""
    view = app.view_functions.get(endpoint)
    if view is not None:
        app.view_functions[endpoint] = limiter.limit(value, key_func=key)(view)
