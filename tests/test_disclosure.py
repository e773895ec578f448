"""The disclosure model: a reconstruction attack on everything a question publishes.

The attacker here is independent of the gate's own (surveys/disclosure.py): it lists every
profile of the same size, runs the real pipeline (summarize, gate) on each, keeps those whose
public figures are byte-for-byte those published, and reads each answer category's count.
"""

import importlib.util
import json
from functools import cache
from itertools import combinations, permutations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from surveys.anonymize import GateSettings, gate_question, gate_survey
from surveys.coarsen_ranking import schulze_tiers
from surveys.disclosure import attack, profiles, sums, threshold
from surveys.public_document import QuestionMeta, compose, csv_text
from surveys.public_view import question_view, question_views
from surveys.results.data import TIDY_COLUMNS, survey_from_tidy
from surveys.results.summary import summarize_question, summarize_survey
from voting.schulze import schulze

ATTACK = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow])
ITEMS = ("A", "B", "C")
SUBSETS = tuple(s for r in (1, 2, 3) for s in combinations(ITEMS, r))
# Each answer type of a question: the (item, value) rows one respondent writes.
TYPES = {
    "likert": (*(((("", p),)) for p in range(1, 6)), (("", "dk"),)),  # "don't know" last
    "single": tuple((((o, 1),)) for o in ITEMS),
    "multiple": tuple(tuple((o, 1) for o in s) for s in SUBSETS),
    "ranking": tuple(tuple((item, r + 1) for r, item in enumerate(p)) for p in permutations(ITEMS)),
    "budget": tuple(((("A", a), ("B", 2 - a))) for a in (0, 1, 2)),
}


def categories(qtype):
    """Return (name, answer types holding it): what no reader may learn a small count of."""
    if qtype == "ranking":
        return [((item, place), [t for t, rows in enumerate(TYPES[qtype])
                                 if (item, place) in rows]) for item in ITEMS for place in (1, 2, 3)]
    if qtype == "budget":
        return [(f"funds {item}", [t for t, rows in enumerate(TYPES[qtype])
                                   if dict(rows)[item] > 0]) for item in ("A", "B")]
    if qtype == "multiple":
        return [(o, [t for t, s in enumerate(SUBSETS) if o in s]) for o in ITEMS]
    return [(t, [t]) for t in range(len(TYPES[qtype]))]


def picks(options):
    """Return the answer types of a multiple choice over options: every non-empty subset."""
    return tuple(tuple((o, 1) for o in s) for r in range(1, len(options) + 1)
                 for s in combinations(options, r))


def tidy(qtype, counts, types=None):
    cols = {c: [] for c in TIDY_COLUMNS}
    r = 0
    for t, c in enumerate(counts):
        for _ in range(c):
            for item, value in (types or TYPES[qtype])[t]:
                for name, v in zip(TIDY_COLUMNS, (f"r{r}", f"c{r}", f"p{r}", "q", qtype, item,
                                                  str(value)), strict=True):
                    cols[name].append(v)
            r += 1
    return cols


@cache
def public(qtype, counts, k_respondents, allow=False, options=ITEMS):
    """Run the real pipeline on one profile: the question's public figures as JSON text.

    options: other than ITEMS, a multiple choice over them (the types are picks(options)).
    """
    scales = {"q": (1, 5)} if qtype == "likert" else None
    items = None if qtype == "likert" else {"q": options if qtype != "budget" else ("A", "B")}
    types = None if options == ITEMS else picks(options)
    data = survey_from_tidy(tidy(qtype, counts, types), scales=scales, items=items)
    gated = gate_question(summarize_question(data.questions[0]),
                          GateSettings(k_respondents, 3, allow))
    return json.dumps(gated.to_dict(), sort_keys=True)


def reconstruct(qtype, counts, k_respondents, allow=False, known=lambda p: True):
    """Return each category's (lowest, highest) count over the profiles the public fits.

    known: what else the attacker knows of the profile (say, that nobody said "don't know").
    """
    shown = public(qtype, counts, k_respondents, allow)
    fits = [p for p in profiles(sum(counts), len(counts)).tolist()
            if known(p) and public(qtype, tuple(p), k_respondents, allow) == shown]
    return {name: (min(sum(p[t] for t in ts) for p in fits), max(sum(p[t] for t in ts)
                                                                for p in fits))
            for name, ts in categories(qtype)}


@st.composite
def small_profiles(draw):
    qtype = draw(st.sampled_from(sorted(TYPES)))
    k = draw(st.sampled_from([3, 5]))
    n = draw(st.integers(k, 6 if qtype not in ("ranking", "multiple") else 5))
    cuts = sorted(draw(st.lists(st.integers(0, n), min_size=len(TYPES[qtype]) - 1,
                                max_size=len(TYPES[qtype]) - 1)))
    counts = tuple(int(b - a) for a, b in zip([0, *cuts], [*cuts, n], strict=True))
    return qtype, counts, k


@ATTACK
@given(small_profiles())
@example(("multiple", (2, 2, 0, 1, 0, 0, 0), 5))  # A and B tie, unnamed: "top or tie"
@example(("multiple", (1, 1, 0, 0, 0, 0, 1), 3))
@example(("single", (3, 3, 0), 5))
def test_property_no_public_output_lets_the_attacker_pin_a_small_count(drawn):
    qtype, counts, k = drawn
    n, t = sum(counts), threshold(GateSettings(k, 3))
    for name, (low, high) in reconstruct(qtype, counts, k).items():
        assert not (low >= 1 and high <= t - 1), (qtype, counts, k, name, low, high)
        assert not (low == high == n), (qtype, counts, k, name, "unanimity shown")
    if qtype == "likert" and counts[-1] == 0:  # the attacker who knows "don't know" was not offered
        for name, (low, high) in reconstruct(qtype, counts, k, known=lambda p: p[-1] == 0).items():
            assert not (low >= 1 and high <= t - 1), (counts, k, name, low, high, "no dk")
            assert not (low == high == n), (counts, k, name, "unanimity shown", "no dk")


@pytest.mark.parametrize(("qtype", "counts", "k"), [
    ("single", (1, 2, 2), 3), ("single", (1, 2, 2), 5), ("single", (0, 0, 5), 3),
    ("single", (3, 1, 1), 5), ("multiple", (0, 0, 0, 1, 0, 1, 1), 3),
    ("multiple", (1, 0, 0, 1, 0, 0, 1), 3), ("likert", (0, 0, 0, 0, 5, 0), 5),
    ("likert", (0, 0, 3, 0, 0, 2), 5), ("likert", (1, 1, 1, 1, 0, 1), 5),
    ("single", (2, 2, 1), 5), ("single", (2, 2, 2), 3)])
def test_what_no_candidate_can_show_pins_nothing_either(qtype, counts, k):
    """Found by the property test: "not shown" and the order of named options told counts."""
    n, t = sum(counts), threshold(GateSettings(k, 3))
    for name, (low, high) in reconstruct(qtype, counts, k).items():
        assert not (low >= 1 and high <= t - 1) and not (low == high == n), (name, low, high)


def issue_example():
    """Five companies rank three items: four A > B > C, one B > A > C."""
    return (4, 0, 1, 0, 0, 0)  # the types of TYPES["ranking"]: ABC, ACB, BAC, ...


def test_the_issue_example_no_longer_pins_the_profile():
    counts = issue_example()
    data = survey_from_tidy(tidy("ranking", counts), items={"q": ITEMS})
    summary = summarize_question(data.questions[0])
    assert [round(i.mean_rank, 2) for i in summary.items] == [1.2, 1.8, 3.0]
    assert round(summary.agreement.w, 2) == 0.84  # what used to be published
    text = public("ranking", counts, 5)
    assert "1.2" not in text and "0.84" not in text
    ranges = reconstruct("ranking", counts, 5)
    assert ranges[("B", 1)][0] == 0  # the one company that put B first is not exposed
    figures = json.loads(text)["figures"]
    # The map keeps every cell safe, "A first" included: it holds this profile's first place.
    assert figures["consensus"] == [["A"]] and figures["recoding"] == "top"


def test_the_gates_own_attack_finds_the_issue_example_pinned_by_mean_ranks():
    types = np.array([[r for _, r in sorted(rows)] for rows in TYPES["ranking"]])
    rank_sums = lambda rows: rows.astype(np.int64) @ types  # noqa: E731
    firsts = (types == 1).astype(np.int32)
    verdict = attack(issue_example(), [rank_sums], firsts, 5)
    assert not verdict.safe(False) and 1 in verdict.pinned  # B first: exactly 1


def test_a_five_company_likert_question_publishes_a_banded_distribution():
    counts = (0, 1, 0, 3, 1, 0)  # one disagrees, three agree, one strongly agrees
    figures = json.loads(public("likert", counts, 5))["figures"]["statements"][0]
    assert figures["recoding"] == "bands"
    assert [(b["label"], b["count"]) for b in figures["bands"]] == [
        ("disagree (1\u20132)", 1), ("neutral (3)", 0), ("agree (4\u20135)", 4)]
    assert "between 1 and 4" in figures["recoding_note"]


def test_unanimity_shows_only_when_the_chair_allows_it():
    counts = (0, 0, 0, 0, 5, 0)
    hidden = json.loads(public("likert", counts, 5))["figures"]["statements"][0]
    assert hidden["recoding"] == "majority" and hidden["majority"] == "agree (4\u20135)"
    shown = json.loads(public("likert", counts, 5, True))["figures"]["statements"][0]
    assert [p["count"] for p in shown["points"]] == [0, 0, 0, 0, 5]


def five_company_survey():
    cols = {c: [] for c in TIDY_COLUMNS}
    answers = {"lik": ("likert", [("", v) for v in (4, 4, 5, 2, 3)]),
               "one": ("single", [(o, 1) for o in ("x", "x", "y", "x", "z")]),
               "many": ("multiple", [("x", 1), ("y", 1), ("x", 1), ("x", 1), ("z", 1)]),
               "bud": ("budget", [("A", 6), ("A", 7), ("A", 3), ("A", 5), ("A", 8)])}
    for r in range(5):
        rows = [(qid, qtype, *pairs[r]) for qid, (qtype, pairs) in answers.items()]
        rows.append(("bud", "budget", "B", 10 - answers["bud"][1][r][1]))
        rows += [("rank", "ranking", item, i + 1) for i, item in enumerate(
            ("A", "B", "C") if r % 2 else ("B", "A", "C"))]
        for qid, qtype, item, value in rows:
            for name, v in zip(TIDY_COLUMNS, (f"r{r}", f"c{r}", f"p{r}", qid, qtype, item,
                                              str(value)), strict=True):
                cols[name].append(v)
    return survey_from_tidy(cols, scales={"lik": (1, 5)})


def test_a_five_company_survey_publishes_a_meaningful_figure_for_every_question():
    summary = summarize_survey(five_company_survey())
    gated = gate_survey(summary, [q.question_id for q in summary.questions], GateSettings())
    metas = [QuestionMeta(q.question_id, q.question_type, q.question_id, "S")
             for q in summary.questions]
    doc = compose({"title": "t", "cycle": "", "closed_on": "2025-01-01"}, metas,
                  [m.question_id for m in metas], gated)
    for view in question_views(doc):
        assert view.published, view.question_id
        if view.question_id == "rank":  # the consensus order, or at least its first place
            assert view.consensus, view.question_id
            continue
        said = " ".join([view.consensus, *view.notes, *(c for r in (view.table.rows if view.table
                                                                    else ()) for c in r)])
        assert any(word in said for word in ("agree", "more than half", "Most points", " > ",
                                             "other answers", "most often: x")), (
            view.question_id, said)
        assert "no figure beyond n" not in said, (view.question_id, said)
    body = csv_text(doc).split("\n", 1)[1]
    assert "most_chosen" in body and "consensus_order" in body


@pytest.mark.parametrize("seed", range(20))
def test_the_gates_consensus_order_is_the_decisions_schulze_count(seed):
    rng = np.random.default_rng(seed)
    ballots = [list(rng.permutation(4) + 1) for _ in range(rng.integers(3, 9))]
    names = ["A", "B", "C", "D"]
    expected = schulze(names, [dict(zip(names, (int(r) for r in b), strict=True))
                               for b in ballots], unranked="last").ranking
    d = np.array([[sum(b[i] < b[j] for b in ballots) for j in range(4)] for i in range(4)])
    tier = schulze_tiers(d[None])[0]
    got = tuple(tuple(names[j] for j in range(4) if tier[j] == t) for t in sorted(set(tier)))
    assert got == expected


def test_sums_feature_and_profiles_cover_every_split():
    rows = profiles(4, 3)
    assert len(rows) == 15 and (rows.sum(axis=1) == 4).all()
    assert sums([[0, 1], [2]])(rows[:1]).tolist() == [[4, 0]]


MEANINGFUL = ("agree", "more than half", "Most points", " > ", "other answers",
              "Chosen most often", "Items in order")


@pytest.mark.parametrize("seed", range(6))
def test_a_generated_five_company_survey_of_every_type_shows_something_for_every_question(seed):
    spec = importlib.util.spec_from_file_location(
        "bench_disclosure", Path(__file__).parents[1] / "bench" / "bench_disclosure.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    summary = summarize_survey(bench.survey(bench.consortium(5, np.random.default_rng(seed))))
    assert {q.question_type for q in summary.questions} == {
        "likert", "matrix", "single", "multiple", "ranking", "budget", "number"}
    gated = gate_survey(summary, [q.question_id for q in summary.questions], GateSettings())
    metas = [QuestionMeta(q.question_id, q.question_type, q.question_id, "S")
             for q in summary.questions]
    doc = compose({"title": "t", "cycle": "", "closed_on": "2025-01-01"}, metas,
                  [m.question_id for m in metas], gated)
    for view in question_views(doc):
        assert view.published, view.question_id
        if view.question_id == "fte":  # a number question: its mean
            assert any("Mean" in row[0] and row[1] != "withheld" for row in view.table.rows)
            continue
        if view.question_id == "rank":
            assert view.consensus, view.question_id
            continue
        said = " ".join([view.consensus, *view.notes, *(c for r in (view.table.rows if view.table
                                                                    else ()) for c in r)])
        assert any(word in said for word in MEANINGFUL), (view.question_id, said)
        assert "no figure beyond n" not in said, (view.question_id, said)


def cells(qtype, n, k, allow, options=ITEMS):
    """Return the profiles of n respondents grouped by what they publish (JSON text)."""
    types = TYPES[qtype] if options == ITEMS else picks(options)
    out = {}
    for p in profiles(n, len(types)).tolist():
        out.setdefault(public(qtype, tuple(p), k, allow, options), []).append(p)
    return out


@pytest.mark.parametrize("allow", [False, True])
@pytest.mark.parametrize("k", [3, 5])
@pytest.mark.parametrize("qtype", ["single", "multiple"])
def test_every_small_choice_profile_withstands_the_attack_ties_included(qtype, k, allow):
    """Every profile of every size, not a sample: the tie figure is one of the cells."""
    t, seen = threshold(GateSettings(k, 3)), set()
    for n in range(k, 7 if qtype == "single" else 6):
        for shown, fits in cells(qtype, n, k, allow).items():
            f = json.loads(shown)["figures"]
            seen.add((f.get("recoding"), bool(f.get("tied")), bool(f.get("majority"))))
            for name, ts in categories(qtype):
                got = [sum(p[i] for i in ts) for p in fits]
                assert not (min(got) >= 1 and max(got) <= t - 1), (n, name, fits[:3])
                assert allow or not (min(got) == max(got) == n), (n, name, "unanimity shown")
    if not allow:  # the coarsest candidate is reached: a tie, its options not named
        assert ("top", True, False) in seen


def test_the_generated_four_option_tie_is_said_and_pins_nothing():
    """Seed 1 of the five-company bench: options chosen by 3, 3, 3 and 1 of 5 companies.

    With the total of selections known, naming the three leaders (or those chosen by more
    than half) would pin the fourth option's count; only that several tie is safe to say.
    """
    options = ("A", "B", "C", "D")
    types = picks(options)
    truth = [0] * len(types)
    for pick in (("A", "B"), ("A", "C"), ("B", "C"), ("A", "B", "C"), ("D",)):
        truth[types.index(tuple((o, 1) for o in pick))] += 1
    shown = public("multiple", tuple(truth), 5, False, options)
    f = json.loads(shown)["figures"]
    assert f["recoding"] == "top" and f["tied"] and f["majority"] == []
    fits = cells("multiple", 5, 5, False, options)[shown]
    for o in options:
        got = [sum(p[i] for i, s in enumerate(types) if (o, 1) in s) for p in fits]
        assert min(got) == 0 or max(got) >= 5, (o, min(got), max(got))
        assert not min(got) == max(got) == 5, o
    view = question_view({"question_id": "q", "question_type": "multiple", "text": "q",
                          "section": "S", "published": True, "figures": f})
    assert "Chosen most often: a tie between two or more options" in " ".join(view.notes)
    assert "more than half" not in " ".join(view.notes)  # several may each hold one
