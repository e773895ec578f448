"""Comparisons between groups of companies, with false-discovery-rate control.

Which test runs, and why: ordinal answers (Likert points, matrix statements, numbers) are
compared with the Mann-Whitney U test for 2 groups or the Kruskal-Wallis H test for 3 or
more (rank tests: they assume no interval scale); single-choice answers with a chi-square
test of independence and Cramer's V. Multiple choice, ranking, budget and text questions are
not compared (a respondent's several answers are not independent counts). All p-values shown
together are adjusted with Benjamini-Hochberg; ``with_fdr`` must be re-run on whatever subset
is finally shown (the publication gate does so).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from core.json_ready import JsonReady
from core.stats import TestResult, fdr_adjust, not_computable
from surveys.results.data import SCALE_TYPES, QuestionData, SurveyData, distinct


@dataclass(frozen=True)
class GroupCount(JsonReady):
    """How many respondents and companies of one group answered."""

    group: str
    n: int
    n_companies: int


@dataclass(frozen=True)
class GroupComparison(JsonReady):
    """One test comparing groups of companies on one question (or matrix statement)."""

    question_id: str
    statement: str
    groups: tuple[GroupCount, ...]
    test: TestResult


def compare_groups(survey: SurveyData, group_of: Mapping[str, str]) -> tuple:
    """Compare groups of companies (company name -> group) on every comparable question."""
    labels = sorted(set(group_of.values()))
    lookup = {g: i for i, g in enumerate(labels)}
    per_company = np.array([lookup.get(group_of.get(c, ""), -1) for c in survey.companies],
                           dtype=np.int64)
    out: list[GroupComparison] = []
    for q in survey.questions:
        groups = per_company[q.companies] if q.companies.size else q.companies
        out.extend(_compare_question(q, groups, labels))
    return with_fdr(out)


def _compare_question(q: QuestionData, groups: np.ndarray, labels: list[str]) -> list:
    """Return the comparisons for one question (none for types that are not compared)."""
    if q.question_type in SCALE_TYPES:
        return [_ordinal(q, (q.item_codes == code) & ~np.isnan(q.values), groups, labels, s)
                for code, s in enumerate(q.items)]
    if q.question_type == "number":
        return [_ordinal(q, np.ones(q.values.size, bool), groups, labels, "")]
    if q.question_type == "single":
        return [_categorical(q, groups, labels)]
    return []


def _group_counts(q: QuestionData, rows: np.ndarray, groups: np.ndarray,
                  labels: list[str]) -> tuple[list[int], tuple[GroupCount, ...]]:
    """Return the group codes present among rows and their counts."""
    present = [int(g) for g in np.unique(groups[rows]) if g >= 0]
    counts = tuple(GroupCount(labels[g], distinct(q.responses[rows & (groups == g)]),
                              distinct(q.companies[rows & (groups == g)])) for g in present)
    return present, counts


def _ordinal(q: QuestionData, rows: np.ndarray, groups: np.ndarray, labels: list[str],
             statement: str) -> GroupComparison:
    """Compare ordinal answers between the groups present."""
    present, counts = _group_counts(q, rows, groups, labels)
    samples = [q.values[rows & (groups == g)] for g in present]
    return GroupComparison(q.question_id, statement, counts, compare_ordinal(samples))


def _categorical(q: QuestionData, groups: np.ndarray, labels: list[str]) -> GroupComparison:
    """Cross-tabulate groups by option chosen and test independence."""
    rows = groups >= 0
    present, counts = _group_counts(q, rows, groups, labels)
    table = np.zeros((len(present), len(q.items)))
    for i, g in enumerate(present):
        table[i] = np.bincount(q.item_codes[groups == g], minlength=len(q.items))
    return GroupComparison(q.question_id, "", counts, compare_categorical(table))


def _ordinal_reason(groups: Sequence[np.ndarray]) -> str | None:
    """Return why groups cannot be compared, or None."""
    if len(groups) < 2:
        return "a comparison needs at least 2 groups"
    if any(g.size == 0 for g in groups):
        return "a group has no answers"
    joined = np.concatenate(groups)
    if np.all(joined == joined[0]):
        return "every answer is the same, there is nothing to compare"
    return None


def compare_ordinal(groups: Sequence[np.ndarray]) -> TestResult:
    """Compare ordinal answers between groups: Mann-Whitney for 2, Kruskal-Wallis for 3+."""
    gs = [np.asarray(g, dtype=float) for g in groups]
    n = int(sum(g.size for g in gs))
    two = len(gs) == 2
    name = ("Mann-Whitney U test" if two else "Kruskal-Wallis H test" if len(gs) > 2
            else "comparison between groups")
    reason = _ordinal_reason(gs)
    if reason is not None:
        return TestResult(name, n, note=not_computable(reason))
    if two:
        return _mann_whitney(gs[0], gs[1])
    h, p = stats.kruskal(*gs)
    method = (f"Kruskal-Wallis H test: ordinal answers in {len(gs)} groups, rank-based and "
              "tie-corrected, chi-square approximation")
    eps = float(h) / (n - 1)  # epsilon-squared (Tomczak & Tomczak 2014)
    return TestResult(name, n, float(h), len(gs) - 1, float(p), eps, "epsilon-squared", method)


def _mann_whitney(a: np.ndarray, b: np.ndarray) -> TestResult:
    """Run a two-sided Mann-Whitney U test, exact when small and untied."""
    joined = np.concatenate([a, b])
    ties = np.unique(joined).size < joined.size
    exact = not ties and min(a.size, b.size) < 8
    res = stats.mannwhitneyu(a, b, alternative="two-sided",
                             method="exact" if exact else "asymptotic")
    how = "exact p-value" if exact else "normal approximation with tie correction"
    method = f"Mann-Whitney U test: ordinal answers in 2 groups, two-sided, {how}"
    r = 2 * float(res.statistic) / (a.size * b.size) - 1  # > 0: first group answered higher
    return TestResult("Mann-Whitney U test", int(joined.size), float(res.statistic), None,
                      float(res.pvalue), r, "rank-biserial correlation", method)


def compare_categorical(table: np.ndarray) -> TestResult:
    """Run a chi-square test of independence (groups x options) with Cramer's V."""
    t = np.asarray(table, dtype=float)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]  # empty rows/columns carry no information
    n = int(t.sum())
    name = "chi-square test of independence"
    if t.ndim != 2 or min(t.shape) < 2:
        reason = "it needs at least 2 groups and 2 options that were chosen"
        return TestResult(name, n, note=not_computable(reason))
    res = stats.chi2_contingency(t, correction=False)
    v = math.sqrt(float(res.statistic) / (n * (min(t.shape) - 1)))
    method = (f"Pearson chi-square test on a {t.shape[0]} groups x {t.shape[1]} options "
              "table of counts, no continuity correction")
    note = ""
    if np.any(res.expected_freq < 5):
        note = "some expected counts are below 5, so the p-value is only a rough guide"
    return TestResult(name, n, float(res.statistic), int(res.dof), float(res.pvalue), v,
                      "Cramer's V", method, note)


def with_fdr(comparisons: Sequence[GroupComparison]) -> tuple[GroupComparison, ...]:
    """Return the comparisons with Benjamini-Hochberg adjusted p-values over all of them."""
    done = [i for i, c in enumerate(comparisons) if c.test.computable]
    adjusted = fdr_adjust([comparisons[i].test.p_value for i in done])
    out = [replace(c, test=c.test.with_p_adjusted(None)) for c in comparisons]
    for i, p in zip(done, adjusted, strict=True):
        out[i] = replace(out[i], test=comparisons[i].test.with_p_adjusted(float(p)))
    return tuple(out)
