"""A whole survey's summary: every question by its type, plus the group comparisons.

Entry points: ``summarize_survey(SurveyData, group_of=..., consensus_order=...)`` for a whole
survey and ``summarize_question(QuestionData)`` for one question (the input comes from
``surveys.results.data.survey_from_tidy``). Every summary has ``to_dict()`` (JSON-ready) and
states its n; tests carry which test ran and why in ``method`` and any problem in ``note``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from core.json_ready import JsonReady
from core.stats import BOOTSTRAP_SEED
from surveys.results.budget import BudgetSummary, summarize_budget
from surveys.results.choice import ChoiceSummary, summarize_choice
from surveys.results.data import QuestionData, SurveyData
from surveys.results.groups import GroupComparison, compare_groups
from surveys.results.number import NumberSummary, summarize_number
from surveys.results.ranking import ConsensusOrder, RankingSummary, summarize_ranking
from surveys.results.scale import ScaleQuestionSummary, summarize_scale
from surveys.results.text import TextSummary, summarize_text

QuestionSummary = (ScaleQuestionSummary | RankingSummary | BudgetSummary | ChoiceSummary
                   | NumberSummary | TextSummary)


@dataclass(frozen=True)
class SurveySummary(JsonReady):
    """Every question's summary plus the group comparisons, for members and for the gate."""

    n_responses: int
    n_companies: int
    questions: tuple[QuestionSummary, ...]
    comparisons: tuple[GroupComparison, ...]

    def question(self, question_id: str) -> QuestionSummary:
        """Return the summary of one question."""
        return next(q for q in self.questions if q.question_id == question_id)


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
    return SurveySummary(n_responses=int(n_responses), n_companies=int(n_companies),
                         questions=questions, comparisons=comparisons)
