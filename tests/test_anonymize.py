"""Publication gate: thresholds, complementary suppression, and property tests."""

import json
from collections import defaultdict
from functools import cache
from itertools import islice

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from surveys.anonymize import GateCell, GateSettings, Margin, gate_survey, suppress
from surveys.results.data import TIDY_COLUMNS, survey_from_tidy
from surveys.results.summary import summarize_survey

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
    """Draw a small survey: companies with a few respondents answering every question type.

    Every question but "opt" and the "Other" text is required, so their n is the number of
    respondents: the total an outsider can set against a likert's base n.
    """
    rows = []
    n_companies = draw(st.integers(1, 7))
    # Answers spread over the scale, or crowded on a few points with a rare "don't know".
    palette = draw(st.one_of(st.just([1, 2, 3, 4, 5, "dk", "dk"]), st.lists(
        st.sampled_from([1, 2, 3, 4, 5]), min_size=1, max_size=3).map(lambda ps: ps * 3 + ["dk"])))
    scale = st.sampled_from(palette)
    for ci in range(n_companies):
        for ri in range(draw(st.integers(1, 4))):
            rid = f"resp-{ci}-{ri}"

            def add(qid, qtype, item, value, rid=rid, ci=ci):
                rows.append((rid, COMPANIES[ci], qid, qtype, item, value))

            add("lik", "likert", "", draw(scale))
            if draw(st.booleans()):
                add("opt", "likert", "", draw(scale))
            for stmt in ("S1", "S2", "S3"):
                add("mat", "matrix", stmt, draw(scale))
            choice = draw(st.sampled_from(["yes", "no", "maybe", "Other"]))
            add("one", "single", choice, 1)
            if choice == "Other":
                add("one.other", "text", "", f"other text of {rid}")
            for opt in draw(st.sets(st.sampled_from(["x", "y", "z"]), min_size=1)):
                add("many", "multiple", opt, 1)
            for opt in draw(st.permutations(["p", "q", "r", "s"]))[:2]:  # "choose exactly 2"
                add("two", "multiple", opt, 1)
            for pos, item in enumerate(draw(st.permutations(["A", "B", "C", "D"]))):
                add("rank", "ranking", item, pos + 1)
            for item in ("A", "B", "C"):
                add("bud", "budget", item, draw(st.sampled_from([0, 0, 5, 10, 20])))
            add("num", "number", "", draw(st.integers(0, 50)))
    groups = {COMPANIES[ci]: draw(st.sampled_from(["east", "west"])) for ci in range(n_companies)}
    k = GateSettings(draw(st.integers(3, 6)), draw(st.integers(3, 4)))
    return rows, k, groups


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
            keys.append((qid, item, "dk" if value == "dk" else "scale"))
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


def numbers_under(value, key="n") -> list[float]:
    """Collect every number stored under a key, at any depth of a JSON-ready value."""
    if isinstance(value, dict):
        own = [value[key]] if isinstance(value.get(key), int | float) else []
        return own + [x for k, v in value.items() if k != key for x in numbers_under(v, key)]
    if isinstance(value, list):
        return [x for v in value for x in numbers_under(v, key)]
    return []


@FAST
@given(responses())
def test_property_public_output_never_shows_or_reveals_a_small_cell(drawn):
    rows, k, groups = drawn
    public = gate(rows, group_of=groups, k_respondents=k.k_respondents,
                  k_companies=k.k_companies)
    who = raw_cells(rows)
    text = json.dumps(public)
    assert not any(name in text for name in COMPANIES) and "resp-" not in text
    for q in public["questions"]:
        if not q["published"]:
            continue
        check_cell(who, (q["question_id"], "", "any"), q["figures"].get("n") or 1, k)
        CHECKS[q["question_type"]](q["question_id"], q["figures"], who, k)
    check_dont_know_across_questions(public, who)
    by_id = {q["question_id"]: q for q in public["questions"]}
    other = by_id.get("one.other", {"published": False})
    if other["published"] and by_id["one"]["published"]:  # its n is the "Other" count
        assert not any(o["suppressed"] for o in by_id["one"]["figures"]["options"]
                       if o["option"] == "Other")


def check_dont_know_across_questions(public, who):
    """A suppressed "don't know" = answered - base n: no published figure may give the base.

    Required questions publish the number of respondents, i.e. what a required likert's
    statements were answered by; so a statement's base n must not follow from any figure
    of its own (n, shares, top-2-box, median, tests, the sum of its counts).
    """
    question_ns = [q["figures"]["n"] for q in public["questions"]
                   if q["published"] and q["figures"].get("n") is not None]
    for q in public["questions"]:
        if not q["published"] or q["question_type"] not in ("likert", "matrix"):
            continue
        qid, figures = q["question_id"], q["figures"]
        for s in figures["statements"]:
            if not s["published"] or not s["dont_know_suppressed"]:
                continue
            base = len(who[(qid, s["statement"], "scale")][0])
            dk = len(who[(qid, s["statement"], "dk")][0])
            tests = [c for c in public["comparisons"]
                     if (c["question_id"], c["statement"]) == (qid, s["statement"])]
            own = numbers_under(s) + numbers_under(s, "k") + numbers_under(tests)
            if q["question_type"] == "matrix" and len(figures["statements"]) >= 3:
                own += numbers_under(figures["friedman"])
            flags = [p["suppressed"] for p in s["points"]]
            if not any(flags):
                own.append(sum(p["count"] for p in s["points"]))
            assert base not in own and not any(a - b == dk for a in question_ns for b in own)
            assert sum(flags) >= 1  # answered = points + "don't know" covers 2+ suppressed
            assert s["top2"] is None and s["median"]["median"] is None
            assert all(p["share"] is None for p in s["points"])


def check_scale(qid, figures, who, k):
    """Points, top-2-box, "don't know" and the totals of a likert or matrix question."""
    for s in figures["statements"]:
        if not s["published"] or s.get("recoding"):  # recoded: tests/test_disclosure.py
            continue
        flags = [p["suppressed"] for p in s["points"]]
        for p in s["points"]:
            check_cell(who, (qid, s["statement"], str(p["point"])), p["count"], k)
        check_cell(who, (qid, s["statement"], "dk"), s["dont_know"], k)
        check_margin(flags, s["n"])
        top = [p["suppressed"] for p in s["points"] if p["point"] in s["top2_points"]]
        rest = [p["suppressed"] for p in s["points"] if p["point"] not in s["top2_points"]]
        check_margin(top, s["top2"])
        check_margin(rest, s["top2"])  # n - top2 is a published total as well
        if s["top2"] is not None:
            check_cell(who, (qid, s["statement"], "top2"), s["top2"]["k"], k)
        # answered (points + "don't know") is public: n shows only with "don't know"
        assert (s["n"] is None) == s["dont_know_suppressed"]
        check_margin([*flags, s["dont_know_suppressed"]], True)
        if s["median"]["median"] is not None:
            check_order_statistics(qid, s)


@cache
def interval_ranks(n):
    """Return the ranks of the exact 95% interval for the median of n answers."""
    ci = stats.quantile_test(np.arange(n), q=0, p=0.5).confidence_interval(0.95)
    return tuple(int(x) for x in (ci.low, ci.high) if np.isfinite(x))


def splits(total, parts):
    """Yield every way to share total among parts (non-negative whole numbers)."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in splits(total - first, parts - 1):
            yield (first, *rest)


def check_order_statistics(qid, s):
    """Median, quartiles and interval are the same for any split of the suppressed counts.

    The splits are all ways to share out n minus the published counts (up to 3000 of them).
    """
    hidden = [i for i, p in enumerate(s["points"]) if p["suppressed"]]
    if not hidden:  # then they are functions of the published counts
        return
    counts = [p["count"] or 0 for p in s["points"]]
    points = [p["point"] for p in s["points"]]
    m = s["median"]
    shown = (m["median"], m["q1"], m["q3"], *((m["ci"]["low"], m["ci"]["high"]) if m["ci"]
                                             else ()))
    for split in islice(splits(s["n"] - sum(counts), len(hidden)), 3000):
        for i, c in zip(hidden, split, strict=True):
            counts[i] = c
        values = np.repeat(points, counts)
        q1, med, q3 = np.percentile(values, [25, 50, 75])
        ends = tuple(values[r] for r in interval_ranks(s["n"])) if m["ci"] else ()
        assert (med, q1, q3, *ends) == pytest.approx(shown), (qid, s["statement"], split)


def check_choice(qid, figures, who, k):
    """Options of a single or multiple choice question; single-choice counts add up to n."""
    if figures.get("recoding"):  # recoded for a small group: tests/test_disclosure.py
        return
    for o in figures["options"]:
        check_cell(who, (qid, o["option"], "1"), o["count"], k)
    flags = [o["suppressed"] for o in figures["options"]]
    if qid == "one":
        check_margin(flags, figures["n"])
    if qid == "two":  # everyone chose exactly 2: the counts add up to 2n, a public total
        check_margin(flags, True)


def check_ranking(qid, figures, who, k):
    """Only aggregates over everyone: no per-item counts."""
    assert all(not any(key.startswith("first") for key in i) for i in figures["items"])


def check_budget(qid, figures, who, k):
    """Funders and points per item; points add up to the total."""
    if figures.get("recoding"):  # recoded for a small group: tests/test_disclosure.py
        return
    for i in figures["items"]:
        funders = i["funders"]["k"] if i["funders"] else None
        check_cell(who, (qid, i["item"], "funded"), funders, k)
        check_cell(who, (qid, i["item"], "funded"), i["total_points"], k)
    check_margin([i["total_points"] is None for i in figures["items"]], figures["total_points"])


def check_number(qid, figures, who, k):
    """No single respondent's value (an odd number of answers has one as its median)."""
    assert figures["minimum"] is None and figures["maximum"] is None
    assert figures["median"] is None


def check_text(qid, figures, who, k):
    """Only the chair's approved answers (none here)."""
    assert figures["answers"] == []


CHECKS = {"likert": check_scale, "matrix": check_scale, "single": check_choice,
          "multiple": check_choice, "ranking": check_ranking, "budget": check_budget,
          "number": check_number, "text": check_text}


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


def test_a_small_dont_know_hides_its_own_statements_base_only():
    # Formerly one small "don't know" hid every "don't know" of the matrix and the question's
    # n. Now the number who answered counts as public anyway (it is the survey's respondents),
    # so what must go is the base n of the statement with the small "don't know" (20 - 1 = 19
    # would give it away), and only that statement's.
    rows = []
    for i in range(20):
        for stmt in ("S1", "S2"):
            dk = (stmt == "S1" and i == 0) or (stmt == "S2" and i < 8)
            rows.append((f"r{i}", f"c{i}", "mat", "matrix", stmt, "dk" if dk else 1 + i % 3))
    figures = gate(rows)["questions"][0]["figures"]
    s1, s2 = figures["statements"]
    assert figures["n"] == 20 and (s2["n"], s2["dont_know"]) == (12, 8)
    assert s1["dont_know_suppressed"] and s1["n"] is None and 19 not in numbers_under(s1)
    assert sum(p["suppressed"] for p in s1["points"]) == 1  # with "don't know": 2 of 20
    assert all(p["share"] is None for p in s1["points"]) and s1["top2"] is None


def fifteen_respondents():
    """Return rows of the review's example: 15 respondents, each of their own company.

    A required likert has 14 answers on the scale and one "don't know"; a number, a single
    choice and a three-statement matrix are answered by everyone, so n = 15 shows there.
    """
    rows = []
    for i in range(15):
        rid, company = f"r{i}", f"c{i}"
        rows += [(rid, company, "lik", "likert", "", "dk" if i == 0 else 4 + i % 2),
                 (rid, company, "num", "number", "", i),
                 (rid, company, "one", "single", "a" if i < 8 else "b", 1)]
        rows += [(rid, company, "mat", "matrix", s, v) for s, v in
                 (("S1", "dk" if i == 1 else 1 + i % 3), ("S2", 1 + i % 2), ("S3", 2 + i % 3))]
    return rows


def test_the_dont_know_of_a_required_likert_cannot_be_worked_out_from_other_questions():
    public = gate(fifteen_respondents(), group_of={f"c{i}": "ab"[i % 2] for i in range(15)})
    by_id = {q["question_id"]: q["figures"] for q in public["questions"]}
    (lik,) = by_id["lik"]["statements"]
    assert by_id["num"]["n"] == by_id["one"]["n"] == by_id["lik"]["n"] == 15
    # Before, the likert showed n = 14 next to the others' 15: "don't know" = 15 - 14 = 1.
    assert lik["dont_know_suppressed"] and lik["n"] is None
    counts = [p["count"] for p in lik["points"]]
    assert counts == [0, 0, 0, None, 7]  # 7 fours and 7 fives: one more count goes
    # Every total over all respondents that shows (the n of questions, statements, shares,
    # medians and tests; the sum of the likert's counts): no pair differs by the hidden 1.
    ns = [*numbers_under(public["questions"]), *(c["test"]["n"] for c in public["comparisons"]),
          sum(c or 0 for c in counts)]
    assert 14 not in ns and not any(a - b == 1 for a in ns for b in ns)
    assert lik["median"]["median"] is None and lik["top2"] is None
    assert all(p["share"] is None for p in lik["points"])
    assert "counts only" in lik["method"] and "14" not in lik["method"]
    # The matrix statement with one "don't know" likewise; the others keep everything.
    s1, s2, s3 = by_id["mat"]["statements"]
    assert s1["n"] is None and (s2["n"], s3["n"]) == (15, 15)
    assert s2["median"]["median"] == 1 and s2["top2"] is not None
    # Complete cases (the Friedman n) would be 15 - 1 as well; and no comparison on S1.
    assert by_id["mat"]["friedman"]["n"] is None and "withheld" in by_id["mat"]["friedman"]["note"]
    compared = {(c["question_id"], c["statement"]) for c in public["comparisons"]}
    assert ("mat", "S2") in compared and ("mat", "S1") not in compared
    assert ("lik", "") not in compared and ("num", "") in compared


def scale_rows(counts, dont_know=0):
    """Return likert rows with these counts per point 1-5, one respondent per company."""
    values = [p for p, c in enumerate(counts, start=1) for _ in range(c)] + ["dk"] * dont_know
    return [(f"r{i}", f"c{i}", "lik", "likert", "", v) for i, v in enumerate(values)]


def statement(counts, dont_know=0):
    """Gate a likert question with these counts and return its one statement."""
    return gate(scale_rows(counts, dont_know))["questions"][0]["figures"]["statements"][0]


def test_top2_is_withheld_when_n_minus_top2_covers_one_suppressed_cell():
    # 1, 4 and 5 are all below 5; top-2-box = 3 + 4 = 7 passes, but n - 7 - 8 - 9 = 2 would
    # give the count of point 1 (the totals n and top-2 are nested).
    s = statement([2, 8, 9, 3, 4])
    assert [p["suppressed"] for p in s["points"]] == [True, False, False, True, True]
    assert s["n"] == 26 and s["top2"] is None


def test_order_statistics_show_only_when_the_published_counts_fix_them():
    summary = summarize_survey(survey_from_tidy(tidy(scale_rows([0, 4, 7, 0, 5]))))
    # q1 = 2.75 would say the 4th and 5th answers are 2 and 3: exactly 4 answers are 2 or less.
    assert summary.questions[0].statements[0].median.q1 == 2.75
    s = statement([0, 4, 7, 0, 5])
    assert [p["count"] for p in s["points"]] == [0, None, 7, 0, None]
    assert s["median"]["q1"] is None and s["median"]["ci"] is None
    assert "suppressed count" in s["median"]["note"]
    # The median's own point suppressed (the case named in review): withheld as well.
    s = statement([6, 6, 2, 6, 6])
    assert s["points"][2]["suppressed"] and s["median"]["median"] is None
    # Suppressed counts at the low end, every figure read above them: all shown.
    s = statement([2, 6, 10, 12, 9])
    assert [p["suppressed"] for p in s["points"]] == [True, True, False, False, False]
    assert (s["median"]["median"], s["median"]["q1"], s["median"]["q3"]) == (4, 3, 4)
    assert s["median"]["ci"] is not None


def test_number_median_is_withheld():
    q = next(q for q in gate(big_survey())["questions"] if q["question_id"] == "num")
    assert q["figures"]["median"] is None and "median" in q["figures"]["note"]


def test_multiple_choice_counts_adding_up_to_m_times_n_are_a_published_total():
    # A large group (cell suppression). Everyone chose exactly 2: the counts add up to 40, so
    # the 4 of "r" would show from p and q.
    picks = ["pq"] * 16 + ["pr"] * 3 + ["qr"]
    rows = [(f"r{i}", f"c{i}", "two", "multiple", o, 1) for i, p in enumerate(picks) for o in p]
    options = {o["option"]: o for o in gate(rows)["questions"][0]["figures"]["options"]}
    assert options["r"]["suppressed"] and options["q"]["suppressed"]
    assert not options["p"]["suppressed"]
    # One respondent chose only "q": 39 is no multiple of 20, so no rule can fix the total.
    options = {o["option"]: o for o in gate(rows[:-1])["questions"][0]["figures"]["options"]}
    assert options["r"]["suppressed"] and not options["q"]["suppressed"]


def test_a_small_groups_multiple_choice_hides_a_count_an_exactly_m_rule_would_fix():
    # Ten respondents, everyone chose exactly 2 (p 10, q 6, r 4): the exact attack is told the
    # total of 20, so "r" may only show merged with options that leave it anywhere in 0..n
    # or at least k (surveys/coarsen_choice.py).
    picks = ["pq"] * 6 + ["pr"] * 4
    rows = [(f"r{i}", f"c{i}", "two", "multiple", o, 1) for i, p in enumerate(picks) for o in p]
    figures = gate(rows)["questions"][0]["figures"]
    options = {o["option"]: o for o in figures["options"]}
    assert figures["recoding"] and options["r"]["count"] is None
    assert 4 not in [o["count"] for o in figures["options"]]
    shown = sum(o["count"] for o in figures["options"] if o["count"] is not None and
                "r" not in o.get("group", ()))
    assert 20 - shown >= 5  # what "r" may hold, given the total, reaches k


def other_rows(choices):
    """Return single-choice rows (and the "Other" texts) for these choices."""
    rows = []
    for i, choice in enumerate(choices):
        rows.append((f"r{i}", f"c{i}", "one", "single", choice, 1))
        if choice == "Other":
            rows.append((f"r{i}", f"c{i}", "one.other", "text", "", f"idea {i}"))
    return rows


def test_other_texts_are_withheld_when_their_count_is_suppressed():
    # "a" (2) is small and "Other" (6) is its complement: the texts' n = 6 would show it.
    public = gate(other_rows(["a"] * 2 + ["b"] * 9 + ["Other"] * 6))
    one, texts = public["questions"]
    assert [o["option"] for o in one["figures"]["options"] if o["suppressed"]] == ["Other", "a"]
    assert not texts["published"] and "suppressed count" in texts["reason"]
    assert "6" not in json.dumps(texts)
    # "b" (5) is the complement instead: the "Other" count shows, and so do the texts.
    public = gate(other_rows(["a"] * 2 + ["b"] * 5 + ["Other"] * 6))
    assert public["questions"][1]["published"]
