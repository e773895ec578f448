"""A lost database is a 503 (HTML or JSON, request id, Retry-After), and never touched after the view."""

from __future__ import annotations

import json

import pytest
from flask_login import current_user
from session_helpers import signed_in
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from core.db import db
from core.ops import JsonLineFormatter


class Outage:
    """Make every statement fail as a stopped PostgreSQL does, from `down = True` on."""

    def __init__(self, engine):
        self.down = False
        event.listen(engine, "before_cursor_execute", self._check)

    def _check(self, conn, cursor, statement, parameters, context, executemany):
        if self.down:
            raise OperationalError(statement, parameters, Exception("server closed the connection"))


@pytest.fixture
def outage_app(disposable_app, make_user):
    """Return (app, outage, user): an app whose database can be lost mid-request."""
    app = disposable_app()
    user = make_user()
    with app.app_context():
        outage = Outage(db.engine)
    return app, outage, user


def test_the_access_log_never_reloads_the_user_after_the_view(outage_app, caplog):
    app, outage, user = outage_app

    @app.get("/commit-then-lose-the-database")
    def commit_then_lose():
        name = current_user.name  # loads the user
        db.session.commit()  # expires it: reading user.id now would query again
        outage.down = True
        return name

    client = app.test_client()
    with client.session_transaction() as sess:
        sess.update(signed_in(user))
    with caplog.at_level("INFO", logger="concord.access"), app.app_context():
        resp = client.get("/commit-then-lose-the-database")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    lines = [json.loads(JsonLineFormatter().format(r)) for r in caplog.records
             if r.name == "concord.access"]
    assert lines and lines[-1]["user_id"] == user.id and lines[-1]["status"] == 200


@pytest.mark.parametrize(("url", "signed"), [("/", False), ("/members", False), ("/account", True)])
def test_html_pages_answer_503_when_the_database_is_lost(outage_app, url, signed):
    app, outage, user = outage_app
    client = app.test_client()
    if signed:
        with client.session_transaction() as sess:
            sess.update(signed_in(user))
    outage.down = True
    resp = client.get(url, headers={"X-Request-ID": "lost-db-1"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 503 and resp.mimetype == "text/html"
    assert resp.headers["Retry-After"] == "5" and "briefly unavailable" in page
    assert "lost-db-1" in page and resp.headers["X-Request-ID"] == "lost-db-1"


def test_the_api_answers_503_json_when_the_database_is_lost(outage_app):
    app, outage, _user = outage_app
    outage.down = True
    resp = app.test_client().get("/api/v1/decisions", headers={"X-Request-ID": "lost-db-2"})
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "5"
    body = resp.get_json()
    assert body["error"] == 503 and body["request_id"] == "lost-db-2"
    assert body["message"].startswith("The service is briefly unavailable")


@pytest.mark.parametrize(("error", "status"), [
    (InterfaceError("SELECT 1", {}, Exception("connection already closed")), 503),
    (DBAPIError("SELECT 1", {}, Exception("terminating connection"), connection_invalidated=True),
     503),
    (DBAPIError("SELECT 1", {}, Exception("value out of range")), 500),  # our bug, not an outage
])
def test_dropped_connections_of_any_kind_are_503(disposable_app, error, status):
    app = disposable_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/raise")
    def raise_it():
        raise error

    resp = app.test_client().get("/raise", headers={"Accept": "application/json"})
    assert resp.status_code == status
    assert ("Retry-After" in resp.headers) is (status == 503)
