"""Ranking and budget-allocation summaries over roadmap items.

Ranking conventions (stated in every summary's ``method``):

* Ranks are re-ranked within each response, so only their order matters. Items a respondent
  left out of a top-k ranking share the remaining places (average rank), the usual treatment
  of partial rankings for Friedman and Kendall's W; mean rank and Borda use the same ranks.
* Borda: with n items, rank r earns n - r points (first place n - 1); an unranked item earns
  n minus its shared average rank. Total Borda points = m (n - mean rank) for m respondents.
* Intervals: percentile bootstrap resampling whole companies (all respondents of a company
  together) with a fixed seed, so anyone re-running the summary gets the same interval.
* One unit per company: when a company has several respondents, their re-ranked rows are
  averaged into one row for the company before mean ranks, Borda points, the Friedman test
  and Kendall's W, so a company with more respondents does not weigh more.
* The consensus order reads unranked items the same way (below every ranked item, tied among
  themselves), so the three figures tell one story.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from core.stats import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    LEVEL,
    Agreement,
    Interval,
    Proportion,
    TestResult,
    clean,
    cluster_bootstrap_means,
    friedman_and_w,
    proportions,
)
from surveys.results_data import QuestionData, cell_counts, distinct

ConsensusOrder = Callable[[list[list[int | None]], list[str]], Sequence[Sequence[str]]]


def _iv(low: float, high: float, method: str) -> Interval:
    """Return an Interval at the default level."""
    return Interval(float(low), float(high), LEVEL, method)


@dataclass(frozen=True)
class RankedItem:
    """One roadmap item of a ranking question."""

    item: str
    mean_rank: float
    mean_rank_ci: Interval | None
    borda: float
    borda_ci: Interval | None
    first_place: int
    first_place_companies: int

    def to_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return {"item": self.item, "mean_rank": self.mean_rank,
                "mean_rank_ci": self.mean_rank_ci.to_dict() if self.mean_rank_ci else None,
                "borda": self.borda, "borda_ci": self.borda_ci.to_dict() if self.borda_ci else None,
                "first_place": self.first_place,
                "first_place_companies": self.first_place_companies}


@dataclass(frozen=True)
class RankingSummary:
    """Mean ranks, Borda points, the Friedman test and Kendall's W for a ranking question."""

    question_id: str
    question_type: str
    n: int
    n_companies: int
    items: tuple[RankedItem, ...]  # best mean rank first
    friedman: TestResult
    agreement: Agreement
    consensus: tuple[tuple[str, ...], ...] | None  # tiers, best first, from the caller's rule
    method: str
    # For the publication gate only (never in to_dict): each distinct re-ranked row of the
    # responses with how many gave it, and whether every company answered once.
    profile: tuple[tuple[tuple[float, ...], int], ...] = ()
    one_per_company: bool = True
    item_labels: tuple[str, ...] = ()  # the profile's columns, in survey order

    def to_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return {"question_id": self.question_id, "question_type": self.question_type,
                "n": self.n, "n_companies": self.n_companies,
                "items": [i.to_dict() for i in self.items], "friedman": self.friedman.to_dict(),
                "agreement": self.agreement.to_dict(),
                "consensus": [list(t) for t in self.consensus] if self.consensus else None,
                "method": self.method}


def rank_grid(q: QuestionData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (given ranks with NaN for unranked, response codes, company codes) per response."""
    codes, first, rows = np.unique(q.responses, return_index=True, return_inverse=True)
    grid = np.full((codes.size, len(q.items)), np.nan)
    grid[rows.ravel(), q.item_codes] = q.values
    return grid, codes, q.companies[first]


def normalized_ranks(grid: np.ndarray) -> np.ndarray:
    """Re-rank each row 1..n; unranked items (NaN) share the remaining places."""
    return stats.rankdata(np.where(np.isnan(grid), np.inf, grid), axis=1)


def summarize_ranking(q: QuestionData, consensus_order: ConsensusOrder | None = None,
                      seed: int = BOOTSTRAP_SEED) -> RankingSummary:
    """Summarize a ranking question (consensus_order: e.g. the Schulze method of voting)."""
    grid, _, companies = rank_grid(q)
    ranks = normalized_ranks(grid)
    m, n_items = ranks.shape
    rows, counts = np.unique(ranks, axis=0, return_counts=True) if m else (ranks, [])
    profile = tuple((tuple(float(x) for x in r), int(c)) for r, c in zip(rows, counts,
                                                                         strict=True))
    units, unit_codes = per_company(ranks, companies)
    friedman, agreement = friedman_and_w(units, unit="companies", what="items")
    items = _ranked_items(q.items, units, ranks, companies, unit_codes, seed)
    consensus = None
    if consensus_order is not None:
        consensus = tuple(tuple(t) for t in consensus_order(_rank_rows(grid), list(q.items)))
    method = _ranking_method(m, n_items)
    if units.shape[0] < m:
        method += (f"; one unit per company: the rankings of the {m} respondents were averaged "
                   f"within each of the {units.shape[0]} companies before the mean ranks, Borda "
                   "points, the Friedman test and Kendall's W")
    return RankingSummary(q.question_id, "ranking", m, distinct(companies), items, friedman,
                          agreement, consensus, method, profile, units.shape[0] == m,
                          tuple(q.items))


def per_company(ranks: np.ndarray, companies: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return one row per company (the mean of its respondents' rows) and the company codes."""
    codes, rows = np.unique(companies, return_inverse=True)
    if codes.size == ranks.shape[0]:
        return ranks[np.argsort(rows.ravel(), kind="stable")], codes
    sums = np.zeros((codes.size, ranks.shape[1]))
    np.add.at(sums, rows.ravel(), ranks)
    return sums / np.bincount(rows.ravel(), minlength=codes.size)[:, None], codes


def _ranked_items(labels: Sequence[str], units: np.ndarray, ranks: np.ndarray,
                  companies: np.ndarray, unit_codes: np.ndarray,
                  seed: int) -> tuple[RankedItem, ...]:
    """Return per-item mean rank, Borda points and first places, best mean rank first.

    units: one row per company (figures); ranks: one row per response (first places).
    """
    m, n_items = units.shape
    mean = units.mean(axis=0) if m else np.zeros(n_items)
    borda = (n_items - units).sum(axis=0)  # exact when each company answered once
    bounds = cluster_bootstrap_means(units, unit_codes, seed=seed)
    firsts = np.nonzero(ranks == 1.0)
    count, _, comp = cell_counts(firsts[1], firsts[0], companies[firsts[0]], n_items)
    out = []
    for j in np.lexsort((np.asarray(labels), mean)):
        ci = borda_ci = None
        if bounds is not None:
            low, high = bounds[0][j], bounds[1][j]
            ci = _iv(low, high, "cluster bootstrap percentile interval")
            borda_ci = _iv(m * (n_items - high), m * (n_items - low),
                           "cluster bootstrap percentile interval, scaled to n")
        out.append(RankedItem(labels[j], float(mean[j]), ci, float(borda[j]), borda_ci,
                              int(count[j]), int(comp[j])))
    return tuple(out)


def _rank_rows(grid: np.ndarray) -> list[list[int | None]]:
    """Return each response's ranks aligned with the items, None where unranked."""
    return [[None if math.isnan(v) else int(v) for v in row] for row in grid.tolist()]


def _ranking_method(m: int, n_items: int) -> str:
    """Describe how the ranking figures were computed."""
    return (f"{m} rankings of {n_items} items; ranks re-ranked within each response, unranked "
            "items share the remaining places; Borda: rank r earns "
            f"{n_items} - r points; 95% intervals by a {BOOTSTRAP_RESAMPLES}-resample "
            f"bootstrap over companies, seed {BOOTSTRAP_SEED}")


@dataclass(frozen=True)
class BudgetItem:
    """Points given to one roadmap item."""

    item: str
    total_points: float
    mean_points: float | None
    funders: Proportion  # respondents giving it more than 0 points
    funding_companies: int

    def to_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return {"item": self.item, "total_points": self.total_points,
                "mean_points": self.mean_points, "funders": self.funders.to_dict(),
                "funding_companies": self.funding_companies}


@dataclass(frozen=True)
class BudgetSummary:
    """Total and mean points per item, and who funds each item."""

    question_id: str
    question_type: str
    n: int
    n_companies: int
    total_points: float
    items: tuple[BudgetItem, ...]  # most points first
    method: str

    def to_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return {"question_id": self.question_id, "question_type": self.question_type,
                "n": self.n, "n_companies": self.n_companies, "total_points": self.total_points,
                "items": [i.to_dict() for i in self.items], "method": self.method}


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
