"""Voting guarantees in the model and the database: frozen rules, the window, conflicts, one vote called."""

from __future__ import annotations

from datetime import timedelta

import pytest
from clock_helpers import just_after_close
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core import clock
from core.db import db
from core.member_rules import CompanyStatus
from voting import actions
from voting.errors import NotEntitled, WrongPhase
from voting.models import Ballot, Option
from voting.outcome import Kind
from voting.tiebreak import TieBreak


@pytest.fixture(autouse=True)
def _no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


def refused_by_database(sql: str, **params) -> None:
    """Run one statement in its own transaction and require the database to refuse it."""
    with pytest.raises(DBAPIError), db.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_a_ballot_opens_now_with_todays_members_never_in_the_past(consortium, make_ballot):
    companies, today = consortium["companies"], clock.today()
    companies["NTT"].change_status(CompanyStatus.REVOKED, today - timedelta(days=1), "test", None)
    consortium["candidate"].change_status(CompanyStatus.MEMBER, today, "admitted", None)
    db.session.commit()
    ballot = make_ballot(Kind.MOTION, draft=True)
    ballot.opens_at = clock.now() - timedelta(days=3)  # a draft may say anything...
    before = clock.now()
    ballot.open()
    db.session.commit()
    assert ballot.opens_at >= before and ballot.opens_at == ballot.opened_at  # ...it opens now
    names = {e.company.name for e in ballot.electors}
    assert "Comcast" in names and "NTT" not in names
    refused_by_database("UPDATE ballot SET opens_at = opened_at - interval '1 day' WHERE id = :i"
                        if db.engine.dialect.name == "postgresql" else
                        "UPDATE ballot SET opens_at = '2000-01-01 00:00:00.000000' WHERE id = :i",
                        i=ballot.id)


@pytest.mark.parametrize(("attribute", "value"), [
    ("threshold", "unanimity"), ("tie_break", "lot"), ("secrecy", "secret"), ("kind", "ranked"),
    ("quorum", "none"), ("tie_break_fallback", "status_quo"), ("unranked", "abstain"),
    ("allow_equal_ranks", False), ("default_option", "x"), ("casting_voter_id", None)])
def test_the_model_refuses_to_change_the_rules_of_an_open_ballot(consortium, make_ballot,
                                                                 attribute, value):
    ballot = make_ballot(Kind.MOTION, tie_break="casting_vote")
    with pytest.raises(WrongPhase, match="fixed when it opened"):
        setattr(ballot, attribute, value)


@pytest.mark.parametrize("sql", [
    "UPDATE ballot SET threshold = 'unanimity' WHERE id = :i",
    "UPDATE ballot SET quorum_numerator = 0 WHERE id = :i",
    "UPDATE ballot SET tie_break = 'casting_vote' WHERE id = :i",
    "UPDATE ballot SET secrecy = 'secret' WHERE id = :i",
    "UPDATE ballot SET lot_commitment = 'x' WHERE id = :i",
    "UPDATE ballot SET stage = 'draft' WHERE id = :i",
    "DELETE FROM ballot_elector WHERE ballot_id = :i",
    "INSERT INTO ballot_elector (ballot_id, company_id) SELECT :i, id FROM company "
    "WHERE name = 'Comcast'",
    "UPDATE ballot_option SET label = 'Gamma' WHERE ballot_id = :i",
    "INSERT INTO ballot_option (ballot_id, position, label) VALUES (:i, 9, 'Late')",
    "DELETE FROM ballot WHERE id = :i",
])
def test_the_database_refuses_to_change_an_open_ballot(consortium, make_ballot, sql):
    ballot = make_ballot(Kind.PLURALITY, ("Alpha", "Beta"))
    refused_by_database(sql, i=ballot.id)


def test_quorum_is_a_checked_fraction_and_a_published_outcome_is_fixed(consortium, make_ballot,
                                                                      travel):
    draft = make_ballot(Kind.MOTION, draft=True)
    refused_by_database("UPDATE ballot SET quorum_numerator = 3, quorum_denominator = 2 "
                        "WHERE id = :i", i=draft.id)
    refused_by_database("UPDATE ballot SET quorum_numerator = 1, quorum_denominator = 1, "
                        "quorum_strict = :t WHERE id = :i", i=draft.id, t=True)
    ballot = make_ballot(Kind.MOTION)
    actions.cast(ballot, consortium["reps"]["NTT"], {"vote": "yes"})
    travel(just_after_close(ballot))
    actions.decide_ballot(ballot)
    actions.publish(ballot, "")
    db.session.commit()
    refused_by_database("UPDATE ballot SET outcome = NULL WHERE id = :i", i=ballot.id)
    refused_by_database("UPDATE ballot SET stage = 'decided' WHERE id = :i", i=ballot.id)
    refused_by_database("UPDATE vote SET choice = :c WHERE ballot_id = :i", i=ballot.id,
                        c='{"vote": "no"}')


def test_the_database_refuses_a_vote_stamped_after_the_close(consortium, make_ballot):
    ballot = make_ballot(Kind.MOTION)
    actions.cast(ballot, consortium["reps"]["NTT"], {"vote": "yes"})
    late = ballot.closes_at + timedelta(microseconds=1)
    on_time = ballot.closes_at - timedelta(seconds=1)
    stamp = "UPDATE vote SET cast_at = :t WHERE ballot_id = :i"
    refused_by_database(stamp, t=late, i=ballot.id)
    refused_by_database(stamp, t=ballot.closes_at, i=ballot.id)  # the close itself is late
    with db.engine.begin() as conn:
        conn.execute(text(stamp), {"t": on_time, "i": ballot.id})


def _tied_ranked(consortium, make_ballot, **settings) -> Ballot:
    """Draft a ranked ballot between the chair and another candidate, casting-vote rule."""
    chair, other = consortium["chair"], consortium["reps"]["NTT"]
    ballot = make_ballot(Kind.RANKED, draft=True, tie_break="casting_vote", **settings)
    ballot.options = [Option(position=1, label="Carol (AT&T)", user_id=chair.id),
                      Option(position=2, label="Naoko (NTT)", user_id=other.id)]
    db.session.commit()
    return ballot


def test_a_chair_who_is_a_candidate_does_not_break_the_tie(client, login, consortium,
                                                           make_ballot, travel):
    ballot = _tied_ranked(consortium, make_ballot)
    login(consortium["chair"])
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "the chair is a candidate" in page and "lot" in page  # said before opening
    assert client.post(f"/ballots/{ballot.id}/open").status_code == 302
    assert ballot.casting_voter_id is None and ballot.spec().tie_break is TieBreak.LOT
    reps = consortium["reps"]
    actions.cast(ballot, reps["AT&T"], {"ranks": {"Carol (AT&T)": 1}})
    actions.cast(ballot, reps["NTT"], {"ranks": {"Naoko (NTT)": 1}})
    actions.cast(ballot, reps["Orange"], {"ranks": {}})
    travel(just_after_close(ballot))
    outcome = actions.decide_ballot(ballot)
    assert outcome.tie.rule is TieBreak.LOT and outcome.tie.chosen is not None
    with pytest.raises(WrongPhase):
        actions.record_casting_vote(ballot, "Carol (AT&T)", consortium["chair"])


def test_no_casting_vote_on_a_motion_about_the_chairs_company(consortium, make_ballot):
    att = consortium["companies"]["AT&T"]
    ballot = make_ballot(Kind.MOTION, tie_break="casting_vote", tie_break_fallback="status_quo",
                         subject_company_id=att.id)
    plan = ballot.tie_break_plan()
    assert plan.rule is TieBreak.STATUS_QUO and "concerns the chair's own company" in plan.note


def test_an_administrator_never_casts_the_casting_vote(client, login, consortium, make_ballot,
                                                       travel):
    ballot = make_ballot(Kind.MOTION, tie_break="casting_vote")
    assert ballot.casting_voter_id == consortium["chair"].id
    actions.cast(ballot, consortium["reps"]["NTT"], {"vote": "yes"})
    actions.cast(ballot, consortium["reps"]["Orange"], {"vote": "no"})
    actions.cast(ballot, consortium["reps"]["Walmart"], {"vote": "abstain"})
    travel(just_after_close(ballot))
    actions.decide_ballot(ballot)
    db.session.commit()
    assert ballot.outcome["status"] == "awaiting_casting_vote"
    login(consortium["admin"])
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "Record casting vote" not in page and "No one else may cast it" in page
    resp = client.post(f"/ballots/{ballot.id}/casting-vote", data={"choice": "yes"})
    assert resp.status_code == 403 and ballot.outcome["status"] == "awaiting_casting_vote"
    with pytest.raises(NotEntitled):
        actions.record_casting_vote(ballot, "yes", consortium["admin"])
    login(consortium["chair"])
    assert client.post(f"/ballots/{ballot.id}/casting-vote",
                       data={"choice": "no"}).status_code == 302
    assert ballot.outcome["tie"]["chair"] == str(consortium["chair"])


def test_without_a_chair_a_casting_vote_rule_falls_to_lot_and_says_so(client, login, consortium,
                                                                      make_ballot, travel):
    travel(clock.now().replace(year=2100))  # after the consortium chair's term
    ballot = make_ballot(Kind.MOTION, draft=True, tie_break="casting_vote")
    login(consortium["admin"])
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "no chair is in office" in page
    ballot.open()
    db.session.commit()
    assert ballot.tie_break_plan().rule is TieBreak.LOT and ballot.casting_voter_id is None


def test_one_called_vote_per_failed_round(client, login, consortium, make_ballot, travel):
    round_ = make_ballot(Kind.CONSENSUS)
    actions.cast(round_, consortium["reps"]["NTT"], {"response": "object", "reason": "No."})
    travel(just_after_close(round_))
    actions.decide_ballot(round_)
    db.session.commit()
    login(consortium["chair"])
    assert client.post(f"/ballots/{round_.id}/call-vote").status_code == 302
    second = client.post(f"/ballots/{round_.id}/call-vote")
    assert second.status_code == 409 and "already called" in second.get_data(as_text=True)
    first = actions.called_vote(round_)
    refused = client.post(f"/ballots/{first.id}/withdraw", data={"reason": ""})
    assert refused.status_code == 422 and first.withdrawn_at is None
    assert client.post(f"/ballots/{first.id}/withdraw",
                       data={"reason": "Wrong wording"}).status_code == 302
    assert first.phase().value == "withdrawn"
    assert client.post(f"/ballots/{round_.id}/call-vote").status_code == 302
    assert actions.called_vote(round_).id != first.id
    refused_by_database("INSERT INTO ballot (title, text, kind, stage, secrecy, quorum_numerator,"
                        " quorum_denominator, quorum_strict, threshold, tie_break,"
                        " tie_break_fallback, tie_break_note, unranked, allow_equal_ranks,"
                        " opens_at, closes_at, parent_id, created_at, statement) SELECT title,"
                        " text, kind, stage, secrecy, quorum_numerator, quorum_denominator,"
                        " quorum_strict, threshold, tie_break, tie_break_fallback, tie_break_note,"
                        " unranked, allow_equal_ranks, opens_at, closes_at, parent_id, created_at,"
                        " statement FROM ballot WHERE parent_id = :i AND withdrawn_at IS NULL",
                        i=round_.id)


def test_the_threshold_is_a_checked_value(consortium, make_ballot):
    draft = make_ballot(Kind.MOTION, draft=True)
    refused_by_database("UPDATE ballot SET threshold = 'most' WHERE id = :i", i=draft.id)
