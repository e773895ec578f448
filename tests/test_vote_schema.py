"""Every field of a vote has a declared type and range, in the schema the OpenAPI document publishes."""

from __future__ import annotations

from sqlalchemy import func, select

from core.db import db
from voting import choice_schema, forms
from voting.choice_schema import SCHEMAS, choice_problem
from voting.openapi import openapi_document
from voting.outcome import Kind
from voting.votes import Vote, VoteRevision

OPTIONS = ("Alpha", "Beta", "Gamma")
VALID = {Kind.CONSENSUS: {"response": "object", "reason": "Too soon"},
         Kind.MOTION: {"vote": "yes"}, Kind.PLURALITY: {"choice": None},
         Kind.APPROVAL: {"approve": ["Alpha", "Gamma"]},
         Kind.RANKED: {"ranks": {"Beta": 1, "Alpha": 2, "Gamma": None}}}


REFUSED = [
    (Kind.APPROVAL, {"approve": 5}, "approve", "must be a list"),
    (Kind.APPROVAL, {"approve": True}, "approve", "must be a list"),
    (Kind.APPROVAL, {"approve": ["Alpha", "Alpha"]}, "approve", "twice"),
    (Kind.APPROVAL, {"approve": [7]}, "approve.0", "must be text"),
    (Kind.RANKED, {"ranks": {"Alpha": 1.7}}, "ranks.Alpha", "whole number"),
    (Kind.RANKED, {"ranks": {"Alpha": 10**30}}, "ranks.Alpha", "between 1 and 50"),
    (Kind.RANKED, {"ranks": {"Alpha": 0}}, "ranks.Alpha", "between 1 and 50"),
    (Kind.RANKED, {"ranks": {"Alpha": "2"}}, "ranks.Alpha", "whole number"),
    (Kind.RANKED, {"ranks": {"Alpha": True}}, "ranks.Alpha", "whole number"),
    (Kind.RANKED, {"ranks": [1, 2]}, "ranks", "must be an object"),
    (Kind.CONSENSUS, {"response": "object", "reason": {"why": 1}}, "reason", "must be text"),
    (Kind.CONSENSUS, {"response": "object", "reason": "x" * 2001}, "reason", "longer than 2000"),
    (Kind.CONSENSUS, {"response": "support", "comment": "hi"}, "comment", "not a field"),
    (Kind.MOTION, {"vote": "yes", "choice": "Alpha"}, "choice", "not a field"),
    (Kind.MOTION, {}, "vote", "is required"),
    (Kind.PLURALITY, {"choice": ["Alpha"]}, "choice", "must be text or null"),
]


def test_a_field_that_breaks_the_schema_is_a_422_naming_it(client, login, consortium, make_ballot):
    client.application.config["WTF_CSRF_ENABLED"] = False
    login(consortium["reps"]["NTT"])
    ballots = {kind: make_ballot(kind, OPTIONS if kind not in (Kind.CONSENSUS, Kind.MOTION)
                                 else ()) for kind in Kind}
    for kind, body, field, says in REFUSED:
        resp = client.post(f"/api/v1/ballots/{ballots[kind].id}/vote", json=body)
        found = resp.get_json()
        assert resp.status_code == 422 and found["error"] == 422, found
        assert found["field"] == field and says in found["message"], found
    assert db.session.scalar(select(func.count()).select_from(VoteRevision)) == 0
    # 1e400 reads as infinity: a number, never a whole one.
    resp = client.post(f"/api/v1/ballots/{ballots[Kind.RANKED].id}/vote",
                       data='{"ranks": {"Alpha": 1e400}}', content_type="application/json")
    assert resp.status_code == 422 and resp.get_json()["field"] == "ranks.Alpha"
    for kind, ballot in ballots.items():
        resp = client.post(f"/api/v1/ballots/{ballot.id}/vote", json=VALID[kind])
        assert resp.status_code == 201, resp.get_json()
    kinds = {ballot.id: kind for kind, ballot in ballots.items()}
    for vote in db.session.scalars(select(Vote)):  # what is stored fits the published schema
        assert choice_problem(kinds[vote.ballot_id], vote.choice) is None


def test_the_document_publishes_the_schemas_the_api_enforces():
    published = openapi_document("http://x")["components"]["schemas"]
    for kind, (name, schema) in SCHEMAS.items():
        assert published[name] is schema
        assert {"$ref": f"#/components/schemas/{name}"} in published["Choice"]["oneOf"]
        assert choice_problem(kind, VALID[kind]) is None
    assert choice_schema.MAX_OPTIONS == forms.MAX_OPTIONS


def test_messages_never_echo_what_was_sent():
    field, message = choice_problem(Kind.CONSENSUS, {"response": "object", "reason": "<b>" * 900})
    assert field == "reason" and "<b>" not in message
    field, message = choice_problem(Kind.MOTION, {"vote": "yes", "k" * 5000: 1})
    assert len(field) == 200 and len(message) < 300
