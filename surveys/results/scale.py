"""Likert and Likert-matrix summaries: counts per point, median, top-2-box, Friedman."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.json_ready import JsonReady
from core.stats import (
    MedianSummary,
    Proportion,
    TestResult,
    friedman_and_w,
    median_summary,
    not_computable,
    proportion,
    proportions,
)
from surveys.results.data import QuestionData, cell_counts, distinct
from surveys.results.grid import answer_grid, per_company


@dataclass(frozen=True)
class PointCount(JsonReady):
    """How many answered one scale point; respondents/companies feed the publication gate."""

    point: int
    count: int
    share: Proportion
    respondents: int
    companies: int


@dataclass(frozen=True)
class ScaleSummary(JsonReady):
    """One Likert question or one statement of a matrix."""

    statement: str
    n: int  # the base: answers on the scale, "don't know" excluded
    n_companies: int
    scale: tuple[int, int]
    points: tuple[PointCount, ...]
    dont_know: int
    dont_know_companies: int
    median: MedianSummary
    top2: Proportion
    top2_points: tuple[int, ...]
    top2_companies: int
    method: str


@dataclass(frozen=True)
class ScaleQuestionSummary(JsonReady):
    """A Likert question (one statement) or a matrix (several, with a Friedman test)."""

    question_id: str
    question_type: str
    n: int  # distinct responses that answered at least one statement
    n_companies: int
    statements: tuple[ScaleSummary, ...]
    friedman: TestResult | None  # matrix only: do the statements get different scores?


def infer_scale(values: np.ndarray) -> tuple[int, int]:
    """Guess the scale from the answers: 1-5 or 1-7 unless the answers go beyond."""
    seen = values[~np.isnan(values)]
    if seen.size == 0:
        return 1, 5
    low, high = int(seen.min()), int(seen.max())
    top = 5 if high <= 5 else 7 if high <= 7 else high
    return min(1, low), top


def summarize_scale(q: QuestionData) -> ScaleQuestionSummary:
    """Summarize a likert or matrix question."""
    scale = q.scale or infer_scale(q.values)
    how = "given" if q.scale else "inferred from the answers"
    if np.any((q.values < scale[0]) | (q.values > scale[1])):
        raise ValueError(f"question {q.question_id!r}: an answer lies outside the scale {scale}")
    statements = tuple(
        _statement(label, q, q.item_codes == code, scale, how)
        for code, label in enumerate(q.items))
    friedman = _friedman(q) if q.question_type == "matrix" else None
    return ScaleQuestionSummary(q.question_id, q.question_type, distinct(q.responses),
                                distinct(q.companies), statements, friedman)


def _statement(label: str, q: QuestionData, rows: np.ndarray, scale: tuple[int, int],
               how: str) -> ScaleSummary:
    """Summarize the answers to one statement."""
    values, responses, companies = q.values[rows], q.responses[rows], q.companies[rows]
    dk = np.isnan(values)
    low, high = scale
    cells = np.where(dk, high - low + 1, values - low).astype(np.int64)  # last cell = dk
    count, resp, comp = cell_counts(cells, responses, companies, high - low + 2)
    n = int(dk.size - dk.sum())
    shares = proportions(count[:-1], n)
    points = tuple(PointCount(low + i, int(count[i]), shares[i], int(resp[i]), int(comp[i]))
                   for i in range(high - low + 1))
    top = tuple(range(max(low, high - 1), high + 1))
    top2 = proportion(int(count[-3:-1].sum()), n) if high > low else proportion(0, 0)
    method = (f"scale {low}-{high} ({how}); percentages of the {n} answers on the scale, "
              "'don't know' excluded; quartiles by linear interpolation; Wilson 95% "
              f"interval for top-2-box (points {top[0]}-{top[-1]})")
    top_companies = distinct(companies[~dk & (values >= top[0])])
    return ScaleSummary(label, n, distinct(companies[~dk]), scale, points, int(count[-1]),
                        int(comp[-1]), median_summary(values[~dk]), top2, top, top_companies,
                        method)


def _friedman(q: QuestionData) -> TestResult:
    """Test whether the statements of a matrix get different scores (complete cases)."""
    if len(q.items) < 3:
        reason = f"the Friedman test needs at least 3 statements, there are {len(q.items)}"
        return TestResult("Friedman test", 0, note=not_computable(reason))
    grid = answer_grid(q)  # "don't know" stays NaN
    keep = ~np.isnan(grid.values).any(axis=1)
    # One unit per company: a company's respondents are averaged into one row of scores.
    units, _ = per_company(grid.values[keep], grid.companies[keep])
    test, _ = friedman_and_w(units, unit="companies", what="statements")
    return test
