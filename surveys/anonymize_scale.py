"""Pure: the publication gate for likert and matrix questions (see surveys/anonymize.py)."""

from __future__ import annotations

import math
from collections.abc import Collection
from functools import cache
from itertools import accumulate

import numpy as np
from scipy import stats

from core.stats import Interval
from surveys.coarsen_scale import banded, bands_of, recode, truth_of
from surveys.disclosure import threshold
from surveys.profiles import EXACT_MAX
from surveys.results.scale import ScaleQuestionSummary, ScaleSummary
from surveys.suppression import GateCell, GateSettings, Margin, suppress

HIDDEN_DK = "the suppressed \u201cdon't know\u201d count"


def gate_scale(q: ScaleQuestionSummary, settings: GateSettings) -> dict:
    """Gate a likert or matrix question statement by statement."""
    gated = [_recoded(s, settings) for s in q.statements]
    friedman = q.friedman.to_dict() if q.friedman else None
    if friedman and q.n <= EXACT_MAX:
        # Its statistic depends on how each respondent answered every statement, which the
        # exact attack (statement by statement) does not model: not shown for small groups.
        friedman = dict.fromkeys(friedman) | {
            "test": q.friedman.test, "note": f"withheld: with at most {EXACT_MAX} respondents "
                                             "it could tell how single respondents answered"}
    # The Friedman test runs on the complete cases: everyone minus whoever said "don't know"
    # to any statement, so it shows only when every statement shows its n (with fewer than 3
    # statements it does not run, and saying so reveals nothing).
    if friedman and len(gated) >= 3 and any(d.get("n") is None for d in gated):
        friedman = dict.fromkeys(friedman) | {
            "test": q.friedman.test, "note": f"withheld: its n would reveal {HIDDEN_DK}"}
    # The question's n is everyone who answered it: public in effect, so it always shows.
    return {"n": q.n, "statements": gated, "friedman": friedman}


def _recoded(s: ScaleSummary, settings: GateSettings) -> dict:
    """Gate one statement: the exact attack for small groups, cell suppression for large ones."""
    # The exact attack protects "don't know" as an answer like the points, so its group is
    # everyone who answered the statement (companies: at least those on either side).
    answered = s.n + s.dont_know
    if answered <= EXACT_MAX and settings.passes(
            answered, max(s.n_companies, s.dont_know_companies)):
        return recode(s, settings, lambda: _statement(s, settings))
    if not settings.passes(s.n, s.n_companies):
        return _statement(s, settings)
    truth = truth_of(s, s.dont_know > 0)
    if not settings.allow_unanimous and max(truth) == sum(truth):
        bands = list(bands_of(s, s.dont_know > 0).values())
        held = next(b.label for b in bands if sum(truth[t] for t in b.types) == sum(truth))
        return banded(s, "majority", [], truth, "every answer fell on one point, so only the "
                      "band most answers fall in is told", threshold(settings), held)
    return _statement(s, settings)


def _statement(s: ScaleSummary, settings: GateSettings) -> dict:
    """Gate one statement: whole statement first, then its cells, totals and order statistics."""
    if not settings.passes(s.n, s.n_companies):
        return {"statement": s.statement, "published": False, "reason": settings.withheld()}
    keys = tuple(f"p{p.point}" for p in s.points)
    top = tuple(f"p{p}" for p in s.top2_points)
    cells = [GateCell(f"p{p.point}", p.count, p.respondents, p.companies) for p in s.points]
    cells.append(GateCell("dk", s.dont_know, s.dont_know, s.dont_know_companies))
    # How many answered the statement, "don't know" included, is public in effect: for a
    # required question it is the survey's number of respondents, which other questions show.
    # So points + "don't know" counts as a published total ("answered") that is never
    # withheld, and the base n = answered - "don't know" can show only when "don't know"
    # does (n is then the total of the points). A suppressed "don't know" thus takes a point
    # count with it, and its statement shows counts only: no n and nothing n follows from
    # (shares, top-2-box, median summary, comparisons). Once n and the top-2-box show, n -
    # top-2 ("rest") is a published total as well.
    dk_hidden = s.dont_know != 0 and not settings.passes(s.dont_know, s.dont_know_companies)
    base = Margin("answered", (*keys, "dk")) if dk_hidden else Margin("n", keys)
    rest = tuple(k for k in keys if k not in top)
    cut = suppress(cells, [base, Margin("top2", top, True), Margin("rest", rest, True)],
                   settings)
    with_n = "dk" not in cut.suppressed
    top2_ok = with_n and not cut.hidden_margins & {"top2", "rest"} and (
        s.top2.k == 0 or settings.passes(s.top2.k, s.top2_companies))
    points = [{"point": p.point, "suppressed": f"p{p.point}" in cut.suppressed,
               "count": None if f"p{p.point}" in cut.suppressed else p.count,
               "share": p.share.to_dict() if with_n and f"p{p.point}" not in cut.suppressed
               else None} for p in s.points]
    return {"statement": s.statement, "published": True, "n": s.n if with_n else None,
            "scale": list(s.scale), "points": points, "dont_know_suppressed": not with_n,
            "dont_know": s.dont_know if with_n else None,
            "median": _median(s, cut.suppressed) if with_n else _no_median(f"reveal {HIDDEN_DK}"),
            "top2": s.top2.to_dict() if top2_ok else None, "top2_points": list(s.top2_points),
            "method": s.method if with_n else (
                f"scale {s.scale[0]}-{s.scale[1]}; counts only: the number of answers on the "
                "scale, the percentages, the median and the top-2-box are withheld because, "
                f"with the number who answered, they would reveal {HIDDEN_DK}")}


def _median(s: ScaleSummary, suppressed: Collection[str]) -> dict:
    """Return the median summary when the published counts alone fix it, else a withheld one.

    Each figure is an order statistic: the answer at some rank (or between two ranks, which
    tells the exact number of answers up to a point). With n published, the ranks below the
    lowest suppressed point and from the highest suppressed point's end on hold known
    answers; a rank in between falls among suppressed counts, so its answer would tell
    something about them (a suppressed median point is one case).
    """
    hidden = [i for i, p in enumerate(s.points) if f"p{p.point}" in suppressed]
    if hidden:
        upto = list(accumulate(p.count for p in s.points))  # answers up to each point
        below, through = (upto[hidden[0] - 1] if hidden[0] else 0), upto[hidden[-1]]
        if any(below <= r < through for r in _order_ranks(s.n, s.median.ci)):
            return _no_median("tell something about a suppressed count")
    return s.median.to_dict()


@cache
def _interval_ranks(n: int, level: float) -> frozenset[int]:
    """Return the ranks of the exact interval's ends: order statistics fixed by n alone."""
    ends = stats.quantile_test(np.arange(n), q=0, p=0.5).confidence_interval(level)
    return frozenset(int(e) for e in (ends.low, ends.high) if math.isfinite(e))


def _order_ranks(n: int, ci: Interval | None) -> set[int]:
    """Return the ranks (0 = lowest answer) the quartiles, median and its interval read."""
    ranks = {r for q in (0.25, 0.5, 0.75) for r in (math.floor((n - 1) * q),
                                                     math.ceil((n - 1) * q))}
    return ranks | (_interval_ranks(n, ci.level) if ci is not None else set())


def _no_median(why: str) -> dict:
    """Return a median summary with every figure withheld, and why."""
    return {"n": None, "median": None, "q1": None, "q3": None, "iqr": None, "ci": None,
            "note": f"withheld: it would {why}"}
