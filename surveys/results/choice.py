"""Single and multiple choice summaries: counts and shares with Wilson intervals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.json_ready import JsonReady
from core.stats import Proportion, proportions
from surveys.results.data import QuestionData, cell_counts, distinct


@dataclass(frozen=True)
class ChoiceOption(JsonReady):
    """How many respondents chose one option."""

    option: str
    count: int
    share: Proportion
    companies: int


@dataclass(frozen=True)
class ChoiceSummary(JsonReady):
    """Counts and shares with Wilson intervals for a single or multiple choice question."""

    question_id: str
    question_type: str
    n: int
    n_companies: int
    options: tuple[ChoiceOption, ...]  # most chosen first
    method: str


def summarize_choice(q: QuestionData) -> ChoiceSummary:
    """Summarize a single or multiple choice question."""
    n = distinct(q.responses)
    count, _, companies = cell_counts(q.item_codes, q.responses, q.companies, len(q.items))
    shares = proportions(count, n)
    order = np.lexsort((np.asarray(q.items), -count))
    options = tuple(ChoiceOption(q.items[j], int(count[j]), shares[j], int(companies[j]))
                    for j in order)
    several = " (several options allowed, so shares add up to more than 100%)"
    method = (f"share of the {n} respondents who answered; Wilson 95% intervals"
              + (several if q.question_type == "multiple" else ""))
    return ChoiceSummary(q.question_id, q.question_type, n, distinct(q.companies), options,
                         method)
