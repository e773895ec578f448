"""Operations: security headers on every kind of response, request ids, access log, /readyz."""

from __future__ import annotations

import json
import logging

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from core.db import db
from core.ops import content_security_policy

STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")


def assert_security_headers(resp, https: bool = False) -> None:
    headers = resp.headers
    assert headers["Content-Security-Policy"].startswith(STRICT_CSP)
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert ("Strict-Transport-Security" in headers) is https
    assert headers["X-Request-ID"]


@pytest.mark.parametrize(("method", "url", "status"), [
    ("GET", "/", 200),                              # HTML page
    ("GET", "/static/concord.css", 200),            # static file
    ("GET", "/healthz", 200),                       # JSON
    ("GET", "/api/v1/decisions", 200),              # API
    ("GET", "/api/v1/ballots", 401),                # API error (JSON)
    ("GET", "/no/such/page", 404),                  # HTML error
    ("POST", "/healthz", 405),
    ("GET", "/account", 302),                       # redirect to sign-in
    ("POST", "/account", 400),                      # CSRF refusal
])
def test_security_headers_on_every_kind_of_response(client, method, url, status):
    resp = client.open(url, method=method)
    resp.close()
    assert resp.status_code == status
    assert_security_headers(resp)


def test_security_headers_on_server_errors_and_csrf_failures(disposable_app):
    app = disposable_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    client = app.test_client()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # behave as in production: a 500 page
    resp = client.get("/boom", headers={"X-Request-ID": "req-500"})
    assert resp.status_code == 500 and "kaboom" not in resp.get_data(as_text=True)
    assert_security_headers(resp)
    assert "req-500" in resp.get_data(as_text=True)
    resp = client.post("/account/tokens/", data={"name": "x"})  # no CSRF token
    assert resp.status_code in (302, 400)
    assert_security_headers(resp)


def test_hsts_only_over_https(disposable_app):
    direct = disposable_app().test_client()
    assert "Strict-Transport-Security" not in direct.get("/healthz").headers
    assert "max-age=" in direct.get("/healthz", base_url="https://localhost").headers[
        "Strict-Transport-Security"]
    # Behind a proxy, X-Forwarded-Proto counts only when PROXY_FIX trusts the proxy.
    forwarded = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" not in direct.get("/healthz", headers=forwarded).headers
    proxied = disposable_app(PROXY_FIX=1).test_client()
    resp = proxied.get("/healthz", headers={**forwarded, "X-Forwarded-For": "203.0.113.9"})
    assert_security_headers(resp, https=True)


def test_form_action_admits_the_sign_in_provider_origin():
    assert content_security_policy("https://openstackid.org/").endswith(
        "form-action 'self' https://openstackid.org")
    assert content_security_policy(None).endswith("form-action 'self'")


def test_request_id_is_echoed_or_generated(client):
    resp = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.1:2"})
    assert resp.headers["X-Request-ID"] == "lb-7f3a.1:2"
    for bad in ("", "x" * 200, "<script>", "a b", "é"):
        rid = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert rid != bad and len(rid) == 32
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_generated_request_ids_differ_between_forked_workers(client):
    import os
    import re

    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(200)}
    assert len(ids) == 200 and all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in ids)
    reader, writer = os.pipe()
    pid = os.fork()  # as gunicorn starts its workers from one loaded process
    if pid == 0:
        os.write(writer, client.get("/healthz").headers["X-Request-ID"].encode())
        os._exit(0)
    os.waitpid(pid, 0)
    in_child = os.read(reader, 64).decode()
    os.close(reader)
    os.close(writer)
    assert in_child and in_child != client.get("/healthz").headers["X-Request-ID"]


def test_request_id_in_error_page_and_json_error(client):
    page = client.get("/no/such/page", headers={"X-Request-ID": "quote-me-42"})
    assert page.status_code == 404 and page.headers["X-Request-ID"] == "quote-me-42"
    assert "Request id: <code>quote-me-42</code>" in page.get_data(as_text=True)
    api = client.get("/api/v1/ballots/999", headers={"X-Request-ID": "api-43"})
    assert api.status_code == 401
    generated = client.get("/api/v1/nothing")
    assert generated.get_json()["request_id"] == generated.headers["X-Request-ID"]


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def access_lines():
    from core.ops import JsonLineFormatter, access_log

    capture = Capture()
    capture.setFormatter(JsonLineFormatter())
    access_log.addHandler(capture)
    yield capture.lines
    access_log.removeHandler(capture)


def test_one_json_access_line_per_request(client, login, make_user, access_lines):
    user = make_user()
    login(user)
    client.get("/account?secret=code", headers={"X-Request-ID": "log-1"})
    client.get("/static/concord.css").close()
    assert len(access_lines) == 2
    line = json.loads(access_lines[0])
    assert line["request_id"] == "log-1" and line["user_id"] == user.id
    assert line["method"] == "GET" and line["path"] == "/account" and "secret" not in access_lines[0]
    assert line["endpoint"] == "core.account" and line["route"] == "/account"
    assert line["status"] == 200 and line["duration_ms"] >= 0 and line["logger"] == "concord.access"
    assert json.loads(access_lines[1])["endpoint"] == "static"


def test_production_session_cookie_is_secure_httponly_lax(disposable_app):
    app = disposable_app(CONCORD_ENV="production", SECRET_KEY="prod-secret")

    @app.get("/touch-session")
    def touch_session():
        from flask import session

        session["seen"] = True
        return "ok"

    resp = app.test_client().get("/touch-session", base_url="https://concord.example")
    cookie = next(v for v in resp.headers.getlist("Set-Cookie") if v.startswith("concord_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert_security_headers(resp, https=True)


def test_readyz_follows_the_migrations(disposable_app, empty_database_url):
    app = disposable_app(empty_database_url)
    client = app.test_client()
    with app.app_context():
        resp = client.get("/readyz")
        assert resp.status_code == 503 and "migrations not applied" in resp.get_json()["reason"]
        upgrade(revision="0001")
        resp = client.get("/readyz")
        body = resp.get_json()
        assert resp.status_code == 503 and body["status"] == "unavailable"
        assert "behind" in body["reason"] and body["database"] == ["0001"]
        upgrade(revision="heads")
        resp = client.get("/readyz")
        assert resp.status_code == 200 and resp.get_json()["status"] == "ready"
        assert_security_headers(resp)
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM alembic_version"))
            conn.execute(text("INSERT INTO alembic_version VALUES ('from_the_future')"))
        resp = client.get("/readyz")
        assert resp.status_code == 503 and "does not know" in resp.get_json()["reason"]
        db.engine.dispose()


def test_readyz_when_the_database_is_unreachable(disposable_app):
    app = disposable_app("postgresql://nobody@127.0.0.1:1/none")
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503
    assert resp.get_json() == {"status": "unavailable", "reason": "database unreachable"}
    assert app.test_client().get("/healthz").status_code == 200  # the process is still up
