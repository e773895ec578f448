"""Budget-allocation summaries: total and mean points per roadmap item, and who funds it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.json_ready import JsonReady
from core.stats import Proportion, clean, proportions
from surveys.results.data import QuestionData, cell_counts, distinct


@dataclass(frozen=True)
class BudgetItem(JsonReady):
    """Points given to one roadmap item."""

    item: str
    total_points: float
    mean_points: float | None
    funders: Proportion  # respondents giving it more than 0 points
    funding_companies: int


@dataclass(frozen=True)
class BudgetSummary(JsonReady):
    """Total and mean points per item, and who funds each item."""

    question_id: str
    question_type: str
    n: int
    n_companies: int
    total_points: float
    items: tuple[BudgetItem, ...]  # most points first
    method: str


def summarize_budget(q: QuestionData) -> BudgetSummary:
    """Summarize a budget-allocation question."""
    n_items = len(q.items)
    m = distinct(q.responses)
    totals = np.bincount(q.item_codes, weights=q.values, minlength=n_items)
    funded = q.values > 0
    funders, _, companies = cell_counts(q.item_codes[funded], q.responses[funded],
                                        q.companies[funded], n_items)
    shares = proportions(funders, m)
    order = np.lexsort((np.asarray(q.items), -totals))
    items = tuple(BudgetItem(q.items[j], float(totals[j]), clean(totals[j] / m) if m else None,
                             shares[j], int(companies[j])) for j in order)
    method = (f"{m} respondents; mean points per respondent (items left out count as 0); "
              "funders = respondents giving an item more than 0 points, Wilson 95% interval")
    return BudgetSummary(q.question_id, "budget", m, distinct(q.companies),
                         float(totals.sum()), items, method)
