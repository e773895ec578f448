"""Pure decisions: every threshold under every tie-break, who may break a tie, records that recount."""

from __future__ import annotations

import json

import pytest

from voting import record, record_csv
from voting.ballot_rules import BallotSpec, Secrecy
from voting.count import CastBallot, decide, tally
from voting.outcome import Kind, Status
from voting.rules import Quorum, Threshold, motion
from voting.tiebreak import (
    TieBreak,
    TieBreakPlan,
    apply_casting_vote,
    commitment,
    conflict_of_interest,
    lot_seed,
    plan_tie_break,
)

SEED = "f" * 64
# yes, no, abstain, eligible, quorum, threshold -> tied?, passes without a tie-break?
EDGES = [
    (0, 0, 0, 5, "none", Threshold.SIMPLE_MAJORITY, False, False),  # no votes
    (0, 0, 5, 5, "none", Threshold.SIMPLE_MAJORITY, False, False),  # everyone abstains
    (2, 2, 1, 5, "more than 1/2", Threshold.SIMPLE_MAJORITY, True, False),
    (3, 2, 0, 6, "at least 5/6", Threshold.SIMPLE_MAJORITY, False, True),  # quorum met exactly
    (3, 2, 0, 7, "at least 5/6", Threshold.SIMPLE_MAJORITY, False, False),  # one short
    (3, 0, 0, 6, "none", Threshold.ABSOLUTE_MAJORITY, False, False),  # half of eligible: no tie
    (3, 3, 0, 6, "none", Threshold.ABSOLUTE_MAJORITY, True, False),
    (2, 2, 0, 6, "none", Threshold.ABSOLUTE_MAJORITY, False, False),  # tie below half: fails
    (4, 0, 2, 6, "none", Threshold.ABSOLUTE_MAJORITY, False, True),
    (1, 1, 0, 2, "none", Threshold.TWO_THIRDS, False, False),  # a tie is below two-thirds
    (2, 1, 0, 3, "none", Threshold.TWO_THIRDS, False, True),  # exactly two-thirds passes
    (2, 2, 0, 4, "none", Threshold.UNANIMITY, False, False),
    (3, 0, 2, 5, "none", Threshold.UNANIMITY, False, True),
]


@pytest.mark.parametrize("rule", list(TieBreak))
@pytest.mark.parametrize(("yes", "no", "abstain", "eligible", "quorum", "threshold", "tied",
                          "passes"), EDGES)
def test_every_threshold_under_every_tie_break(rule, yes, no, abstain, eligible, quorum,
                                               threshold, tied, passes):
    votes = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    outcome = motion(votes, eligible, threshold=threshold, quorum=Quorum.parse(quorum),
                     tie_break=rule, seed=SEED)
    assert (outcome.tie is not None) is tied
    if not tied:
        assert outcome.status is (Status.PASSED if passes else Status.FAILED)
        return
    if rule is TieBreak.STATUS_QUO:
        assert outcome.status is Status.FAILED and outcome.tie.chosen == "no"
    elif rule is TieBreak.LOT:
        assert outcome.tie.chosen == outcome.tie.draw[0]
        assert outcome.status is (Status.PASSED if outcome.tie.chosen == "yes" else Status.FAILED)
    else:
        assert outcome.status is Status.AWAITING_CASTING_VOTE
        settled = apply_casting_vote(outcome, "yes", "Carol Chen")
        assert settled.status is Status.PASSED and "Carol Chen" in settled.summary


@pytest.mark.parametrize(
    ("chosen", "fallback", "chair", "conflict", "rule", "caster", "note"),
    [
        ("casting_vote", "lot", "Carol", "", TieBreak.CASTING_VOTE, "Carol", ""),
        ("casting_vote", "lot", None, "", TieBreak.LOT, None, "no chair is in office"),
        ("casting_vote", "status_quo", "Carol", "the chair is a candidate",
         TieBreak.STATUS_QUO, None, "the chair is a candidate (Carol)"),
        ("casting_vote", "lot", "Carol", "the motion concerns the chair's own company",
         TieBreak.LOT, None, "the motion concerns the chair's own company (Carol)"),
        ("lot", "lot", "Carol", "the chair is a candidate", TieBreak.LOT, None, ""),
        ("status_quo", "lot", None, "", TieBreak.STATUS_QUO, None, ""),
    ],
)
def test_no_one_breaks_a_tie_in_their_own_cause(chosen, fallback, chair, conflict, rule, caster,
                                                note):
    plan = plan_tie_break(chosen, fallback, chair, conflict)
    assert (plan.rule, plan.casting_voter, plan.note) == (rule, caster, note)
    if note:
        assert note in plan.describe()


def test_a_casting_vote_is_never_a_fallback():
    with pytest.raises(ValueError, match="lot or status quo"):
        plan_tie_break("casting_vote", "casting_vote", None)


@pytest.mark.parametrize(
    ("candidates", "subject", "expected"),
    [({7, 8}, None, "the chair is a candidate"), ({8}, 3, "the motion concerns the chair's own "
     "company"), ({8}, 4, ""), (set(), None, "")])
def test_conflicts_of_interest(candidates, subject, expected):
    assert conflict_of_interest(7, 3, candidates, subject) == expected


def _record(spec: BallotSpec, secrecy: Secrecy, ballots, eligible=None, plan=None, casting=None,
            secret_lot=None, private=False):
    eligible = eligible or len(ballots)
    plan = plan or TieBreakPlan(spec.tie_break, spec.tie_break,
                                "Carol" if spec.tie_break is TieBreak.CASTING_VOTE else None)
    seed = lot_seed(secret_lot, [b.receipt for b in ballots]) if secret_lot else None
    outcome = decide(spec, tally(spec, ballots, secrecy is Secrecy.SECRET), eligible, seed)
    if casting:
        outcome = apply_casting_vote(outcome, casting, "Carol")
    lot = {"commitment": commitment(secret_lot), "secret": secret_lot} if secret_lot else None
    return record.build(ballot={"id": 1, "title": "T", "url": "u"}, spec=spec, secrecy=secrecy,
                        eligible=eligible, plan=plan, ballots=ballots,
                        outcome=outcome.to_dict(), lot=lot, private_reasons=private)


def _ballots(*choices, companies=("Acme Telco", "Bolt Cloud", "Core Net")):
    return [CastBallot(f"R{i}", c, companies[i]) for i, c in enumerate(choices)]


RECORDS = {
    "tied motion, casting vote": (BallotSpec(Kind.MOTION, tie_break=TieBreak.CASTING_VOTE),
                                  _ballots({"vote": "yes"}, {"vote": "no"}), "yes", None),
    "tied motion, lot": (BallotSpec(Kind.MOTION, tie_break=TieBreak.LOT),
                         _ballots({"vote": "yes"}, {"vote": "no"}, {"vote": "abstain"}), None,
                         "s3cret"),
    "consensus": (BallotSpec(Kind.CONSENSUS), _ballots(
        {"response": "support", "reason": ""}, {"response": "object", "reason": "=cmd|' /C calc"},
        {"response": "stand_aside", "reason": ""}), None, None),
    "approval": (BallotSpec(Kind.APPROVAL, ("A", "B")), _ballots(
        {"approve": ["A", "B"]}, {"approve": ["B"]}, {"approve": []}), None, None),
    "plurality tie, lot": (BallotSpec(Kind.PLURALITY, ("A", "B"), tie_break=TieBreak.LOT),
                           _ballots({"choice": "A"}, {"choice": "B"}, {"choice": None}), None,
                           "lot"),
    "ranked tie, casting": (BallotSpec(Kind.RANKED, ("A", "B", "C"),
                                       tie_break=TieBreak.CASTING_VOTE), _ballots(
        {"ranks": {"A": 1, "B": 2}}, {"ranks": {"B": 1, "A": 2}}, {"ranks": {"C": 1}}), "B",
        None),
}


@pytest.mark.parametrize("secrecy", list(Secrecy))
@pytest.mark.parametrize("name", list(RECORDS))
def test_records_recount_to_the_published_outcome_from_json_and_csv(name, secrecy):
    spec, ballots, casting, secret_lot = RECORDS[name]
    built = _record(spec, secrecy, ballots, casting=casting, secret_lot=secret_lot)
    assert ("ballots" in built) is (secrecy is Secrecy.OPEN)
    if secrecy is Secrecy.SECRET:  # counts only: no choice, no company, only receipts
        assert "ballots" not in built and built["receipts"] == sorted(b.receipt for b in ballots)
        assert not any(b.company in json.dumps(built["tally"]) for b in ballots)
    for copy in (json.loads(json.dumps(built)), record_csv.read(record_csv.write(built))):
        again = record.recount(copy)
        assert again.agree, (again.published, again.recounted)
        assert again.recounted["status"] == built["outcome"]["status"]


def test_a_tampered_record_disagrees():
    spec, ballots, casting, _ = RECORDS["tied motion, casting vote"]
    built = _record(spec, Secrecy.OPEN, ballots, casting=casting)
    built["casting_vote"]["choice"] = "no"  # the casting vote no longer matches the outcome
    assert not record.recount(built).agree
    built = _record(spec, Secrecy.OPEN, ballots, casting=casting)
    built["ballots"][1]["choice"]["vote"] = "yes"  # a ballot changed after publication
    assert not record.recount(built).agree


def test_a_lot_secret_must_match_its_commitment():
    spec, ballots, _, secret_lot = RECORDS["tied motion, lot"]
    built = _record(spec, Secrecy.OPEN, ballots, secret_lot=secret_lot)
    built["lot"]["secret"] = "another secret"
    with pytest.raises(record.RecordError, match="does not match the commitment"):
        record.recount(built)
    built["lot"]["secret"] = None
    with pytest.raises(record.RecordError, match="not revealed"):
        record.recount(built)


def test_private_reasons_are_withheld_but_the_round_still_recounts():
    spec, ballots, _, _ = RECORDS["consensus"]
    built = _record(spec, Secrecy.OPEN, ballots, private=True)
    text = json.dumps(built) + record_csv.write(built)
    assert "calc" not in text and "A objected" not in text
    assert "1 objection (reasons are shown to members only)" in built["outcome"]["summary"]
    assert record.recount(record_csv.read(record_csv.write(built))).agree


@pytest.mark.parametrize("broken", ["", "# format: \"other/1\"\nx\n", "# rules: {\nx",
                                    "# format: \"concord-decision/1\"\n# rules: []\n"])
def test_unreadable_records_are_refused_with_a_reason(broken):
    with pytest.raises(record.RecordError):
        record_csv.read(broken)
