"""Schemathesis against the OpenAPI document of /api/v1, in process, as a member's bearer token.

Every operation of the document is called with data that fits it (positive) and data that does
not (negative). Checks: never a 5xx; status codes, content types and bodies conform to the
document; data the document forbids is refused with a 4xx. Path ids are mostly real ballots
(each kind, open, closed, published, a draft), so votes are really cast; every stored vote must
then read back as a valid choice for its ballot, and the audit chain must verify.
"""

from __future__ import annotations

import hashlib
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
from core.tokens import ApiToken
from voting.ballot_rules import normalize_choice
from voting.models import Ballot
from voting.votes import Vote

TOKEN = "cnc_security-fuzz-token"
EXAMPLES = {GenerationMode.POSITIVE: 60, GenerationMode.NEGATIVE: 30}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
CASES: Counter = Counter()
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
    print(f"\nSchemathesis: {sum(CASES.values())} cases: " + ", ".join(
        f"{label} {n}" for label, n in sorted(CASES.items())) + f"; {len(votes)} votes stored")
