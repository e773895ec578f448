"""The API's one-statement vote for bearer tokens answers exactly as the usual path does.

`voting.api.vote` first tries `casting.cast_by_token` (PostgreSQL; a representative's token
voting for an elector company) and otherwise the usual path. Every case here is answered
both ways, the shortcut switched off for the second, and the answers must match. On SQLite
the shortcut never applies, so the two answers are the usual path's, twice.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from types import SimpleNamespace

import pytest
from session_helpers import signed_in
from sqlalchemy import func, select

from core import clock
from core.audit import AuditEvent
from core.db import db
from core.tokens import PREFIX, ApiToken, _digest
from voting import api
from voting.models import Ballot
from voting.outcome import Kind
from voting.votes import VoteRevision


def token_for(user, revoked: bool = False) -> str:
    raw = PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, name="cli", token_hash=_digest(raw),
                            revoked_at=clock.now() if revoked else None))
    db.session.commit()
    return raw


@pytest.fixture
def both_ways(app, monkeypatch, is_postgres):
    """Post a vote with the shortcut, then without it; return both answers and their paths."""
    taken: list[bool] = []
    real = api.cast_by_token

    def spied(*args, **kwargs):
        result = real(*args, **kwargs)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(api, "cast_by_token", spied)

    def post(ballot_id: int, token: str | None, body, cookie_of=None):
        answers = []
        for shortcut in (True, False):
            monkeypatch.setattr(api, "cast_by_token", spied if shortcut else
                                lambda *args, **kwargs: None)
            taken.clear()
            client = app.test_client()  # no cookie unless asked for
            if cookie_of is not None:
                with client.session_transaction() as sess:
                    sess.update(signed_in(cookie_of))
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            resp = client.post(f"/api/v1/ballots/{ballot_id}/vote", data=json.dumps(body),
                               content_type="application/json", headers=headers)
            answer = {k: v for k, v in resp.get_json().items() if k != "request_id"}
            answers.append((resp.status_code, answer, bool(taken and taken[0])))
        return answers

    return post


def _same_refusal(answers) -> tuple[int, dict]:
    (status, body, used_shortcut), (status2, body2, _) = answers
    assert (status, body) == (status2, body2)
    assert not used_shortcut, "a refusal was answered by the shortcut"
    return status, body


def _no_vote_stored() -> None:
    assert db.session.scalar(select(func.count()).select_from(VoteRevision)) == 0


def test_a_representatives_vote_takes_the_shortcut_and_records_the_same(
        both_ways, consortium, make_ballot, is_postgres):
    ballot = make_ballot(Kind.MOTION)
    user = consortium["reps"]["NTT"]
    (status, body, shortcut), (status2, body2, _) = both_ways(
        ballot.id, token_for(user), {"vote": "no"})
    assert status == status2 == 201
    assert shortcut == is_postgres  # PostgreSQL only; SQLite always takes the usual path
    assert (body["company"], body["version"], body2["company"], body2["version"]) == \
        ("NTT", 1, "NTT", 2)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "vote.cast")
                                .order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.actor_label, e.subject_type, e.subject_id, e.details)
            for e in events] == [(user.id, str(user), "ballot", str(ballot.id),
                                  {"company": "NTT", "version": v}) for v in (1, 2)]
    revisions = db.session.scalars(select(VoteRevision).order_by(VoteRevision.version)).all()
    assert [(r.cast_by_id, r.choice, r.receipt) for r in revisions] == [
        (user.id, {"vote": "no"}, body["receipt"]), (user.id, {"vote": "no"}, body2["receipt"])]


@pytest.mark.parametrize(("case", "status", "message"), [
    ("unknown token", 401, "sign in or send"),
    ("revoked token", 401, "sign in or send"),
    ("no role", 403, "only representatives of member companies"),
    ("administrator, no company", 403, "you do not represent a company"),
    ("candidate company", 403, "is not in this ballot's electorate"),
    ("representation ended", 403, "only representatives of member companies"),
    ("draft", 404, "no such ballot"),
    ("unknown ballot", 404, "no such ballot"),
    ("closed", 409, "this ballot is closed"),
    ("withdrawn", 409, "this ballot is withdrawn"),
    ("not an object", 400, "send a JSON object"),
    ("not a vote", 422, "vote must be one of yes, no, abstain"),
])
def test_every_refusal_is_the_usual_paths(both_ways, consortium, make_ballot, make_user,
                                          make_rep, travel, case, status, message):
    ballot = make_ballot(Kind.MOTION, draft=case == "draft")
    user, body, ballot_id = consortium["reps"]["Orange"], {"vote": "yes"}, ballot.id
    token = None
    if case == "unknown token":
        token = PREFIX + "nope"
    elif case == "revoked token":
        token = token_for(user, revoked=True)
    elif case == "no role":
        user = make_user("Nobody")
    elif case == "administrator, no company":
        user = consortium["admin"]
    elif case == "candidate company":
        user = consortium["reps"]["Comcast"]
    elif case == "representation ended":
        user = make_user("Former")
        rep = make_rep(consortium["companies"]["Orange"], user)
        rep.end_on = clock.today() - timedelta(days=1)
        db.session.commit()
    elif case == "unknown ballot":
        ballot_id = 999_999
    elif case == "closed":
        travel(ballot.closes_at + timedelta(seconds=1))
    elif case == "withdrawn":
        db.session.get(Ballot, ballot.id).withdrawn_at = clock.now()
        db.session.commit()
    elif case == "not an object":
        body = ["yes"]
    elif case == "not a vote":
        body = {"vote": "perhaps"}
    token = token or token_for(user)
    got_status, got = _same_refusal(both_ways(ballot_id, token, body))
    assert got_status == status and message in got["message"], got
    if case == "not a vote":
        assert got["field"] == "vote"
    _no_vote_stored()


def test_a_session_cookie_beside_the_token_is_the_usual_path(both_ways, consortium,
                                                            make_ballot):
    # Flask-Login signs the session's user in before it reads a token; so must the vote.
    ballot = make_ballot(Kind.MOTION)
    token = token_for(consortium["reps"]["NTT"])
    status, body = _same_refusal(both_ways(ballot.id, token, {"vote": "yes"},
                                           cookie_of=consortium["reps"]["Orange"]))
    assert status == 400 and body["message"].startswith("The form expired")  # CSRF, as before
    _no_vote_stored()


def test_the_limits_key_is_the_tokens_user_and_a_seen_token_needs_no_query(app, consortium):
    from flask import g
    from sqlalchemy import event

    from core import limits, tokens

    def forget_user() -> None:  # as a new request would (tests keep one app context pushed)
        g.pop("_login_user", None)

    user, other = consortium["reps"]["NTT"], consortium["reps"]["Orange"]
    token, other_token = token_for(user), token_for(other)
    user, other = SimpleNamespace(id=user.id), SimpleNamespace(id=other.id)  # no reloads below
    headers = {"Authorization": f"Bearer {token}"}
    tokens._TOKEN_USERS.clear()
    tokens._LOADED.clear()
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context(headers=headers):
            assert limits.user_or_address() == f"user:{user.id}"  # one light query
        assert len(statements) == 1 and "user_account" not in statements[0]
        assert tokens.token_user(_digest(other_token)) == other.id  # read along with it
        assert len(statements) == 1
        assert tokens.token_user(_digest(token)) == user.id
        forget_user()
        with app.test_request_context(headers=headers):
            assert limits.user_or_address() == f"user:{user.id}"
        assert len(statements) == 1, "a token seen before was looked up again"
        revoked = token_for(consortium["reps"]["Orange"], revoked=True)
        forget_user()
        with app.test_request_context(headers={"Authorization": f"Bearer {revoked}"}):
            assert limits.user_or_address() == f"user:{other.id}"  # its user's bucket still
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    forget_user()
    with app.test_request_context(headers={"Authorization": "Bearer nope"}):
        assert limits.user_or_address().startswith("addr:")
    forget_user()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess.update(signed_in(consortium["reps"]["Orange"]))
    with app.test_request_context(headers={**headers, "Cookie": f"concord_session="
                                           f"{client.get_cookie('concord_session').value}"}):
        assert limits.user_or_address() == f"user:{other.id}"  # the session's user first


def test_the_bearer_token_is_hashed_once_a_request_and_cookies_parsed_only_if_sent(
        app, monkeypatch):
    from flask import request

    from core import tokens

    hashed = []
    monkeypatch.setattr(tokens, "_digest", lambda token: hashed.append(token) or _digest(token))
    with app.test_request_context("/", headers={"Authorization": "Bearer cnc_x"}):
        assert {tokens.bearer_only(request) for _ in range(3)} == {_digest("cnc_x")}
        assert hashed == ["cnc_x"] and "cookies" not in request.__dict__
    cookie = f"{app.config['SESSION_COOKIE_NAME']}=anything"
    with app.test_request_context("/", headers={"Authorization": "Bearer cnc_x",
                                                "Cookie": cookie}):
        assert tokens.bearer_only(request) is None  # the session's user comes first
    with app.test_request_context("/", headers={"Authorization": "Bearer cnc_x",
                                                "Cookie": "theme=dark"}):
        assert tokens.bearer_only(request) == _digest("cnc_x")
