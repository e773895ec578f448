"""Pooled PostgreSQL connections are pinged at checkout only after resting (core.db.ping_when_idle)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from core.config import normalize_database_url
from core.db import db, ping_when_idle


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("SQLite has no server to lose; the PostgreSQL pass of `make test` runs this")


def _engine(database_url: str, after: float):
    engine = create_engine(normalize_database_url(database_url), pool_size=1, max_overflow=0)
    ping_when_idle(engine, after)
    return engine


def _terminate(database_url: str, pid: int | None = None) -> None:
    """End one server process (default: every other one of this database) from outside."""
    killer = create_engine(normalize_database_url(database_url), isolation_level="AUTOCOMMIT")
    with killer.connect() as conn:
        if pid is not None:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        else:
            assert conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'")).scalar() >= 1
    killer.dispose()
    time.sleep(0.1)  # the server takes a moment to close the socket


def _counting_pings(engine, monkeypatch) -> list[int]:
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection):
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_a_connection_used_a_moment_ago_is_not_pinged(database_url, monkeypatch):
    engine = _engine(database_url, after=60)
    pings = _counting_pings(engine, monkeypatch)
    for _ in range(5):
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    assert pings == []
    engine.dispose()


def test_a_rested_connection_is_pinged_once_at_checkout(database_url, monkeypatch):
    engine = _engine(database_url, after=0.05)
    pings = _counting_pings(engine, monkeypatch)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    time.sleep(0.1)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        conn.execute(text("SELECT 1"))
    assert pings == [1]
    engine.dispose()


def test_a_rested_connection_that_died_is_replaced_before_use(database_url):
    engine = _engine(database_url, after=0.05)
    with engine.connect() as conn:
        old_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    _terminate(database_url, old_pid)
    with engine.connect() as conn:  # no error: the ping found it dead, the pool connected anew
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != old_pid
    engine.dispose()


def test_without_the_ping_a_rested_dead_connection_fails(database_url):
    # The check above can fail: the same steps with no ping end in an error.
    engine = create_engine(normalize_database_url(database_url), pool_size=1, max_overflow=0)
    with engine.connect() as conn:
        old_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    _terminate(database_url, old_pid)
    with pytest.raises(Exception), engine.connect() as conn:  # noqa: B017 (the driver's error)
        conn.execute(text("SELECT 1"))
    engine.dispose()


def test_the_app_replaces_a_connection_that_died_while_resting(app, client):
    assert not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping")
    assert client.get("/api/v1/decisions").status_code == 200
    db.session.remove()  # the end of a real request (tests keep one app context pushed)
    _terminate(db.engine.url.render_as_string(hide_password=False))
    time.sleep(1.1)  # longer than core.db.PING_AFTER_IDLE
    assert client.get("/api/v1/decisions").status_code == 200
