"""Shared statistics: plain NumPy arrays in, frozen dataclasses out.

Every function here is pure and imports only NumPy, SciPy and the standard library, so the
surveys feature (and anyone else) can call it without an app. Degenerate inputs never warn or
return NaN: they return a result whose ``note`` starts with "not computable:" and says why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import special, stats

from core.json_ready import JsonReady

LEVEL = 0.95
BOOTSTRAP_SEED = 20170101  # fixed so that a published interval can be reproduced by anyone
BOOTSTRAP_RESAMPLES = 2000

# Verbal bands for Kendall's W after Schmidt (1997), "Managing Delphi surveys using
# nonparametric statistical techniques", Decision Sciences 28(3), Table 3: the anchors
# 0.1 / 0.3 / 0.5 / 0.7 / 0.9 each open a band, so W = 0.83 reads "strong agreement".
AGREEMENT_BANDS = (
    (0.9, "very strong agreement"),
    (0.7, "strong agreement"),
    (0.5, "moderate agreement"),
    (0.3, "weak agreement"),
    (0.1, "very weak agreement"),
    (0.0, "no real agreement"),
)


def not_computable(reason: str) -> str:
    """Return the standard note for a figure that cannot be computed."""
    return f"not computable: {reason}"


def clean(x: float | None) -> float | None:
    """Return x as a plain float, or None when it is missing or not finite."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def format_p(p: float | None) -> str:
    """Format a p-value the way the reports print it."""
    if p is None:
        return "p not computable"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


@dataclass(frozen=True)
class Interval(JsonReady):
    """A confidence interval with its level and the method that produced it."""

    low: float
    high: float
    level: float
    method: str


@dataclass(frozen=True)
class Proportion(JsonReady):
    """k of n, with a Wilson score interval."""

    k: int
    n: int
    value: float | None
    ci: Interval | None
    note: str = ""


def wilson_bounds(k: np.ndarray, n: np.ndarray, level: float = LEVEL) -> tuple:
    """Return Wilson score bounds for arrays k and n (n > 0), vectorized."""
    # Closed form of binomtest(k, n).proportion_ci(method="wilson"), without continuity
    # correction; the tests check both against Newcombe (1998).
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    z = special.ndtri(0.5 + level / 2)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def proportions(ks: Sequence[int] | np.ndarray, n: int, level: float = LEVEL) -> tuple:
    """Return one Proportion per count in ks, all out of n."""
    ks = np.asarray(ks, dtype=np.int64)
    if n <= 0:
        note = not_computable("nobody answered")
        return tuple(Proportion(int(k), 0, None, None, note) for k in ks)
    low, high = wilson_bounds(ks, np.full(ks.shape, n), level)
    method = "Wilson score interval"
    return tuple(Proportion(int(k), int(n), float(k) / n, Interval(float(lo), float(hi), level,
                                                                   method))
                 for k, lo, hi in zip(ks, low, high, strict=True))


def proportion(k: int, n: int, level: float = LEVEL) -> Proportion:
    """Return k of n with its Wilson score interval."""
    return proportions([k], n, level)[0]


@dataclass(frozen=True)
class MedianSummary(JsonReady):
    """Median, quartiles and an exact distribution-free interval for the median."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None
    iqr: float | None
    ci: Interval | None
    note: str = ""


def median_summary(values: np.ndarray, level: float = LEVEL) -> MedianSummary:
    """Summarize values by median, IQR and an exact order-statistic CI for the median."""
    x = np.asarray(values, dtype=float)
    n = int(x.size)
    if n == 0:
        return MedianSummary(0, None, None, None, None, None, not_computable("no answers"))
    q1, med, q3 = (float(v) for v in np.percentile(x, [25, 50, 75]))
    ci_res = stats.quantile_test(x, q=med, p=0.5).confidence_interval(level)
    low, high = clean(ci_res.low), clean(ci_res.high)
    if low is None or high is None:
        # With n <= 5 even (min, max) covers the median with less than 95 % probability.
        note = not_computable(f"n = {n} is too small for an exact {level:.0%} interval "
                              "for the median (it needs at least 6 answers)")
        return MedianSummary(n, med, q1, q3, q3 - q1, None, note)
    method = "exact binomial order-statistic interval (scipy quantile_test)"
    return MedianSummary(n, med, q1, q3, q3 - q1, Interval(low, high, level, method))


@dataclass(frozen=True)
class TestResult(JsonReady):
    """One hypothesis test: what ran, on what n, why, and what came out."""

    __test__ = False  # not a pytest test class, despite the name

    test: str
    n: int
    statistic: float | None = None
    df: float | None = None
    p_value: float | None = None
    effect: float | None = None
    effect_name: str = ""
    method: str = ""
    note: str = ""
    p_adjusted: float | None = None

    @property
    def computable(self) -> bool:
        """Say whether the test produced a statistic."""
        return self.statistic is not None

    def with_p_adjusted(self, p: float | None) -> TestResult:
        """Return a copy carrying the FDR-adjusted p-value."""
        return replace(self, p_adjusted=clean(p))


@dataclass(frozen=True)
class Agreement(JsonReady):
    """Kendall's W with its chi-square test, and the verdict in words."""

    w: float | None
    n_raters: int
    n_items: int
    chi2: float | None
    df: int | None
    p_value: float | None
    words: str
    method: str
    note: str = ""


def agreement_band(w: float) -> str:
    """Return the verbal band for Kendall's W (see AGREEMENT_BANDS)."""
    return next(words for floor, words in AGREEMENT_BANDS if w >= floor)


def describe_agreement(w: float, p: float, n_raters: int, unit: str) -> str:
    """Put Kendall's W in words, e.g. 'strong agreement among companies, W = 0.83'."""
    words = f"{agreement_band(w)} among {unit}, W = {w:.2f} ({format_p(p)}, n = {n_raters})"
    if p >= 0.05:
        words += "; not distinguishable from chance agreement"
    return words


def _friedman_core(blocks: np.ndarray) -> tuple[float, float]:
    """Return (chi2, W) for an m x k matrix of scores, ranked within rows, ties averaged."""
    m, k = blocks.shape
    ranks = stats.rankdata(blocks, axis=1)
    centred = ranks - (k + 1) / 2
    # With average ranks, sum((r - mean)^2) per row equals (k^3 - k - sum(t^3 - t)) / 12,
    # so this denominator is exactly Kendall's tie-corrected m^2(k^3-k) - m*sum(T), / 12.
    within = float(np.sum(centred * centred))
    if within == 0.0:
        return math.nan, math.nan
    spread = float(np.sum(centred.sum(axis=0) ** 2))  # S = sum over items of (R_j - mean R)^2
    w = spread / (m * within)
    return m * (k - 1) * w, w


def friedman_and_w(blocks: np.ndarray, unit: str = "respondents", what: str = "items") -> tuple:
    """Run the Friedman test and Kendall's W (tie-corrected) on an m x k matrix."""
    x = np.asarray(blocks, dtype=float)
    m, k = x.shape if x.ndim == 2 else (0, 0)
    name = "Friedman test"
    method = (f"Friedman test of whether the {what} differ: {m} complete {unit} x {k} {what}, "
              "ranked within each respondent (ties averaged), tie-corrected chi-square")
    reason = None
    if k < 3:
        reason = f"the Friedman test needs at least 3 {what}, there are {k}"
    elif m < 2:
        reason = f"it needs at least 2 complete {unit}, there are {m}"
    chi2 = w = math.nan
    if reason is None:
        chi2, w = _friedman_core(x)
        if math.isnan(chi2):
            reason = f"every one of the {unit} gave all {what} the same score"
    if reason is not None:
        note = not_computable(reason)
        return (TestResult(name, m, method=method, note=note),
                Agreement(None, m, k, None, None, None, note, "Kendall's W", note))
    p = float(stats.chi2.sf(chi2, k - 1))
    test = TestResult(name, m, chi2, k - 1, p, w, "Kendall's W", method)
    agreement = Agreement(w, m, k, chi2, k - 1, p, describe_agreement(w, p, m, unit),
                          "Kendall's W with tie correction; chi2 = m (k - 1) W on k - 1 df")
    return test, agreement


def cluster_bootstrap_means(values: np.ndarray, clusters: np.ndarray, level: float = LEVEL,
                            n_resamples: int = BOOTSTRAP_RESAMPLES,
                            seed: int = BOOTSTRAP_SEED) -> tuple | None:
    """Return percentile bootstrap bounds of column means, resampling whole clusters."""
    x = np.asarray(values, dtype=float)
    codes = np.unique(np.asarray(clusters), return_inverse=True)[1].ravel()
    n_clusters = int(codes.max()) + 1 if codes.size else 0
    if n_clusters < 2:
        return None
    sums = np.zeros((n_clusters, x.shape[1]))
    np.add.at(sums, codes, x)  # one row of column sums per cluster (company)
    counts = np.bincount(codes, minlength=n_clusters).astype(float)
    rng = np.random.default_rng(seed)
    chunk = max(1, 2_000_000 // n_clusters)  # bounds the weight matrix to ~16 MB
    draws = []
    for start in range(0, n_resamples, chunk):
        b = min(chunk, n_resamples - start)
        picks = rng.integers(0, n_clusters, size=(b, n_clusters))
        offsets = np.arange(b)[:, None] * n_clusters
        weights = np.bincount((picks + offsets).ravel(), minlength=b * n_clusters)
        weights = weights.reshape(b, n_clusters).astype(float)
        draws.append((weights @ sums) / (weights @ counts)[:, None])
    means = np.concatenate(draws)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail], axis=0)
    return low, high


def fdr_adjust(p_values: Sequence[float]) -> np.ndarray:
    """Return Benjamini-Hochberg adjusted p-values (false discovery rate control)."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    return stats.false_discovery_control(p, method="bh")
