"""Rate-limit counting in memory without a thread per request, and no work on unlimited pages."""

from __future__ import annotations

import threading
import time

import pytest

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


def test_the_app_counts_in_it_and_adds_no_hook_to_every_request(disposable_app):
    plain, app = disposable_app(), disposable_app(RATELIMIT_ENABLED=True)
    assert isinstance(app.extensions["concord.limiter"].storage, SweptMemoryStorage)
    for hooks in ("before_request_funcs", "after_request_funcs", "teardown_request_funcs"):
        counts = {key: len(funcs) for key, funcs in getattr(app, hooks).items()}
        assert counts == {key: len(funcs) for key, funcs in getattr(plain, hooks).items()}
    # Only the limited endpoints are wrapped; every other page runs no limit code at all.
    assert hasattr(app.view_functions["api.vote"], "__wrapped__")
    assert hasattr(app.view_functions["auth.callback"], "__wrapped__")
    assert not hasattr(app.view_functions["core.home"], "__wrapped__")


def test_an_unreachable_storage_counts_in_memory_until_it_answers_again(monkeypatch):
    from limits import parse_many
    from limits.errors import StorageError

    from core.limits import Limits

    limits = Limits("concord-memory://", fallback=True)
    item = parse_many("2 per minute")[0]
    up = {"answers": False}

    def down(*args, **kwargs):
        if not up["answers"]:
            raise StorageError(ConnectionError("refused"))
        return True

    monkeypatch.setattr(limits.counting, "hit", down)
    monkeypatch.setattr(limits.storage, "check", lambda: up["answers"])
    assert [limits.hit(item, "api.vote", "user:1") for _ in range(3)] == [True, True, False]
    assert limits.reset_at(item, "api.vote", "user:1") > time.time()  # the memory's window
    up["answers"] = True
    limits.down_since -= limits.RECHECK_EVERY  # the next request tries the storage again
    assert limits.hit(item, "api.vote", "user:1") is True and limits.down_since is None
    without = Limits("concord-memory://", fallback=False)
    monkeypatch.setattr(without.counting, "hit", down)
    up["answers"] = False
    with pytest.raises(StorageError):  # no fallback configured: the error is not hidden
        without.hit(item, "api.vote", "user:1")
