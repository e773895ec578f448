"""The chair election through HTTP: nominations, acceptance, the vote, the term, powers on the date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from cycles_helpers import audit_rows, count_and_publish, respond
from sqlalchemy import select

from core import clock
from core.db import db
from core.member_rules import CompanyStatus
from core.members import ChairTerm
from cycles.models import ChairCandidacy, ChairElection, Resolution
from voting.outcome import Kind

CALLED = datetime(2027, 11, 1, 10, 0, tzinfo=UTC)
COUNTED = datetime(2027, 11, 16, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


def call_election(client, login, user, **changes) -> ChairElection:
    login(user)
    data = {"title": "Chair election 2028", "method": "ranked", "tie_break": "casting_vote",
            "secrecy": "secret", "closes_at": "2027-11-15T10:00", "term_starts_on": "2028-01-01"}
    resp = client.post("/cycles/elections/new", data=data | changes)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return db.session.scalars(select(ChairElection).order_by(ChairElection.id.desc())).first()


def rep_id(user) -> int:
    return user.representation().id


def nominate(client, login, by, candidate, election) -> int:
    login(by)
    return client.post(f"/cycles/elections/{election.id}/candidates",
                       data={"rep_id": str(rep_id(candidate))}).status_code


def stand(client, login, consortium, election, names) -> None:
    """Nominate each named company's representative (by NTT, unless done) and have them accept."""
    reps = consortium["reps"]
    for name in names:
        if all(c.user_id != reps[name].id for c in election.candidacies):
            assert nominate(client, login, reps["NTT"], reps[name], election) == 302
        candidacy = db.session.scalars(select(ChairCandidacy).where(
            ChairCandidacy.user_id == reps[name].id)).one()
        if candidacy.accepted_at is None:
            login(reps[name])
            resp = client.post(f"/cycles/elections/{election.id}/candidates/{candidacy.id}/answer",
                               data={"answer": "accept"})
            assert resp.status_code == 302


def open_vote(client, login, user, election) -> int:
    login(user)
    return client.post(f"/cycles/elections/{election.id}/open").status_code


def chair_page_status(client, login, user) -> int:
    login(user)
    return client.get("/ballots/new").status_code


def test_election_outcome_creates_the_term_and_moves_chair_powers_on_the_start_date(
        client, login, consortium):
    reps, chair = consortium["reps"], consortium["chair"]
    with clock.frozen(CALLED):
        election = call_election(client, login, chair)
        assert nominate(client, login, reps["Comcast"], reps["NTT"], election) == 403
        assert nominate(client, login, reps["NTT"], reps["Comcast"], election) == 422  # not offered
        assert nominate(client, login, reps["Walmart"], reps["Orange"], election) == 302
        assert open_vote(client, login, chair, election) == 409  # nobody accepted yet
        login(reps["NTT"])  # only the nominee answers
        orange = election.candidacies[0]
        assert client.post(f"/cycles/elections/{election.id}/candidates/{orange.id}/answer",
                           data={"answer": "accept"}).status_code == 403
        stand(client, login, consortium, election, ["Orange", "NTT"])
        assert [c.answer for c in election.candidacies] == ["accepted", "accepted"]
        assert open_vote(client, login, chair, election) == 302
        ballot = election.ballot
        assert ballot.kind is Kind.RANKED and [o.label for o in ballot.options] == [
            "Rep of Orange (Orange)", "Rep of NTT (NTT)"]
        assert nominate(client, login, reps["AT&T"], reps["Walmart"], election) == 409
        page = client.get(f"/cycles/elections/{election.id}").get_data(as_text=True)
        assert "The vote" in page and "Nominate a candidate" not in page
        first, second = "rank::Rep of Orange (Orange)", "rank::Rep of NTT (NTT)"
        for name, orange_rank in (("AT&T", "1"), ("Orange", "1"), ("Reliance Jio", "1"),
                                  ("NTT", "2"), ("Walmart", "2")):
            respond(client, login, reps[name], ballot.id,
                    **{first: orange_rank, second: "2" if orange_rank == "1" else "1"})
    with clock.frozen(COUNTED):
        count_and_publish(client, login, chair, ballot.id)
    term = election.chair_term
    assert election.resolution is Resolution.APPLIED
    assert (term.user, term.starts_on, term.ends_on) == (reps["Orange"], date(2028, 1, 1),
                                                         date(2029, 1, 1))
    outgoing = db.session.scalars(select(ChairTerm).where(ChairTerm.user_id == chair.id)).one()
    login(reps["NTT"])
    overview = " ".join(client.get("/cycles/").get_data(as_text=True).split())
    assert "Chair election 2028</a> — applied" in overview
    assert outgoing.ends_on == date(2028, 1, 1)  # the outgoing chair's powers end that day
    with clock.frozen(datetime(2027, 12, 31, 23, 59, tzinfo=UTC)):
        assert chair_page_status(client, login, chair) == 200
        assert chair_page_status(client, login, reps["Orange"]) == 403
    with clock.frozen(datetime(2028, 1, 1, 0, 0, tzinfo=UTC)):
        assert chair_page_status(client, login, chair) == 403
        assert chair_page_status(client, login, reps["Orange"]) == 200
        login(None)
        page = client.get("/chairs").get_data(as_text=True)
        assert "Rep of Orange (current)" in page and "Chair election 2028" in page
        assert "Rep of AT&amp;T" in page


def test_a_tie_goes_to_the_outgoing_chairs_casting_vote(client, login, consortium):
    reps, chair = consortium["reps"], consortium["chair"]
    with clock.frozen(CALLED):
        election = call_election(client, login, chair, method="plurality")
        stand(client, login, consortium, election, ["Orange", "Walmart"])
        assert open_vote(client, login, chair, election) == 302
        for name, choice in (("NTT", "Rep of Orange (Orange)"), ("Orange", "Rep of Orange (Orange)"),
                             ("Walmart", "Rep of Walmart (Walmart)"),
                             ("Reliance Jio", "Rep of Walmart (Walmart)")):
            respond(client, login, reps[name], election.ballot_id, choice=choice)
    with clock.frozen(COUNTED):
        count_and_publish(client, login, chair, election.ballot_id,
                          casting="Rep of Walmart (Walmart)")
    assert election.chair_term.user == reps["Walmart"]
    assert "casting vote (Rep of AT&T)" in election.ballot.outcome["summary"]


def test_a_winner_whose_company_is_no_longer_a_member_is_published_but_not_applied(
        client, login, consortium):
    reps, chair = consortium["reps"], consortium["chair"]
    with clock.frozen(CALLED):
        election = call_election(client, login, chair, method="plurality")
        stand(client, login, consortium, election, ["Orange", "Walmart"])
        assert open_vote(client, login, chair, election) == 302
        respond(client, login, reps["NTT"], election.ballot_id, choice="Rep of Orange (Orange)")
        respond(client, login, reps["AT&T"], election.ballot_id, choice="Rep of Orange (Orange)")
        respond(client, login, reps["Orange"], election.ballot_id, choice="Rep of Orange (Orange)")
        consortium["companies"]["Orange"].change_status(CompanyStatus.WITHDRAWN, date(2027, 12, 1),
                                                        "left the consortium", None)
        db.session.commit()
    with clock.frozen(COUNTED):
        count_and_publish(client, login, chair, election.ballot_id)
        page = client.get(f"/ballots/{election.ballot_id}").get_data(as_text=True)
    assert election.resolution is Resolution.NOT_APPLIED
    assert "Orange is not a member on 2028-01-01" in election.resolution_note
    assert "the register refused the change" in page
    assert election.ballot.stage.value == "published"
    terms = db.session.scalars(select(ChairTerm)).all()
    assert [(t.user, t.ends_on) for t in terms] == [(chair, date(2099, 1, 1))]  # untouched


def test_an_administrator_acts_for_the_chair_when_no_term_is_current(client, login, consortium,
                                                                    make_ballot):
    chair, admin = consortium["chair"], consortium["admin"]
    with clock.frozen(datetime(2099, 3, 1, 10, tzinfo=UTC)):  # the chair's term ended 1 Jan 2099
        assert chair_page_status(client, login, chair) == 403
        call_election(client, login, admin, closes_at="2099-03-15T10:00",
                      term_starts_on="2099-04-01")
        assert audit_rows("chair_election.create")[0].details["acting_for_chair"] is True
        draft = make_ballot(Kind.MOTION, draft=True)
        login(admin)
        assert client.post(f"/ballots/{draft.id}/open").status_code == 302
        stand_in = audit_rows("chair.stand_in")
        assert [(e.details["act"], e.details["acting_for_chair"], e.actor_id) for e in stand_in] \
            == [("voting.open_ballot", True, admin.id)]
    with clock.frozen(datetime(2027, 3, 1, tzinfo=UTC)):  # a chair is current: no stand-in row
        draft = make_ballot(Kind.MOTION, draft=True)
        login(chair)
        assert client.post(f"/ballots/{draft.id}/open").status_code == 302
        assert len(audit_rows("chair.stand_in")) == 1


def test_election_refusals(client, login, consortium):
    chair = consortium["chair"]
    with clock.frozen(CALLED):
        login(chair)
        base = {"title": "T", "method": "ranked", "tie_break": "casting_vote", "secrecy": "secret"}
        late = client.post("/cycles/elections/new", data=base | {
            "closes_at": "2027-10-01T10:00", "term_starts_on": "2028-01-01"})
        assert late.status_code == 422 and "close in the future" in late.get_data(as_text=True)
        early = client.post("/cycles/elections/new", data=base | {
            "closes_at": "2027-11-15T10:00", "term_starts_on": "2027-11-10"})
        assert early.status_code == 422 and "once the vote has closed" in early.get_data(True)
        call_election(client, login, chair)
        login(chair)
        second = client.post("/cycles/elections/new", data=base | {
            "closes_at": "2027-11-15T10:00", "term_starts_on": "2028-01-01"})
        assert second.status_code == 409 and "already under way" in second.get_data(True)
    with clock.frozen(datetime(2027, 11, 20, tzinfo=UTC)):  # never opened and past its close
        call_election(client, login, chair, closes_at="2027-12-01T10:00")  # so a new one may start
