"""The JSON API: bearer tokens, CSRF for cookie sessions, JSON errors, the OpenAPI document."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import db
from core.tokens import PREFIX
from voting.outcome import Kind
from voting.votes import Vote, VoteRevision


def make_token(client, login, user) -> str:
    login(user)
    page = client.get("/account/tokens/")
    csrf = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1]
    resp = client.post("/account/tokens/", data={"name": "cli", "csrf_token": csrf.split('"')[0]})
    assert resp.status_code == 200
    token = resp.get_data(as_text=True).split('<code id="new-token">')[1].split("</code>")[0]
    assert token.startswith(PREFIX)
    login(None)
    return token


def test_bearer_token_votes_without_csrf(client, login, consortium, make_ballot):
    ballot = make_ballot(Kind.MOTION)
    token = make_token(client, login, consortium["reps"]["NTT"])
    headers = {"Authorization": f"Bearer {token}"}
    resp = client.post(f"/api/v1/ballots/{ballot.id}/vote", json={"vote": "yes"}, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["company"] == "NTT" and body["version"] == 1
    mine = client.get(f"/api/v1/ballots/{ballot.id}", headers=headers).get_json()["my_vote"]
    assert mine["receipt"] == body["receipt"] and mine["choice"] == {"vote": "yes"}


def test_session_post_without_csrf_is_refused(client, login, consortium, make_ballot):
    ballot = make_ballot(Kind.MOTION)
    login(consortium["reps"]["NTT"])
    resp = client.post(f"/api/v1/ballots/{ballot.id}/vote", json={"vote": "yes"})
    assert resp.status_code == 400
    assert resp.get_json()["message"].startswith("The form expired")
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [(["yes"], 400, "send a JSON object"),
     ({"vote": "perhaps"}, 422, "vote must be one of yes, no, abstain"),
     ({}, 422, "vote is required")],
)
def test_bad_api_votes(client, login, consortium, make_ballot, payload, status, message):
    ballot = make_ballot(Kind.MOTION)
    token = make_token(client, login, consortium["reps"]["Orange"])
    resp = client.post(f"/api/v1/ballots/{ballot.id}/vote", json=payload,
                       headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == status and message in resp.get_json()["message"]
    assert db.session.scalar(select(func.count()).select_from(VoteRevision)) == 0


def test_api_errors_are_json(client, login, consortium):
    token = make_token(client, login, consortium["reps"]["Orange"])
    headers = {"Authorization": f"Bearer {token}"}
    missing = client.get("/api/v1/ballots/999", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["message"] == "no such ballot"
    assert client.get("/api/v1/ballots").get_json()["error"] == 401
    bad = client.get("/api/v1/ballots", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_revoked_token_stops_working(client, login, consortium):
    user = consortium["reps"]["Orange"]
    token = make_token(client, login, user)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/ballots", headers=headers).status_code == 200
    from core.tokens import ApiToken

    token_row = db.session.scalars(select(ApiToken)).one()
    login(user)
    client.application.config["WTF_CSRF_ENABLED"] = False
    assert client.post(f"/account/tokens/{token_row.id}/revoke").status_code == 302
    login(None)
    assert client.get("/api/v1/ballots", headers=headers).status_code == 401


def test_openapi_document_lists_every_api_route(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = set(doc["paths"])
    routes = {r.rule.removeprefix("/api/v1").replace("<int:ballot_id>", "{ballot_id}")
              for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")}
    assert routes - {"/openapi.json"} == documented
