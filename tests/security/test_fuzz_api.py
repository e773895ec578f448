"""Schemathesis against the OpenAPI document of /api/v1, in process, as a member's bearer token.

Every operation of the document is called with data that fits it (positive) and data that does
not (negative). Checks: never a 5xx; status codes, content types and bodies conform to the
document; data the document forbids is refused with a 4xx. Path ids are mostly real ballots
(each kind, open, closed, published, a draft), so votes are really cast; every stored vote must
then read back as a valid choice for its ballot, and the audit chain must verify.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from security_helpers import UNKNOWN_IDS, add_choice_ballots
from sqlalchemy import select
from world_helpers import build_world

from core import audit
from core.db import db
from core.edge import MAX_JSON_DEPTH
from core.tokens import ApiToken
from voting.ballot_rules import normalize_choice
from voting.choice_schema import choice_problem
from voting.models import Ballot
from voting.votes import Vote

TOKEN = "cnc_security-fuzz-token"
EXAMPLES = {GenerationMode.POSITIVE: 60, GenerationMode.NEGATIVE: 30}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
CASES: Counter = Counter()
FIVE_XX: Counter = Counter()  # answers of 500 or more, by the same labels
# The ballot each shape of choice is meant for, so that most positive votes reach the rules.
SHAPES = {"response": "consensus_ballot", "vote": "ballot", "choice": "plurality_ballot",
          "approve": "approval_ballot", "ranks": "ranked_ballot"}


@pytest.fixture
def api_world(app, make_company, make_rep, make_user, make_ballot):
    """Build the shared world, a ballot of each kind, and a bearer token of the representative."""
    users, ids = build_world(app, make_company, make_rep, make_user, make_ballot)
    ids.update(add_choice_ballots(make_ballot))
    db.session.add(ApiToken(user=users["representative"], name="fuzz",
                            token_hash=hashlib.sha256(TOKEN.encode()).hexdigest()))
    db.session.commit()
    return users, ids


def test_openapi_document_is_valid(client):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", client.application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in operations} == {
        "GET /ballots", "GET /ballots/{ballot_id}", "POST /ballots/{ballot_id}/vote",
        "GET /ballots/{ballot_id}/outcome", "GET /decisions"}


def _ballot_ids(ids: dict) -> list[int]:
    names = ("ballot", "draft", "published", "consensus_ballot", "plurality_ballot",
             "approval_ballot", "ranked_ballot", "closed_ballot")
    return [ids[n] for n in names]


def has_inputs(operation) -> bool:
    """Tell whether an operation takes parameters or a body."""
    return bool(list(operation.iter_parameters()) or list(operation.body))


def _fuzz(client, operation, mode: GenerationMode, ids: dict) -> None:
    """Run one operation's cases in one generation mode."""
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
    label = f"{mode.value} {operation.method.upper()} {operation.path}"

    @settings(max_examples=EXAMPLES[mode], deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode),
           ballot=st.sampled_from(_ballot_ids(ids) + list(UNKNOWN_IDS)),
           by_shape=st.booleans())
    def run(case, ballot, by_shape):
        # A real ballot id, so that positive cases reach the vote itself, not only a 404.
        if mode is GenerationMode.POSITIVE and "ballot_id" in (case.path_parameters or {}):
            if by_shape and isinstance(case.body, dict):
                ballot = next((ids[b] for key, b in SHAPES.items() if key in case.body), ballot)
            case.path_parameters["ballot_id"] = ballot
        CASES[label] += 1
        response = case.call(session=client, headers={"Authorization": f"Bearer {TOKEN}"})
        FIVE_XX[label] += response.status_code >= 500
        db.session.rollback()  # the request is over: drop what it left unsaved
        case.validate_response(response, checks=checks)

    run()


def test_api_conforms_and_never_fails(client, api_world):
    _users, ids = api_world
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", client.application)
    for result in schema.get_all_operations():
        operation = result.ok()
        _fuzz(client, operation, GenerationMode.POSITIVE, ids)
        if has_inputs(operation):  # an operation without parameters has nothing to negate
            _fuzz(client, operation, GenerationMode.NEGATIVE, ids)
    # What was stored reads back as valid choices under each ballot's rules.
    votes = db.session.scalars(select(Vote)).all()
    assert votes, "no case cast a vote: the fuzzing never reached the vote itself"
    for vote in votes:
        ballot = db.session.get(Ballot, vote.ballot_id)
        assert normalize_choice(ballot.spec(), vote.choice) == vote.choice
    assert audit.verify_database().ok
    five = [label for label, n in sorted(FIVE_XX.items()) if n]
    print(f"\nSchemathesis: {sum(CASES.values())} cases, 5xx: {five or 0}: " + ", ".join(
        f"{label} {n}" for label, n in sorted(CASES.items())) + f"; {len(votes)} votes stored")


# Hostile JSON the schema-driven cases do not reach: lone surrogates (sent as JSON escapes),
# right-to-left marks, control characters, numbers far out of range, wrong types, deep nesting.
HOSTILE_TEXT = ("\ud800", "x\udfffy", "\udbff\udc00\ud800", "\u202eevil\u200f", "\u061c\u2066",
                "\x00", "\x1b[31m\x07", "<script>alert(1)</script>", "=cmd|' /C calc'!A0",
                "Alpha", "Beta", "support", "object", "yes", "", "Z" * 5000)
KEYS = ("vote", "response", "reason", "choice", "approve", "ranks", "Alpha", "Beta", "\ud800")
LEAF = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=12),
                 st.integers(-(2**200), 2**200), st.sampled_from([0, 1, 2, 3, -1, 2**63, 10**400]),
                 st.floats(), st.booleans(), st.none())
JSON = st.recursive(LEAF, lambda kids: st.lists(kids, max_size=3)
                    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), kids, max_size=3),
                    max_leaves=12)
SHAPED = st.fixed_dictionaries({}, optional=dict.fromkeys(KEYS[:6], JSON))


def nested(depth: int, inner) -> object:
    """Return `inner` wrapped in `depth` lists or objects."""
    for level in range(depth):
        inner = [inner] if level % 2 else {"ranks": inner}
    return inner


HOSTILE_BODY = st.one_of(SHAPED, SHAPED, JSON, st.builds(
    nested, st.integers(MAX_JSON_DEPTH - 2, MAX_JSON_DEPTH + 3), LEAF))


def test_hostile_json_never_fails_nor_stores_garbage(client, api_world):
    _users, ids = api_world
    ballots = st.sampled_from([*_ballot_ids(ids), UNKNOWN_IDS[1]])
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    statuses: Counter = Counter()

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(ballot=ballots, body=HOSTILE_BODY, query=st.sampled_from(HOSTILE_TEXT))
    def run(ballot, body, query):
        raw = json.dumps(body)  # escapes lone surrogates as \ud800; NaN and Infinity as such
        resp = client.post(f"/api/v1/ballots/{ballot}/vote", data=raw, headers=headers)
        statuses[resp.status_code] += 1
        db.session.rollback()
        assert resp.status_code < 500, (raw[:300], resp.get_json())
        # The same hostile text, percent-encoded, in the query string of every read.
        arg = query.encode("utf-8", "surrogatepass").hex()
        for url in (f"/api/v1/ballots/{ballot}", "/api/v1/ballots", "/api/v1/decisions"):
            got = client.get(f"{url}?q=%{'%'.join(arg[i:i + 2] for i in range(0, len(arg), 2))}",
                             headers={"Authorization": headers["Authorization"]})
            statuses[got.status_code] += 1
            assert got.status_code < 500, url

    run()
    kinds = {b.id: b.kind for b in db.session.scalars(select(Ballot))}
    for vote in db.session.scalars(select(Vote)):  # what got in fits the schema and the rules
        assert choice_problem(kinds[vote.ballot_id], vote.choice) is None
        ballot = db.session.get(Ballot, vote.ballot_id)
        assert normalize_choice(ballot.spec(), vote.choice) == vote.choice
    assert audit.verify_database().ok
    print(f"\nhostile JSON: {sum(statuses.values())} requests, statuses "
          f"{dict(sorted(statuses.items()))}")
