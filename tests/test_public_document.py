"""Pure: the public results document (compose, CSV) and its views (charts, tables, words)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from surveys.anonymize import GateSettings, gate_survey
from surveys.public_document import QuestionMeta, compose, csv_text
from surveys.public_format import describe_test, num, pct
from surveys.public_view import question_view, question_views
from surveys.results.data import TIDY_COLUMNS, QuestionData, SurveyData, survey_from_tidy
from surveys.results.summary import summarize_survey

# 16 respondents from 8 companies (two each) answer a single choice; Horizon is one company's.
# Above 12 respondents the gate suppresses cells (surveys/suppression.py); at most 12, it
# coarsens until its exact attack fails (surveys/coarsen_choice.py): SMALL is such a group.
CHOICES = ["Nova"] * 10 + ["Neutron"] * 4 + ["Horizon"] * 2
SMALL = ["Nova"] * 5 + ["Neutron"] * 2 + ["Horizon"]


def choice_survey(choices=CHOICES) -> SurveyData:
    items = ("Nova", "Neutron", "Horizon", "Zun")
    codes = np.array([items.index(c) for c in choices])
    n = len(choices)
    q = QuestionData("7", "single", np.arange(n), np.arange(n) // 2, items, codes, np.ones(n))
    return SurveyData((q,), tuple("ABCDEFGH"[: (n + 1) // 2]))


def document(chosen=("7", "8"), choices=CHOICES) -> dict:
    metas = [QuestionMeta("7", "single", "Main project", "Priorities",
                          items=("Nova", "Neutron", "Horizon", "Zun")),
             QuestionMeta("8", "text", "Anything else", "Priorities")]
    gated = gate_survey(summarize_survey(choice_survey(choices)), chosen, GateSettings(5, 3))
    return compose({"title": "Pike", "cycle": "", "closed_on": "2026-01-02"}, metas, chosen,
                   gated)


def test_compose_keeps_survey_order_and_withholds_what_has_no_summary():
    doc = document(chosen=("8", "7"))
    assert [q["question_id"] for q in doc["questions"]] == ["7", "8"]
    text = doc["questions"][1]
    assert text["published"] is False and text["reason"].startswith("withheld: fewer than 5")
    assert doc["k_respondents"] == 5 and doc["survey"]["title"] == "Pike"
    assert document(chosen=())["questions"] == []


def test_suppressed_options_go_last_in_survey_order():
    options = document()["questions"][0]["figures"]["options"]
    # By count the summary lists Nova, Neutron, Horizon, Zun (0); left there, the suppressed
    # Neutron and Horizon would show that their counts lie between 5 and 0.
    assert [(o["option"], o["suppressed"]) for o in options] == [
        ("Nova", False), ("Zun", False), ("Neutron", True), ("Horizon", True)]


def test_csv_has_one_figure_per_row_and_says_suppressed():
    rows = list(csv.reader(io.StringIO(csv_text(document()))))
    assert rows[0] == ["question_id", "question", "statement_or_item", "figure", "value"]
    body = {(r[0], r[2], r[3]): r[4] for r in rows[1:]}
    assert body[("7", "Nova", "count")] == "10"
    assert body[("7", "Nova", "share")] == "0.625"
    assert body[("7", "Neutron", "count")] == "suppressed"
    assert ("7", "Neutron", "share") not in body
    assert body[("8", "", "withheld")].startswith("withheld")


def test_views_draw_only_published_bars_and_table_says_suppressed():
    choice, text = question_views(document())
    assert choice.chart.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img"')
    assert "Nova: 62.50%" in choice.chart and "Neutron" not in choice.chart
    assert choice.table.rows[2] == ("Neutron", "suppressed", "suppressed")
    assert choice.suppressed_note.startswith("A figure is not shown separately (marked suppressed")
    assert not text.published and text.chart == "" and text.table is None


def test_a_small_group_merges_rare_options_and_never_shows_them_alone():
    doc = document(choices=SMALL)
    figures = doc["questions"][0]["figures"]
    assert figures["recoding"] == "merged"
    merged = "other answers (Horizon, Neutron)"
    assert [(o["option"], o["count"]) for o in figures["options"]] == [
        ("Nova", 5), (merged, 3), ("Zun", 0), ("Neutron", None), ("Horizon", None)]
    assert "Horizon, Neutron merged" in figures["recoding_note"]
    rows = list(csv.reader(io.StringIO(csv_text(doc))))
    body = {(r[0], r[2], r[3]): r[4] for r in rows[1:]}
    assert body[("7", merged, "count")] == "3" and body[("7", "Nova", "count")] == "5"
    assert not any(key[1] in ("Neutron", "Horizon") and key[2] in ("count", "share")
                   for key in body)  # neither 2 nor 1 is written anywhere for them
    choice, _ = question_views(doc)
    assert choice.table.rows[-2] == ("Neutron", "not shown separately", "not shown separately")
    assert "Neutron:" not in choice.chart and "Horizon:" not in choice.chart
    assert "merged into" in " ".join(choice.notes)


@pytest.mark.parametrize(("value", "digits", "expected"), [
    (None, 2, "\u2013"), (2.0, 2, "2"), (2.5, 2, "2.5"), (1.23456, 2, "1.23"), (880.0, 1, "880"),
])
def test_num(value, digits, expected):
    assert num(value, digits) == expected


def test_pct_and_test_words():
    share = {"value": 0.625, "ci": {"low": 0.3, "high": 0.86}}
    assert pct(share) == "62% (30%\u201386%)" and pct(share, interval=False) == "62%"
    assert pct(None) == "\u2013"
    ran = {"test": "Friedman test", "n": 5, "statistic": 8.4, "p_value": 0.015, "effect": 0.84,
           "effect_name": "Kendall's W", "method": "ranks within respondents"}
    assert describe_test(ran) == ("Friedman test on n = 5: statistic 8.4, p = 0.015, Kendall's W"
                               " = 0.84. Why: ranks within respondents.")
    assert describe_test({**ran, "p_value": 0.0001}).startswith(
        "Friedman test on n = 5: statistic 8.4, p < 0.001")
    assert describe_test({"test": "Friedman test", "statistic": None, "note": "not computable: x"}
                      ) == "Friedman test: not computable: x."


def test_ranking_view_states_the_agreement_in_words():
    figures = {"n": 5, "items": [
        {"item": "Logging", "mean_rank": 1.2, "mean_rank_ci": {"low": 1.0, "high": 1.6},
         "borda": 9.0, "borda_ci": {"low": 7.0, "high": 10.0}},
        {"item": "Tempest", "mean_rank": 2.0, "mean_rank_ci": None, "borda": 5.0,
         "borda_ci": None}],
        "friedman": {"test": "Friedman test", "statistic": None, "note": "not computable: y"},
        "agreement": {"words": "strong agreement among companies, W = 0.83"},
        "consensus": [["Logging"], ["Tempest"]], "method": "Borda", "note": ""}
    view = question_view({"question_id": "4", "question_type": "ranking", "published": True,
                          "reason": "", "text": "Rank", "section": "S", "figures": figures})
    assert view.agreement == "strong agreement among companies, W = 0.83"
    assert view.consensus == "Logging > Tempest"
    assert view.table.rows == (("Logging", "1.2 (1\u20131.6)", "9 (7\u201310)"),
                               ("Tempest", "2", "5"))
    assert "Borda points (95% interval)" in view.chart and not view.wide


def _multiple(picks) -> dict:
    """Return the public document of one multiple choice, a respondent's picks per company."""
    cols = {c: [] for c in TIDY_COLUMNS}
    for r, chosen in enumerate(picks):
        for option in chosen:
            for name, v in zip(TIDY_COLUMNS, (f"r{r}", f"c{r}", f"p{r}", "m", "multiple",
                                              option, "1"), strict=True):
                cols[name].append(v)
    data = survey_from_tidy(cols, items={"m": ("a", "b", "c", "d")})
    gated = gate_survey(summarize_survey(data), ("m",), GateSettings(5, 3))
    meta = QuestionMeta("m", "multiple", "Areas", "S", items=("a", "b", "c", "d"))
    return compose({"title": "t", "cycle": "", "closed_on": "2026-01-02"}, [meta], ("m",), gated)


def test_a_multiple_choice_tie_is_said_as_a_tie_not_as_no_majority():
    # a, b and c are each chosen by 3 of 5, more than half: "no majority" would be false.
    doc = _multiple([("a", "b"), ("a", "c"), ("b", "c"), ("a", "b", "c"), ("d",)])
    rows = {r[3]: r[4] for r in csv.reader(io.StringIO(csv_text(doc)))}
    assert rows["most_chosen"] == "a tie between two or more options, not named"
    (view,) = question_views(doc)
    said = " ".join(view.notes)
    assert "Chosen most often: a tie between two or more options" in said
    assert "majority" not in said and "Wilson" not in said  # no share is shown to read
    # a and b are each chosen by 4 of 5: the CSV names them as over half, not as "most chosen"
    over = _multiple([("a", "b"), ("a", "b"), ("a", "c"), ("a", "b", "c", "d"), ("b",)])
    assert over["questions"][0]["figures"]["recoding"] == "majority"
    rows = {r[3]: r[4] for r in csv.reader(io.StringIO(csv_text(over)))}
    assert rows["chosen_by_more_than_half"] == "a, b" and "most_chosen" not in rows


def test_the_scale_legend_names_only_the_bands_drawn():
    f = {"n": 5, "friedman": None, "statements": [{
        "statement": "", "published": True, "recoding": "bands", "answered": 5, "n": None,
        "method": "m", "recoding_note": "", "majority": None,
        "bands": [{"label": f"{name} ({pts})", "points": [1], "dont_know": False, "count": c,
                   "share": {"value": c / 5}} for name, pts, c in
                  (("disagree", "1\u20132", 1), ("neutral", "3", 0), ("agree", "4\u20135", 4))]}]}
    view = question_view({"question_id": "l", "question_type": "likert", "text": "t",
                          "section": "S", "published": True, "figures": f, "labels": []})
    assert view.legend == (("sw5-1", "disagree"), ("sw5-3", "neutral"), ("sw5-5", "agree"))
