"""New-member invitation through HTTP: the window, the criteria, consensus passes or fails."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from cycles_helpers import (
    AFTER_WINDOW,
    IN_WINDOW,
    audit_rows,
    count_and_publish,
    nomination_data,
    respond,
)
from sqlalchemy import func, select

from core import clock
from core.db import db
from core.member_rules import CompanyStatus
from core.members import Company, Invitation, RepKind
from cycles.models import Nomination, Resolution
from voting.models import Ballot


@pytest.fixture(autouse=True)
def _no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_outside_the_window_the_nomination_is_refused_with_the_next_opening(client, login,
                                                                            consortium):
    login(consortium["reps"]["NTT"])
    with clock.frozen(datetime(2027, 7, 2, tzinfo=UTC)):
        page = client.get("/cycles/nominations/new")
        assert page.status_code == 200
        assert "The next window opens on 1 June 2028" in page.get_data(as_text=True)
        resp = client.post("/cycles/nominations/new", data=nomination_data())
    assert resp.status_code == 409
    assert "The next window opens on 1 June 2028" in resp.get_data(as_text=True)
    assert count(Nomination) == 0 and count(Ballot) == 0


@pytest.mark.parametrize(
    ("change", "criterion"),
    [({"dedicated_ftes": "3"}, "needs at least 4 dedicated FTEs contributing to OpenStack (has 3)"),
     ({"upstream_ftes": "1"}, "needs at least 2 FTEs on upstream roadmap work (has 1)"),
     ({"operator_or_nsp": ""}, "must be a large operator and/or network service provider"),
     ({"participates": ""}, "must commit to participate equally in meetings and activities")],
)
def test_below_the_criteria_the_nomination_is_refused_naming_the_criterion(
        client, login, consortium, change, criterion):
    login(consortium["reps"]["NTT"])
    data = nomination_data(company_name="Tiny Telco", **change)
    data = {k: v for k, v in data.items() if v != ""}  # an unticked box is not sent
    with clock.frozen(IN_WINDOW):
        resp = client.post("/cycles/nominations/new", data=data)
    assert resp.status_code == 422 and criterion in resp.get_data(as_text=True)
    assert count(Nomination) == 0 and count(Ballot) == 0
    assert db.session.scalars(select(Company).where(Company.name == "Tiny Telco")).first() is None


@pytest.mark.parametrize(
    ("who", "change", "status", "message"),
    [("Comcast", {}, 403, "only a representative of a member company"),
     ("NTT", {"company_name": "Orange"}, 422, "Orange is already a member company"),
     ("NTT", {"contacts": "not an address"}, 422, "is not an e-mail address"),
     ("NTT", {"member_from": "2027-06-20"}, 422, "on or after 2027-07-01")],
)
def test_bad_nominations(client, login, consortium, who, change, status, message):
    login(consortium["reps"][who])
    with clock.frozen(IN_WINDOW):
        resp = client.post("/cycles/nominations/new", data=nomination_data(**change))
    assert resp.status_code == status and message in resp.get_data(as_text=True)
    assert count(Nomination) == 0


def test_consensus_admits_the_company_from_the_stated_date_and_invites_its_contacts(
        client, login, consortium):
    reps = consortium["reps"]
    login(reps["NTT"])
    with clock.frozen(IN_WINDOW):
        resp = client.post("/cycles/nominations/new", data=nomination_data())
        assert resp.status_code == 302
        nom = db.session.scalars(select(Nomination)).one()
        assert nom.ballot.phase().value == "open"
        assert {e.company.name for e in nom.ballot.electors} == {
            "AT&T", "NTT", "Orange", "Reliance Jio", "Walmart"}
        assert nom.ballot.closes_at == datetime(2027, 7, 1, tzinfo=UTC)  # the window's end
        login(reps["NTT"])
        assert client.post("/cycles/nominations/new", data=nomination_data()).status_code == 409
        for name in ("AT&T", "NTT", "Orange"):
            respond(client, login, reps[name], nom.ballot_id, response="support")
        respond(client, login, reps["Walmart"], nom.ballot_id, response="stand_aside")
    with clock.frozen(AFTER_WINDOW):
        count_and_publish(client, login, consortium["chair"], nom.ballot_id)
    comcast = consortium["candidate"]
    db.session.refresh(comcast)
    assert comcast.status_on(date(2027, 7, 14)) is CompanyStatus.CANDIDATE
    assert comcast.status_on(date(2027, 7, 15)) is CompanyStatus.MEMBER
    change = comcast.history[-1]
    assert f"ballot #{nom.ballot_id}" in change.reason and change.recorded_by == consortium["chair"]
    invitations = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
    assert [(i.email, i.kind, i.company_id) for i in invitations] == [
        ("dana@comcast.example", RepKind.REPRESENTATIVE, comcast.id),
        ("lee@comcast.example", RepKind.ALTERNATE, comcast.id)]
    assert nom.resolution is Resolution.APPLIED
    assert audit_rows("nomination.admit")[0].details["invitations"] == [
        "dana@comcast.example", "lee@comcast.example"]
    with clock.frozen(datetime(2027, 7, 15, 8, tzinfo=UTC)):
        assert "Comcast" in client.get("/members").get_data(as_text=True)


def test_an_objection_fails_the_round_and_keeps_the_reasons_for_members(client, login,
                                                                        consortium):
    reps = consortium["reps"]
    login(reps["Orange"])
    with clock.frozen(IN_WINDOW):
        resp = client.post("/cycles/nominations/new",
                           data=nomination_data(company_name="Deutsche Telekom",
                                                contacts="ops@telekom.example"))
        assert resp.status_code == 302
        telekom = db.session.scalars(select(Company).where(Company.name == "Deutsche Telekom")).one()
        assert telekom.status is CompanyStatus.CANDIDATE and telekom.slug == "deutsche-telekom"
        nom = db.session.scalars(select(Nomination)).one()
        for name in ("AT&T", "NTT", "Orange"):
            respond(client, login, reps[name], nom.ballot_id, response="support")
        respond(client, login, reps["Walmart"], nom.ballot_id, response="object",
                reason="Upstream staffing is not yet dedicated")
    with clock.frozen(AFTER_WINDOW):
        count_and_publish(client, login, consortium["chair"], nom.ballot_id)
        assert telekom.status is CompanyStatus.CANDIDATE
        assert nom.resolution is Resolution.REJECTED
        assert nom.objections == [{"company": "Walmart",
                                   "reason": "Upstream staffing is not yet dedicated"}]
        assert count(Invitation) == 0
        login(reps["NTT"])
        page = client.get(f"/cycles/nominations/{nom.id}").get_data(as_text=True)
        assert "Walmart: Upstream staffing is not yet dedicated" in page
        login(reps["Comcast"])  # a candidate's representative is not a member
        page = client.get(f"/cycles/nominations/{nom.id}").get_data(as_text=True)
        assert "Upstream staffing" not in page and "1 objection" in page
        login(None)  # the public decisions register counts the objection, names no one
        public = [client.get(url).get_data(as_text=True) for url in (
            "/decisions/", f"/decisions/{nom.ballot_id}", f"/decisions/{nom.ballot_id}/ballots.csv",
            f"/decisions/{nom.ballot_id}/outcome.json", "/decisions/feed.atom",
            "/api/v1/decisions")]
        for text in public:
            assert "Upstream staffing" not in text and "Walmart objected" not in text
        assert "1 objection (reasons are shown to members only)" in public[1]
        login(reps["NTT"])
        assert "Upstream staffing" in client.get(f"/decisions/{nom.ballot_id}").get_data(True)
        # the candidate keeps its record and may be nominated again next year
        login(reps["NTT"])
        with clock.frozen(datetime(2028, 6, 3, tzinfo=UTC)):
            again = client.post("/cycles/nominations/new",
                                data=nomination_data(company_name="deutsche telekom",
                                                     member_from="2028-07-01"))
        assert again.status_code == 302
        assert db.session.scalar(select(func.count()).select_from(Company)
                                 .where(Company.name == "Deutsche Telekom")) == 1
