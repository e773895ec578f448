"""IDOR sweep: a representative of company A tries every id-bearing route with company B's ids.

Every rule with an `<int:...>` converter is classified: DENIED (403/404) or SHARED (what any
member may see or do, such as a ballot page). Whatever the answer, B's private data (its vote
receipts, its objection reason, its survey answer, its token, its representative's address)
never appears in it, and nothing of B's changes. A new id-bearing route fails the sweep until
it is classified here.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from meetings_helpers import b_meeting_ids
from security_helpers import changed_tables, table_counts
from sqlalchemy import select
from survey_helpers import make_survey
from world_helpers import build_world

from core import clock
from core.db import db
from core.members import Company, Invitation, RepKind, Representative
from core.tokens import ApiToken
from cycles.models import ChairCandidacy, Nomination
from surveys import responses
from surveys.proposals import Endorsement, Proposal
from surveys.responses import Answer
from surveys.rules import QuestionType
from voting.actions import cast
from voting.ballot_rules import Secrecy
from voting.models import Ballot
from voting.outcome import Kind
from voting.votes import Vote

B_REASON = "B-private objection reason"
B_ANSWER = "B-private survey answer"
B_TOKEN = "cnc_b-private-token"
B_TOKEN_NAME = "B-private token name"
B_EMAIL = "b-rep@orange.example"

DENIED = frozenset({403, 404})
SHARED = None  # any status below 500: what every member may see or do

# endpoint -> (method, address with B's ids, expected statuses for A's representative)
SWEEP: dict[str, tuple[str, str, frozenset | None]] = {
    "admin.company_detail": ("GET", "/admin/companies/{b_company}", DENIED),
    "admin.company_edit": ("POST", "/admin/companies/{b_company}/edit", DENIED),
    "admin.company_status": ("POST", "/admin/companies/{b_company}/status", DENIED),
    "admin.invitation_revoke": ("POST", "/admin/invitations/{b_invitation}/revoke", DENIED),
    "admin.representative_end": ("POST", "/admin/representatives/{b_rep}/end", DENIED),
    "tokens.revoke": ("POST", "/account/tokens/{b_token}/revoke", DENIED),
    "voting.show": ("GET", "/ballots/{b_consensus}", SHARED),
    "voting.vote": ("POST", "/ballots/{b_motion}/vote", SHARED),  # casts A's own vote
    "voting.edit": ("POST", "/ballots/{b_motion}/edit", DENIED),
    "voting.open_ballot": ("POST", "/ballots/{b_motion}/open", DENIED),
    "voting.decide": ("POST", "/ballots/{b_motion}/decide", DENIED),
    "voting.casting_vote": ("POST", "/ballots/{b_motion}/casting-vote", DENIED),
    "voting.publish": ("POST", "/ballots/{b_motion}/publish", DENIED),
    "voting.call_vote": ("POST", "/ballots/{b_consensus}/call-vote", DENIED),
    # An open ballot has no published result yet: no tally sheet, no CSV, no outcome.
    "decisions.show": ("GET", "/decisions/{b_consensus}", DENIED),
    "decisions.ballots_csv": ("GET", "/decisions/{b_secret}/ballots.csv", DENIED),
    "decisions.outcome_json": ("GET", "/decisions/{b_motion}/outcome.json", DENIED),
    "decisions.record_json": ("GET", "/decisions/{b_secret}/record.json", DENIED),
    "voting.withdraw": ("POST", "/ballots/{b_motion}/withdraw", DENIED),
    "voting.close_now": ("POST", "/ballots/{b_motion}/close-now", DENIED),
    "voting.move_close": ("POST", "/ballots/{b_motion}/move-close", DENIED),
    "api.ballot": ("GET", "/api/v1/ballots/{b_secret}", SHARED),  # my_vote is A's own
    "api.vote": ("POST", "/api/v1/ballots/{b_secret}/vote", SHARED),  # casts A's own vote
    "api.outcome": ("GET", "/api/v1/ballots/{b_consensus}/outcome", SHARED),  # 409 until counted
    "surveys.detail": ("GET", "/surveys/{b_survey}", SHARED),
    "surveys.answer": ("GET", "/surveys/{b_survey}/answer", SHARED),  # A's own response
    "surveys.history": ("GET", "/surveys/{b_survey}/history", SHARED),  # A's own versions
    "surveys.survey_settings": ("POST", "/surveys/{b_survey}/settings", DENIED),
    "surveys.section_add": ("POST", "/surveys/{b_survey}/sections", DENIED),
    "surveys.question_new": ("POST", "/surveys/{proposed}/questions/new/text", DENIED),
    "surveys.question_edit": ("POST", "/surveys/{proposed}/questions/{question}/edit", DENIED),
    "surveys.question_delete": ("POST", "/surveys/{proposed}/questions/{spare}/delete", DENIED),
    "surveys.question_move": ("POST", "/surveys/{proposed}/questions/{question}/move/up", DENIED),
    "surveys.survey_state": ("POST", "/surveys/{b_survey}/state/close", DENIED),
    "surveys.move_close": ("POST", "/surveys/{b_survey}/move-close", DENIED),
    "surveys.survey_duplicate": ("POST", "/surveys/{b_survey}/duplicate", DENIED),
    "surveys.item_detail": ("GET", "/surveys/items/{item}", SHARED),
    "surveys.item_edit": ("POST", "/surveys/items/{item}/edit", DENIED),
    "surveys.proposal_list": ("GET", "/surveys/{proposed}/proposals", SHARED),
    "surveys.proposal_new": ("POST", "/surveys/{proposed}/proposals/new/text", SHARED),
    # Any member company may +1 B's proposal; withdrawing takes back only A's own +1.
    "surveys.proposal_endorse": ("POST", "/surveys/{proposed}/proposals/{b_proposal}/endorse",
                                 SHARED),
    "surveys.proposal_withdraw": ("POST", "/surveys/{proposed}/proposals/{b_proposal}/withdraw",
                                  SHARED),
    "surveys.proposal_finalize": ("POST", "/surveys/{proposed}/proposals/finalize", DENIED),
    "surveys.response_list": ("GET", "/surveys/{b_survey}/responses", DENIED),
    "surveys.export_csv": ("GET", "/surveys/{b_survey}/export.csv", DENIED),
    "surveys.publication": ("GET", "/surveys/{b_survey}/publication", DENIED),
    "surveys.publication_choose": ("POST", "/surveys/{b_survey}/publication", DENIED),
    "surveys.publication_free_text": (
        "POST", "/surveys/{b_survey}/publication/answers/{b_answer}/approve", DENIED),
    "surveys.publication_preview": ("GET", "/surveys/{b_survey}/publication/preview", DENIED),
    "surveys.publication_publish": ("POST", "/surveys/{b_survey}/publication/publish", DENIED),
    "surveys.publication_revoke": ("POST", "/surveys/{results_survey}/publication/revoke",
                                   DENIED),
    # Published results are public; B's answer to an unpublished survey is never among them.
    "results.show": ("GET", "/results/{results_survey}", SHARED),
    "results.report": ("GET", "/results/{results_survey}/report", SHARED),
    "results.results_csv": ("GET", "/results/{results_survey}/results.csv", SHARED),
    "results.results_json": ("GET", "/results/{results_survey}/results.json", SHARED),
    # Members read a nomination's contacts and objections (by design); the public does not.
    "cycles.nomination": ("GET", "/cycles/nominations/{b_nomination}", SHARED),
    "cycles.revocation": ("GET", "/cycles/revocations/{revocation}", SHARED),
    "cycles.election": ("GET", "/cycles/elections/{election}", SHARED),
    "cycles.nominate_candidate": ("POST", "/cycles/elections/{election}/candidates", SHARED),
    "cycles.answer_candidacy": (
        "POST", "/cycles/elections/{election}/candidates/{b_candidacy}/answer", DENIED),
    "cycles.open_election": ("POST", "/cycles/elections/{election}/open", DENIED),
    # Meetings are public pages; A may propose and +1 (as A), never run B's items or actions.
    "meetings.show": ("GET", "/meetings/{meeting}", SHARED),
    "meetings.minutes_md": ("GET", "/meetings/{published_meeting}/minutes.md", SHARED),
    "meetings.meeting_ics": ("GET", "/meetings/{meeting}/meeting.ics", SHARED),
    "meetings.propose": ("POST", "/meetings/{meeting}/agenda", SHARED),
    "meetings.endorse": ("POST", "/meetings/{meeting}/agenda/{b_meeting_item}/endorse", SHARED),
    "meetings.edit": ("POST", "/meetings/{meeting}/edit", DENIED),
    "meetings.cancel": ("POST", "/meetings/{meeting}/cancel", DENIED),
    "meetings.attendance": ("POST", "/meetings/{meeting}/attendance", DENIED),
    "meetings.minutes": ("POST", "/meetings/{meeting}/minutes", DENIED),
    "meetings.publish": ("POST", "/meetings/{meeting}/publish", DENIED),
    "meetings.add_action": ("POST", "/meetings/{meeting}/actions", DENIED),
    "meetings.sense": ("POST", "/meetings/{meeting}/agenda/{b_meeting_item}/sense", DENIED),
    "meetings.put": ("POST", "/meetings/{meeting}/agenda/{b_meeting_item}/ballot", DENIED),
    "meetings.move_item": ("POST", "/meetings/{meeting}/agenda/{b_meeting_item}/move/up", DENIED),
    "meetings.action_status": ("POST", "/meetings/{meeting}/actions/{b_action}/status", DENIED),
}

# Form data for SHARED posts, so they do something real (to A's own things).
POSTS = {"voting.vote": {"vote": "no"}, "surveys.proposal_endorse": {},
         "cycles.answer_candidacy": {"answer": "decline"}, "admin.representative_end":
         {"last_day": "2020-01-01"}, "tokens.revoke": {}, "admin.company_status":
         {"status": "withdrawn", "effective_on": "2020-06-01", "reason": "A says so"}}


def id_rules(app) -> dict[str, str]:
    """Return endpoint -> rule of every route with an integer converter."""
    return {r.endpoint: r.rule for r in app.url_map.iter_rules() if "<int:" in r.rule}


def test_every_id_route_is_classified(app):
    rules = id_rules(app)
    assert rules.keys() - SWEEP.keys() == set(), "classify the new id-bearing routes in SWEEP"
    assert SWEEP.keys() - rules.keys() == set(), "SWEEP lists routes that no longer exist"


def test_ids_beyond_a_database_integer_are_404(client, login, app, make_user):
    """A number no id column holds is refused on every id route, never a database error."""
    login(make_user(admin=True))
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        values = {name: 2**31 if type(conv).__name__ == "DatabaseIntConverter" else
                  next(iter(sorted(getattr(conv, "items", ["text"]))))
                  for name, conv in rule._converters.items()}
        method = "POST" if "POST" in (rule.methods or ()) else "GET"
        url = adapter.build(rule.endpoint, values, method=method)
        # 405 where a GET rule shares the address: Werkzeug tried it first (still no lookup).
        assert client.open(url, method=method).status_code in (404, 405), url


@pytest.fixture
def two_companies(app, make_company, make_rep, make_user, make_ballot):
    """The shared world (company A: AT&T) plus company B (Orange) with private things."""
    users, ids = build_world(app, make_company, make_rep, make_user, make_ballot)
    orange = make_company("Orange")
    b_user = make_rep(orange, make_user("Bea of Orange", email=B_EMAIL)).user
    consensus = make_ballot(Kind.CONSENSUS, title="Adopt the roadmap")
    motion = make_ballot(Kind.MOTION, title="Change the charter")
    secret = make_ballot(Kind.PLURALITY, ("Alpha", "Beta"), secrecy=Secrecy.SECRET,
                         title="Pick a venue")
    cast(consensus, b_user, {"response": "object", "reason": B_REASON})
    cast(motion, b_user, {"vote": "yes"})
    cast(secret, b_user, {"choice": "Beta"})
    survey = make_survey([(QuestionType.TEXT, "Anything else?", False, {})], title="Orange one")
    responses.save(survey, orange, b_user, 0, {survey.questions[0].id: B_ANSWER}, submit=True)
    token = ApiToken(user=b_user, name=B_TOKEN_NAME,
                     token_hash=hashlib.sha256(B_TOKEN.encode()).hexdigest())
    invitation = Invitation.create(orange, "invitee@orange.example", RepKind.ALTERNATE, None, 30)
    proposal = Proposal.suggest(db.session.get(type(survey), ids["proposed"]), orange, b_user,
                                QuestionType.TEXT, "Orange asks", "", False, {"max_length": 100})
    db.session.add(token)
    db.session.flush()
    proposal.endorse(orange, b_user)
    nomination = _b_nomination(orange, b_user)
    candidacy = ChairCandidacy(election_id=ids["election"], user=b_user, company=orange,
                               label="Bea of Orange (Orange)", nominated_by=b_user)
    db.session.add(candidacy)
    db.session.commit()
    answer = next(a for a in db.session.scalars(select(Answer)) if a.value == B_ANSWER)
    ids.update(b_company=orange.id, b_rep=b_user.representation().id, b_token=token.id,
               b_invitation=invitation.id, b_consensus=consensus.id, b_motion=motion.id,
               b_secret=secret.id, b_survey=survey.id, b_proposal=proposal.id,
               b_nomination=nomination.id, b_candidacy=candidacy.id, b_answer=answer.id)
    ids.update(b_meeting_ids(orange, b_user, ids))
    receipts = list(db.session.scalars(select(Vote.receipt).where(Vote.company_id == orange.id)))
    return users, ids, receipts


def _b_nomination(orange, b_user) -> Nomination:
    """Record B's nomination of a candidate company, with its consensus round open."""
    from core.member_rules import CompanyStatus

    now = clock.now()
    candidate = Company(name="Globex", slug="globex")
    db.session.add(candidate)
    candidate.change_status(CompanyStatus.CANDIDATE, now.date(), "test", None)
    round_ = Ballot(title="Admit Globex", kind=Kind.CONSENSUS, opens_at=now - timedelta(minutes=1),
                    closes_at=now + timedelta(days=1))
    db.session.add(round_)
    round_.open()
    nomination = Nomination(company=candidate, ballot=round_, nominated_by=b_user,
                            nominating_company=orange, operator_or_nsp=True, participates=True,
                            dedicated_ftes=8, upstream_ftes=2, contacts=["lee@globex.example"],
                            member_from=now.date() + timedelta(days=30), objections=[])
    db.session.add(nomination)
    return nomination


def b_state(ids: dict) -> dict:
    """Return everything of B's that A must never change."""
    votes = db.session.scalars(select(Vote).where(Vote.company_id == ids["b_company"])).all()
    token = db.session.get(ApiToken, ids["b_token"])
    candidacy = db.session.get(ChairCandidacy, ids["b_candidacy"])
    endorsements = db.session.scalars(select(Endorsement.company_id).where(
        Endorsement.proposal_id == ids["b_proposal"])).all()
    invitation = db.session.get(Invitation, ids["b_invitation"])
    return {"votes": sorted((v.ballot_id, str(v.choice), v.receipt, v.version) for v in votes),
            "token": token.revoked_at, "candidacy": (candidacy.accepted_at, candidacy.declined_at),
            "b_endorses": ids["b_company"] in endorsements, "invitation": invitation.revoked_at,
            "status": db.session.get(Company, ids["b_company"]).status,
            "rep_end": db.session.get(Representative, ids["b_rep"]).end_on}


@pytest.mark.parametrize("role", ["representative", "user"])
def test_company_a_cannot_reach_company_b(client, login, two_companies, role):
    users, ids, receipts = two_companies
    secrets = [*receipts, B_REASON, B_ANSWER, B_TOKEN, B_TOKEN_NAME, B_EMAIL]
    before = b_state(ids)
    failures = []
    for endpoint, (method, template, expected) in sorted(SWEEP.items()):
        login(users[role])
        url = template.format(**ids)
        counts = table_counts()
        if endpoint == "api.vote":
            resp = client.open(url, method=method, json={"choice": "Alpha"})
        else:
            resp = client.open(url, method=method, data=POSTS.get(endpoint, {}))
        body = resp.get_data(as_text=True)
        db.session.rollback()
        status = resp.status_code
        if status >= 500 or (role == "representative" and expected and status not in expected):
            failures.append(f"{method} {url}: {status}, expected {sorted(expected or [])}")
        if role == "user" and status < 400 and method == "GET" and \
                not url.startswith(("/results/", "/meetings/")):  # public pages
            failures.append(f"{method} {url}: a non-member got {status}")
        failures += [f"{method} {url} shows B's {s!r}" for s in secrets if s in body]
        if expected is DENIED and changed_tables(counts, table_counts()):
            failures.append(f"{method} {url} was refused but changed rows")
    assert failures == []
    assert b_state(ids) == before


def test_b_sees_its_own_private_data(client, login, two_companies):
    """The control: the pages above do show B's private data to B, so its absence means something."""
    _users, ids, receipts = two_companies
    b_user = db.session.get(Representative, ids["b_rep"]).user
    login(b_user)
    pages = {f"/ballots/{ids['b_consensus']}": [B_REASON],
             f"/api/v1/ballots/{ids['b_secret']}": receipts,
             f"/surveys/{ids['b_survey']}/answer": [B_ANSWER],
             "/account/tokens/": [B_TOKEN_NAME]}
    for url, shown in pages.items():
        body = client.get(url).get_data(as_text=True)
        assert any(s in body for s in shown), url
