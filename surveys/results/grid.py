"""One question's answers as a response x item grid, and one row per company.

The Friedman test, Kendall's W, mean ranks and Borda points all read this grid; a ranking
question builds it once (surveys.results.ranking.rank_grid) and passes it to each figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from surveys.results.data import QuestionData


@dataclass(frozen=True, eq=False)
class AnswerGrid:
    """Answers as a grid: one row per response, one column per item, NaN where none."""

    values: np.ndarray  # responses x items; NaN: not answered, unranked or "don't know"
    companies: np.ndarray  # the company code of each row


def answer_grid(q: QuestionData) -> AnswerGrid:
    """Arrange a question's answers as a response x item grid."""
    codes, first, rows = np.unique(q.responses, return_index=True, return_inverse=True)
    grid = np.full((codes.size, len(q.items)), np.nan)
    grid[rows.ravel(), q.item_codes] = q.values
    return AnswerGrid(grid, q.companies[first])


def per_company(rows: np.ndarray, companies: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return one row per company (the mean of its respondents' rows) and the company codes."""
    codes, inverse = np.unique(companies, return_inverse=True)
    if codes.size == rows.shape[0]:
        return rows[np.argsort(inverse.ravel(), kind="stable")], codes
    sums = np.zeros((codes.size, rows.shape[1]))
    np.add.at(sums, inverse.ravel(), rows)
    return sums / np.bincount(inverse.ravel(), minlength=codes.size)[:, None], codes
