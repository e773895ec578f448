"""Table tests for the pure decision rules: quorum, consensus, motion thresholds, tie-breaks."""

from __future__ import annotations

import copy
import hashlib
import json
import pickle
from fractions import Fraction

import pytest

from voting.outcome import Kind, Status
from voting.rules import (
    DEFAULT_QUORUM,
    NO_QUORUM,
    ConsensusResponse,
    Quorum,
    Threshold,
    consensus,
    motion,
)
from voting.tiebreak import TieBreak, apply_casting_vote, draw_lots

AT_LEAST_TWO_THIRDS = Quorum(Fraction(2, 3), strict=False)


def votes(yes: int, no: int, abstain: int) -> list[str]:
    """Return a list of motion votes."""
    return ["yes"] * yes + ["no"] * no + ["abstain"] * abstain


@pytest.mark.parametrize(
    ("quorum", "responded", "eligible", "met", "needed"),
    [
        (DEFAULT_QUORUM, 4, 7, True, 4),
        (DEFAULT_QUORUM, 3, 7, False, 4),
        (DEFAULT_QUORUM, 3, 6, False, 4),  # exactly half is not more than half
        (DEFAULT_QUORUM, 4, 6, True, 4),
        (DEFAULT_QUORUM, 1, 1, True, 1),  # a single eligible company
        (DEFAULT_QUORUM, 0, 5, False, 3),
        (AT_LEAST_TWO_THIRDS, 4, 6, True, 4),  # exactly 2/3 is at least 2/3
        (AT_LEAST_TWO_THIRDS, 3, 6, False, 4),
        (AT_LEAST_TWO_THIRDS, 5, 7, True, 5),
        (AT_LEAST_TWO_THIRDS, 4, 7, False, 5),
        (NO_QUORUM, 0, 5, True, 0),
        (Quorum(Fraction(1), strict=False), 5, 5, True, 5),
        (Quorum(Fraction(1), strict=False), 4, 5, False, 5),
    ],
)
def test_quorum(quorum: Quorum, responded: int, eligible: int, met: bool, needed: int) -> None:
    assert quorum.met(responded, eligible) is met
    assert quorum.needed(eligible) == needed
    assert quorum.met(needed, eligible)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("more than 1/2", Quorum()),
        ("at least 2/3", AT_LEAST_TWO_THIRDS),
        ("At least 1", Quorum(Fraction(1), strict=False)),
        ("none", NO_QUORUM),
    ],
)
def test_quorum_parse(text: str, expected: Quorum) -> None:
    assert Quorum.parse(text) == expected


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: Quorum(0.5), TypeError),  # floats are refused: 0.66 is not 2/3
        (lambda: Quorum(Fraction(3, 2)), ValueError),
        (lambda: Quorum(Fraction(1), strict=True), ValueError),  # more than all: impossible
        (lambda: Quorum(Fraction(-1, 2), strict=False), ValueError),
        (lambda: Quorum.parse("half"), ValueError),
    ],
)
def test_quorum_refuses(make, error) -> None:
    with pytest.raises(error):
        make()


@pytest.mark.parametrize(
    ("threshold", "yes", "no", "abstain", "eligible", "status", "needed"),
    [
        (Threshold.SIMPLE_MAJORITY, 4, 1, 1, 6, Status.PASSED, 3),
        (Threshold.SIMPLE_MAJORITY, 3, 2, 0, 5, Status.PASSED, 3),
        (Threshold.SIMPLE_MAJORITY, 2, 3, 1, 6, Status.FAILED, 3),
        (Threshold.SIMPLE_MAJORITY, 1, 0, 5, 6, Status.PASSED, 1),  # abstentions are not counted
        (Threshold.SIMPLE_MAJORITY, 0, 0, 6, 6, Status.FAILED, 1),  # all abstain
        (Threshold.SIMPLE_MAJORITY, 1, 0, 0, 1, Status.PASSED, 1),  # a single voter, yes
        (Threshold.SIMPLE_MAJORITY, 0, 1, 0, 1, Status.FAILED, 1),  # a single voter, no
        (Threshold.ABSOLUTE_MAJORITY, 4, 0, 2, 6, Status.PASSED, 4),
        (Threshold.ABSOLUTE_MAJORITY, 4, 1, 1, 6, Status.PASSED, 4),
        (Threshold.ABSOLUTE_MAJORITY, 3, 0, 4, 7, Status.FAILED, 4),  # 3 of 7 eligible
        (Threshold.ABSOLUTE_MAJORITY, 3, 2, 0, 5, Status.PASSED, 3),  # Helios' 3 of 5 must win
        (Threshold.TWO_THIRDS, 2, 1, 0, 3, Status.PASSED, 2),  # exactly 2/3 passes
        (Threshold.TWO_THIRDS, 4, 2, 1, 7, Status.PASSED, 4),
        (Threshold.TWO_THIRDS, 3, 2, 0, 5, Status.FAILED, 4),  # 3/5 < 2/3
        (Threshold.TWO_THIRDS, 6, 4, 0, 10, Status.FAILED, 7),  # 18 < 20
        (Threshold.TWO_THIRDS, 7, 3, 0, 10, Status.PASSED, 7),
        (Threshold.TWO_THIRDS, 1, 1, 0, 2, Status.FAILED, 2),  # half is no tie under 2/3
        (Threshold.UNANIMITY, 5, 0, 2, 7, Status.PASSED, 5),
        (Threshold.UNANIMITY, 5, 1, 0, 6, Status.FAILED, 6),
        (Threshold.UNANIMITY, 0, 0, 3, 3, Status.FAILED, 1),  # all abstain: no yes, no pass
        (Threshold.UNANIMITY, 1, 0, 0, 1, Status.PASSED, 1),
    ],
)
def test_motion_thresholds(threshold, yes, no, abstain, eligible, status, needed) -> None:
    outcome = motion(votes(yes, no, abstain), eligible, threshold=threshold)
    assert outcome.status is status
    assert outcome.counts["needed"] == needed
    assert outcome.tie is None
    assert outcome.kind is Kind.MOTION


@pytest.mark.parametrize(
    ("threshold", "yes", "no", "eligible", "tied"),
    [
        (Threshold.SIMPLE_MAJORITY, 3, 3, 6, True),  # exactly half of votes cast
        (Threshold.SIMPLE_MAJORITY, 1, 1, 3, True),
        (Threshold.SIMPLE_MAJORITY, 0, 0, 3, False),  # 0 == 0 is no tie: nobody voted
        (Threshold.SIMPLE_MAJORITY, 3, 2, 6, False),
        (Threshold.ABSOLUTE_MAJORITY, 3, 0, 6, False),  # half of eligible, but no tie: fails
        (Threshold.ABSOLUTE_MAJORITY, 2, 2, 6, False),  # a tie below half of eligible fails
        (Threshold.TWO_THIRDS, 1, 1, 2, False),  # a tie is below two-thirds
        (Threshold.ABSOLUTE_MAJORITY, 3, 3, 6, True),
        (Threshold.ABSOLUTE_MAJORITY, 3, 0, 7, False),
        (Threshold.TWO_THIRDS, 2, 1, 3, False),  # at-least thresholds include the boundary
        (Threshold.UNANIMITY, 2, 0, 2, False),
    ],
)
def test_threshold_ties(threshold, yes, no, eligible, tied) -> None:
    assert threshold.tied(yes, no, eligible) is tied


def test_motion_summary_reads_as_a_sentence() -> None:
    outcome = motion(votes(4, 1, 1), 6)
    assert outcome.summary == ("Passed: 4 yes, 1 no, 1 abstention; "
                               "simple majority of votes cast needed 3.")
    assert motion(votes(1, 2, 0), 3).summary == (
        "Failed: 1 yes, 2 no, 0 abstentions; simple majority of votes cast needed 2.")


@pytest.mark.parametrize(
    ("cast", "eligible", "status"),
    [
        (3, 6, Status.FAILED),  # 3 of 6 responded: exactly half, quorum not met
        (4, 6, Status.PASSED),
        (0, 5, Status.FAILED),  # no votes
    ],
)
def test_motion_quorum_boundary(cast: int, eligible: int, status: Status) -> None:
    outcome = motion(["yes"] * cast, eligible)
    assert outcome.status is status
    assert bool(outcome.reasons) is (status is Status.FAILED)
    if outcome.reasons:
        assert outcome.reasons[0].startswith("quorum not met")


def test_motion_quorum_counts_abstentions() -> None:
    assert motion(votes(1, 0, 3), 6).status is Status.PASSED


@pytest.mark.parametrize(
    ("tie_break", "seed", "status", "chosen"),
    [
        (TieBreak.STATUS_QUO, None, Status.FAILED, "no"),
        (TieBreak.CASTING_VOTE, None, Status.AWAITING_CASTING_VOTE, None),
        (TieBreak.LOT, "receipts-hash-1", None, None),
        (TieBreak.LOT, "receipts-hash-2", None, None),
    ],
)
def test_motion_tie_breaks(tie_break, seed, status, chosen) -> None:
    outcome = motion(votes(2, 2, 1), 5, tie_break=tie_break, seed=seed)
    assert outcome.tie is not None
    assert outcome.tie.tied == ("yes", "no")
    assert outcome.tie.rule is tie_break
    if tie_break is TieBreak.LOT:
        chosen = draw_lots(seed, ["yes", "no"])[0]
        status = Status.PASSED if chosen == "yes" else Status.FAILED
        assert outcome.tie.seed == seed
        assert seed in outcome.summary
    assert outcome.tie.chosen == chosen
    assert outcome.status is status
    assert outcome.decided_by_tie_break is (chosen is not None)


def test_lot_needs_a_seed_before_any_tie() -> None:
    with pytest.raises(ValueError, match="seed"):
        motion(votes(3, 1, 0), 4, tie_break="lot")


@pytest.mark.parametrize(
    ("seed", "names"),
    [("abc", ["yes", "no"]), ("2025-03-01 receipts", ["Alice", "Bob", "Carol"]), ("é", ["ü"])],
)
def test_draw_lots_is_a_published_function(seed: str, names: list[str]) -> None:
    def digest(name: str) -> str:
        return hashlib.sha256((seed + "\n" + name).encode("utf-8")).hexdigest()

    assert draw_lots(seed, names) == tuple(sorted(names, key=digest))
    assert draw_lots(seed, reversed(names)) == draw_lots(seed, names)


def test_draw_lots_pinned_example() -> None:
    # Reproducible by hand: printf '%s\n%s' "2025-03-01 commitment" Dan | sha256sum -> b908...
    names = ["Alice", "Bob", "Carol", "Dan"]
    assert draw_lots("2025-03-01 commitment", names) == ("Dan", "Carol", "Bob", "Alice")


@pytest.mark.parametrize("seed", ["", None])
def test_draw_lots_needs_a_seed(seed) -> None:
    with pytest.raises(ValueError, match="seed"):
        draw_lots(seed, ["A", "B"])


@pytest.mark.parametrize(("choice", "status"), [("yes", Status.PASSED), ("no", Status.FAILED)])
def test_casting_vote_settles_a_tied_motion(choice: str, status: Status) -> None:
    tied = motion(votes(2, 2, 0), 4, tie_break="casting_vote")
    outcome = apply_casting_vote(tied, choice, "Jane Chair")
    assert outcome.status is status
    assert outcome.tie.chair == "Jane Chair"
    assert outcome.tie.chosen == choice
    assert "Jane Chair" in outcome.summary
    assert tied.status is Status.AWAITING_CASTING_VOTE  # the original is unchanged


@pytest.mark.parametrize(
    ("outcome", "choice", "chair", "message"),
    [
        (motion(votes(2, 2, 0), 4, tie_break="casting_vote"), "maybe", "Jane", "not among"),
        (motion(votes(2, 2, 0), 4, tie_break="casting_vote"), "yes", "  ", "chair's name"),
        (motion(votes(3, 1, 0), 4, tie_break="casting_vote"), "yes", "Jane", "not awaiting"),
        (motion(votes(2, 2, 0), 4), "yes", "Jane", "not awaiting"),  # status quo decided it
    ],
)
def test_casting_vote_refusals(outcome, choice, chair, message) -> None:
    with pytest.raises(ValueError, match=message):
        apply_casting_vote(outcome, choice, chair)


def support(company: str) -> ConsensusResponse:
    """Return a support response."""
    return ConsensusResponse(company, "support")


@pytest.mark.parametrize(
    ("responses", "eligible", "quorum", "status", "reasons"),
    [
        ([support("AT&T"), support("NTT"), support("Orange")], 4, DEFAULT_QUORUM,
         Status.REACHED, 0),
        ([support("AT&T"), ConsensusResponse("NTT", "stand_aside")], 3, DEFAULT_QUORUM,
         Status.REACHED, 0),
        ([support("AT&T"), ConsensusResponse("Orange", "object", "too costly")], 3,
         DEFAULT_QUORUM, Status.NOT_REACHED, 1),
        ([ConsensusResponse("Orange", "object", "a"), ConsensusResponse("NTT", "object", "b")],
         2, DEFAULT_QUORUM, Status.NOT_REACHED, 2),
        ([support("AT&T"), support("NTT"), support("Orange")], 6, DEFAULT_QUORUM,
         Status.NOT_REACHED, 1),  # exactly half responded: quorum not met
        ([support(c) for c in "ABCD"], 6, DEFAULT_QUORUM, Status.REACHED, 0),
        ([support(c) for c in "ABC"], 6, AT_LEAST_TWO_THIRDS, Status.NOT_REACHED, 1),
        ([support(c) for c in "ABCD"], 6, AT_LEAST_TWO_THIRDS, Status.REACHED, 0),
        ([], 5, DEFAULT_QUORUM, Status.NOT_REACHED, 1),  # nobody responded
        ([], 5, NO_QUORUM, Status.REACHED, 0),
        ([support("Intel")], 1, DEFAULT_QUORUM, Status.REACHED, 0),  # a single voter
        ([ConsensusResponse("Intel", "stand_aside")], 1, DEFAULT_QUORUM, Status.REACHED, 0),
    ],
)
def test_consensus(responses, eligible, quorum, status, reasons) -> None:
    outcome = consensus(responses, eligible, quorum)
    assert outcome.status is status
    assert len(outcome.reasons) == reasons
    assert outcome.kind is Kind.CONSENSUS


def test_consensus_names_objectors_and_reasons() -> None:
    outcome = consensus([support("NTT"), ConsensusResponse("Orange", "object", " too costly ")], 2)
    assert outcome.summary == "Consensus not reached: Orange objected (reason: too costly)."


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_objection_without_reason_is_refused(reason: str) -> None:
    with pytest.raises(ValueError, match="reason"):
        ConsensusResponse("Orange", "object", reason)


@pytest.mark.parametrize(
    ("responses", "eligible", "message"),
    [
        ([support("NTT"), support("NTT")], 3, "once|twice"),
        ([support("NTT"), support("Orange")], 1, "eligible"),
        ([], 0, "eligible"),
    ],
)
def test_consensus_refusals(responses, eligible, message) -> None:
    with pytest.raises(ValueError, match=message):
        consensus(responses, eligible)


@pytest.mark.parametrize("response", ["maybe", "", "OBJECT"])
def test_unknown_response_is_refused(response: str) -> None:
    with pytest.raises(ValueError):
        ConsensusResponse("NTT", response)


@pytest.mark.parametrize("vote", ["maybe", "Yes", ""])
def test_unknown_vote_is_refused(vote: str) -> None:
    with pytest.raises(ValueError):
        motion([vote], 3)


def test_outcome_is_frozen_and_serializable() -> None:
    outcome = motion(votes(2, 2, 1), 5, tie_break="lot", seed="s")
    data = json.loads(json.dumps(outcome.to_dict()))
    assert data["kind"] == "motion"
    assert data["tie_break"] == "lot"
    assert data["tie"]["tied"] == ["yes", "no"]
    assert data["counts"] == {"yes": 2, "no": 2, "abstain": 1, "eligible": 5, "needed": 3}
    with pytest.raises(AttributeError):
        outcome.status = Status.PASSED  # type: ignore[misc]
    with pytest.raises(TypeError):
        outcome.counts["yes"] = 5  # type: ignore[index]
    assert hash(outcome) == hash(motion(votes(2, 2, 1), 5, tie_break="lot", seed="s"))
    assert pickle.loads(pickle.dumps(outcome)) == outcome == copy.deepcopy(outcome)


def test_receipts_are_16_letters_of_32_each_drawn_uniformly():
    import re
    from collections import Counter

    from voting.votes import RECEIPT_ALPHABET, new_receipt

    assert len(set(RECEIPT_ALPHABET)) == 32 and 256 % len(RECEIPT_ALPHABET) == 0
    receipts = [new_receipt() for _ in range(4000)]
    assert all(re.fullmatch(r"([A-HJ-NP-Z2-9]{4}-){3}[A-HJ-NP-Z2-9]{4}", r) for r in receipts)
    assert len(set(receipts)) == len(receipts)
    letters = Counter("".join(receipts).replace("-", ""))
    assert set(letters) == set(RECEIPT_ALPHABET)
    # 64,000 letters, 2,000 expected of each: a biased draw (e.g. byte % 31) is far outside this.
    assert max(letters.values()) < 2300 and min(letters.values()) > 1700
