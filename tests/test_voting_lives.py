"""Property: random ballot lives through the model always publish a record that recounts to itself.

A life: a kind and its rules (secrecy, threshold, quorum, tie-break and its fallback, the
unranked reading, equal ranks, a chair who stands or a motion about the chair's company),
votes and changes of vote by the member companies, the close, the count, the chair's casting
vote or the lot, and publication. The public JSON and CSV records must recount, with the pure
rules alone, to the outcome that was published.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import clock
from core.db import db
from voting import actions, record_csv
from voting.models import Ballot, Option
from voting.outcome import Kind, Status
from voting.record import recount, verdict

OPTIONS = ["Alpha", "Beta", "Gamma", "Delta"]
TEXT = st.text(alphabet="ab =+-@,\"'\n;é", min_size=1, max_size=12).filter(str.strip)
LIVES = int(os.environ.get("CONCORD_LIVES", "30"))


def choice_of(kind: Kind, options: list[str], equal_ranks: bool) -> st.SearchStrategy:
    """Return a strategy of valid raw choices for a ballot of this kind."""
    if kind is Kind.CONSENSUS:
        return st.one_of(st.sampled_from([{"response": "support"},
                                          {"response": "stand_aside"}]),
                         TEXT.map(lambda r: {"response": "object", "reason": r}))
    if kind is Kind.MOTION:
        return st.sampled_from([{"vote": v} for v in ("yes", "no", "abstain")])
    if kind is Kind.PLURALITY:
        return st.sampled_from([*options, None]).map(lambda c: {"choice": c})
    if kind is Kind.APPROVAL:
        return st.lists(st.sampled_from(options), unique=True).map(lambda a: {"approve": a})
    ranks = st.integers(1, len(options))
    picked = st.lists(st.sampled_from(options), unique=True)
    if equal_ranks:
        return st.dictionaries(st.sampled_from(options), ranks).map(lambda r: {"ranks": r})
    return picked.map(lambda p: {"ranks": {o: i for i, o in enumerate(p, 1)}})


@st.composite
def lives(draw):
    """Draw the rules of a ballot and the votes cast on it (company index, choice)."""
    kind = draw(st.sampled_from(list(Kind)))
    options = OPTIONS[:draw(st.integers(2, 4))] if kind in (Kind.PLURALITY, Kind.APPROVAL,
                                                             Kind.RANKED) else []
    equal = draw(st.booleans())
    rules = {
        "kind": kind, "secrecy": draw(st.sampled_from(["open", "secret"])),
        "quorum": draw(st.sampled_from(["more than 1/2", "at least 2/3", "none"])),
        "threshold": draw(st.sampled_from(["simple_majority", "absolute_majority",
                                           "two_thirds", "unanimity"])),
        "tie_break": draw(st.sampled_from(["casting_vote", "status_quo", "lot"])),
        "tie_break_fallback": draw(st.sampled_from(["lot", "status_quo"])),
        "unranked": draw(st.sampled_from(["last", "abstain"])), "allow_equal_ranks": equal,
        "default_option": draw(st.sampled_from([None, *options])) if options else None,
    }
    conflict = draw(st.booleans())
    votes = draw(st.lists(st.tuples(st.integers(0, 4), choice_of(kind, options, equal)),
                          max_size=9))
    return rules, options, conflict, votes


@settings(max_examples=LIVES, deadline=None, derandomize="CONCORD_LIVES_RANDOM" not in os.environ,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(life=lives(), data=st.data())
def test_every_published_record_recounts_to_its_outcome(client, login, consortium, life, data):
    rules, options, conflict, votes = life
    reps, chair = list(consortium["reps"].values())[:5], consortium["chair"]
    start = clock.now().replace(microsecond=0) - timedelta(days=3)
    with clock.frozen(start):
        ballot = Ballot(title="Life", kind=rules.pop("kind"), opens_at=start,
                        closes_at=start + timedelta(days=1), **rules)
        ballot.options = [Option(position=i, label=o,
                                 user_id=chair.id if conflict and i == 1 else None)
                          for i, o in enumerate(options, 1)]
        if conflict and not options:
            ballot.subject_company_id = consortium["companies"]["AT&T"].id
        db.session.add(ballot)
        ballot.open()
        db.session.commit()
    for minute, (company, choice) in enumerate(votes, start=1):
        with clock.frozen(start + timedelta(minutes=minute)):
            actions.cast(ballot, reps[company], choice)
    with clock.frozen(ballot.closes_at + timedelta(seconds=1)):
        outcome = actions.decide_ballot(ballot)
        if outcome.status is Status.AWAITING_CASTING_VOTE:
            assert ballot.casting_voter_id == chair.id and not conflict
            actions.record_casting_vote(ballot, data.draw(st.sampled_from(outcome.tie.tied)),
                                        chair)
        actions.publish(ballot, "")
        db.session.commit()
    login(None)
    published = client.get(f"/decisions/{ballot.id}/record.json").get_json()
    as_csv = record_csv.read(client.get(f"/decisions/{ballot.id}/ballots.csv")
                             .get_data(as_text=True))
    for found in (published, as_csv):
        again = recount(json.loads(json.dumps(found)))
        assert again.agree, (again.published, again.recounted)
        assert again.recounted == verdict(ballot.outcome)
    if ballot.secrecy.value == "secret":
        assert "ballots" not in published and set(published["receipts"]) == {
            b.receipt for b in actions.counted_ballots(ballot)}
