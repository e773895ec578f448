"""Input checked once at the edge: deep or huge JSON, text that is not Unicode, NUL; never a 500."""

from __future__ import annotations

import json

import pytest

from core import sessions
from core.edge import MAX_JSON_DEPTH, nesting_exceeds, text_problem

DEEP = "[" * 100_000 + "]" * 100_000
API_VOTE = "/api/v1/ballots/1/vote"


def post_json(client, url: str, body: str | bytes, **headers):
    return client.post(url, data=body, content_type="application/json", headers=headers)


@pytest.mark.parametrize(("method", "url"), [
    ("POST", API_VOTE), ("POST", "/account"), ("GET", "/"), ("PUT", "/no/such/page"),
    ("POST", "/auth/logout"),
])
def test_json_nested_100000_deep_is_a_400_on_any_route(client, method, url):
    resp = client.open(url, method=method, data=DEEP, content_type="application/json",
                       headers={"Accept": "application/json"})
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] == 400 and f"more than {MAX_JSON_DEPTH} levels" in body["message"]
    assert body["request_id"] == resp.headers["X-Request-ID"]


def test_deep_json_is_refused_before_sign_in_and_rate_limits(disposable_app, make_user,
                                                              monkeypatch):
    app = disposable_app(RATELIMIT_ENABLED=True, RATELIMIT_API="2 per minute")
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = "1"

    def no_sign_in(user_id):
        raise AssertionError("the user was loaded before the input was checked")

    monkeypatch.setattr(sessions, "load", no_sign_in)
    statuses = [post_json(client, API_VOTE, DEEP).status_code for _ in range(4)]
    assert statuses == [400] * 4  # never 401 (sign-in) nor 429 (the limiter counted nothing)


def test_depth_limit_is_exact_and_ignores_brackets_in_strings(client):
    ok = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert post_json(client, API_VOTE, ok).status_code == 401  # reached the API: no credentials
    too_deep = "[" + ok + "]"
    assert post_json(client, API_VOTE, too_deep).status_code == 400
    in_string = json.dumps({"reason": "[" * 1000 + '\\"{{{' + "\\" * 3})
    assert post_json(client, API_VOTE, in_string).status_code == 401


def test_nesting_scanner_follows_json_strings():
    assert not nesting_exceeds(b'{"a": "[[[[[["}', 2)
    assert not nesting_exceeds(b'["\\"[[[", "\\\\"]', 1)  # escaped quote, escaped backslash
    assert nesting_exceeds(b'["\\\\", [[]]]', 2)  # the string ends after the escaped backslash
    assert nesting_exceeds(b"{" * 3, 2)
    assert not nesting_exceeds("[\"é[[\"]".encode(), 1)
    assert not nesting_exceeds(b"", 0)


def test_json_larger_than_the_limit_is_a_413(client, app):
    limit = app.config["MAX_JSON_BYTES"]
    big = json.dumps({"reason": "x" * limit})
    resp = post_json(client, API_VOTE, big)
    assert resp.status_code == 413
    assert resp.get_json()["message"] == f"The JSON body is larger than {limit} bytes."
    huge = json.dumps(["x" * 1000] * 3000)  # beyond MAX_CONTENT_LENGTH (2 MiB) as well
    assert post_json(client, API_VOTE, huge).status_code == 413


@pytest.mark.parametrize(("body", "words"), [
    ('{"reason": "\\ud800"}', "lone UTF-16 surrogate"),
    ('{"reason": "ok \\udfff then"}', "lone UTF-16 surrogate"),
    ('{"\\ud83d": 1}', "lone UTF-16 surrogate"),  # in a key
    ('[[{"ranks": ["\\ud800"]}]]', "lone UTF-16 surrogate"),
    ('{"reason": "a\\u0000b"}', "NUL character"),
    ('{"reason": NaN}', "not valid JSON"),
    ('{"rank": -Infinity}', "not valid JSON"),
    ('{"vote": "yes"', "not valid JSON"),
    (b'{"reason": "\xff\xfe"}', "not valid UTF-8"),
    (b'{"reason": "\xed\xa0\x80"}', "not valid UTF-8"),  # a surrogate encoded in the bytes
])
def test_json_text_that_is_not_unicode_is_a_400(client, body, words):
    resp = post_json(client, API_VOTE, body)
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert words in resp.get_json()["message"]


def test_a_pair_of_surrogates_is_one_character_and_passes(client):
    assert post_json(client, API_VOTE, '{"reason": "\\ud83d\\ude00 \\u202e"}').status_code == 401


def test_text_problem_walks_any_value():
    assert text_problem({"a": [1, 2.5, None, True, {"b": "fine é \U0001f600"}]}) is None
    assert "surrogate" in text_problem([[[{"k": ["\udc00"]}]]])
    assert "NUL" in text_problem({"a\x00": 1})


@pytest.mark.parametrize(("url", "words"), [
    ("/members?q=%FF", "query string is not valid UTF-8"),
    ("/members?q=%ED%A0%80", "query string is not valid UTF-8"),
    ("/members?%C3=1", "query string is not valid UTF-8"),
    ("/members?q=a%00b", "NUL character"),
    ("/members?q=%E9t%E9", "query string is not valid UTF-8"),  # Latin-1, not UTF-8
])
def test_query_that_is_not_unicode_is_a_400_page(client, url, words):
    resp = client.get(url)
    assert resp.status_code == 400 and resp.mimetype == "text/html"
    page = resp.get_data(as_text=True)
    assert words in page and resp.headers["X-Request-ID"] in page


@pytest.mark.parametrize("raw_path", ["/members\xff", "/members\xed\xa0\x80", "/a\x00"])
def test_address_that_is_not_unicode_is_a_400(client, raw_path):
    # As a WSGI server passes it: the undecoded bytes as a Latin-1 string (PEP 3333).
    resp = client.get("/members", environ_overrides={"PATH_INFO": raw_path})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "address is not valid UTF-8" in page or "NUL character" in page


def test_form_text_that_is_not_unicode_is_a_400(client, login, make_user):
    login(make_user())
    for raw, words in ((b"timezone=%FF", "form is not valid UTF-8"),
                       (b"timezone=Europe%2FParis%00", "NUL character"),
                       (b"time%00zone=UTC", "NUL character")):
        resp = client.post("/account", data=raw,
                           content_type="application/x-www-form-urlencoded")
        assert resp.status_code == 400 and words in resp.get_data(as_text=True)


def test_json_answer_when_the_client_accepts_json(client):
    resp = client.get("/members?q=%FF", headers={"Accept": "application/json"})
    assert resp.status_code == 400 and resp.get_json()["error"] == 400


def test_sound_text_passes(client):
    assert client.get("/members?q=%C3%A9t%C3%A9+%E2%80%8F%F0%9F%98%80").status_code == 200
    assert client.get("/", data="", content_type="application/json").status_code == 200


def test_a_body_without_a_type_is_never_read_as_json_or_a_form(disposable_app):
    from flask import jsonify, request

    app = disposable_app()

    @app.post("/echo")
    def echo():
        return jsonify(form=dict(request.form), json=request.get_json(silent=True))

    app.extensions["csrf"].exempt(echo)
    for body in (b'{"reason": "a\\u0000b"}', b"timezone=Europe%2FParis%00", b"\xff\x00"):
        resp = app.test_client().post("/echo", data=body)  # no Content-Type at all
        assert resp.status_code == 200 and resp.get_json() == {"form": {}, "json": None}
