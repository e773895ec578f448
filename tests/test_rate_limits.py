"""Rate limits on sign-in, vote casting and the API: a clear 429 with Retry-After."""

from __future__ import annotations

import pytest
from session_helpers import signed_in
from sqlalchemy import func, select

from core.db import db
from core.tokens import ApiToken, _digest
from voting.outcome import Kind
from voting.votes import VoteRevision

LIMITS = {"RATELIMIT_ENABLED": True, "RATELIMIT_SIGNIN": "2 per minute",
          "RATELIMIT_VOTE": "2 per minute", "RATELIMIT_API": "4 per minute"}


@pytest.fixture
def limited(app, disposable_app):
    """Return a test client of an app on the test database with tight limits switched on."""
    def build(**extra):
        return disposable_app(**{**LIMITS, **extra}).test_client()
    return build


def bearer(user, value: str) -> dict[str, str]:
    db.session.add(ApiToken(user=user, name="t", token_hash=_digest(value)))
    db.session.commit()
    return {"Authorization": f"Bearer {value}"}


def assert_429(resp, json_body: bool) -> None:
    assert resp.status_code == 429
    retry = int(resp.headers["Retry-After"])
    assert 1 <= retry <= 61
    assert resp.headers["X-Request-ID"] and resp.headers["Content-Security-Policy"]
    if json_body:
        body = resp.get_json()
        assert body["error"] == 429 and "Too many requests" in body["message"]
        assert "2 per 1 minute" in body["message"] or "4 per 1 minute" in body["message"]
    else:
        page = resp.get_data(as_text=True)
        assert "429: Slow down" in page and "wait a moment" in page and "Request id" in page


def test_limits_are_off_in_tests_unless_asked(app, client):
    assert app.config["RATELIMIT_ENABLED"] is False
    assert "concord.limiter" not in app.extensions
    assert all(client.get("/auth/callback?code=x&state=y").status_code == 400 for _ in range(40))


def test_sign_in_is_limited_per_address(limited):
    client = limited()
    statuses = [client.get("/auth/callback?code=x&state=y").status_code for _ in range(2)]
    assert statuses == [400, 400]
    assert_429(client.get("/auth/callback?code=x&state=y"), json_body=False)
    # Another address is not affected (behind a trusted proxy, X-Forwarded-For names it).
    proxied = limited(PROXY_FIX=1)
    other = proxied.get("/auth/callback?code=x&state=y",
                        headers={"X-Forwarded-For": "198.51.100.7"})
    assert other.status_code == 400


def test_api_votes_are_limited_per_user(limited, consortium, make_ballot):
    ballot = make_ballot(Kind.MOTION)
    client = limited()
    ntt = bearer(consortium["reps"]["NTT"], "cnc_ntt")
    url = f"/api/v1/ballots/{ballot.id}/vote"
    assert [client.post(url, json={"vote": v}, headers=ntt).status_code
            for v in ("yes", "no")] == [201, 201]
    refused = client.post(url, json={"vote": "abstain"}, headers=ntt)
    assert_429(refused, json_body=True)
    assert db.session.scalar(select(func.count()).select_from(VoteRevision)) == 2  # nothing stored
    orange = bearer(consortium["reps"]["Orange"], "cnc_orange")  # same address, other person
    assert client.post(url, json={"vote": "yes"}, headers=orange).status_code == 201


def test_form_votes_are_limited(limited, consortium, make_ballot):
    ballot = make_ballot(Kind.MOTION)
    client = limited(WTF_CSRF_ENABLED=False)
    with client.session_transaction() as sess:
        sess.update(signed_in(consortium["reps"]["Walmart"]))
    url = f"/ballots/{ballot.id}/vote"
    assert [client.post(url, data={"vote": "yes"}).status_code for _ in range(2)] == [302, 302]
    assert_429(client.post(url, data={"vote": "no"}), json_body=False)


def test_the_api_blueprint_is_limited(limited):
    client = limited()
    assert [client.get("/api/v1/decisions").status_code for _ in range(4)] == [200] * 4
    assert_429(client.get("/api/v1/decisions"), json_body=True)


def test_an_unreachable_redis_falls_back_to_memory(limited):
    client = limited(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    assert [client.get("/api/v1/decisions").status_code for _ in range(4)] == [200] * 4
    assert client.get("/api/v1/decisions").status_code == 429


def test_an_api_vote_counts_against_the_api_limit_too(limited, consortium, make_ballot):
    """Both limits apply to the vote endpoint: here the API-wide one (4) is the stricter."""
    ballot = make_ballot(Kind.MOTION)
    client = limited(RATELIMIT_VOTE="6 per minute")
    ntt = bearer(consortium["reps"]["NTT"], "cnc_ntt")
    url = f"/api/v1/ballots/{ballot.id}/vote"
    assert [client.post(url, json={"vote": "yes"}, headers=ntt).status_code
            for _ in range(4)] == [201] * 4
    assert_429(client.post(url, json={"vote": "no"}, headers=ntt), json_body=True)


def test_pages_without_a_limit_are_never_counted(limited):
    """Limits live on their endpoints only: public pages are not counted against anything."""
    client = limited()
    assert all(client.get("/decisions/").status_code == 200 for _ in range(12))
    assert [client.get("/api/v1/decisions").status_code for _ in range(4)] == [200] * 4
