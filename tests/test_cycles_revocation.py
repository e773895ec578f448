"""Revocation through HTTP: the company concerned neither votes nor counts; a pass revokes it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from cycles_helpers import count_and_publish, respond
from sqlalchemy import select

from core import clock
from core.db import db
from core.member_rules import CompanyStatus
from cycles.models import Resolution, RevocationProposal
from voting.outcome import Kind

START = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


def propose(client, login, user, company, **changes):
    login(user)
    data = {"company_id": str(company.id), "grounds": "Its upstream team was disbanded.",
            "closes_at": "2027-03-08T10:00", "effective_on": "2027-03-15"} | changes
    return client.post("/cycles/revocations/new", data=data)


def test_revocation_excludes_the_company_and_revokes_it_on_pass(client, login, consortium,
                                                               make_ballot):
    reps, walmart = consortium["reps"], consortium["companies"]["Walmart"]
    with clock.frozen(START):
        resp = propose(client, login, reps["NTT"], walmart)
        assert resp.status_code == 302
        rev = db.session.scalars(select(RevocationProposal)).one()
        ballot = rev.ballot
        assert ballot.kind is Kind.MOTION and ballot.threshold.value == "two_thirds"
        assert walmart.id not in ballot.elector_ids() and len(ballot.electors) == 4
        login(reps["Walmart"])  # the company concerned cannot vote on it
        refused = client.post(f"/ballots/{ballot.id}/vote", data={"vote": "no"})
        assert refused.status_code == 403 and "electorate" in refused.get_data(as_text=True)
        for name in ("AT&T", "NTT", "Orange"):
            respond(client, login, reps[name], ballot.id, vote="yes")
    with clock.frozen(START + timedelta(days=8)):
        count_and_publish(client, login, consortium["chair"], ballot.id)
    # the quorum base is the four other members: 3 of 4 responded, 3 yes of 3 cast
    assert ballot.outcome["counts"]["eligible"] == 4 and ballot.outcome["status"] == "passed"
    assert rev.resolution is Resolution.APPLIED
    assert walmart.status_on(date(2027, 3, 14)) is CompanyStatus.MEMBER
    assert walmart.status_on(date(2027, 3, 15)) is CompanyStatus.REVOKED
    assert f"ballot #{ballot.id}" in walmart.history[-1].reason
    walmart_rep = reps["Walmart"]
    assert walmart_rep.representation() is not None  # nothing is deleted
    with clock.frozen(datetime(2027, 3, 20, tzinfo=UTC)):
        later = make_ballot(Kind.MOTION)
        assert walmart.id not in later.elector_ids()  # no vote on ballots opened after the date
        login(walmart_rep)
        assert client.post(f"/ballots/{later.id}/vote", data={"vote": "yes"}).status_code == 403
        login(reps["NTT"])
        page = client.get(f"/cycles/revocations/{rev.id}").get_data(as_text=True)
        assert "membership revoked by board motion" in page


def test_a_failed_motion_keeps_the_membership(client, login, consortium):
    reps, orange = consortium["reps"], consortium["companies"]["Orange"]
    with clock.frozen(START):
        assert propose(client, login, reps["AT&T"], orange).status_code == 302
        rev = db.session.scalars(select(RevocationProposal)).one()
        respond(client, login, reps["AT&T"], rev.ballot_id, vote="yes")
        respond(client, login, reps["NTT"], rev.ballot_id, vote="no")
        respond(client, login, reps["Walmart"], rev.ballot_id, vote="no")
    with clock.frozen(START + timedelta(days=8)):
        count_and_publish(client, login, consortium["chair"], rev.ballot_id)
        assert rev.resolution is Resolution.REJECTED
        assert orange.status is CompanyStatus.MEMBER


@pytest.mark.parametrize(
    ("who", "target", "changes", "status", "message"),
    [("NTT", "NTT", {}, 422, "Not a valid choice"),  # the form offers only the other members
     ("Comcast", "NTT", {}, 403, "only a representative of a member company"),
     ("NTT", "Orange", {"effective_on": "2027-03-01"}, 422, "only after the vote closes"),
     ("NTT", "Orange", {"closes_at": "2027-02-01T10:00"}, 422, "close in the future"),
     ("NTT", "Orange", {"grounds": ""}, 422, "This field is required")],
)
def test_bad_revocation_proposals(client, login, consortium, who, target, changes, status,
                                  message):
    company = consortium["companies"][target]
    with clock.frozen(START):
        resp = propose(client, login, consortium["reps"][who], company, **changes)
    assert resp.status_code == status and message in resp.get_data(as_text=True)
    assert db.session.scalars(select(RevocationProposal)).first() is None


def test_a_second_revocation_of_the_same_company_waits_for_the_first(client, login, consortium):
    reps, orange = consortium["reps"], consortium["companies"]["Orange"]
    with clock.frozen(START):
        assert propose(client, login, reps["AT&T"], orange).status_code == 302
        resp = propose(client, login, reps["NTT"], orange)
    assert resp.status_code == 409 and "already under way" in resp.get_data(as_text=True)
