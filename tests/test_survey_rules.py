"""Pure survey rules, without an app: answers per type, progress, states, settings, tidy rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surveys import catalog, question_settings, rules, tidy
from surveys.question_settings import SettingsError
from surveys.rules import (
    DONT_KNOW,
    OTHER,
    Phase,
    QuestionSpec,
    QuestionType,
    SurveyError,
    SurveyState,
)

T = QuestionType
LIKERT = QuestionSpec(1, T.LIKERT, True, {"points": 5, "labels": list("abcde"), "dont_know": True})
LIKERT7 = QuestionSpec(1, T.LIKERT, False, {"points": 7, "labels": list("abcdefg"),
                                            "dont_know": False})
MATRIX = QuestionSpec(2, T.MATRIX, True, {"points": 5, "labels": list("abcde"), "dont_know": True,
                                          "statements": ["Fast", "Cheap", "Good"]})
SINGLE = QuestionSpec(3, T.SINGLE, False, {"options": ["Nova", "Neutron"], "other": True})
MULTIPLE = QuestionSpec(4, T.MULTIPLE, False, {"options": ["A", "B", "C", "D"], "min": 2,
                                               "max": 3})
RANKING = QuestionSpec(5, T.RANKING, True, {"items": [10, 11, 12], "top_k": None})
TOP2 = QuestionSpec(5, T.RANKING, True, {"items": [10, 11, 12, 13], "top_k": 2})
BUDGET = QuestionSpec(6, T.BUDGET, True, {"items": [10, 11, 12], "total": 100})
INTEGER = QuestionSpec(7, T.NUMBER, False, {"min": "0", "max": "500", "integer": True})
DECIMAL = QuestionSpec(7, T.NUMBER, False, {"min": "-1.5", "max": None, "integer": False})
TEXT = QuestionSpec(8, T.TEXT, False, {"max_length": 10})


@pytest.mark.parametrize(("spec", "raw", "stored"), [
    (LIKERT, "4", 4), (LIKERT, "dk", DONT_KNOW), (LIKERT, " 1 ", 1), (LIKERT7, "7", 7),
    (MATRIX, ["5", "dk", "1"], [5, DONT_KNOW, 1]),
    (SINGLE, ("Neutron", ""), {"option": "Neutron"}),
    (SINGLE, (OTHER, " Zun "), {"other": "Zun"}),
    (MULTIPLE, ["C", "A"], ["A", "C"]),
    (RANKING, {10: "2", 11: "3", 12: "1"}, {"12": 1, "10": 2, "11": 3}),
    (TOP2, {10: "", 11: "2", 12: "1", 13: ""}, {"12": 1, "11": 2}),
    (BUDGET, {10: "60", 11: "", 12: "40"}, {"10": 60, "11": 0, "12": 40}),
    (INTEGER, "12", "12"), (INTEGER, "500", "500"), (INTEGER, "12.0", "12"),
    (DECIMAL, "2.50", "2.5"), (DECIMAL, "-1.5", "-1.5"), (DECIMAL, "1e3", "1000"),
    (TEXT, "  ten chars ", "ten chars"), (TEXT, "é" * 10, "é" * 10),
])
def test_valid_answers_are_stored_exactly(spec, raw, stored):
    assert rules.check_answer(spec, raw, final=True) == rules.Checked(stored)


@pytest.mark.parametrize(("spec", "raw", "message"), [
    (LIKERT, "6", "Choose a point from 1 to 5."),
    (LIKERT, "0", "Choose a point from 1 to 5."),
    (LIKERT7, "dk", "Choose a point from 1 to 7."),  # no "don't know" offered
    (LIKERT, "four", "Choose a point from 1 to 5."),
    (MATRIX, ["5", "9", "1"], "Statement 2 (Cheap): choose a point from 1 to 5."),
    (MATRIX, ["5", "", "1"], "Answer every statement (1 of 3 missing)."),
    (SINGLE, ("Keystone", ""), "'Keystone' is not one of the options."),
    (SINGLE, (OTHER, ""), "Say what 'Other' is, or choose one of the options."),
    (SINGLE, (OTHER, "x" * 201), "'Other' takes at most 200 characters (you wrote 201)."),
    (MULTIPLE, ["A", "B", "C", "D"], "Choose at most 3 option(s); you chose 4."),
    (MULTIPLE, ["A"], "Choose at least 2 option(s); you chose 1."),
    (MULTIPLE, ["A", "Z"], "'Z' is not one of the options."),
    (RANKING, {10: "1", 11: "1", 12: "2"}, "Rank 1 is given twice; give each rank to one item only."),
    (RANKING, {10: "1", 11: "4", 12: "2"}, "Ranks go from 1 to 3; '4' is not one of them."),
    (RANKING, {10: "1", 11: "", 12: "2"}, "Rank every item: 1 rank(s) still missing."),
    (RANKING, {10: "first"}, "Ranks go from 1 to 3; 'first' is not one of them."),
    (TOP2, {10: "3"}, "Ranks go from 1 to 2; '3' is not one of them."),
    (TOP2, {10: "1"}, "Rank your top 2: 1 rank(s) still missing."),
    (BUDGET, {10: "60", 11: "30", 12: "0"}, "The points add up to 90; they must add up to exactly 100."),
    (BUDGET, {10: "60", 11: "50"}, "The points add up to 110; spread exactly 100."),
    (BUDGET, {10: "-10", 11: "110"}, "Points cannot be negative."),
    (BUDGET, {10: "12.5"}, "Points are whole numbers; '12.5' is not."),
    (INTEGER, "501", "Enter a number from 0 to 500."),
    (INTEGER, "-1", "Enter a number from 0 to 500."),
    (INTEGER, "2.5", "Enter a whole number."),
    (INTEGER, "twelve", "Enter a number, such as 12 or 2.5."),
    (DECIMAL, "nan", "Enter a number, such as 12 or 2.5."),
    (DECIMAL, "Infinity", "Enter a number, such as 12 or 2.5."),
    (DECIMAL, "-2", "Enter a number of at least -1.5."),
    (TEXT, "eleven char", "At most 10 characters; you wrote 11."),
    (LIKERT, "", "This question is required."),
    (RANKING, {}, "This question is required."),
    (MATRIX, ["", "", ""], "This question is required."),
])
def test_invalid_answers_get_a_clear_message(spec, raw, message):
    assert rules.check_answer(spec, raw, final=True) == rules.Checked(None, message)


@pytest.mark.parametrize(("spec", "raw", "stored"), [
    (LIKERT, "", None),  # required only on submit
    (MATRIX, ["5", "", ""], [5, None, None]),
    (MULTIPLE, ["A"], ["A"]),  # the minimum only on submit
    (RANKING, {10: "2", 12: "3"}, {"10": 2, "12": 3}),  # ranks kept as typed, gaps and all
    (BUDGET, {10: "60"}, {"10": 60}),  # under the total, not over it
])
def test_a_draft_may_be_incomplete_but_not_invalid(spec, raw, stored):
    assert rules.check_answer(spec, raw, final=False) == rules.Checked(stored)


def test_a_partial_ranking_keeps_its_ranks_through_a_draft():
    checked = rules.check_answer(RANKING, {10: "2", 12: "3"}, final=False)
    assert rules.to_raw(RANKING, checked.value) == {10: "2", 12: "3"}


@pytest.mark.parametrize(("spec", "raw"), [
    (LIKERT, "9"), (RANKING, {10: "1", 11: "1"}), (BUDGET, {10: "101"}), (TEXT, "x" * 11),
    (MULTIPLE, ["A", "B", "C", "D"]), (SINGLE, ("Nope", "")),
])
def test_invalid_values_are_refused_in_drafts_too(spec, raw):
    assert rules.check_answer(spec, raw, final=False).error


def test_check_answers_keeps_valid_answers_beside_the_errors():
    values, errors = rules.check_answers([LIKERT, TEXT, INTEGER],
                                         {1: "3", 8: "x" * 11, 7: "7"}, final=True)
    assert values == {1: 3, 7: "7"} and set(errors) == {8}


@pytest.mark.parametrize("spec", [LIKERT, MATRIX, SINGLE, MULTIPLE, RANKING, TOP2, BUDGET,
                                  INTEGER, TEXT])
def test_stored_values_round_trip_through_the_form(spec):
    raw = {T.LIKERT: "dk", T.MATRIX: ["1", "dk", "5"], T.SINGLE: (OTHER, "Zun"),
           T.MULTIPLE: ["B", "D"], T.BUDGET: {10: "100", 11: "0", 12: "0"},
           T.NUMBER: "42", T.TEXT: "hello"}.get(spec.type, {10: "1", 11: "2", 12: "3"})
    if spec is TOP2:
        raw = {13: "1", 10: "2"}
    value = rules.check_answer(spec, raw, final=True).value
    assert rules.check_answer(spec, rules.to_raw(spec, value), final=True).value == value


def test_progress_counts_complete_answers_against_required_questions():
    values = {1: 4, 2: [5, None, None], 5: {"10": 1, "11": 2, "12": 3}, 8: "note"}
    progress = rules.progress([LIKERT, MATRIX, RANKING, BUDGET, TEXT], values)
    assert progress == rules.Progress(answered=3, total=5, required_answered=2, required_total=4)
    assert not progress.ready


NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(("state", "opens", "closes", "phase"), [
    (SurveyState.DRAFT, None, None, Phase.DRAFT),
    (SurveyState.PROPOSED, NOW - HOUR, NOW + HOUR, Phase.PROPOSED),
    (SurveyState.OPEN, NOW + HOUR, NOW + 2 * HOUR, Phase.NOT_YET_OPEN),
    (SurveyState.OPEN, NOW, NOW + HOUR, Phase.OPEN),
    (SurveyState.OPEN, NOW - HOUR, NOW, Phase.CLOSED),  # the deadline itself is closed
    (SurveyState.CLOSED, NOW - HOUR, NOW + HOUR, Phase.CLOSED),
])
def test_phase_combines_state_and_window(state, opens, closes, phase):
    assert rules.phase(state, opens, closes, NOW) is phase


@pytest.mark.parametrize(("current", "new", "allowed"), [
    (SurveyState.DRAFT, SurveyState.PROPOSED, True), (SurveyState.DRAFT, SurveyState.OPEN, False),
    (SurveyState.PROPOSED, SurveyState.OPEN, True), (SurveyState.PROPOSED, SurveyState.DRAFT, True),
    (SurveyState.OPEN, SurveyState.CLOSED, True), (SurveyState.OPEN, SurveyState.DRAFT, False),
    (SurveyState.CLOSED, SurveyState.OPEN, False), (SurveyState.DRAFT, SurveyState.CLOSED, False),
])
def test_state_transitions(current, new, allowed):
    if allowed:
        rules.check_transition(current, new)
    else:
        with pytest.raises(SurveyError, match=f"a {current.value} survey cannot become"):
            rules.check_transition(current, new)


@pytest.mark.parametrize(("opens", "closes", "questions", "pending", "message"), [
    (NOW, NOW + HOUR, 0, 0, "add at least one question"),
    (None, NOW + HOUR, 1, 0, "set when the survey opens and closes"),
    (NOW, NOW, 1, 0, "must close after it opens"),
    (NOW - 2 * HOUR, NOW - HOUR, 1, 0, "closing time is already past"),
    (NOW, NOW + HOUR, 1, 2, "finalize the 2 proposed question"),
])
def test_opening_needs_questions_a_window_and_decided_proposals(opens, closes, questions,
                                                                pending, message):
    with pytest.raises(SurveyError, match=message):
        rules.check_can_open(opens, closes, questions, pending, NOW)


def test_questions_are_fixed_once_a_response_exists_or_closed():
    rules.check_editable(SurveyState.OPEN, has_responses=False)
    with pytest.raises(SurveyError, match="once a response exists"):
        rules.check_editable(SurveyState.OPEN, has_responses=True)
    with pytest.raises(SurveyError, match="closed survey"):
        rules.check_editable(SurveyState.CLOSED, has_responses=False)


@pytest.mark.parametrize(("qtype", "data", "config"), [
    (T.LIKERT, {"points": 7, "dont_know": True},
     {"points": 7, "labels": question_settings.DEFAULT_LABELS[7], "dont_know": True}),
    (T.MATRIX, {"points": 5, "labels": "1\n2\n3\n4\n5", "statements": "A\n\nB "},
     {"points": 5, "labels": ["1", "2", "3", "4", "5"], "dont_know": False,
      "statements": ["A", "B"]}),
    (T.SINGLE, {"options": "x\ny"}, {"options": ["x", "y"], "other": False}),
    (T.MULTIPLE, {"options": "x\ny\nz", "max_choices": 2}, {"options": ["x", "y", "z"],
                                                            "min": 0, "max": 2}),
    (T.RANKING, {"items": [3, 1, 3], "top_k": 2}, {"items": [3, 1], "top_k": None}),
    (T.RANKING, {"items": [1, 2, 3], "top_k": 2}, {"items": [1, 2, 3], "top_k": 2}),
    (T.BUDGET, {"items": [1, 2]}, {"items": [1, 2], "total": 100}),
    (T.NUMBER, {"min_value": "0.50", "max_value": ""}, {"min": "0.5", "max": None,
                                                        "integer": False}),
    (T.TEXT, {}, {"max_length": 2000}),
])
def test_builder_settings_are_normalized(qtype, data, config):
    assert question_settings.normalize(qtype, data, known_items=[1, 2, 3]) == config


@pytest.mark.parametrize(("qtype", "data", "field", "message"), [
    (T.LIKERT, {"points": 4}, "points", "5 or 7"),
    (T.LIKERT, {"points": 5, "labels": "a\nb"}, "labels", "give 5 labels"),
    (T.MATRIX, {"statements": ""}, "statements", "give 1 to 30 entries"),
    (T.SINGLE, {"options": "x\nx"}, "options", "must be different"),
    (T.SINGLE, {"options": "only"}, "options", "give 2 to 40"),
    (T.MULTIPLE, {"options": "x\ny", "min_choices": 2, "max_choices": 1}, "max_choices",
     "at least <= at most"),
    (T.RANKING, {"items": [1]}, "items", "choose 2 to 40"),
    (T.RANKING, {"items": [1, 99]}, "items", "from the roadmap catalog"),
    (T.RANKING, {"items": [1, 2], "top_k": 3}, "top_k", "top 1 to 2"),
    (T.BUDGET, {"items": [1, 2], "total": 100_001}, "total", "1 to 100000"),
    (T.BUDGET, {"items": [1, 2], "total": 0}, "total", "1 to 100000"),
    (T.RANKING, {"items": [1, 2], "top_k": 0}, "top_k", "top 1 to 2"),
    (T.MULTIPLE, {"options": "x\ny", "max_choices": 0}, "max_choices", "at least <= at most"),
    (T.NUMBER, {"min_value": "ten"}, "min_value", "enter a number"),
    (T.NUMBER, {"min_value": "5", "max_value": "1"}, "max_value", "below the lowest"),
    (T.TEXT, {"max_length": 10_001}, "max_length", "1 to 10000"),
])
def test_bad_builder_settings_name_the_field(qtype, data, field, message):
    with pytest.raises(SettingsError, match=message) as info:
        question_settings.normalize(qtype, data, known_items=[1, 2, 3])
    assert info.value.field == field


TITLES = {10: "Logging", 11: "Telemetry", 12: "Tempest"}


@pytest.mark.parametrize(("spec", "value", "rows"), [
    (LIKERT, 4, [("1", "", "4")]), (LIKERT, DONT_KNOW, [("1", "", "dk")]),
    (MATRIX, [5, DONT_KNOW, None], [("2", "Fast", "5"), ("2", "Cheap", "dk")]),
    (SINGLE, {"option": "Nova"}, [("3", "Nova", "1")]),
    (SINGLE, {"other": "Zun"}, [("3", "Other", "1"), ("3.other", "", "Zun")]),
    (MULTIPLE, ["A", "C"], [("4", "A", "1"), ("4", "C", "1")]),
    (RANKING, {"10": 2, "11": 3, "12": 1},
     [("5", "Tempest", "1"), ("5", "Logging", "2"), ("5", "Telemetry", "3")]),
    (BUDGET, {"10": 60, "11": 0, "12": 40},
     [("6", "Logging", "60"), ("6", "Telemetry", "0"), ("6", "Tempest", "40")]),
    (INTEGER, "12", [("7", "", "12")]), (TEXT, "hi, \"you\"", [("8", "", "hi, \"you\"")]),
    (TEXT, None, []),
])
def test_tidy_rows(spec, value, rows):
    out = tidy.answer_rows(9, "AT&T", "Carol", spec, value, TITLES)
    assert [(r[3], r[5], r[6]) for r in out] == rows
    assert all(r[:3] == ("9", "AT&T", "Carol") for r in out)
    types = {r[3]: r[4] for r in out}
    assert all(t == ("text" if q.endswith(".other") else spec.type.value) for q, t in types.items())


def test_tidy_columns_are_the_published_format():
    assert ",".join(tidy.COLUMNS) == "response_id,company,respondent,question_id,question_type,item,value"
    assert {t.value for t in QuestionType} == {"likert", "matrix", "single", "multiple", "ranking",
                                               "budget", "number", "text"}


@pytest.mark.parametrize(("text", "tags"), [
    ("Nova, Neutron", ["Nova", "Neutron"]), (" nova ,Nova,, Horizon ", ["nova", "Horizon"]),
    ("", []), ("Oslo.log", ["Oslo.log"]),
])
def test_component_tags(text, tags):
    assert catalog.parse_components(text) == tags


def test_malformed_component_tag_is_refused():
    with pytest.raises(ValueError, match="is not a component name"):
        catalog.parse_components("Nova, <script>")
