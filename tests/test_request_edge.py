"""The WSGI layer around Flask (core.ops.RequestEdge) and sign-ins that are never remembered."""

from __future__ import annotations

import io
import json
import logging

import pytest
from werkzeug.test import EnvironBuilder

from core.ops import JsonLineFormatter, access_log

KEYS = ["ts", "level", "logger", "request_id", "user_id", "method", "path", "route", "endpoint",
        "status", "duration_ms", "remote"]


@pytest.fixture
def concord_stream():
    """Point Concord's own access-log handler at a buffer; give back the buffer."""
    handler = next(h for h in access_log.handlers if getattr(h, "concord_access", False))
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    yield buffer
    handler.setStream(old)


def test_the_line_is_written_without_a_record_when_only_concord_listens(
        client, concord_stream, monkeypatch):
    def no_record(*args, **kwargs):
        raise AssertionError("a LogRecord was built")

    # pytest's log capture attaches its own handlers: here only Concord's listens.
    monkeypatch.setattr(access_log, "handlers", [h for h in access_log.handlers
                                                 if getattr(h, "concord_access", False)])
    monkeypatch.setattr(access_log, "makeRecord", no_record)
    client.get("/healthz?code=secret", headers={"X-Request-ID": "edge-1"})
    lines = concord_stream.getvalue().splitlines()
    assert len(lines) == 1 and "secret" not in lines[0]
    line = json.loads(lines[0])
    assert list(line) == KEYS
    assert line["level"] == "INFO" and line["logger"] == "concord.access"
    assert line["request_id"] == "edge-1" and line["path"] == "/healthz"
    assert line["route"] == "/healthz" and line["endpoint"] == "core.healthz"
    assert line["method"] == "GET" and line["status"] == 200 and line["user_id"] is None
    assert line["remote"] == "127.0.0.1" and line["duration_ms"] >= 0
    assert line["ts"].endswith("Z") and len(line["ts"]) == len("2026-12-06T13:00:00.000Z")


def test_any_other_listener_gets_the_record_and_the_same_line(client, concord_stream):
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record)

    keep = Keep()
    access_log.addHandler(keep)
    try:
        client.get("/no/such/page", headers={"X-Request-ID": "edge-2"})
    finally:
        access_log.removeHandler(keep)
    assert len(seen) == 1 and seen[0].fields["status"] == 404
    assert concord_stream.getvalue() == JsonLineFormatter().format(seen[0]) + "\n"


def test_the_formatter_renders_a_record_as_the_direct_path_does():
    record = access_log.makeRecord(access_log.name, logging.INFO, __file__, 0, "request", (),
                                   None, extra={"fields": {"status": 200, "path": "/é\"x"}})
    formatter = JsonLineFormatter()
    assert formatter.format(record) == formatter.line(record.created, "INFO", access_log.name,
                                                      {"status": 200, "path": "/é\"x"})


def test_a_failing_log_stream_does_not_fail_the_request(client, capsys, monkeypatch):
    handler = next(h for h in access_log.handlers if getattr(h, "concord_access", False))
    monkeypatch.setattr(access_log, "handlers", [handler])  # the direct path first

    class Broken(io.StringIO):
        def write(self, text):
            raise OSError("disk full")

    old = handler.setStream(Broken())
    try:
        resp = client.get("/healthz")
    finally:
        handler.setStream(old)
    assert resp.status_code == 200
    assert "disk full" in capsys.readouterr().err  # logging's own report of a failed record


def test_the_apps_own_copies_of_the_edge_headers_are_replaced(disposable_app):
    app = disposable_app()

    @app.get("/framed")
    def framed():
        return "", 200, {"X-Frame-Options": "SAMEORIGIN", "X-Request-ID": "spoofed",
                         "Content-Security-Policy": "default-src *"}

    resp = app.test_client().get("/framed", headers={"X-Request-ID": "edge-3"})
    assert resp.headers.getlist("X-Frame-Options") == ["DENY"]
    assert resp.headers.getlist("X-Request-ID") == ["edge-3"]
    assert resp.headers.getlist("Content-Security-Policy") == [app.extensions["concord.csp"]]


def test_the_request_is_not_left_in_the_environ(app):
    environ = EnvironBuilder(path="/healthz").get_environ()
    body = app.wsgi_app(environ, lambda status, headers, exc_info=None: None)
    b"".join(body)
    body.close()
    assert "concord.request" not in environ  # it and the environ would hold each other
    assert len(environ["concord.request_id"]) == 32


def test_sign_ins_are_never_remembered(app, client, make_user):
    from flask import session
    from flask_login.utils import encode_cookie

    from core import sessions
    from core.users import login_manager

    assert login_manager._update_remember_cookie not in app.after_request_funcs[None]
    user = make_user()
    with app.test_request_context():
        sessions.start(user)
        assert "_remember" not in session
        forged = encode_cookie(str(user.id))  # signed with the app's own key
    # Even a valid remember cookie signs nobody in: a session needs Concord's own record.
    client.set_cookie("remember_token", forged)
    resp = client.get("/account")
    assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"]
    assert "remember_token=" not in " ".join(resp.headers.getlist("Set-Cookie"))


def test_csrf_is_looked_up_only_for_methods_that_change_things(app, client, login, make_user,
                                                              monkeypatch):
    csrf = app.extensions["csrf"]
    looked_up = []
    real = csrf._is_exempt
    monkeypatch.setattr(csrf, "_is_exempt", lambda: looked_up.append(1) or real())
    login(make_user())
    assert client.get("/account").status_code == 200 and looked_up == []
    refused = client.post("/account", data={"timezone": "UTC"})  # no CSRF token
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    assert looked_up == [1]
    assert len([f for f in app.before_request_funcs[None] if "csrf" in f.__qualname__]) == 1
    # Flask-WTF's settings still switch the hook off (the form's own check stays, a 422).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    assert client.post("/account", data={"timezone": "UTC"}).status_code == 422
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/account", data={"timezone": "UTC"}).status_code in (200, 302)


def test_a_request_without_cookies_opens_an_empty_session_without_reading_cookies(app):
    from flask import request

    interface = app.session_interface
    with app.test_request_context("/"):
        opened = interface.open_session(app, request)
        assert opened == {} and not opened.modified and "cookies" not in request.__dict__
        signed = interface.get_signing_serializer(app).dumps({"next_url": "/members"})
    cookie = f"{app.config['SESSION_COOKIE_NAME']}={signed}"
    with app.test_request_context("/", headers={"Cookie": cookie}):
        assert interface.open_session(app, request) == {"next_url": "/members"}
