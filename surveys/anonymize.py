"""Publication gate: turn a SurveySummary into exactly what the public may see.

Rules (DESIGN.md, "Publication gate"):

* Deny by default: only the questions named in ``publish`` appear at all.
* A question (or matrix statement) answered by fewer than k respondents or k companies shows
  no figures. Any count cell with fewer than k respondents or k companies behind it is
  suppressed (primary); zero cells have nobody behind them and are not.
* Complementary suppression: whenever a published total (a margin) covers exactly one
  suppressed cell, that cell could be recomputed, so the smallest other cell of the margin is
  suppressed too (non-zero cells first), repeating until stable; derived figures such as the
  top-2-box are withheld instead of suppressing more cells. Linked totals count too: a
  hidden "don't know" hides the question's n and every "don't know" of its matrix.
* Rankings show only aggregates over everyone (no per-item counts); with two items the mean
  ranks are withheld when they would reveal a first-place count below the thresholds.
* No company or person names, answer ids, timestamps or response order; free text only for
  answer ids the chair approved, sorted by text; minimum and maximum of number questions are
  withheld (each is one respondent's own answer).
* Group comparisons only when every group passes the thresholds; FDR is re-adjusted over the
  comparisons actually shown.

Pages, CSV and JSON are all rendered from the one PublicSummary this module returns.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from surveys.results import (
    BudgetSummary,
    ChoiceSummary,
    NumberSummary,
    QuestionSummary,
    RankingSummary,
    ScaleQuestionSummary,
    ScaleSummary,
    SurveySummary,
    TextSummary,
    with_fdr,
)

MIN_K = 3


@dataclass(frozen=True)
class GateSettings:
    """Disclosure thresholds; neither may be set below MIN_K."""

    k_respondents: int = 5
    k_companies: int = 3

    def __post_init__(self) -> None:
        for name in ("k_respondents", "k_companies"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < MIN_K:
                raise ValueError(f"{name} must be a whole number of at least {MIN_K}, "
                                 f"got {value!r}")

    def passes(self, respondents: int, companies: int) -> bool:
        """Say whether a figure with this many respondents and companies behind it may show."""
        return respondents >= self.k_respondents and companies >= self.k_companies

    def withheld(self) -> str:
        """Return the reason shown for a withheld question."""
        return (f"withheld: fewer than {self.k_respondents} respondents or fewer than "
                f"{self.k_companies} companies answered")


@dataclass(frozen=True)
class GateCell:
    """One published count (or sum) and how many respondents and companies are behind it."""

    key: str
    value: float
    respondents: int
    companies: int


@dataclass(frozen=True)
class Margin:
    """A published total over some cells; hide_first: withhold the total, not more cells."""

    name: str
    keys: tuple[str, ...]
    hide_first: bool = False


@dataclass(frozen=True)
class Suppression:
    """Which cells are suppressed (primary ones included) and which totals are withheld."""

    primary: frozenset[str]
    suppressed: frozenset[str]
    hidden_margins: frozenset[str]


def suppress(cells: Sequence[GateCell], margins: Sequence[Margin], settings: GateSettings,
             forced: Collection[str] = ()) -> Suppression:
    """Apply primary and complementary suppression until no margin reveals a cell."""
    by_key = {c.key: c for c in cells}
    primary = {c.key for c in cells if c.key in forced
               or (c.value != 0 and not settings.passes(c.respondents, c.companies))}
    suppressed, hidden = set(primary), set()
    changed = True
    while changed:
        changed = False
        for m in margins:
            if m.name in hidden or sum(k in suppressed for k in m.keys) != 1:
                continue
            changed = True
            free = [k for k in m.keys if k not in suppressed]
            if m.hide_first or not free:
                hidden.add(m.name)
            else:
                suppressed.add(min(free, key=lambda k: (by_key[k].value == 0,
                                                        by_key[k].value, k)))
    return Suppression(frozenset(primary), frozenset(suppressed), frozenset(hidden))


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
    questions = tuple(gate_question(q, settings, approved_answers) for q in chosen)
    shown = {q.question_id for q in questions if q.published}
    comparisons = tuple(c.to_dict() for c in with_fdr(
        [c for c in summary.comparisons if c.question_id in shown
         and all(settings.passes(g.n, g.n_companies) for g in c.groups)]))
    note = (f"Figures marked suppressed are hidden because fewer than "
            f"{settings.k_respondents} respondents or {settings.k_companies} companies are "
            "behind them, or because they would let such a figure be worked out from totals.")
    return PublicSummary(questions, comparisons, settings, note)


def gate_question(q: QuestionSummary, settings: GateSettings,
                  approved_answers: Collection[str] = frozenset()) -> PublicQuestion:
    """Gate one question summary of any type."""
    if not settings.passes(q.n, q.n_companies):
        return PublicQuestion(q.question_id, q.question_type, False, settings.withheld())
    if isinstance(q, ScaleQuestionSummary):
        figures = _scale(q, settings)
    elif isinstance(q, RankingSummary):
        figures = _ranking(q, settings)
    elif isinstance(q, BudgetSummary):
        figures = _budget(q, settings)
    elif isinstance(q, ChoiceSummary):
        figures = _choice(q, settings)
    elif isinstance(q, NumberSummary):
        figures = _number(q)
    elif isinstance(q, TextSummary):
        figures = _text(q, set(approved_answers))
    else:
        raise TypeError(f"no gate for {type(q).__name__}")
    return PublicQuestion(q.question_id, q.question_type, True, "", figures)


def _scale(q: ScaleQuestionSummary, settings: GateSettings) -> dict:
    """Gate a likert or matrix question statement by statement."""
    gated = [_statement(s, settings) for s in q.statements]
    if len(gated) > 1 and any(d.get("dont_know_suppressed") for d in gated):
        # When everyone answers every statement, n + "don't know" is the same for all of
        # them, so one published "don't know" would reveal the others: hide them all.
        gated = [_statement(s, settings, forced={"dk"}) for s in q.statements]
    # The question's n can equal a statement's answers including "don't know" (always for
    # a likert question), so it is withheld whenever a statement had to withhold that total.
    n_ok = all(d.pop("answered_ok", True) for d in gated)
    return {"n": q.n if n_ok else None, "statements": gated,
            "friedman": q.friedman.to_dict() if q.friedman else None}


def _statement(s: ScaleSummary, settings: GateSettings, forced: Collection[str] = ()) -> dict:
    """Gate one statement: whole statement first, then its cells and margins."""
    if not settings.passes(s.n, s.n_companies):
        return {"statement": s.statement, "published": False, "reason": settings.withheld()}
    keys = tuple(f"p{p.point}" for p in s.points)
    cells = [GateCell(f"p{p.point}", p.count, p.respondents, p.companies) for p in s.points]
    cells.append(GateCell("dk", s.dont_know, s.dont_know, s.dont_know_companies))
    # "answered" (the question's n when everyone answers) = n + "don't know"; n is shown,
    # so against that total "don't know" is the only unknown cell.
    margins = [Margin("n", keys),
               Margin("top2", tuple(f"p{p}" for p in s.top2_points), hide_first=True),
               Margin("answered", ("dk",), hide_first=True)]
    cut = suppress(cells, margins, settings, forced)
    top2_ok = "top2" not in cut.hidden_margins and (
        s.top2.k == 0 or settings.passes(s.top2.k, s.top2_companies))
    points = [{"point": p.point, "suppressed": f"p{p.point}" in cut.suppressed,
               "count": None if f"p{p.point}" in cut.suppressed else p.count,
               "share": None if f"p{p.point}" in cut.suppressed else p.share.to_dict()}
              for p in s.points]
    dk_hidden = "dk" in cut.suppressed
    return {"statement": s.statement, "published": True,
            "n": None if "n" in cut.hidden_margins else s.n,
            "scale": list(s.scale), "points": points, "dont_know_suppressed": dk_hidden,
            "dont_know": None if dk_hidden else s.dont_know, "median": s.median.to_dict(),
            "top2": s.top2.to_dict() if top2_ok else None, "top2_points": list(s.top2_points),
            "method": s.method, "answered_ok": "answered" not in cut.hidden_margins}


def _ranking(q: RankingSummary, settings: GateSettings) -> dict:
    """Gate a ranking question: aggregates over everyone, no per-item counts."""
    full = q.to_dict()
    items = [{k: v for k, v in i.items() if not k.startswith("first_place")}
             for i in full["items"]]
    note = ""
    # With two items a mean rank is a first-place count in disguise (n - count of firsts),
    # so it obeys the cell thresholds like any count.
    if len(q.items) == 2 and any(i.first_place and not settings.passes(
            i.first_place, i.first_place_companies) for i in q.items):
        for d in items:
            d.update(mean_rank=None, mean_rank_ci=None, borda=None, borda_ci=None)
        note = "mean ranks withheld: with two items they would show a count below the threshold"
    return {"n": q.n, "items": items, "friedman": full["friedman"],
            "agreement": full["agreement"], "consensus": full["consensus"],
            "method": q.method, "note": note}


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
    """Gate a choice question; single-choice counts add up to n, multiple-choice ones do not."""
    cells = [GateCell(f"opt:{o.option}", o.count, o.count, o.companies) for o in q.options]
    margins = [Margin("n", tuple(c.key for c in cells))] if q.question_type == "single" else []
    cut = suppress(cells, margins, settings)
    options = [{"option": o.option, "suppressed": f"opt:{o.option}" in cut.suppressed,
                "count": None if f"opt:{o.option}" in cut.suppressed else o.count,
                "share": None if f"opt:{o.option}" in cut.suppressed else o.share.to_dict()}
               for o in q.options]
    return {"n": None if "n" in cut.hidden_margins else q.n, "options": options,
            "method": q.method}


def _number(q: NumberSummary) -> dict:
    """Gate a number question: aggregates only, no single respondent's value."""
    return {"n": q.n, "mean": q.mean, "median": q.median, "total": q.total,
            "minimum": None, "maximum": None,
            "note": "minimum and maximum withheld: each is one respondent's own answer"}


def _text(q: TextSummary, approved: set[str]) -> dict:
    """Gate free text: approved answers only, as bare sorted texts."""
    texts = sorted(t for t, i in zip(q.texts, q.answer_ids, strict=True) if i in approved)
    return {"n": q.n, "answers": texts,
            "note": f"{len(texts)} of {q.n} answers approved for publication"}
