"""surveys.results: per-question summaries from tidy answers, hand-checked values."""

import json

import numpy as np
import pytest

from surveys.results.data import TIDY_COLUMNS, QuestionData, TidyFormatError, survey_from_tidy
from surveys.results.summary import summarize_question, summarize_survey


def tidy(rows):
    """Return tidy columns from (response, company, question, type, item, value) tuples."""
    cols = {c: [] for c in TIDY_COLUMNS}
    for response, company, qid, qtype, item, value in rows:
        for name, v in zip(TIDY_COLUMNS, (response, company, f"person-{response}", qid,
                                          qtype, item, str(value)), strict=True):
            cols[name].append(v)
    return cols


def summary_of(rows, **kwargs):
    """Summarize tidy rows."""
    return summarize_survey(survey_from_tidy(tidy(rows)), **kwargs)


def ranking_rows(rankings, qid="road"):
    """Return tidy rows for rankings given as {response: [item, ...] best first}."""
    return [(r, f"co-{r}", qid, "ranking", item, pos + 1)
            for r, order in rankings.items() for pos, item in enumerate(order)]


def test_likert_counts_median_top2_hand_checked():
    answers = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, "dk", "dk"]
    rows = [(f"r{i}", f"c{i % 4}", "q", "likert", "", v) for i, v in enumerate(answers)]
    s = summary_of(rows).question("q").statements[0]
    assert [p.count for p in s.points] == [1, 2, 3, 4, 2]
    assert s.n == 12 and s.dont_know == 2  # "don't know" shown, not in the base
    assert [p.share.value for p in s.points] == pytest.approx([1 / 12, 2 / 12, 3 / 12, 4 / 12,
                                                               2 / 12])
    # Sorted answers 1 2 2 3 3 3 4 4 4 4 5 5: median (3 + 4) / 2; q1 at position 2.75 between
    # 2 and 3; q3 at position 8.25 between 4 and 4.
    assert (s.median.median, s.median.q1, s.median.q3) == (3.5, 2.75, 4.0)
    assert s.top2.k == 6 and s.top2.value == 0.5 and s.top2_points == (4, 5)
    assert s.scale == (1, 5) and "inferred" in s.method


def test_likert_given_scale_and_seven_point_inference():
    q = QuestionData("q", "likert", np.arange(3), np.arange(3), ("",), np.zeros(3, int),
                     np.array([1.0, 2.0, 3.0]), scale=(1, 7))
    s = summarize_question(q).statements[0]
    assert len(s.points) == 7 and s.top2_points == (6, 7) and s.top2.k == 0
    rows = [("a", "x", "q", "likert", "", 6)]
    assert summary_of(rows).question("q").statements[0].scale == (1, 7)
    with pytest.raises(ValueError, match="outside the scale"):
        summarize_question(QuestionData("q", "likert", np.arange(1), np.arange(1), ("",),
                                        np.zeros(1, int), np.array([9.0]), scale=(1, 5)))


@pytest.mark.parametrize("answers", [[], ["dk", "dk"], [4], [3, 3, 3, 3, 3, 3, 3]])
def test_likert_degenerate_inputs_say_not_computable(answers):
    rows = [(f"r{i}", "c", "q", "likert", "", v) for i, v in enumerate(answers)]
    rows.append(("other", "c", "q2", "number", "", 1))  # keeps the file non-empty
    summary = summary_of(rows)
    if not answers:
        assert [q.question_id for q in summary.questions] == ["q2"]
        return
    s = summary.question("q").statements[0]
    if s.n == 0:
        assert s.median.note.startswith("not computable") and s.top2.value is None
    else:
        assert s.median.median == float(answers[0])
    if s.n < 6:
        assert s.median.ci is None and "not computable" in s.median.note


def test_matrix_friedman_uses_complete_cases_only():
    scores = {"r1": (5, 3, 1), "r2": (4, 3, 2), "r3": (5, 2, 1), "r4": (4, "dk", 1)}
    rows = [(r, f"c{r}", "m", "matrix", stmt, v) for r, vals in scores.items()
            for stmt, v in zip(("A", "B", "C"), vals, strict=True)]
    q = summary_of(rows).question("m")
    assert [s.statement for s in q.statements] == ["A", "B", "C"]
    assert q.friedman.n == 3  # r4 answered "don't know" to B
    # Each complete respondent ranks A > B > C: rank sums 9, 6, 3 -> chi2 = 12/(3*3*4) *
    # (81 + 36 + 9) - 3*3*4 = 6, W = 1.
    assert q.friedman.statistic == pytest.approx(6.0) and q.friedman.effect == pytest.approx(1)


def test_matrix_with_identical_answers_is_not_computable():
    rows = [(r, f"c{r}", "m", "matrix", stmt, 3) for r in ("a", "b", "c") for stmt in "XYZ"]
    test = summary_of(rows).question("m").friedman
    assert not test.computable and "same score" in test.note


def test_matrix_friedman_counts_one_unit_per_company():
    # Three respondents of one company are one unit: too few for the test, whatever they say.
    rows = [(r, "c", "m", "matrix", stmt, v) for r, vals in (("a", (5, 3, 1)), ("b", (4, 3, 2)),
                                                              ("c", (5, 2, 1)))
            for stmt, v in zip("XYZ", vals, strict=True)]
    test = summary_of(rows).question("m").friedman
    assert not test.computable and "complete companies, there are 1" in test.note


def test_ranking_borda_mean_rank_and_w_hand_checked():
    # r1: A B C, r2: B A C, r3: A C B. Borda (rank r earns 3 - r): A 2+1+2 = 5, B 1+2+0 = 3,
    # C 0+0+1 = 1. Mean ranks 4/3, 2, 8/3. Rank sums 4, 6, 8: S = 8, W = 12*8/(9*24) = 4/9.
    q = summary_of(ranking_rows({"r1": "ABC", "r2": "BAC", "r3": "ACB"})).question("road")
    by_item = {i.item: i for i in q.items}
    assert [i.item for i in q.items] == ["A", "B", "C"]
    assert [by_item[x].borda for x in "ABC"] == [5, 3, 1]
    assert [by_item[x].mean_rank for x in "ABC"] == pytest.approx([4 / 3, 2, 8 / 3])
    assert [by_item[x].first_place for x in "ABC"] == [2, 1, 0]
    assert q.agreement.w == pytest.approx(4 / 9)
    assert q.agreement.words.startswith("weak agreement among companies, W = 0.44")
    assert q.n == 3 and q.n_companies == 3 and q.friedman.df == 2


def test_ranking_top_k_leaves_unranked_items_tied():
    # r1 ranks only its top 2 of 4 (C and D share places 3 and 4: 3.5 each); r2 ranks all.
    # Borda (rank r earns 4 - r): A 3 + 1, B 2 + 0, C 0.5 + 3, D 0.5 + 2.
    q = summary_of(ranking_rows({"r1": "AB", "r2": "CDAB"})).question("road")
    by_item = {i.item: i for i in q.items}
    assert [by_item[x].borda for x in "ABCD"] == [4, 2, 3.5, 2.5]
    assert [by_item[x].mean_rank for x in "ABCD"] == [2, 3, 2.25, 2.75]
    assert [i.item for i in q.items] == ["A", "C", "D", "B"]


def test_ranking_bootstrap_intervals_are_reproducible():
    orders = ["ABCD", "ABDC", "BACD", "ABCD", "ACBD", "BADC", "ABCD", "DCBA"]
    rows = ranking_rows({f"r{i}": o for i, o in enumerate(orders)})
    a, b = summary_of(rows).question("road"), summary_of(rows).question("road")
    assert a == b
    for item in a.items:
        assert item.mean_rank_ci.low <= item.mean_rank <= item.mean_rank_ci.high
        assert item.borda_ci.low <= item.borda <= item.borda_ci.high


def test_ranking_passes_aligned_rows_to_the_consensus_rule():
    seen = {}

    def stand_in(rank_rows, items):
        seen["rows"], seen["items"] = rank_rows, items
        return [["A"], ["B", "C"]]

    rows = ranking_rows({"r1": "AB", "r2": "AC"})
    q = summary_of(rows, consensus_order=stand_in).question("road")
    assert seen["items"] == ["A", "B", "C"]
    assert {tuple(r) for r in seen["rows"]} == {(1, 2, None), (1, None, 2)}
    assert q.consensus == (("A",), ("B", "C"))


def test_ranking_of_one_respondent_is_not_computable():
    q = summary_of(ranking_rows({"r1": "ABC"})).question("road")
    assert not q.friedman.computable and q.agreement.w is None
    assert q.items[0].mean_rank_ci is None  # one company: no bootstrap interval


def test_budget_totals_means_and_funders_hand_checked():
    rows = [("r1", "x", "b", "budget", "A", 60), ("r1", "x", "b", "budget", "B", 40),
            ("r2", "y", "b", "budget", "A", 100),
            ("r3", "z", "b", "budget", "B", 50), ("r3", "z", "b", "budget", "C", 50)]
    q = summary_of(rows).question("b")
    by_item = {i.item: i for i in q.items}
    assert [i.item for i in q.items] == ["A", "B", "C"]
    assert q.total_points == 300 and q.n == 3
    assert [by_item[x].total_points for x in "ABC"] == [160, 90, 50]
    assert by_item["A"].mean_points == pytest.approx(160 / 3)
    assert [by_item[x].funders.k for x in "ABC"] == [2, 2, 1]


def test_single_and_multiple_choice_counts_and_wilson():
    rows = [(f"r{i}", f"c{i}", "s", "single", opt, 1) for i, opt in enumerate("aab")]
    rows += [("r0", "c0", "m", "multiple", "x", 1), ("r0", "c0", "m", "multiple", "y", 1),
             ("r1", "c1", "m", "multiple", "x", 1), ("r1", "c1", "m", "multiple", "y", 0)]
    summary = summary_of(rows)
    single, multiple = summary.question("s"), summary.question("m")
    assert [(o.option, o.count) for o in single.options] == [("a", 2), ("b", 1)]
    assert single.options[0].share.ci.method == "Wilson score interval"
    assert [(o.option, o.count, o.share.value) for o in multiple.options] == [
        ("x", 2, 1.0), ("y", 1, 0.5)]


def test_number_summary_and_empty_number():
    rows = [(f"r{i}", "c", "n", "number", "", v) for i, v in enumerate([1, 2, 3, 10])]
    q = summary_of(rows).question("n")
    assert (q.n, q.mean, q.median, q.minimum, q.maximum, q.total) == (4, 4, 2.5, 1, 10, 16)
    empty = summarize_question(QuestionData("n", "number", np.array([], int), np.array([], int),
                                            ("",), np.array([], int), np.array([])))
    assert empty.n == 0 and empty.mean is None and empty.note.startswith("not computable")


def test_text_answers_sorted_by_text_with_ids():
    rows = [("r2", "c", "t", "text", "", "zebra"), ("r1", "c", "t", "text", "", "apple"),
            ("r3", "c", "t", "text", "", "")]
    q = summary_of(rows).question("t")
    assert q.texts == ("apple", "zebra") and q.answer_ids == ("r1:t", "r2:t")


def test_group_comparisons_pick_the_test_and_control_fdr():
    groups = {"c0": "big", "c1": "big", "c2": "small", "c3": "small", "c4": "mid"}
    rows = []
    for i in range(30):
        company = f"c{i % 5}"
        rows += [(f"r{i}", company, "lik", "likert", "", 1 + i % 5),
                 (f"r{i}", company, "one", "single", "yes" if i % 3 else "no", 1),
                 (f"r{i}", company, "num", "number", "", i)]
    two = summary_of(rows, group_of={k: v for k, v in groups.items() if v != "mid"})
    three = summary_of(rows, group_of=groups)
    assert {c.test.test for c in two.comparisons} == {"Mann-Whitney U test",
                                                      "chi-square test of independence"}
    assert {c.test.test for c in three.comparisons} == {"Kruskal-Wallis H test",
                                                        "chi-square test of independence"}
    assert all(c.test.p_adjusted >= c.test.p_value for c in three.comparisons)
    assert all(sum(g.n for g in c.groups) <= 30 for c in two.comparisons)  # c4 left out
    lonely = summary_of(rows, group_of={"c0": "only"})
    assert all(not c.test.computable for c in lonely.comparisons)


def test_summary_to_dict_is_strict_json():
    rows = [*ranking_rows({"r1": "AB", "r2": "BA"}), ("r1", "co-r1", "q", "likert", "", "dk")]
    json.dumps(summary_of(rows).to_dict(), allow_nan=False)


@pytest.mark.parametrize(("rows", "message"), [
    ([("r", "c", "q", "likert", "", "abc")], "line 2: question 'q' (likert): value 'abc' is "
                                             "not a number"),
    ([("r", "c", "q", "poll", "", "1")], "unknown question_type 'poll'"),
    ([("r", "c", "q", "number", "", "nan")], "is not a number"),
    ([("r", "c", "q", "ranking", "A", "0")], "whole rank of 1 or more"),
    ([("r", "c", "q", "likert", "", "2.5")], "whole scale point"),
    ([("r", "c", "q", "budget", "A", "-1")], "0 points or more"),
    ([("r", "c", "q", "likert", "oops", "1")], "must leave item empty"),
    ([("r", "c", "q", "matrix", "", "1")], "need an item"),
    ([("r", "c", "q", "likert", "", "1"), ("r", "c", "q", "number", "", "1")], "mixes types"),
    ([("r", "c", "q", "budget", "A", "1"), ("r", "c", "q", "budget", "A", "2")],
     "line 3: question 'q' (budget): a response gives the same item twice"),
    ([("r", "c", "q", "single", "a", "1"), ("r", "c", "q", "single", "b", "1")],
     "more than one option"),
    ([("r", "c", "q", "number", "", "1"), ("r", "d", "p", "number", "", "1")],
     "more than one company"),
])
def test_tidy_format_errors_name_the_line(rows, message):
    with pytest.raises(TidyFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        survey_from_tidy(tidy(rows))


def test_tidy_missing_columns_and_case_of_types():
    with pytest.raises(TidyFormatError, match="missing column"):
        survey_from_tidy({"response_id": []})
    survey = survey_from_tidy(tidy([("r", "c", "q", " Likert ", "", "DK")]))
    assert survey.questions[0].question_type == "likert"
    assert np.isnan(survey.questions[0].values[0])


def test_known_scale_and_items_from_the_app():
    rows = [("r1", "c", "m", "matrix", "Later", 2), ("r1", "c", "m", "matrix", "First", 6),
            ("r1", "c", "s", "single", "b", 1)]
    survey = survey_from_tidy(tidy(rows), scales={"m": (1, 7)},
                              items={"m": ["First", "Middle", "Later"], "s": ["a", "b", "c"]})
    m, s = (summarize_question(q) for q in survey.questions)
    assert [st.statement for st in m.statements] == ["First", "Middle", "Later"]
    assert m.statements[0].scale == (1, 7) and m.statements[0].top2.k == 1
    assert m.statements[1].n == 0 and m.statements[1].median.note.startswith("not computable")
    assert [(o.option, o.count) for o in s.options] == [("b", 1), ("a", 0), ("c", 0)]


def test_to_dict_keeps_the_published_shape():
    rows = [*ranking_rows({"r1": ["A", "B", "C"], "r2": ["B", "A", "C"]}),
            ("r1", "co-r1", "t", "text", "", "hello")]
    data = summary_of(rows, consensus_order=lambda rows, items: [items]).to_dict()
    assert list(data) == ["n_responses", "n_companies", "questions", "comparisons"]
    ranking, text = ({q["question_id"]: q for q in data["questions"]}[k] for k in ("road", "t"))
    assert list(ranking) == ["question_id", "question_type", "n", "n_companies", "items",
                             "friedman", "agreement", "consensus", "method"]  # no profile
    assert ranking["consensus"] == [["A", "B", "C"]]
    assert text["answers"] == [{"answer_id": "r1:t", "text": "hello"}]
    assert "texts" not in text and "answer_ids" not in text


def test_ranking_grid_is_built_once_per_question_and_shared(monkeypatch):
    from surveys.results import ranking

    grids, blocks = [], []
    real_grid, real_test, real_boot = (ranking.rank_grid, ranking.friedman_and_w,
                                       ranking.cluster_bootstrap_means)

    def counted_grid(q):
        grids.append(real_grid(q))
        return grids[-1]

    def seen(real):
        def wrapper(units, *args, **kwargs):
            blocks.append(units)
            return real(units, *args, **kwargs)
        return wrapper

    monkeypatch.setattr(ranking, "rank_grid", counted_grid)
    monkeypatch.setattr(ranking, "friedman_and_w", seen(real_test))
    monkeypatch.setattr(ranking, "cluster_bootstrap_means", seen(real_boot))
    rows = (ranking_rows({"r1": ["A", "B", "C"], "r2": ["B", "A", "C"], "r3": ["A", "C", "B"]})
            + ranking_rows({"r1": ["X", "Y", "Z"], "r2": ["Z", "Y", "X"]}, qid="road2")
            + [(f"r{i}", f"co-r{i}", "m", "matrix", s, v)
               for i, v in ((1, 1), (2, 2), (3, 3)) for s in ("S1", "S2", "S3")])
    summary_of(rows, consensus_order=lambda rows, items: [items])
    assert len(grids) == 2  # one per ranking question; the matrix has its own test
    # The Friedman test, Kendall's W and the bootstrap read the very grid that was built.
    assert [id(b) for b in blocks] == [id(g.units) for g in grids for _ in range(2)]
