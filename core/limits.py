"""Rate limits (Flask-Limiter) on sign-in, vote casting and the JSON API."""

from __future__ import annotations

import time

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits.storage import MemoryStorage

from core.tokens import bearer_only, token_user

# Endpoints limited per client address (nobody is signed in yet) and per user.
SIGNIN_ENDPOINTS = ("auth.login", "auth.callback")
VOTE_ENDPOINTS = ("voting.vote", "api.vote")
API_BLUEPRINT = "api"


class SweptMemoryStorage(MemoryStorage):
    """limits' in-process storage, its expired counters swept inline instead of by a thread."""

    # `memory://` starts a timer thread to sweep expired counters whenever none is running,
    # and each lives 10 ms: under load nearly every counted request started a thread (a sixth
    # of a vote's time). Counters are still expired when read (MemoryStorage.get); the sweep,
    # which only frees memory, now runs in the request at most once a second.
    STORAGE_SCHEME = ["concord-memory"]
    SWEEP_EVERY = 1.0  # seconds

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.swept_at = time.monotonic()

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the thread-starting one
        now = time.monotonic()
        if now - self.swept_at >= self.SWEEP_EVERY:
            self.swept_at = now
            self._MemoryStorage__expire_events()


def user_or_address() -> str:
    """Key a limit on the signed-in user (many people share an office's address), else the address."""
    # A bearer token says whose bucket it is from the process's map of tokens to users, not
    # by signing its user in (the request is authenticated after the limit, as every other).
    digest = bearer_only(request)
    if digest is not None and (user_id := token_user(digest)) is not None:
        return f"user:{user_id}"
    if current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return f"addr:{get_remote_address()}"


def init_app(app: Flask) -> Limiter | None:
    """Attach the limits to the registered endpoints; call after every blueprint is registered."""
    if not app.config["RATELIMIT_ENABLED"]:
        return None
    # Storage, headers and Retry-After come from the RATELIMIT_* settings (core/config.py);
    # `memory://` means the same counters, swept without a thread (SweptMemoryStorage).
    if app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = "concord-memory://"
    limiter = Limiter(key_func=get_remote_address, app=app)
    # Every limit here decorates its endpoint and is checked by that wrapper. The extension's
    # own hook before every request would only look the limits up again, on every page of the
    # site (a fifth of a bare page's time), so it is taken out.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    # Its other hooks only add X-RateLimit-* headers after a request (and settle `deduct_when`
    # limits, which Concord does not use) and reset its state on the request context, which
    # is discarded anyway: with the headers off they have nothing to do.
    if not app.config["RATELIMIT_HEADERS_ENABLED"]:
        app.after_request_funcs[None] = [
            hook for hook in app.after_request_funcs[None]
            if getattr(getattr(hook, "func", None), "__name__", "") != "__inject_headers"]
        app.teardown_request_funcs[None].remove(limiter._Limiter__release_context)
    for endpoint in SIGNIN_ENDPOINTS:
        _limit_endpoint(app, limiter, endpoint, app.config["RATELIMIT_SIGNIN"], get_remote_address)
    # An API vote counts against both the API's limit and the votes' one: one wrapper with
    # both limits ("a;b"), checked in one pass, not two wrappers each doing the whole check.
    for endpoint in {*[e for e in app.view_functions if e.startswith(API_BLUEPRINT + ".")],
                     *VOTE_ENDPOINTS}:
        values = [app.config[name] for name, applies in (
            ("RATELIMIT_API", endpoint.startswith(API_BLUEPRINT + ".")),
            ("RATELIMIT_VOTE", endpoint in VOTE_ENDPOINTS)) if applies]
        _limit_endpoint(app, limiter, endpoint, ";".join(values), user_or_address)
    app.extensions["concord.limiter"] = limiter
    return limiter


def _limit_endpoint(app: Flask, limiter: Limiter, endpoint: str, value: str, key) -> None:
    """Wrap one endpoint's view in a limit (this app's copy only; the function stays untouched)."""
    view = app.view_functions.get(endpoint)
    if view is not None:
        app.view_functions[endpoint] = limiter.limit(value, key_func=key)(view)
