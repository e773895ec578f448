"""Answers -> per-question statistical summaries (pure: plain values in, dataclasses out).

Entry points: ``summarize_survey(SurveyData, group_of=..., consensus_order=...)`` for a whole
survey, ``summarize_question(QuestionData)`` for one question, and ``survey_from_tidy`` to
build the input from tidy export columns. Every summary has ``to_dict()`` (JSON-ready) and
states its n; tests carry which test ran and why in ``method`` and any problem in ``note``.
The publication gate (``surveys.anonymize``) turns a SurveySummary into what the public sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from core.stats import BOOTSTRAP_SEED
from surveys.results_choice import (
    ChoiceOption,
    ChoiceSummary,
    NumberSummary,
    TextSummary,
    summarize_choice,
    summarize_number,
    summarize_text,
)
from surveys.results_data import (
    QUESTION_TYPES,
    TIDY_COLUMNS,
    QuestionData,
    SurveyData,
    TidyFormatError,
    survey_from_tidy,
)
from surveys.results_groups import GroupComparison, GroupCount, compare_groups, with_fdr
from surveys.results_ranking import (
    BudgetItem,
    BudgetSummary,
    ConsensusOrder,
    RankedItem,
    RankingSummary,
    summarize_budget,
    summarize_ranking,
)
from surveys.results_scale import (
    PointCount,
    ScaleQuestionSummary,
    ScaleSummary,
    summarize_scale,
)

__all__ = [
    "QUESTION_TYPES", "TIDY_COLUMNS", "BudgetItem", "BudgetSummary", "ChoiceOption",
    "ChoiceSummary", "ConsensusOrder", "GroupComparison", "GroupCount", "NumberSummary",
    "PointCount", "QuestionData", "QuestionSummary", "RankedItem", "RankingSummary",
    "ScaleQuestionSummary", "ScaleSummary", "SurveyData", "SurveySummary", "TextSummary",
    "TidyFormatError", "compare_groups", "summarize_question", "summarize_survey",
    "survey_from_tidy", "with_fdr",
]

QuestionSummary = (ScaleQuestionSummary | RankingSummary | BudgetSummary | ChoiceSummary
                   | NumberSummary | TextSummary)


@dataclass(frozen=True)
class SurveySummary:
    """Every question's summary plus the group comparisons, for members and for the gate."""

    questions: tuple[QuestionSummary, ...]
    comparisons: tuple[GroupComparison, ...]
    n_responses: int
    n_companies: int

    def question(self, question_id: str) -> QuestionSummary:
        """Return the summary of one question."""
        return next(q for q in self.questions if q.question_id == question_id)

    def to_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return {"n_responses": self.n_responses, "n_companies": self.n_companies,
                "questions": [q.to_dict() for q in self.questions],
                "comparisons": [c.to_dict() for c in self.comparisons]}


def summarize_question(q: QuestionData, consensus_order: ConsensusOrder | None = None,
                       seed: int = BOOTSTRAP_SEED) -> QuestionSummary:
    """Summarize one question according to its type."""
    kind = q.question_type
    if kind in ("likert", "matrix"):
        return summarize_scale(q)
    if kind == "ranking":
        return summarize_ranking(q, consensus_order, seed)
    if kind == "budget":
        return summarize_budget(q)
    if kind in ("single", "multiple"):
        return summarize_choice(q)
    if kind == "number":
        return summarize_number(q)
    if kind == "text":
        return summarize_text(q)
    raise ValueError(f"unknown question type {kind!r}")


def summarize_survey(survey: SurveyData, group_of: Mapping[str, str] | None = None,
                     consensus_order: ConsensusOrder | None = None,
                     seed: int = BOOTSTRAP_SEED) -> SurveySummary:
    """Summarize every question; compare groups of companies when group_of is given."""
    questions = tuple(summarize_question(q, consensus_order, seed) for q in survey.questions)
    comparisons = compare_groups(survey, group_of) if group_of else ()
    responses = [q.responses for q in survey.questions]
    companies = [q.companies for q in survey.questions]
    n_responses = np.unique(np.concatenate(responses)).size if responses else 0
    n_companies = np.unique(np.concatenate(companies)).size if companies else 0
    return SurveySummary(questions, comparisons, int(n_responses), int(n_companies))
