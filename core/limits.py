"""Rate limits (the `limits` library) on sign-in, vote casting and the JSON API."""

from __future__ import annotations

import logging
import time
from functools import wraps
from typing import Any

from flask import Flask, request
from flask_login import current_user
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from core.tokens import bearer_only, token_user

log = logging.getLogger("concord.limits")

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


class RateLimited(TooManyRequests):
    """A 429 naming the limit that was reached and when its window starts again."""

    def __init__(self, item: RateLimitItem, reset_at: float) -> None:
        super().__init__(description=str(item))
        self.reset_at = reset_at


class Limits:
    """Fixed-window counters on the configured storage, kept in memory while it is unreachable."""

    # What Flask-Limiter did for Concord, without its work on every request (resolving each
    # endpoint's limits, scopes and exemptions anew, a fifth of a vote's time in the worker):
    # every limit here is known when the app starts, so each wrapper holds its own, parsed.
    RECHECK_EVERY = 10.0  # seconds between tries of a storage found unreachable

    def __init__(self, uri: str, fallback: bool) -> None:
        self.storage = storage_from_string(uri, wrap_exceptions=True)
        self.counting = FixedWindowRateLimiter(self.storage)
        self.memory = FixedWindowRateLimiter(SweptMemoryStorage()) if fallback else None
        self.down_since: float | None = None

    def hit(self, item: RateLimitItem, *names: str) -> bool:
        """Count one request against a limit; tell whether it is still within it."""
        strategy = self._strategy()
        try:
            return strategy.hit(item, *names)
        except StorageError:
            if self.memory is None or strategy is self.memory:
                raise
            log.warning("rate-limit storage unreachable: counting in this process's memory")
            self.down_since = time.monotonic()
            return self.memory.hit(item, *names)

    def reset_at(self, item: RateLimitItem, *names: str) -> float:
        """Return when the limit's current window ends (seconds since the epoch)."""
        return self._strategy().get_window_stats(item, *names).reset_time

    def _strategy(self) -> FixedWindowRateLimiter:
        if self.down_since is None or self.memory is None:
            return self.counting
        if time.monotonic() - self.down_since >= self.RECHECK_EVERY:
            if self.storage.check():
                log.info("rate-limit storage reachable again")
                self.down_since = None
                return self.counting
            self.down_since = time.monotonic()
        return self.memory


def client_address() -> str:
    """The client's address (behind a trusted proxy, the one it forwarded)."""
    return request.remote_addr or "127.0.0.1"


def user_or_address() -> str:
    """Key a limit on the signed-in user (many people share an office's address), else the address."""
    # A bearer token says whose bucket it is from the process's map of tokens to users, not
    # by signing its user in (the request is authenticated after the limit, as every other).
    digest = bearer_only(request)
    if digest is not None and (user_id := token_user(digest)) is not None:
        return f"user:{user_id}"
    if current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return f"addr:{client_address()}"


def init_app(app: Flask) -> Limits | None:
    """Attach the limits to the registered endpoints; call after every blueprint is registered."""
    if not app.config["RATELIMIT_ENABLED"]:
        return None
    # `memory://` means limits' counters, swept without a thread (SweptMemoryStorage).
    uri = app.config["RATELIMIT_STORAGE_URI"]
    limits = Limits("concord-memory://" if uri == "memory://" else uri,
                    bool(app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"]))
    for endpoint in SIGNIN_ENDPOINTS:
        _limit_endpoint(app, limits, endpoint, app.config["RATELIMIT_SIGNIN"], client_address)
    # An API vote counts against both the API's limit and the votes' one.
    for endpoint in {*[e for e in app.view_functions if e.startswith(API_BLUEPRINT + ".")],
                     *VOTE_ENDPOINTS}:
        values = [app.config[name] for name, applies in (
            ("RATELIMIT_API", endpoint.startswith(API_BLUEPRINT + ".")),
            ("RATELIMIT_VOTE", endpoint in VOTE_ENDPOINTS)) if applies]
        _limit_endpoint(app, limits, endpoint, ";".join(values), user_or_address)
    app.extensions["concord.limiter"] = limits
    return limits


def _limit_endpoint(app: Flask, limits: Limits, endpoint: str, value: str, key: Any) -> None:
    """Wrap one endpoint's view in its limits (this app's copy only; the function stays untouched)."""
    view = app.view_functions.get(endpoint)
    if view is None:
        return
    items = sorted(parse_many(value))  # parsed once; shortest window first

    @wraps(view)
    def limited(*args: Any, **kwargs: Any) -> Any:
        who = key()
        # Every limit counts the request; the first one it exceeds is the one named.
        over = [item for item in items if not limits.hit(item, endpoint, who)]
        if over:
            raise RateLimited(over[0], limits.reset_at(over[0], endpoint, who))
        return view(*args, **kwargs)

    app.view_functions[endpoint] = limited
