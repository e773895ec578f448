"""Table tests for choice ballots: plurality, approval, Schulze, the default option."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from voting.outcome import Kind, Status
from voting.rules import Quorum
from voting.schulze import Unranked, pairwise_matrix, rank_array, schulze, strongest_paths
from voting.tally import approval, plurality, ranked
from voting.tiebreak import TieBreak, apply_casting_vote, draw_lots

# The worked example of the Schulze method (Schulze 2011; also Wikipedia): 45 voters.
WIKIPEDIA = [(5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"), (7, "CAEBD"),
             (2, "CBADE"), (7, "DCEBA"), (8, "EBADC")]
WIKIPEDIA_D = ((0, 20, 26, 30, 22), (25, 0, 16, 33, 18), (19, 29, 0, 17, 24),
               (15, 12, 28, 0, 14), (23, 27, 21, 31, 0))
WIKIPEDIA_P = ((0, 28, 28, 30, 24), (25, 0, 28, 33, 24), (25, 29, 0, 29, 24),
               (25, 28, 28, 0, 24), (25, 28, 28, 31, 0))


def orders(spec: list[tuple[int, str]]) -> list[dict[str, int]]:
    """Expand (count, 'ACB') pairs into ballots ranking those letters 1, 2, 3..."""
    return [{name: rank for rank, name in enumerate(order, 1)} for count, order in spec
            for _ in range(count)]


def test_schulze_worked_example() -> None:
    result = schulze(list("ABCDE"), orders(WIKIPEDIA))
    assert result.pairwise == WIKIPEDIA_D
    assert result.strongest == WIKIPEDIA_P
    assert result.ranking == (("E",), ("A",), ("C",), ("B",), ("D",))
    assert result.winners == ("E",)
    assert result.ballots == 45


def test_weights_count_like_repeated_ballots() -> None:
    spec = [(count, order) for count, order in WIKIPEDIA]
    distinct = orders([(1, order) for _, order in spec])
    weighted = schulze(list("ABCDE"), distinct, weights=[count for count, _ in spec])
    assert weighted == schulze(list("ABCDE"), orders(WIKIPEDIA))


@pytest.mark.parametrize(
    ("ballots", "unranked", "expected"),
    [
        # Three ballots rank A alone, one ranks B over A.
        ([{"A": 1}] * 3 + [{"B": 1, "A": 2}], Unranked.LAST, (("A",), ("B",))),
        ([{"A": 1}] * 3 + [{"B": 1, "A": 2}], Unranked.ABSTAIN, (("B",), ("A",))),
        ([{"A": 1, "B": 1}], Unranked.LAST, (("A", "B"),)),  # equal ranks: no preference
        ([{"A": 1, "B": None}], Unranked.LAST, (("A",), ("B",))),  # None is unranked
        ([{"A": 1, "B": None}], Unranked.ABSTAIN, (("A", "B"),)),
        ([{"B": 7, "A": 9}], Unranked.LAST, (("B",), ("A",))),  # ranks need not be 1, 2, ...
        ([], Unranked.LAST, (("A", "B"),)),  # no ballots: everyone tied
        ([{}], Unranked.LAST, (("A", "B"),)),  # an empty ballot expresses nothing
        ([{"B": 1}], Unranked.ABSTAIN, (("A", "B"),)),  # a single voter, one name ranked
        ([{"B": 1}], Unranked.LAST, (("B",), ("A",))),
    ],
)
def test_reading_of_unranked_and_equal_ranks(ballots, unranked, expected) -> None:
    assert schulze(["A", "B"], ballots, unranked=unranked).ranking == expected


def test_cycle_ties_within_a_tier() -> None:
    # A perfect Condorcet cycle: every strongest path is equal, so all three tie.
    result = schulze(list("ABC"), orders([(1, "ABC"), (1, "BCA"), (1, "CAB")]))
    assert result.ranking == (("A", "B", "C"),)
    assert result.winners == ("A", "B", "C")


@pytest.mark.parametrize(
    ("spec", "majority", "kept", "dropped", "winners"),
    [
        # A beats the default D 3:1; B beats D only 2:2 (a tie is no defeat); C loses to D.
        ([(1, "ABDC"), (1, "ADBC"), (1, "DBCA"), (1, "BACD")], Fraction(1), "AD", "BC", ("A",)),
        # A 3:1 over D passes a 3:1 majority ratio but not 4:1 (V(A,D) >= N * V(D,A)).
        ([(1, "ABDC"), (1, "ADBC"), (1, "DBCA"), (1, "BACD")], Fraction(3), "AD", "BC", ("A",)),
        ([(1, "ABDC"), (1, "ADBC"), (1, "DBCA"), (1, "BACD")], Fraction(4), "D", "ABC", ("D",)),
        # Everyone ranks the default first: every other option is dropped.
        ([(3, "DABC")], Fraction(1), "D", "ABC", ("D",)),
    ],
)
def test_default_option_majority(spec, majority, kept, dropped, winners) -> None:
    result = schulze(list("ABCD"), orders(spec), default_option="D", majority=majority)
    assert set(result.dropped) == set(dropped)
    flat = [name for tier in result.ranking for name in tier]
    assert set(flat[: len(kept)]) == set(kept)  # the undropped options rank above the dropped
    assert set(flat[len(kept):]) == set(dropped)
    assert result.winners == winners


def test_default_option_ratio_per_option() -> None:
    spec = [(1, "ABDC"), (1, "ADBC"), (1, "DBCA"), (1, "BACD")]
    result = schulze(list("ABCD"), orders(spec), default_option="D",
                     majority={"A": Fraction(4)})
    assert result.dropped == ("A", "B", "C")


@pytest.mark.parametrize(
    ("candidates", "ballots", "kwargs", "message"),
    [
        (["A", "B"], [{"C": 1}], {}, "unknown candidate"),
        (["A", "B"], [{"A": 0}], {}, "integer >= 1"),
        (["A", "B"], [{"A": -1}], {}, "integer >= 1"),
        (["A", "B"], [{"A": "1"}], {}, "integer >= 1"),
        (["A", "B"], [{"A": True}], {}, "integer >= 1"),
        (["A", "B"], [{"A": 1.0}], {}, "integer >= 1"),
        # Complete ballots take the fast encoding; it must refuse what the checked one does.
        (["A", "B"], [{"A": 1, "B": 2}, {"A": 1, "C": 2}], {}, "ballot 2: unknown candidate"),
        (["A", "B"], [{"A": 1, "B": 2}, {"A": 2, "B": True}], {}, "ballot 2: rank of 'B'"),
        (["A", "B"], [{"A": 1, "B": 2}, {"A": 0, "B": 1}], {}, "ballot 2: rank of 'A'"),
        (["A", "B", "C"], [{"A": 1}, {"C": 2.0}], {}, "ballot 2: rank of 'C'"),
        (["A", "A"], [], {}, "distinct"),
        ([], [], {}, "non-empty"),
        (["A", "B"], [], {"default_option": "Z"}, "not a candidate"),
        (["A", "B"], [], {"default_option": "B", "majority": 1.5}, "exact"),
        (["A", "B"], [], {"default_option": "B", "majority": Fraction(1, 2)}, ">= 1"),
        (["A", "B"], [], {"unranked": "ignore"}, "ignore"),
        (["A", "B"], [{"A": 1}], {"weights": [1, 2]}, "weights"),
        (["A", "B"], [{"A": 1}], {"weights": [-1]}, "weights"),
    ],
)
def test_schulze_refuses_bad_input(candidates, ballots, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        schulze(candidates, ballots, **kwargs)


@pytest.mark.parametrize(
    "ranks", [np.array([[1.5, 2.0]]), np.array([[1, -1]]), np.array([1, 2])])
def test_pairwise_refuses_bad_arrays(ranks) -> None:
    with pytest.raises(ValueError, match="integers"):
        pairwise_matrix(ranks)


def test_none_and_numpy_ranks_read_like_plain_ones() -> None:
    plain = [{"A": 1, "B": 2, "C": 3}, {"B": 1}, {"C": 2, "A": 1}]
    mixed = [{"A": np.int64(1), "B": 2, "C": 3}, {"B": 1, "A": None}, {"C": 2, "A": 1}]
    expected = [[1, 2, 3], [0, 1, 0], [1, 0, 2]]
    np.testing.assert_array_equal(rank_array(list("ABC"), plain), expected)
    np.testing.assert_array_equal(rank_array(list("ABC"), iter(mixed)), expected)


def test_array_and_mappings_agree() -> None:
    ballots = orders(WIKIPEDIA)
    ranks = rank_array(list("ABCDE"), ballots)
    assert ranks.shape == (45, 5)
    assert schulze(list("ABCDE"), ranks) == schulze(list("ABCDE"), ballots)
    np.testing.assert_array_equal(strongest_paths(pairwise_matrix(ranks)), WIKIPEDIA_P)


def test_ranked_outcome_and_casting_vote() -> None:
    cycle = orders([(1, "ABC"), (1, "BCA"), (1, "CAB")])
    outcome = ranked(list("ABC"), cycle)
    assert outcome.kind is Kind.RANKED
    assert outcome.status is Status.AWAITING_CASTING_VOTE
    assert outcome.tie.tied == ("A", "B", "C")
    settled = apply_casting_vote(outcome, "B", "Jane Chair")
    assert settled.status is Status.DECIDED
    assert settled.winners == ("B",)
    assert settled.ranking == (("B",), ("A", "C"))
    assert settled.summary.startswith("Decided by the chair's casting vote (Jane Chair): B")
    with pytest.raises(ValueError, match="not among"):
        apply_casting_vote(outcome, "D", "Jane Chair")
    data = json.loads(json.dumps(settled.to_dict()))
    assert data["pairwise"] == [list(row) for row in outcome.pairwise]
    assert data["tie"]["chair"] == "Jane Chair"


def test_ranked_outcome_carries_the_matrices() -> None:
    outcome = ranked(list("ABCDE"), orders(WIKIPEDIA), unranked="abstain")
    assert outcome.status is Status.DECIDED
    assert outcome.winners == ("E",)
    assert outcome.pairwise == WIKIPEDIA_D
    assert outcome.strongest == WIKIPEDIA_P
    assert outcome.candidates == tuple("ABCDE")
    assert "no preference" in outcome.rule
    assert outcome.summary == "Decided: E. 45 ballots, Schulze count."


@pytest.mark.parametrize(
    ("votes", "tie_break", "seed", "status", "winners"),
    [
        (["A", "B", "A", None], TieBreak.CASTING_VOTE, None, Status.DECIDED, ("A",)),
        (["A"], TieBreak.CASTING_VOTE, None, Status.DECIDED, ("A",)),  # a single voter
        (["A", "B"], TieBreak.CASTING_VOTE, None, Status.AWAITING_CASTING_VOTE, ()),
        (["A", "B"], TieBreak.STATUS_QUO, None, Status.NO_DECISION, ()),
        (["A", "B"], TieBreak.LOT, "seed", Status.DECIDED, (draw_lots("seed", "AB")[0],)),
        ([], TieBreak.CASTING_VOTE, None, Status.NO_DECISION, ()),  # no votes
        ([None, None], TieBreak.CASTING_VOTE, None, Status.NO_DECISION, ()),  # all blank
    ],
)
def test_plurality(votes, tie_break, seed, status, winners) -> None:
    outcome = plurality(["A", "B", "C"], votes, tie_break=tie_break, seed=seed)
    assert outcome.status is status
    assert outcome.winners == winners
    assert outcome.kind is Kind.PLURALITY


def test_status_quo_keeps_the_default_option_on_a_tie() -> None:
    outcome = plurality(["Keep", "Change"], ["Keep", "Change"], tie_break="status_quo",
                        default_option="Keep")
    assert outcome.status is Status.DECIDED
    assert outcome.winners == ("Keep",)
    assert outcome.decided_by_tie_break


@pytest.mark.parametrize(
    ("ballots", "winners", "counts"),
    [
        ([{"A", "B"}, {"B"}, {"C", "B"}], ("B",), {"A": 1, "B": 3, "C": 1}),
        ([{"A", "B", "C"}], (), {"A": 1, "B": 1, "C": 1}),  # tie: awaiting the casting vote
        ([set(), {"C"}], ("C",), {"A": 0, "B": 0, "C": 1}),
    ],
)
def test_approval(ballots, winners, counts) -> None:
    outcome = approval(["A", "B", "C"], ballots)
    assert outcome.winners == winners
    assert dict(outcome.counts) == counts


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: approval(["A", "B"], [["A", "A"]]), "twice"),
        (lambda: approval(["A", "B"], [{"Z"}]), "unknown option"),
        (lambda: plurality(["A", "B"], ["Z"]), "unknown option"),
        (lambda: plurality(["A", "B"], ["A"], tie_break="lot"), "seed"),
        (lambda: plurality(["A", "B"], ["A", "B", "A"], eligible=2), "eligible"),
    ],
)
def test_choice_refusals(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("cast", "eligible", "quorum", "status"),
    [
        (2, 4, Quorum(), Status.NO_DECISION),  # exactly half
        (3, 4, Quorum(), Status.DECIDED),
        (2, 3, Quorum(Fraction(2, 3), strict=False), Status.DECIDED),
        (1, 3, Quorum(Fraction(2, 3), strict=False), Status.NO_DECISION),
    ],
)
def test_choice_quorum_counts_blank_ballots(cast, eligible, quorum, status) -> None:
    votes = ["A"] + [None] * (cast - 1)
    assert plurality(["A", "B"], votes, eligible=eligible, quorum=quorum).status is status
    ballots = [{"A": 1}] + [{}] * (cast - 1)
    assert ranked(["A", "B"], ballots, eligible=eligible, quorum=quorum).status is status
