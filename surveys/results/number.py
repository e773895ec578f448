"""Number question summaries: n, mean, median, minimum, maximum and sum."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.json_ready import JsonReady
from core.stats import not_computable
from surveys.results.data import QuestionData, distinct


@dataclass(frozen=True)
class NumberSummary(JsonReady):
    """n, mean, median, minimum, maximum and sum of a number question."""

    question_id: str
    question_type: str
    n: int
    n_companies: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    total: float | None
    note: str = ""


def summarize_number(q: QuestionData) -> NumberSummary:
    """Summarize a number question."""
    x = np.asarray(q.values, dtype=float)
    n = int(x.size)
    if n == 0:
        return NumberSummary(q.question_id, "number", 0, 0, None, None, None, None, None,
                             not_computable("no answers"))
    return NumberSummary(q.question_id, "number", n, distinct(q.companies), float(x.mean()),
                         float(np.median(x)), float(x.min()), float(x.max()), float(x.sum()))
