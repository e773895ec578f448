"""core.stats (and the group tests of surveys.results.groups) against published worked
examples and hand-checked values, sources named."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from core.stats import (
    agreement_band,
    cluster_bootstrap_means,
    describe_agreement,
    fdr_adjust,
    friedman_and_w,
    median_summary,
    proportion,
    proportions,
)
from surveys.results.groups import compare_categorical, compare_ordinal

# Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of
# seven methods", Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score
# interval without continuity correction).
NEWCOMBE_WILSON = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), NEWCOMBE_WILSON)
def test_wilson_interval_matches_newcombe_1998(k, n, low, high):
    p = proportion(k, n)
    assert p.value == pytest.approx(k / n)
    assert p.ci.low == pytest.approx(low, abs=5e-5)
    assert p.ci.high == pytest.approx(high, abs=5e-5)
    assert p.ci.method == "Wilson score interval"


def test_wilson_closed_form_agrees_with_scipy_binomtest():
    for n in (1, 2, 7, 40):
        for k, p in zip(range(n + 1), proportions(range(n + 1), n), strict=True):
            ref = stats.binomtest(k, n).proportion_ci(method="wilson")
            assert (p.ci.low, p.ci.high) == pytest.approx((ref.low, ref.high), abs=1e-12)


def test_proportion_of_nobody_is_not_computable():
    p = proportion(0, 0)
    assert p.value is None and p.ci is None
    assert p.note.startswith("not computable")


def _order_statistic_ranks(n):
    """Hand method: widest-coverage-first symmetric (x(r), x(n+1-r)) covering >= 95 %."""
    # Binomial(n, 1/2) coverage of [x(r), x(n+1-r)] is P(r <= B <= n - r); e.g. n = 10 gives
    # (x(2), x(9)) with 1 - 22/1024 = 97.9 %, as in the order-statistic tables
    # (Conover 1999, Practical Nonparametric Statistics, 3rd ed., section 3.2).
    best = None
    for r in range(1, n // 2 + 1):
        coverage = sum(math.comb(n, b) for b in range(r, n - r + 1)) / 2**n
        if coverage >= 0.95:
            best = r
    return best


@pytest.mark.parametrize("n", range(1, 41))
def test_exact_median_interval_uses_the_binomial_order_statistics(n):
    x = np.arange(1.0, n + 1)
    s = median_summary(x)
    r = _order_statistic_ranks(n)
    if r is None:
        assert s.ci is None and s.note.startswith("not computable")
        assert n <= 5
    else:
        assert (s.ci.low, s.ci.high) == (r, n + 1 - r)


def test_median_and_quartiles_hand_checked():
    s = median_summary(np.arange(1.0, 11))
    # Linear interpolation (Hyndman-Fan type 7): positions 2.25, 4.5 and 6.75 (0-based).
    assert (s.q1, s.median, s.q3, s.iqr) == (3.25, 5.5, 7.75, 4.5)
    assert (s.ci.low, s.ci.high) == (2, 9)


def test_median_of_nothing_and_of_one_answer():
    assert median_summary(np.array([])).note.startswith("not computable")
    one = median_summary(np.array([4.0]))
    assert one.median == 4.0 and one.ci is None and "too small" in one.note


def test_friedman_scipy_tutorial_pulse_rates():
    # SciPy tutorial "Friedman test for repeated samples", from Sprent & Smeeton, Applied
    # Nonparametric Statistical Methods, 3rd ed., section 6.3.2: statistic 10.5714,
    # p = 0.005063 for 7 students x 3 occasions.
    before = [72, 96, 88, 92, 74, 76, 82]
    after = [120, 120, 132, 120, 101, 96, 112]
    five_min = [76, 95, 104, 96, 84, 72, 76]
    test, agreement = friedman_and_w(np.column_stack([before, after, five_min]))
    assert test.statistic == pytest.approx(10.571428571428571)
    assert test.p_value == pytest.approx(0.005063414171757498)
    assert test.df == 2 and test.n == 7
    assert agreement.w == pytest.approx(10.571428571428571 / (7 * 2))


# Siegel (1956), Nonparametric Statistics for the Behavioral Sciences, Kendall coefficient of
# concordance example with ties, as reproduced in the NAG Library documentation of G08DAF
# (nag_nonpar_concordance_kendall): 3 comparisons of 10 objects, W = 0.8277 after the tie
# correction, upper-tail chi-square probability 0.0078.
SIEGEL_TIED = [
    [1.0, 4.5, 2.0, 4.5, 3.0, 7.5, 6.0, 9.0, 7.5, 10.0],
    [2.5, 1.0, 2.5, 4.5, 4.5, 8.0, 9.0, 6.5, 10.0, 6.5],
    [2.0, 1.0, 4.5, 4.5, 4.5, 4.5, 8.0, 8.0, 8.0, 10.0],
]


def test_kendall_w_with_tie_correction_siegel_example():
    test, agreement = friedman_and_w(np.array(SIEGEL_TIED))
    assert agreement.w == pytest.approx(0.8277, abs=5e-5)
    assert agreement.p_value == pytest.approx(0.0078, abs=5e-5)
    # Hand check: rank sums R_j give S = sum (R_j - 16.5)^2 = 591; the ties per comparison
    # give sum(t^3 - t) = 12 + 18 + 84 = 114; W = 12 S / (m^2 (n^3 - n) - m sum T)
    # = 7092 / (8910 - 342) = 0.82773.
    r_sums = np.array(SIEGEL_TIED).sum(axis=0)
    assert r_sums.tolist() == [5.5, 6.5, 9.0, 13.5, 12.0, 20.0, 23.0, 23.5, 25.5, 26.5]
    assert float(((r_sums - 16.5) ** 2).sum()) == 591
    assert agreement.w == pytest.approx(7092 / 8568)
    assert agreement.chi2 == pytest.approx(3 * 9 * agreement.w)
    assert test.statistic == pytest.approx(agreement.chi2)  # Friedman chi2 = m (k - 1) W
    assert agreement.words.startswith("strong agreement among respondents, W = 0.83")


def test_kendall_w_without_ties_influentialpoints_strawberries():
    # InfluentialPoints, "Kendall coefficient of concordance", worked example I: 4 raters rank
    # strawberries from 8 farms; S = 500, W = 500 / (504 * 16 / 12) = 0.744, chi2 = 20.83.
    raters = [[8, 4, 2, 3, 5, 1, 6, 7], [7, 3, 1, 4, 5, 2, 6, 8],
              [8, 2, 5, 6, 7, 1, 4, 3], [8, 3, 4, 2, 5, 1, 6, 7]]
    _, agreement = friedman_and_w(np.array(raters, dtype=float))
    assert agreement.w == pytest.approx(500 / 672)
    assert agreement.chi2 == pytest.approx(20.83, abs=0.005)
    assert agreement.p_value == pytest.approx(0.004, abs=0.0005)


@pytest.mark.parametrize(("blocks", "why"), [
    (np.ones((5, 4)), "same score"),
    (np.array([[1.0, 2.0, 3.0]]), "at least 2"),
    (np.array([[1.0, 2.0], [2.0, 1.0]]), "at least 3"),
    (np.empty((0, 4)), "at least 2"),
])
def test_friedman_degenerate_inputs_are_not_computable(blocks, why):
    test, agreement = friedman_and_w(blocks)
    assert test.statistic is None and agreement.w is None
    assert test.note.startswith("not computable") and why in test.note


@pytest.mark.parametrize(("w", "words"), [
    (0.0, "no real agreement"), (0.09, "no real agreement"), (0.1, "very weak agreement"),
    (0.3, "weak agreement"), (0.5, "moderate agreement"), (0.7, "strong agreement"),
    (0.83, "strong agreement"), (0.9, "very strong agreement"), (1.0, "very strong agreement"),
])
def test_agreement_bands_after_schmidt_1997(w, words):
    assert agreement_band(w) == words


def test_agreement_in_words():
    assert (describe_agreement(0.8277, 0.0078, 3, "companies")
            == "strong agreement among companies, W = 0.83 (p = 0.008, n = 3)")
    assert describe_agreement(0.2, 0.4, 9, "companies").endswith("chance agreement")


def test_mann_whitney_exact_hand_enumerated():
    # Ages at diagnosis (SciPy's mannwhitneyu example): U for the first group counts the pairs
    # it wins: 19 beats 3, 22 beats 4, 16 beats 2, 29 and 24 beat all 4 -> U = 17. The exact
    # two-sided p-value is 2 P(U >= 17) over all C(9, 5) = 126 splits, enumerated here.
    a, b = [19, 22, 16, 29, 24], [20, 11, 17, 12]
    pooled = a + b

    def u(first):
        rest = [x for x in pooled if x not in first]
        return sum(x > y for x in first for y in rest)

    splits = list(itertools.combinations(pooled, 5))
    p_exact = 2 * sum(u(s) >= 17 for s in splits) / len(splits)
    res = compare_ordinal([np.array(a), np.array(b)])
    assert res.statistic == 17 and res.p_value == pytest.approx(p_exact) == pytest.approx(14 / 126)
    assert res.effect == pytest.approx(2 * 17 / 20 - 1)
    assert "exact" in res.method and res.test == "Mann-Whitney U test"


def test_kruskal_wallis_hand_checked():
    # Ranks 1-3, 4-6, 7-9: H = 12 / (9 * 10) * (6^2 + 15^2 + 24^2) / 3 - 3 * 10 = 7.2, and with
    # 2 df the chi-square tail is exp(-H / 2).
    res = compare_ordinal([np.array([1, 2, 3]), np.array([4, 5, 6]), np.array([7, 8, 9])])
    assert res.statistic == pytest.approx(7.2)
    assert res.p_value == pytest.approx(math.exp(-3.6))
    assert res.effect == pytest.approx(7.2 / 8)
    assert res.df == 2 and res.test == "Kruskal-Wallis H test"


def test_kruskal_wallis_tie_correction_hand_checked():
    # Pairs of ties: midranks 1.5, 3.5, 5.5; H = (12/42)(9/2 + 49/2 + 121/2) - 21 = 32/7,
    # corrected by 1 - 3 * (2^3 - 2) / (6^3 - 6) = 32/35 -> H = 5, p = exp(-2.5).
    res = compare_ordinal([np.array([1, 1]), np.array([2, 2]), np.array([3, 3])])
    assert res.statistic == pytest.approx(5.0)
    assert res.p_value == pytest.approx(math.exp(-2.5))


@pytest.mark.parametrize("groups", [
    [np.array([3.0, 3.0]), np.array([3.0])],
    [np.array([1.0, 2.0])],
    [np.array([1.0, 2.0]), np.array([])],
])
def test_ordinal_comparison_degenerate(groups):
    res = compare_ordinal(groups)
    assert not res.computable and res.note.startswith("not computable")


def test_chi_square_and_cramers_v_hand_checked():
    # Expected 15 in each cell: chi2 = 4 * 5^2 / 15 = 20/3; V = sqrt(chi2 / 60) = 1/3; with
    # 1 df the tail is erfc(sqrt(chi2 / 2)).
    res = compare_categorical(np.array([[20, 10], [10, 20]]))
    assert res.statistic == pytest.approx(20 / 3)
    assert res.effect == pytest.approx(1 / 3)
    assert res.p_value == pytest.approx(math.erfc(math.sqrt(10 / 3)))
    assert res.df == 1 and res.note == ""


def test_chi_square_drops_empty_options_and_warns_on_small_expected_counts():
    res = compare_categorical(np.array([[3, 0, 1], [1, 0, 3]]))
    assert res.computable and res.df == 1 and "rough" in res.note
    assert not compare_categorical(np.array([[5, 0], [7, 0]])).computable


def test_benjamini_hochberg_1995_example():
    # Benjamini & Hochberg (1995), JRSS B 57:289-300, section 4: 15 p-values; at q = 0.05 the
    # step-up procedure rejects the four smallest (Bonferroni only three).
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
         0.4262, 0.5719, 0.6528, 0.7590, 1.000]
    adjusted = fdr_adjust(p)
    assert int((adjusted <= 0.05).sum()) == 4
    assert int((np.array(p) <= 0.05 / 15).sum()) == 3


def test_benjamini_hochberg_hand_checked():
    # Sorted 0.01, 0.03, 0.04: 0.04 * 3/3, min(0.03 * 3/2, 0.04), min(0.01 * 3, 0.04).
    assert fdr_adjust([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.04, 0.04])
    assert fdr_adjust([]).size == 0


def test_cluster_bootstrap_is_reproducible_and_sensible():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 2))
    clusters = np.arange(200)
    a = cluster_bootstrap_means(x, clusters, seed=7)
    b = cluster_bootstrap_means(x, clusters, seed=7)
    c = cluster_bootstrap_means(x, clusters, seed=8)
    assert np.array_equal(a[0], b[0]) and not np.array_equal(a[0], c[0])
    assert np.all(a[0] < x.mean(axis=0)) and np.all(x.mean(axis=0) < a[1])
    # One respondent per cluster: the same percentile interval SciPy's bootstrap gives.
    ref = stats.bootstrap((x[:, 0],), np.mean, method="percentile", n_resamples=2000,
                          rng=np.random.default_rng(3)).confidence_interval
    width = ref.high - ref.low
    assert a[0][0] == pytest.approx(ref.low, abs=0.15 * width)
    assert a[1][0] == pytest.approx(ref.high, abs=0.15 * width)


def test_cluster_bootstrap_resamples_whole_clusters():
    # Two companies, each answering the same within itself: every resample mean is 1, 2 or
    # 1.5-ish mixes weighted by respondents, so the bounds stay inside [1, 2].
    x = np.array([[1.0]] * 3 + [[2.0]] * 1)
    low, high = cluster_bootstrap_means(x, np.array([0, 0, 0, 1]), seed=1)
    assert 1.0 <= low[0] <= high[0] <= 2.0
    assert cluster_bootstrap_means(x, np.zeros(4)) is None  # one company: no interval
    same = cluster_bootstrap_means(np.ones((6, 2)), np.arange(6))
    assert np.all(same[0] == 1.0) and np.all(same[1] == 1.0)
