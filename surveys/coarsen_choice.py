"""Pure: global recoding of a small group's choice and budget questions until the attack fails.

Single and multiple choice: every option; then options merged into "other answers" (every
group of options, smallest groups first, when there are few options; then the options fewer
than k chose); then only the options more than half chose (multiple choice); the option(s)
chosen most often; the one option chosen most often, or only that several tie; otherwise
nothing but n. Budget: the items in tiers of total points.
See surveys/disclosure.py for the rule and the attack.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import numpy as np

from core.stats import proportion
from surveys.disclosure import Level, sums, threshold
from surveys.partition import choose
from surveys.profiles import MAX_PROFILES, capped
from surveys.results.budget import BudgetSummary
from surveys.results.choice import ChoiceSummary
from surveys.suppression import GateSettings

OTHERS = "other answers"


def _why(k: int, n: int) -> str:
    return (f"with {n} respondents the separate figures would let a reader work out that "
            f"between 1 and {k - 1} respondents gave a particular answer")


MAX_MERGE_OPTIONS = 5  # up to this many options, every merge group is a candidate


def recode_choice(q: ChoiceSummary, settings: GateSettings, full: Callable[[], dict]) -> dict:
    """Return the finest safe figures of a small group's single or multiple choice question.

    Single choice: the profiles are the splits of n over the options. Multiple choice: the
    options are not exclusive, so the attacker is given the option counts outright, with
    their total (whatever "choose at least / at most / exactly" rule the question had, every
    count vector of that total with no count above n fits it). Candidates, finest first:
    every option; options merged into "other answers" (fixed groups when there are few
    options, then whichever options fewer than k chose); the options more than half chose
    (multiple choice); the option(s) chosen most often, ties named as ties; the one option
    chosen most often, or only that several tie for it (not which). Otherwise only n.
    """
    k, n = threshold(settings), q.n
    names = [o.option for o in _by_name(q)]  # the profile's columns: never in order of count
    counts = [o.count for o in _by_name(q)]
    m = len(counts)
    multiple = q.question_type != "single"
    if m < 2:  # one option: its count is n, whatever the answers; shown as unanimity
        return full() if settings.allow_unanimous else _nothing(q, k)
    if (n + 1) ** (m - 1) > MAX_PROFILES:
        return _nothing(q, k)  # the same for every answer: safe, and rare (many options)
    singles = [[i] for i in range(m)]
    merges = ([set(g) for size in range(2, m) for g in combinations(range(m), size)]
              if m <= MAX_MERGE_OPTIONS else [])
    levels = [Level("full", (sums(singles),), True)]
    levels += [Level("merged", (sums([[i] for i in range(m) if i not in g] + [sorted(g)]),),
                     True) for g in merges]
    levels.append(Level("rare", (_rare(k),), True))
    if multiple:
        levels.append(Level("majority", (lambda rows: 2 * rows > n,)))
    levels.append(Level("top", (_top,)))
    # Coarsest: a tie's cell holds profiles led by any options, so it names none of them.
    levels.append(Level("top or tie", (_unique_top,)))
    space = capped(sum(counts), m, n) if multiple else None
    chosen = choose(counts, levels, None, k, settings.allow_unanimous,
                    key=("choice", q.question_type, m), space=space, n=n)
    name = levels[chosen].name if chosen < len(levels) else "none"
    if name == "full":
        return full()
    if name == "merged":
        return _merged(q, {names[i] for i in merges[chosen - 1]}, k)
    if name == "rare":
        return _merged(q, {names[i] for i, c in enumerate(counts) if c < k}, k)
    if name == "majority":
        return majority_choice(q, k)
    if name == "top or tie" and list(counts).count(max(counts)) > 1:
        return tie_choice(q, k)
    if name in ("top", "top or tie"):
        top = [o.option for o in _by_name(q) if o.count == max(counts)]
        tied = " (tied)" if len(top) > 1 else ""
        return majority_choice(q, k) | {
            "majority": top, "recoding": "top", "tied": len(top) > 1,
            "recoding_note": f"only the option{'s' if tied else ''} chosen most often{tied} "
                             f"{'are' if tied else 'is'} named: {_why(k, n)}"}
    return _nothing(q, k)


def _nothing(q: ChoiceSummary, k: int) -> dict:
    """Return what is shown when no candidate is safe: the options by name and n."""
    return {"n": q.n, "options": [{"option": o.option, "suppressed": True, "merged": True,
                                   "count": None, "share": None} for o in _by_name(q)],
            "majority": None, "method": q.method, "recoding": "none",
            "recoding_note": f"no figure beyond n can be shown: {_why(k, q.n)}"}


def _rare(k: int) -> Callable[[np.ndarray], np.ndarray]:
    """Return the feature: counts of at least k as they are, the rest summed (P x m + 1)."""

    def feature(rows: np.ndarray) -> np.ndarray:
        rare = rows < k
        return np.concatenate([np.where(rare, -1, rows), (rows * rare).sum(axis=1)[:, None]],
                              axis=1)

    return feature


def _top(rows: np.ndarray) -> np.ndarray:
    """Return which options were chosen most often, ties included (P x m)."""
    return rows == rows.max(axis=1, keepdims=True)


def _unique_top(rows: np.ndarray) -> np.ndarray:
    """Return the option chosen most often, or -1 when several tie for it (P x 1)."""
    top = rows == rows.max(axis=1, keepdims=True)
    return np.where(top.sum(axis=1) == 1, top.argmax(axis=1), -1)[:, None]


def _by_name(q: ChoiceSummary) -> list:
    """Return the options by name: their order by count would tell about the counts."""
    return sorted(q.options, key=lambda o: o.option)


def _merged(q: ChoiceSummary, group: set[str], k: int) -> dict:
    """Return the figures with the options of group merged into "other answers"."""
    options, merged = [], []
    for o in q.options:
        if o.option in group:
            merged.append(o.option)
            options.append({"option": o.option, "suppressed": True, "merged": True,
                            "count": None, "share": None})
        else:
            options.append({"option": o.option, "suppressed": False, "count": o.count,
                            "share": o.share.to_dict()})
    total = sum(o.count for o in q.options if o.option in group)
    what = "selections" if q.question_type == "multiple" else "respondents"
    options.insert(0, {"option": f"{OTHERS} ({', '.join(sorted(merged))})", "suppressed": False,
                       "count": total, "share": (proportion(total, q.n).to_dict()
                                                 if total <= q.n else None),
                       "group": sorted(merged)})
    options.sort(key=lambda o: (o["suppressed"], -(o["count"] or 0), o["option"]))
    note = (f"{', '.join(sorted(merged))} merged into \u201c{OTHERS}\u201d ({what} of any of "
            f"them): {_why(k, q.n)}")
    return {"n": q.n, "options": options, "method": q.method, "recoding": "merged",
            "recoding_note": note}


def majority_choice(q: ChoiceSummary, k: int) -> dict:
    """Return only the option(s) more than half of the respondents chose."""
    held = [o.option for o in _by_name(q) if 2 * o.count > q.n]
    options = [{"option": o.option, "suppressed": True, "merged": True, "count": None,
                "share": None} for o in _by_name(q)]
    note = ("only the option(s) chosen by more than half of the respondents are named: "
            f"{_why(k, q.n)}, or that every respondent gave the same answer")
    return {"n": q.n, "options": options, "majority": held, "method": q.method,
            "recoding": "majority", "recoding_note": note}


def tie_choice(q: ChoiceSummary, k: int) -> dict:
    """Return only that two or more options tie as the most chosen, without naming them."""
    # A single choice with no one leader has no majority either; a multiple choice may.
    also = ("" if q.question_type == "multiple" else
            ", so none was chosen by more than half of the respondents")
    return majority_choice(q, k) | {
        "majority": [], "recoding": "top", "tied": True,
        "recoding_note": f"two or more options tie as the most chosen{also}; which ones is "
                         f"not shown: {_why(k, q.n)}"}


def recode_budget(q: BudgetSummary, settings: GateSettings, full: Callable[[], dict]) -> dict:
    """Return what a small group's budget question may show: items in tiers of total points.

    The allocations are too many to list, so the form does not depend on the answers: the
    order of the items by total points, ties as tiers. Whatever the order, everyone giving
    every item a share of the budget in that order fits it, as does (for the first tier)
    everyone giving it all, so no item's number of funders is pinned below k or at n.
    """
    k = threshold(settings)
    totals = sorted({i.total_points for i in q.items}, reverse=True)
    tiers = [[i.item for i in q.items if i.total_points == t] for t in totals]
    items = [{"item": i.item, "suppressed": True, "merged": True, "total_points": None,
              "mean_points": None, "funders": None, "funding_companies": None,
              "tier": totals.index(i.total_points) + 1} for i in q.items]
    items.sort(key=lambda i: (i["tier"], i["item"]))
    return {"n": q.n, "total_points": q.total_points, "items": items, "method": q.method,
            "tiers": tiers, "majority": tiers[0] if tiers else [], "recoding": "order",
            "recoding_note": "items shown in order of total points, without the figures: "
                             f"{_why(k, q.n)}"}
