"""Ranking summaries over roadmap items: mean ranks, Borda points, Friedman and Kendall's W.

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

The grid of ranks is built once per question (``rank_grid``) and every figure reads it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from core.json_ready import NOT_JSON, JsonReady
from core.stats import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    LEVEL,
    Agreement,
    Interval,
    TestResult,
    cluster_bootstrap_means,
    friedman_and_w,
)
from surveys.results.data import QuestionData, cell_counts, distinct
from surveys.results.grid import answer_grid, per_company

ConsensusOrder = Callable[[list[list[int | None]], list[str]], Sequence[Sequence[str]]]
Profile = tuple[tuple[tuple[float, ...], int], ...]


def _iv(low: float, high: float, method: str) -> Interval:
    """Return an Interval at the default level."""
    return Interval(float(low), float(high), LEVEL, method)


@dataclass(frozen=True)
class RankedItem(JsonReady):
    """One roadmap item of a ranking question."""

    item: str
    mean_rank: float
    mean_rank_ci: Interval | None
    borda: float
    borda_ci: Interval | None
    first_place: int
    first_place_companies: int


@dataclass(frozen=True)
class RankingSummary(JsonReady):
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
    profile: Profile = field(default=(), metadata=NOT_JSON)
    one_per_company: bool = field(default=True, metadata=NOT_JSON)
    item_labels: tuple[str, ...] = field(default=(), metadata=NOT_JSON)  # profile's columns


@dataclass(frozen=True, eq=False)
class RankGrid:
    """A ranking question's ranks, arranged once for every figure that reads them."""

    given: np.ndarray  # responses x items: ranks as given, NaN where unranked
    ranks: np.ndarray  # re-ranked 1..n within each response
    companies: np.ndarray  # the company code of each response row
    units: np.ndarray  # one row per company: the mean of its respondents' re-ranked rows
    unit_codes: np.ndarray  # the company code of each unit row


def normalized_ranks(grid: np.ndarray) -> np.ndarray:
    """Re-rank each row 1..n; unranked items (NaN) share the remaining places."""
    return stats.rankdata(np.where(np.isnan(grid), np.inf, grid), axis=1)


def rank_grid(q: QuestionData) -> RankGrid:
    """Build the ranking question's grid: given ranks, re-ranked rows and company units."""
    grid = answer_grid(q)
    ranks = normalized_ranks(grid.values)
    units, unit_codes = per_company(ranks, grid.companies)
    return RankGrid(grid.values, ranks, grid.companies, units, unit_codes)


def summarize_ranking(q: QuestionData, consensus_order: ConsensusOrder | None = None,
                      seed: int = BOOTSTRAP_SEED) -> RankingSummary:
    """Summarize a ranking question (consensus_order: e.g. the Schulze method of voting)."""
    g = rank_grid(q)
    m, n_units = g.ranks.shape[0], g.units.shape[0]
    friedman, agreement = friedman_and_w(g.units, unit="companies", what="items")
    items = _ranked_items(q.items, g, seed)
    consensus = None
    if consensus_order is not None:
        tiers = consensus_order(_rank_rows(g.given), list(q.items))
        consensus = tuple(tuple(t) for t in tiers) or None  # no tiers: nothing to show
    method = _ranking_method(m, len(q.items))
    if n_units < m:
        method += (f"; one unit per company: the rankings of the {m} respondents were averaged "
                   f"within each of the {n_units} companies before the mean ranks, Borda "
                   "points, the Friedman test and Kendall's W")
    return RankingSummary(q.question_id, "ranking", m, distinct(g.companies), items, friedman,
                          agreement, consensus, method, _profile(g.ranks), n_units == m,
                          tuple(q.items))


def _profile(ranks: np.ndarray) -> Profile:
    """Return each distinct re-ranked row with how many responses gave it."""
    if not ranks.shape[0]:
        return ()
    rows, counts = np.unique(ranks, axis=0, return_counts=True)
    return tuple((tuple(float(x) for x in r), int(c)) for r, c in zip(rows, counts, strict=True))


def _ranked_items(labels: Sequence[str], g: RankGrid, seed: int) -> tuple[RankedItem, ...]:
    """Return per-item mean rank, Borda points and first places, best mean rank first.

    Units (one row per company) give the figures; responses give the first places.
    """
    m, n_items = g.units.shape
    mean = g.units.mean(axis=0) if m else np.zeros(n_items)
    borda = (n_items - g.units).sum(axis=0)  # exact when each company answered once
    bounds = cluster_bootstrap_means(g.units, g.unit_codes, seed=seed)
    firsts = np.nonzero(g.ranks == 1.0)
    count, _, comp = cell_counts(firsts[1], firsts[0], g.companies[firsts[0]], n_items)
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
