"""Rate-limit counting in memory without a thread per request, and no idle Flask-Limiter hooks."""

from __future__ import annotations

import threading
import time

from core.limits import SweptMemoryStorage


def test_counting_starts_no_thread():
    storage = SweptMemoryStorage()
    time.sleep(0.05)  # the constructor's own one-off timer ends
    before = threading.active_count()
    for n in range(500):
        storage.incr(f"key-{n % 7}", 60)
    assert threading.active_count() == before  # limits' memory:// starts one per 10 ms
    assert storage.get("key-1") == 72  # n = 1, 8, ..., 498


def test_counters_expire_when_read_and_are_swept_inline():
    storage = SweptMemoryStorage()
    storage.SWEEP_EVERY = 0.05
    storage.incr("old", 0.01)
    assert storage.get("old") == 1
    time.sleep(0.1)
    storage.incr("new", 60)  # past SWEEP_EVERY: this request sweeps the expired counter
    assert "old" not in storage.storage and storage.get("new") == 1
    assert storage.get("old") == 0


def test_the_app_counts_in_it_and_drops_the_limiters_idle_hooks(disposable_app):
    app = disposable_app(RATELIMIT_ENABLED=True)
    limiter = app.extensions["concord.limiter"]
    assert isinstance(limiter.limiter.storage, SweptMemoryStorage)
    names = [getattr(getattr(hook, "func", hook), "__name__", "")
             for hooks in (app.before_request_funcs[None], app.after_request_funcs[None],
                           app.teardown_request_funcs[None]) for hook in hooks]
    assert not {"_check_request_limit", "__inject_headers", "__release_context"} & set(names)
