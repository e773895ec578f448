"""Sessions that end: revoked on sign-out (a copied cookie too), idle and absolute lifetimes."""

from __future__ import annotations

import pytest
from session_helpers import signed_in
from sqlalchemy import select

from core import sessions
from core.audit import AuditEvent
from core.db import db
from core.sessions import AUTH_KEY


@pytest.fixture
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def wall(monkeypatch):
    """Let the test move the sessions' wall clock (seconds from an arbitrary start)."""
    now = [1_000_000.0]
    monkeypatch.setattr(sessions, "_now", lambda: now[0])
    return now


def copy_of(client, app):
    """Return a second browser holding a copy of the first one's session cookie."""
    other = app.test_client()
    other.set_cookie("concord_session", client.get_cookie("concord_session").value)
    return other


def signed_in_page(client) -> bool:
    resp = client.get("/account")
    resp.close()
    assert resp.status_code in (200, 302)
    return resp.status_code == 200


def test_a_cookie_copied_before_sign_out_is_dead_after_it(app, client, login, make_user, no_csrf):
    user = make_user()
    login(user)
    assert signed_in_page(client)
    stolen = copy_of(client, app)
    assert signed_in_page(stolen)
    resp = client.post("/auth/logout")
    assert resp.status_code == 302
    assert not signed_in_page(client)
    assert not signed_in_page(stolen), "the copied cookie still signs in after sign-out"
    db.session.expire_all()
    assert user.session_epoch == 1
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "user.sign_out" in actions


def test_sign_out_everywhere_ends_every_session(app, client, login, make_user, no_csrf):
    user, other_user = make_user(), make_user()
    login(user)
    laptop, phone = client, app.test_client()
    with phone.session_transaction() as sess:
        sess.update(signed_in(user))
    bystander = app.test_client()
    with bystander.session_transaction() as sess:
        sess.update(signed_in(other_user))
    page = laptop.get("/account").get_data(as_text=True)
    assert "Sign out everywhere" in page and "/account/sign-out-everywhere" in page
    resp = laptop.post("/account/sign-out-everywhere")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert not signed_in_page(laptop) and not signed_in_page(phone)
    assert signed_in_page(bystander)  # someone else's sessions are untouched
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.sign_out_everywhere")).one()
    assert event.actor_id == user.id and event.subject_id == str(user.id)


def test_sign_out_everywhere_needs_the_csrf_token(client, login, make_user):
    login(make_user())
    resp = client.post("/account/sign-out-everywhere")
    assert resp.status_code == 400
    assert signed_in_page(client)


def test_sign_out_everywhere_needs_a_session(client):
    resp = client.post("/account/sign-out-everywhere")
    assert resp.status_code in (302, 400)
    assert db.session.scalars(select(AuditEvent)).all() == []


def test_idle_sessions_end(app, client, login, make_user, wall):
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    login(make_user())
    for _ in range(3):  # use keeps it alive, however long in total (within the absolute limit)
        wall[0] += idle - 5
        assert signed_in_page(client)
    wall[0] += idle + 1
    assert not signed_in_page(client)
    with client.session_transaction() as sess:
        assert "_user_id" not in sess and AUTH_KEY not in sess  # forgotten, not retried


def test_sessions_end_at_the_absolute_lifetime(app, client, login, make_user, wall):
    app.config.update(SESSION_IDLE_MINUTES=120, SESSION_MAX_HOURS=12)
    login(make_user())
    for _ in range(11):
        wall[0] += 3600
        assert signed_in_page(client)
    wall[0] += 3601
    assert not signed_in_page(client)


def test_a_session_without_our_stamp_is_not_signed_in(client, make_user):
    user = make_user()
    with client.session_transaction() as sess:  # what a cookie made before this change held
        sess["_user_id"], sess["_fresh"] = str(user.id), True
    assert not signed_in_page(client)


def test_the_idle_clock_is_refreshed_sparingly(client, login, make_user, wall):
    login(make_user())
    client.get("/account").close()
    first = client.get("/account")
    assert "Set-Cookie" not in first.headers  # within a minute: the cookie is not rewritten
    wall[0] += sessions.SEEN_EVERY
    assert "Set-Cookie" in client.get("/account").headers
