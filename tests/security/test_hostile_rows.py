"""Defence in depth: hostile rows written straight into the tables never give a 500 nor a stuck ballot.

Input checks refuse such text at the edge; these rows stand for what got in before them, or by
another client. Votes of every kind (objection reasons that are lone surrogates, objects or
10,000 characters; float, huge and boolean ranks; wrong JSON types), ballot wording, option
labels, company and person names, survey free text and audit details are written with SQL,
bypassing validation. Then every page and action that reads them is driven: the ballot pages
and the API, changing a vote, the chair's count and publication, the public decision and its
records (which must still recount to the published outcome), survey results, the audit page
and `flask audit verify`.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update
from survey_helpers import answered_survey

from core import audit, clock
from core.db import db
from core.members import Company
from core.users import User
from surveys.responses import Answer
from surveys.rules import QuestionType
from voting import record, record_csv
from voting.actions import cast
from voting.models import Ballot
from voting.outcome import Kind
from voting.votes import Vote, VoteRevision

MARKS = "\u202e\u200f=cmd|' /C calc'!A0<script>alert(1)</script>\x1b[31m\x07\x7f\u2028"
LONG = MARKS + "Z" * 10_000


def short(limit: int, tag: str = "") -> str:
    """Return hostile text that fits a column of `limit` characters."""
    return (tag + MARKS + "Z" * limit)[:limit]


LABEL = short(200)
OPTIONS = ("Alpha", LABEL, "Gamma")
COMPANIES = ("AT&T", "NTT", "Orange", "Reliance Jio", "Walmart")


def stored_votes(lone: str) -> dict[str, tuple[Kind, dict, list]]:
    """Return, per ballot, its kind, settings, and the choice each company has in the tables."""
    return {
        "round": (Kind.CONSENSUS, {}, [
            {"response": "support", "reason": ""},
            {"response": "object", "reason": lone},
            {"response": "object", "reason": {"reason": [lone, 10**30, 2.5, None]}},
            {"response": "object", "reason": LONG},
            {"response": "stand_aside", "reason": 10**30}]),
        "secret_round": (Kind.CONSENSUS, {"secrecy": "secret"}, [
            {"response": "support"}, {"response": "object", "reason": lone},
            {"response": "object", "reason": ["a", {"b": lone}]},
            {"response": "object", "reason": None}, {"response": "maybe"}]),
        "ranked": (Kind.RANKED, {"options": OPTIONS}, [
            {"ranks": {LABEL: 1, "Alpha": 2}}, {"ranks": {"Alpha": 1.7, LABEL: 10**30}},
            {"ranks": [1, 2]}, {"ranks": {"Alpha": True, "Gamma": "2", lone: 1}},
            {"ranks": {"Nope": 1, "Gamma": -1e308}}]),
        "approval": (Kind.APPROVAL, {"options": OPTIONS}, [
            {"approve": [LABEL]}, {"approve": 5}, {"approve": "Alpha"},
            {"approve": ["Alpha", "Alpha", 3, None]}, {"approve": {"Alpha": True}}]),
        "plurality": (Kind.PLURALITY, {"options": OPTIONS}, [
            {"choice": LABEL}, {"choice": {"x": 1}}, {"choice": 10**30}, {"choice": lone},
            {"choice": ["Alpha"]}]),
        "motion": (Kind.MOTION, {}, [
            {"vote": "yes"}, {"vote": True}, {"vote": "maybe"}, {}, [lone, 10**30]]),
    }


def plant(ballot: Ballot, company: Company, user: User, choice) -> None:
    """Store a choice as a company's vote and a new revision of it, as no check would let it be."""
    vote = db.session.scalars(select(Vote).where(Vote.ballot_id == ballot.id,
                                                 Vote.company_id == company.id)).first()
    now, receipt = clock.now(), f"HOST-{ballot.id:04d}-{company.id:04d}"
    version = vote.version + 1 if vote else 1
    row = {"choice": choice, "receipt": receipt, "version": version, "cast_by_id": user.id,
           "cast_at": now}
    if vote is None:
        db.session.execute(insert(Vote).values(ballot_id=ballot.id, company_id=company.id, **row))
    else:
        db.session.execute(update(Vote).where(Vote.id == vote.id).values(**row))
    db.session.execute(insert(VoteRevision).values(ballot_id=ballot.id, company_id=company.id,
                                                   **{**row, "receipt": receipt}))
    db.session.commit()


@pytest.fixture
def hostile_world(app, consortium, make_ballot, is_postgres):
    """Open one ballot of each kind whose stored votes, wording and names are hostile."""
    app.config["WTF_CSRF_ENABLED"] = False
    # PostgreSQL refuses a lone surrogate in JSON; SQLite stores it (JSON text "\ud800").
    lone = "\u200f" if is_postgres else "x\ud800y"
    companies, reps = consortium["companies"], consortium["reps"]
    companies["NTT"].name = short(120, "NTT")
    reps["Orange"].name = short(200)
    ballots = {}
    for name, (kind, settings, choices) in stored_votes(lone).items():
        ballot = make_ballot(kind, settings.pop("options", ()), title=short(200, name), **settings)
        ballot.text = LONG
        db.session.commit()
        ballots[name] = ballot
        for company_name, choice in zip(COMPANIES, choices, strict=True):
            # A valid first vote, then the hostile one over it (a second version).
            if company_name == "NTT":
                cast(ballot, reps[company_name], valid_choice(kind))
            plant(ballot, companies[company_name], reps[company_name], choice)
    audit.record("test.hostile", "site", actor=None, note=lone, long=LONG,
                 nested={"deep": [lone, 10**30, -2.5e300, {"k": MARKS}]})
    db.session.commit()
    return ballots, consortium, lone


def valid_choice(kind: Kind) -> dict:
    """Return a valid choice of a ballot of this kind."""
    return {Kind.CONSENSUS: {"response": "object", "reason": "First thoughts"},
            Kind.MOTION: {"vote": "no"}, Kind.PLURALITY: {"choice": "Alpha"},
            Kind.APPROVAL: {"approve": ["Alpha"]}, Kind.RANKED: {"ranks": {"Alpha": 1}}}[kind]


def get_ok(client, url: str, status: int = 200):
    """GET a page and check its status (never a 5xx); return the response."""
    resp = client.get(url)
    assert resp.status_code == status, f"GET {url} -> {resp.status_code}"
    resp.get_data()  # the whole body encodes
    return resp


def test_every_page_and_action_survives_hostile_rows(client, login, runner, hostile_world):
    ballots, world, lone = hostile_world
    reps, chair = world["reps"], world["chair"]
    for company in COMPANIES:
        login(reps[company])
        get_ok(client, "/ballots/")
        for ballot in ballots.values():
            get_ok(client, f"/ballots/{ballot.id}")
            body = get_ok(client, f"/api/v1/ballots/{ballot.id}").get_json()
            assert body["my_vote"] is not None
        get_ok(client, "/api/v1/ballots")
    # The voter can change a hostile vote, by the form and by the API.
    login(reps["Orange"])
    assert client.post(f"/ballots/{ballots['approval'].id}/vote",
                       data={"approve": "Gamma"}).status_code == 302
    resp = client.post(f"/api/v1/ballots/{ballots['ranked'].id}/vote",
                       json={"ranks": {"Gamma": 1}})
    assert resp.status_code == 201, resp.get_json()
    login(world["admin"])
    for url in ("/admin/audit", "/admin/companies",
                f"/admin/companies/{world['companies']['NTT'].id}"):
        get_ok(client, url)
    # The chair counts and publishes every ballot after its close.
    with clock.frozen(clock.now() + timedelta(days=2)):
        login(chair)
        for name, ballot in ballots.items():
            assert client.post(f"/ballots/{ballot.id}/decide").status_code == 302
            if name == "round":  # an outcome stored by an earlier version, as it was then
                plant_outcome(ballot, lone)
            get_ok(client, f"/ballots/{ballot.id}")
            assert client.post(f"/ballots/{ballot.id}/publish",
                               data={"statement": MARKS}).status_code == 302
        for ballot in ballots.values():
            db.session.refresh(ballot)
            assert ballot.stage.value == "published", ballot.outcome
        for viewer in (None, reps["NTT"]):
            login(viewer)
            check_public_records(client, ballots, lone)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Audit chain OK" in result.output, result.output


def plant_outcome(ballot: Ballot, lone: str) -> None:
    """Store the ballot's outcome with hostile objections and summary, bypassing the count."""
    outcome = dict(ballot.outcome)
    outcome["objections"] = [{"company": lone, "reason": {"why": [lone, 10**30]}},
                             *outcome["objections"][1:]]
    outcome["summary"] += lone + LONG
    db.session.execute(update(Ballot).where(Ballot.id == ballot.id).values(outcome=outcome))
    db.session.commit()


def check_public_records(client, ballots: dict, lone: str) -> None:
    """Read each public page and record; the records must recount to the published outcome."""
    for url in ("/decisions/", "/decisions/feed.atom", "/api/v1/decisions"):
        get_ok(client, url)
    for name, ballot in ballots.items():
        get_ok(client, f"/decisions/{ballot.id}")
        get_ok(client, f"/decisions/{ballot.id}/outcome.json")
        as_json = get_ok(client, f"/decisions/{ballot.id}/record.json").get_data(as_text=True)
        as_csv = get_ok(client, f"/decisions/{ballot.id}/ballots.csv").get_data(as_text=True)
        for text in (as_json, as_csv):
            assert not re.search("[\ud800-\udfff]", text)
        for found in (json.loads(as_json), record_csv.read(as_csv)):
            recounted = record.recount(found)
            assert recounted.agree, (name, recounted.published, recounted.recounted)
        if name == "round" and lone != "\u200f":
            assert "x\ufffdy" in as_json or '"reason": null' in as_json


@pytest.fixture
def hostile_survey(app, consortium):
    """Close a survey with a free-text question whose stored answers are hostile."""
    app.config["WTF_CSRF_ENABLED"] = False
    lone = "x\ud800y" if db.engine.dialect.name == "sqlite" else "\u200f"
    reps = [consortium["reps"][name] for name in COMPANIES]
    questions = [(QuestionType.TEXT, "Anything else?", False, {"max_length": 200}),
                 (QuestionType.SINGLE, "Main", False, {"options": "Nova\nSwift", "other": True})]
    answers = [(user, {0: f"plain {n}", 1: {"other": "Zun"} if n else {"option": "Nova"}})
               for n, user in enumerate(reps)]
    survey = answered_survey(questions, answers, title=short(200))
    hostile = [lone, LONG, {"dict": lone}, 10**30, ["list", lone]]
    text_id, single_id = survey.questions[0].id, survey.questions[1].id
    for question_id, values in ((text_id, hostile), (single_id, [{"other": lone}] * 5)):
        ids = db.session.scalars(select(Answer.id).where(Answer.question_id == question_id)
                                 .order_by(Answer.id)).all()
        for answer_id, value in zip(ids, values, strict=True):
            db.session.execute(update(Answer).where(Answer.id == answer_id).values(value=value))
    db.session.commit()
    return survey, consortium


def test_survey_results_survive_hostile_answers(client, login, hostile_survey):
    survey, world = hostile_survey
    login(world["chair"])
    for url in (f"/surveys/{survey.id}", f"/surveys/{survey.id}/responses",
                f"/surveys/{survey.id}/export.csv", f"/surveys/{survey.id}/publication"):
        get_ok(client, url)
    questions = [str(q.id) for q in survey.questions]
    resp = client.post(f"/surveys/{survey.id}/publication",
                       data={"questions": questions, "k_respondents": 5, "k_companies": 3})
    assert resp.status_code == 302
    page = get_ok(client, f"/surveys/{survey.id}/publication").get_data(as_text=True)
    for answer_id in sorted(set(re.findall(r"/publication/answers/(\d+)/approve", page))):
        assert client.post(f"/surveys/{survey.id}/publication/answers/{answer_id}/approve"
                           ).status_code == 302
    preview = get_ok(client, f"/surveys/{survey.id}/publication/preview").get_data(as_text=True)
    digest = re.search(r'name="digest"[^>]*value="([0-9a-f]{64})"', preview)
    assert digest, "no digest on the preview"
    assert client.post(f"/surveys/{survey.id}/publication/publish",
                       data={"digest": digest.group(1)}).status_code == 302
    login(None)
    for url in (f"/results/{survey.id}", f"/results/{survey.id}/report",
                f"/results/{survey.id}/results.csv", f"/results/{survey.id}/results.json"):
        get_ok(client, url)


def test_a_stored_choice_reads_as_counted():
    from voting.ballot_rules import UNREADABLE_REASON, BallotSpec, stored_choice

    consensus, ranked = BallotSpec(Kind.CONSENSUS), BallotSpec(Kind.RANKED, ("A", "B", "C"))
    assert stored_choice(consensus, {"response": "object", "reason": {"a": 1}}) == \
        {"response": "object", "reason": "{'a': 1}"}
    assert stored_choice(consensus, {"response": "object", "reason": "x\ud800"}) == \
        {"response": "object", "reason": "x\ufffd"}
    assert stored_choice(consensus, {"response": "object", "reason": None}) == \
        {"response": "object", "reason": UNREADABLE_REASON}
    assert stored_choice(consensus, {"response": "object", "reason": LONG})["reason"] == LONG[:2000]
    assert stored_choice(consensus, ["object"]) == {"response": "stand_aside", "reason": ""}
    assert stored_choice(ranked, {"ranks": {"A": 1.7, "B": 2, "C": 10**30, "D": 1}}) == \
        {"ranks": {"B": 2}}
    assert stored_choice(BallotSpec(Kind.MOTION), {"vote": True}) == {"vote": "abstain"}
    assert stored_choice(BallotSpec(Kind.APPROVAL, ("A", "B")), {"approve": ["B", "B", 3]}) == \
        {"approve": ["B"]}
