"""Publication gate: turn a SurveySummary into exactly what the public may see.

Rules (DESIGN.md, "Publication gate"):

* Deny by default: only the questions named in ``publish`` appear at all.
* A question (or matrix statement) answered by fewer than k respondents or k companies shows
  no figures. Any count cell with fewer than k respondents or k companies behind it is
  suppressed (primary); zero cells have nobody behind them and are not.
* Complementary suppression: whenever a published total (a margin) covers exactly one
  suppressed cell, that cell could be recomputed, so the smallest other cell of the margin is
  suppressed too (non-zero cells first), repeating until stable; derived figures such as the
  top-2-box are withheld instead of suppressing more cells (also when the difference of two
  nested totals, n minus top-2, would cover exactly one suppressed cell).
* Totals that are public in effect count as published: how many answered a question is the
  survey's number of respondents when the question is required, and other questions show that.
  So a scale statement's answers including "don't know" are a published total; when its
  "don't know" is suppressed its base n (which would be that total minus "don't know") and
  every figure n follows from (shares, top-2-box, median summary, comparisons, the matrix's
  Friedman n) are withheld, and the statement shows counts only. Likewise a multiple-choice
  question whose counts add up to a multiple of n (it may say "choose exactly m") protects
  that sum, and an "Other" text question, whose n is the "Other" count of its single-choice
  question, is withheld when that count is suppressed.
* Order statistics (median, quartiles, the median's interval) show only when the published
  counts alone fix them; otherwise they would tell where a suppressed count ends.
* Rankings show only aggregates over everyone (no per-item counts); with two items the mean
  ranks are withheld when they would reveal a first-place count below the thresholds.
* No company or person names, answer ids, timestamps or response order; free text only for
  answer ids the chair approved, sorted by text; the median, minimum and maximum of number
  questions are withheld (each can be one respondent's own answer).
* Group comparisons only when every group passes the thresholds and the question (or
  statement) shows its n; FDR is re-adjusted over the comparisons actually shown.

Pages, CSV and JSON are all rendered from the one PublicSummary this module returns.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from dataclasses import dataclass, field

from surveys.anonymize_scale import gate_scale
from surveys.coarsen_choice import majority_choice, recode_budget, recode_choice
from surveys.coarsen_ranking import (
    consensus_of,
    exact_model,
    levels,
    mean_rank_tiers,
    profile_consensus,
)
from surveys.disclosure import threshold
from surveys.profiles import EXACT_MAX
from surveys.results.budget import BudgetSummary
from surveys.results.choice import ChoiceSummary
from surveys.results.groups import with_fdr
from surveys.results.number import NumberSummary
from surveys.results.ranking import RankingSummary
from surveys.results.scale import ScaleQuestionSummary
from surveys.results.summary import QuestionSummary, SurveySummary
from surveys.results.text import TextSummary
from surveys.suppression import MIN_K, GateCell, GateSettings, Margin, Suppression, suppress

__all__ = ["MIN_K", "GateCell", "GateSettings", "Margin", "PublicQuestion", "PublicSummary",
           "Suppression", "gate_question", "gate_survey", "suppress"]

OTHER = "Other"  # the item of a single-choice "Other" answer (surveys/tidy.py)


@dataclass(frozen=True)
class PublicQuestion:
    """What the public sees of one question: figures, or the reason there are none."""

    question_id: str
    question_type: str
    published: bool
    reason: str
    figures: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return {"question_id": self.question_id, "question_type": self.question_type,
                "published": self.published, "reason": self.reason,
                "figures": copy.deepcopy(self.figures)}


@dataclass(frozen=True)
class PublicSummary:
    """The gated survey: the single source for public pages, CSV and JSON exports."""

    questions: tuple[PublicQuestion, ...]
    comparisons: tuple[dict, ...]
    settings: GateSettings
    note: str

    def to_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return {"k_respondents": self.settings.k_respondents,
                "k_companies": self.settings.k_companies, "note": self.note,
                "questions": [q.to_dict() for q in self.questions],
                "comparisons": copy.deepcopy(list(self.comparisons))}


def gate_survey(summary: SurveySummary, publish: Collection[str],
                settings: GateSettings | None = None,
                approved_answers: Collection[str] = frozenset()) -> PublicSummary:
    """Gate a survey summary: only questions in publish, only what passes the thresholds."""
    settings = settings or GateSettings()
    chosen = [q for q in summary.questions if q.question_id in set(publish)]
    questions = _withhold_other_texts([gate_question(q, settings, approved_answers)
                                       for q in chosen])
    shown = {(q.question_id, part) for q in questions for part in _parts_with_n(q)}
    comparisons = tuple(c.to_dict() for c in with_fdr(
        [c for c in summary.comparisons if (c.question_id, c.statement) in shown
         and all(settings.passes(g.n, g.n_companies) for g in c.groups)]))
    note = ("A figure is not shown separately (marked suppressed in the downloads), or answers "
            "are merged into bands or groups, wherever it would otherwise let a reader work out, "
            f"alone or from the other figures, that between 1 and {settings.k_respondents - 1} "
            f"respondents or 1 and {settings.k_companies - 1} companies gave a particular answer.")
    return PublicSummary(questions, comparisons, settings, note)


def _parts_with_n(q: PublicQuestion) -> list[str]:
    """Return the statements (or "" for the whole question) whose n is published."""
    # Small groups: a test statistic between groups is not part of the exact attack's model.
    if not q.published or (q.figures.get("n") or 0) <= EXACT_MAX:
        return []
    if "statements" in q.figures:
        return [s["statement"] for s in q.figures["statements"] if s.get("n") is not None]
    return [""]


def _withhold_other_texts(questions: list[PublicQuestion]) -> tuple[PublicQuestion, ...]:
    """Withhold each "<id>.other" text question whose count is suppressed in question <id>.

    The tidy format sends single choice's "Other" answers as a text question of their own:
    its n is the "Other" count, so it must not show when that count is suppressed.
    """
    hidden = {f"{q.question_id}.other" for q in questions
              if q.published and q.question_type == "single"
              and any(o["option"] == OTHER and o["suppressed"] for o in q.figures["options"])}
    reason = "withheld: the number of these answers is a suppressed count of their question"
    return tuple(PublicQuestion(q.question_id, q.question_type, False, reason)
                 if q.question_id in hidden else q for q in questions)


def gate_question(q: QuestionSummary, settings: GateSettings,
                  approved_answers: Collection[str] = frozenset()) -> PublicQuestion:
    """Gate one question summary of any type."""
    if not settings.passes(q.n, q.n_companies):
        return PublicQuestion(q.question_id, q.question_type, False, settings.withheld())
    if isinstance(q, ScaleQuestionSummary):
        figures = gate_scale(q, settings)
    elif isinstance(q, RankingSummary):
        figures = _ranking(q, settings)
    elif isinstance(q, BudgetSummary):
        figures = (recode_budget(q, settings, lambda: _budget(q, settings))
                   if q.n <= EXACT_MAX else _budget(q, settings))
    elif isinstance(q, ChoiceSummary):
        figures = (recode_choice(q, settings, lambda: _choice(q, settings))
                   if q.n <= EXACT_MAX else _large_choice(q, settings))
    elif isinstance(q, NumberSummary):
        figures = _number(q)
    elif isinstance(q, TextSummary):
        figures = _text(q, set(approved_answers))
    else:
        raise TypeError(f"no gate for {type(q).__name__}")
    return PublicQuestion(q.question_id, q.question_type, True, "", figures)


def _ranking(q: RankingSummary, settings: GateSettings) -> dict:
    """Gate a ranking question: the finest level the attack cannot reverse (coarsen_ranking)."""
    full = q.to_dict()
    level = levels(q, settings)
    model = exact_model(q)
    consensus = consensus_of(model) if model else full["consensus"] or profile_consensus(q)
    items = [{k: v for k, v in i.items() if not k.startswith("first_place")}
             for i in full["items"]]
    why = (f"with {q.n} rankings, finer figures would let a reader work out that between 1 "
           f"and {threshold(settings) - 1} respondents put an item at a particular place")
    if level == "full":
        note = ""
        if model is not None:
            for d in items:
                d.update(mean_rank_ci=None, borda_ci=None)
            note = ("95% intervals withheld: with this few companies their ends are single "
                    "companies' rankings")
        return {"n": q.n, "items": items, "friedman": full["friedman"],
                "agreement": full["agreement"], "consensus": consensus, "method": q.method,
                "note": note, "recoding": "none"}
    tiers = mean_rank_tiers(model) if model is not None and level == "order" else None
    shown = {"order": consensus, "consensus": consensus,
             "top": consensus[:1] if consensus else None}.get(level)
    order = [label for tier in (tiers or shown or []) for label in tier]
    bare = [{"item": label, "tier": next((t + 1 for t, tier in enumerate(tiers or [])
                                          if label in tier), None),
             "mean_rank": None, "mean_rank_ci": None, "borda": None, "borda_ci": None}
            for label in order + sorted(set(q.item_labels) - set(order))]
    withheld = {"test": "Friedman test", "statistic": None,
                "note": f"withheld: {why}"}
    words = {"order": "items shown in tiers of equal mean rank, without the figures",
             "consensus": "only the consensus order is shown", "top": "only the first place "
             "of the consensus order is shown", "none": "no order can be shown"}[level]
    return {"n": q.n, "items": bare, "friedman": withheld,
            "agreement": {"w": None, "words": ""}, "consensus": shown,
            "method": q.method, "note": f"{words}: {why}", "recoding": level,
            "recoding_note": f"{words}: {why}", "tiers": tiers}


def _budget(q: BudgetSummary, settings: GateSettings) -> dict:
    """Gate a budget question: funders per item, and points per item adding up to the total."""
    cells = []
    for i in q.items:
        cells.append(GateCell(f"funders:{i.item}", i.funders.k, i.funders.k,
                              i.funding_companies))
        cells.append(GateCell(f"points:{i.item}", i.total_points, i.funders.k,
                              i.funding_companies))
    points = tuple(f"points:{i.item}" for i in q.items)
    cut = suppress(cells, [Margin("total", points)], settings)
    items = []
    for i in q.items:
        no_points = f"points:{i.item}" in cut.suppressed
        no_funders = f"funders:{i.item}" in cut.suppressed
        items.append({"item": i.item, "suppressed": no_points or no_funders,
                      "total_points": None if no_points else i.total_points,
                      "mean_points": None if no_points else i.mean_points,
                      "funders": None if no_funders else i.funders.to_dict(),
                      "funding_companies": None if no_funders else i.funding_companies})
    total = None if "total" in cut.hidden_margins else q.total_points
    return {"n": q.n, "total_points": total, "items": items, "method": q.method}


def _choice(q: ChoiceSummary, settings: GateSettings) -> dict:
    """Gate a choice question; single-choice counts add up to n, multiple-choice ones may."""
    cells = [GateCell(f"opt:{o.option}", o.count, o.count, o.companies) for o in q.options]
    keys = tuple(c.key for c in cells)
    # A multiple-choice question may say "choose exactly m" (minimum = maximum): then its
    # counts add up to m x n, which anyone can work out. The gate does not see the rules, but
    # unless the counts do add up to a multiple of n no such rule can hold.
    exact = q.question_type == "multiple" and q.n and sum(c.value for c in cells) % q.n == 0
    margins = ([Margin("n", keys)] if q.question_type == "single"
               else [Margin("selections", keys)] if exact else [])
    cut = suppress(cells, margins, settings)
    options = [{"option": o.option, "suppressed": f"opt:{o.option}" in cut.suppressed,
                "count": None if f"opt:{o.option}" in cut.suppressed else o.count,
                "share": None if f"opt:{o.option}" in cut.suppressed else o.share.to_dict()}
               for o in q.options]
    return {"n": None if "n" in cut.hidden_margins else q.n, "options": options,
            "method": q.method}


def _large_choice(q: ChoiceSummary, settings: GateSettings) -> dict:
    """Gate a large group's choice question; an option everyone chose is unanimity."""
    if not settings.allow_unanimous and any(o.count == q.n for o in q.options) and q.n:
        return majority_choice(q, threshold(settings))
    return _choice(q, settings)


def _number(q: NumberSummary) -> dict:
    """Gate a number question: aggregates over everyone only, no single respondent's value."""
    return {"n": q.n, "mean": q.mean, "median": None, "total": q.total,
            "minimum": None, "maximum": None,
            "note": "median, minimum and maximum withheld: each can be one respondent's own "
                    "answer (the median is, whenever the number of answers is odd)"}


def _text(q: TextSummary, approved: set[str]) -> dict:
    """Gate free text: approved answers only, as bare sorted texts."""
    texts = sorted(t for t, i in zip(q.texts, q.answer_ids, strict=True) if i in approved)
    return {"n": q.n, "answers": texts,
            "note": f"{len(texts)} of {q.n} answers approved for publication"}
