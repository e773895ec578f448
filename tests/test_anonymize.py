"""Publication gate: thresholds, complementary suppression, and property tests."""

import json
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.anonymize import GateCell, GateSettings, Margin, gate_survey, suppress
from surveys.results import TIDY_COLUMNS, summarize_survey, survey_from_tidy

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def tidy(rows):
    """Return tidy columns from (response, company, question, type, item, value) tuples."""
    cols = {c: [] for c in TIDY_COLUMNS}
    for response, company, qid, qtype, item, value in rows:
        for name, v in zip(TIDY_COLUMNS, (response, company, f"person {response}", qid, qtype,
                                          item, str(value)), strict=True):
            cols[name].append(v)
    return cols


def gate(rows, publish=None, approved=frozenset(), group_of=None, **k):
    """Summarize rows and gate them; publish defaults to every question."""
    summary = summarize_survey(survey_from_tidy(tidy(rows)), group_of=group_of)
    publish = [q.question_id for q in summary.questions] if publish is None else publish
    return gate_survey(summary, publish, GateSettings(**k), approved).to_dict()


@pytest.mark.parametrize("bad", [2, 0, -5, True, 3.5, "5"])
def test_thresholds_below_three_are_refused(bad):
    with pytest.raises(ValueError, match="at least 3"):
        GateSettings(k_respondents=bad)
    with pytest.raises(ValueError, match="at least 3"):
        GateSettings(k_companies=bad)


def test_default_thresholds():
    s = GateSettings()
    assert (s.k_respondents, s.k_companies) == (5, 3)
    assert s.passes(5, 3) and not s.passes(4, 9) and not s.passes(9, 2)


def cells_of(values, companies=None):
    """Return GateCells keyed c0, c1, ... with respondents = value."""
    companies = companies or [min(v, 3) for v in values]
    return [GateCell(f"c{i}", v, v, c) for i, (v, c) in enumerate(zip(values, companies,
                                                                       strict=True))]


def test_one_small_cell_in_a_row_takes_the_next_smallest_with_it():
    cut = suppress(cells_of([2, 8, 9, 12]), [Margin("row", ("c0", "c1", "c2", "c3"))],
                   GateSettings())
    assert cut.primary == {"c0"} and cut.suppressed == {"c0", "c1"}


def test_too_few_companies_is_primary_even_with_many_respondents():
    cut = suppress(cells_of([40, 9, 9], companies=[2, 5, 5]), [], GateSettings())
    assert cut.primary == {"c0"}


def test_zero_cells_are_not_primary_and_complements_prefer_nonzero_cells():
    cut = suppress(cells_of([0, 2, 0, 7, 6]), [Margin("row", ("c0", "c1", "c2", "c3", "c4"))],
                   GateSettings())
    assert cut.primary == {"c1"} and cut.suppressed == {"c1", "c4"}


def test_derived_totals_are_withheld_instead_of_more_cells():
    margins = [Margin("top2", ("c0", "c1"), hide_first=True)]
    cut = suppress(cells_of([2, 9]), margins, GateSettings())
    assert cut.suppressed == {"c0"} and cut.hidden_margins == {"top2"}


def test_forced_cells_count_as_primary():
    cut = suppress(cells_of([9, 9, 9]), [Margin("row", ("c0", "c1", "c2"))], GateSettings(),
                   forced={"c2"})
    assert cut.primary == {"c2"} and len(cut.suppressed) == 2


def test_complements_propagate_across_rows_and_columns():
    # 2 x 3 table with row and column totals: suppressing (0,0) forces (0,1) in its row,
    # then (1,0) and (1,1) through the columns.
    values = {"a0": 1, "a1": 6, "a2": 30, "b0": 7, "b1": 8, "b2": 40}
    cells = [GateCell(k, v, v, 3) for k, v in values.items()]
    margins = [Margin("ra", ("a0", "a1", "a2")), Margin("rb", ("b0", "b1", "b2")),
               Margin("k0", ("a0", "b0")), Margin("k1", ("a1", "b1")), Margin("k2", ("a2", "b2"))]
    cut = suppress(cells, margins, GateSettings())
    assert cut.suppressed == {"a0", "a1", "b0", "b1"}


@st.composite
def tables(draw):
    """Draw a table of cells with row and column totals, and thresholds."""
    n_rows, n_cols = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    cells = []
    for r in range(n_rows):
        for c in range(n_cols):
            v = draw(st.integers(0, 12))
            cells.append(GateCell(f"{r},{c}", v, v, draw(st.integers(min(v, 1), max(v, 0)))))
    margins = [Margin(f"r{r}", tuple(f"{r},{c}" for c in range(n_cols)),
                      hide_first=draw(st.booleans())) for r in range(n_rows)]
    margins += [Margin(f"c{c}", tuple(f"{r},{c}" for r in range(n_rows))) for c in range(n_cols)]
    k = GateSettings(draw(st.integers(3, 7)), draw(st.integers(3, 5)))
    return cells, margins, k


@FAST
@given(tables())
def test_property_no_small_cell_shows_and_none_can_be_recomputed(table):
    cells, margins, k = table
    cut = suppress(cells, margins, k)
    assert cut.primary <= cut.suppressed
    for c in cells:
        if c.key not in cut.suppressed:
            assert c.value == 0 or k.passes(c.respondents, c.companies)
    for m in margins:
        if m.name not in cut.hidden_margins:
            assert sum(key in cut.suppressed for key in m.keys) != 1


COMPANIES = [f"Operator {chr(65 + i)} Inc" for i in range(8)]


@st.composite
def responses(draw):
    """Draw a small survey: companies with a few respondents answering every question type."""
    rows = []
    for ci in range(draw(st.integers(1, 7))):
        for ri in range(draw(st.integers(1, 4))):
            rid = f"resp-{ci}-{ri}"

            def add(qid, qtype, item, value, rid=rid, ci=ci):
                rows.append((rid, COMPANIES[ci], qid, qtype, item, value))

            add("lik", "likert", "", draw(st.sampled_from([1, 2, 3, 4, 5, "dk"])))
            for stmt in ("S1", "S2", "S3"):
                add("mat", "matrix", stmt, draw(st.sampled_from([1, 2, 3, 4, 5, "dk"])))
            add("one", "single", draw(st.sampled_from(["yes", "no", "maybe"])), 1)
            for opt in draw(st.sets(st.sampled_from(["x", "y", "z"]), min_size=1)):
                add("many", "multiple", opt, 1)
            for pos, item in enumerate(draw(st.permutations(["A", "B", "C", "D"]))):
                add("rank", "ranking", item, pos + 1)
            for item in ("A", "B", "C"):
                add("bud", "budget", item, draw(st.sampled_from([0, 0, 5, 10, 20])))
            add("num", "number", "", draw(st.integers(0, 50)))
    k = GateSettings(draw(st.integers(3, 6)), draw(st.integers(3, 4)))
    return rows, k


def raw_cells(rows):
    """Independently count (question, item, value) -> respondents and companies."""
    who = defaultdict(lambda: (set(), set()))
    for rid, company, qid, qtype, item, value in rows:
        keys = [(qid, item, str(value))]
        if qtype == "ranking" and value == 1:
            keys.append((qid, item, "first"))
        if qtype == "budget" and value > 0:
            keys.append((qid, item, "funded"))
        if qtype == "likert" or qtype == "matrix":
            keys.append((qid, item, "top2" if value in (4, 5) else "other"))
        for key in [*keys, (qid, "", "any")]:
            who[key][0].add(rid)
            who[key][1].add(company)
    return who


def check_cell(who, key, shown, k):
    """A shown count must be 0 or have k respondents and k companies behind it."""
    if shown is None or shown == 0:
        return
    respondents, companies = who[key]
    assert len(respondents) >= k.k_respondents and len(companies) >= k.k_companies, key


def check_margin(suppressed_flags, total):
    """A shown total must not cover exactly one suppressed cell."""
    if total is not None:
        assert sum(suppressed_flags) != 1


@FAST
@given(responses())
def test_property_public_output_never_shows_or_reveals_a_small_cell(drawn):
    rows, k = drawn
    public = gate(rows, k_respondents=k.k_respondents, k_companies=k.k_companies)
    who = raw_cells(rows)
    text = json.dumps(public)
    assert not any(name in text for name in COMPANIES) and "resp-" not in text
    for q in public["questions"]:
        if not q["published"]:
            continue
        check_cell(who, (q["question_id"], "", "any"), q["figures"].get("n") or 1, k)
        CHECKS[q["question_type"]](q["question_id"], q["figures"], who, k)


def check_scale(qid, figures, who, k):
    """Points, top-2-box, "don't know" and the totals of a likert or matrix question."""
    for s in figures["statements"]:
        if not s["published"]:
            continue
        flags = [p["suppressed"] for p in s["points"]]
        for p in s["points"]:
            check_cell(who, (qid, s["statement"], str(p["point"])), p["count"], k)
        check_cell(who, (qid, s["statement"], "dk"), s["dont_know"], k)
        check_margin(flags, s["n"])
        top = [p["suppressed"] for p in s["points"] if p["point"] in s["top2_points"]]
        check_margin(top, s["top2"])
        if s["top2"] is not None:
            check_cell(who, (qid, s["statement"], "top2"), s["top2"]["k"], k)
        if figures["n"] is not None and s["n"] is not None:  # then "don't know" = n - n_s
            assert not s["dont_know_suppressed"]
    # Everyone answers every statement, so n + "don't know" is shared: all hidden or none.
    shown = [s["dont_know_suppressed"] for s in figures["statements"] if s["published"]]
    assert all(shown) or not any(shown)


def check_choice(qid, figures, who, k):
    """Options of a single or multiple choice question; single-choice counts add up to n."""
    for o in figures["options"]:
        check_cell(who, (qid, o["option"], "1"), o["count"], k)
    if qid == "one":
        check_margin([o["suppressed"] for o in figures["options"]], figures["n"])


def check_ranking(qid, figures, who, k):
    """Only aggregates over everyone: no per-item counts."""
    assert all(not any(key.startswith("first") for key in i) for i in figures["items"])


def check_budget(qid, figures, who, k):
    """Funders and points per item; points add up to the total."""
    for i in figures["items"]:
        funders = i["funders"]["k"] if i["funders"] else None
        check_cell(who, (qid, i["item"], "funded"), funders, k)
        check_cell(who, (qid, i["item"], "funded"), i["total_points"], k)
    check_margin([i["total_points"] is None for i in figures["items"]], figures["total_points"])


def check_number(qid, figures, who, k):
    """No single respondent's value."""
    assert figures["minimum"] is None and figures["maximum"] is None


CHECKS = {"likert": check_scale, "matrix": check_scale, "single": check_choice,
          "multiple": check_choice, "ranking": check_ranking, "budget": check_budget,
          "number": check_number}


def big_survey():
    """Return rows: 12 companies x 2 respondents, with one rare likert answer."""
    rows = []
    for i in range(24):
        rid, company = f"r{i}", f"Company {i % 12}"
        rows += [(rid, company, "lik", "likert", "", 1 if i == 0 else 2 + i % 4),
                 (rid, company, "txt", "text", "", f"idea {i}"),
                 (rid, company, "num", "number", "", i),
                 (rid, company, "one", "single", "a" if i % 2 else "b", 1)]
    return rows


def test_nothing_is_published_by_default():
    assert gate(big_survey(), publish=[])["questions"] == []


def test_small_questions_are_withheld_whole():
    rows = [(f"r{i}", f"c{i}", "q", "likert", "", 3) for i in range(4)]
    q = gate(rows)["questions"][0]
    assert not q["published"] and "fewer than 5 respondents" in q["reason"]
    assert q["figures"] == {}


def test_rare_answer_and_its_complement_are_suppressed():
    q = next(q for q in gate(big_survey())["questions"] if q["question_id"] == "lik")
    points = {p["point"]: p for p in q["figures"]["statements"][0]["points"]}
    assert points[1]["suppressed"] and points[1]["count"] is None
    assert sum(p["suppressed"] for p in points.values()) == 2


def test_free_text_only_when_approved_sorted_and_without_ids():
    public = gate(big_survey(), approved={"r3:txt", "r1:txt"})
    q = next(q for q in public["questions"] if q["question_id"] == "txt")
    assert q["figures"]["answers"] == ["idea 1", "idea 3"]
    assert "r3:txt" not in json.dumps(public)


def test_number_minimum_and_maximum_are_withheld():
    q = next(q for q in gate(big_survey())["questions"] if q["question_id"] == "num")
    assert q["figures"]["mean"] == pytest.approx(11.5) and q["figures"]["total"] == 276
    assert q["figures"]["minimum"] is None and "one respondent" in q["figures"]["note"]


def test_group_comparisons_only_when_every_group_passes():
    groups = {f"Company {i}": ("big" if i < 6 else "small") for i in range(12)}
    shown = gate(big_survey(), group_of=groups)["comparisons"]
    assert {c["question_id"] for c in shown} == {"lik", "num", "one"}
    assert all(c["test"]["p_adjusted"] is not None for c in shown)
    groups["Company 11"] = "tiny"  # one company: fails k_companies
    assert gate(big_survey(), group_of=groups)["comparisons"] == []
    only_lik = gate(big_survey(), publish=["lik"], group_of={**groups, "Company 11": "small"})
    (c,) = only_lik["comparisons"]
    assert c["test"]["p_adjusted"] == pytest.approx(c["test"]["p_value"])  # FDR over 1 test


def test_two_item_ranking_hides_mean_ranks_that_would_show_a_small_count():
    rows = [(f"r{i}", f"c{i}", "duo", "ranking", item, pos + 1)
            for i in range(12) for pos, item in enumerate("AB" if i else "BA")]
    q = gate(rows)["questions"][0]
    assert all(i["mean_rank"] is None and i["borda"] is None for i in q["figures"]["items"])
    assert q["figures"]["agreement"]["w"] is None  # Kendall's W needs 3 items anyway
    rows = [(f"r{i}", f"c{i}", "duo", "ranking", item, pos + 1)
            for i in range(12) for pos, item in enumerate("AB" if i % 2 else "BA")]
    assert gate(rows)["questions"][0]["figures"]["items"][0]["mean_rank"] == 1.5


def test_one_small_dont_know_hides_every_dont_know_of_the_matrix():
    rows = []
    for i in range(20):
        for stmt in ("S1", "S2"):
            dk = (stmt == "S1" and i == 0) or (stmt == "S2" and i < 8)
            rows.append((f"r{i}", f"c{i}", "mat", "matrix", stmt, "dk" if dk else 1 + i % 5))
    figures = gate(rows)["questions"][0]["figures"]
    assert [s["dont_know"] for s in figures["statements"]] == [None, None]
    assert figures["n"] is None
