"""Single and multiple choice, number and free-text summaries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.stats import Proportion, not_computable, proportions
from surveys.results_data import QuestionData, cell_counts, distinct


@dataclass(frozen=True)
class ChoiceOption:
    """How many respondents chose one option."""

    option: str
    count: int
    share: Proportion
    companies: int

    def to_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return {"option": self.option, "count": self.count, "share": self.share.to_dict(),
                "companies": self.companies}


@dataclass(frozen=True)
class ChoiceSummary:
    """Counts and shares with Wilson intervals for a single or multiple choice question."""

    question_id: str
    question_type: str
    n: int
    n_companies: int
    options: tuple[ChoiceOption, ...]  # most chosen first
    method: str

    def to_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return {"question_id": self.question_id, "question_type": self.question_type,
                "n": self.n, "n_companies": self.n_companies,
                "options": [o.to_dict() for o in self.options], "method": self.method}


def summarize_choice(q: QuestionData) -> ChoiceSummary:
    """Summarize a single or multiple choice question."""
    n = distinct(q.responses)
    count, _, companies = cell_counts(q.item_codes, q.responses, q.companies, len(q.items))
    shares = proportions(count, n)
    order = np.lexsort((np.asarray(q.items), -count))
    options = tuple(ChoiceOption(q.items[j], int(count[j]), shares[j], int(companies[j]))
                    for j in order)
    several = " (several options allowed, so shares add up to more than 100%)"
    method = (f"share of the {n} respondents who answered; Wilson 95% intervals"
              + (several if q.question_type == "multiple" else ""))
    return ChoiceSummary(q.question_id, q.question_type, n, distinct(q.companies), options,
                         method)


@dataclass(frozen=True)
class NumberSummary:
    """n, mean, median, minimum, maximum and sum of a number question."""

    question_id: str
    question_type: str
    n: int
    n_companies: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    total: float | None
    note: str = ""

    def to_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return {"question_id": self.question_id, "question_type": self.question_type,
                "n": self.n, "n_companies": self.n_companies, "mean": self.mean,
                "median": self.median, "minimum": self.minimum, "maximum": self.maximum,
                "total": self.total, "note": self.note}


def summarize_number(q: QuestionData) -> NumberSummary:
    """Summarize a number question."""
    x = np.asarray(q.values, dtype=float)
    n = int(x.size)
    if n == 0:
        return NumberSummary(q.question_id, "number", 0, 0, None, None, None, None, None,
                             not_computable("no answers"))
    return NumberSummary(q.question_id, "number", n, distinct(q.companies), float(x.mean()),
                         float(np.median(x)), float(x.min()), float(x.max()), float(x.sum()))


@dataclass(frozen=True)
class TextSummary:
    """Free-text answers sorted by text (no response order shows), with their answer ids."""

    question_id: str
    question_type: str
    n: int
    n_companies: int
    texts: tuple[str, ...]
    answer_ids: tuple[str, ...]  # aligned with texts; the chair approves answers by these

    def to_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return {"question_id": self.question_id, "question_type": self.question_type,
                "n": self.n, "n_companies": self.n_companies,
                "answers": [{"answer_id": i, "text": t}
                            for t, i in zip(self.texts, self.answer_ids, strict=True)]}


def summarize_text(q: QuestionData) -> TextSummary:
    """Collect the free-text answers of a question."""
    texts = np.asarray(q.values, dtype=str)
    ids = np.asarray(q.answer_ids or [f"{r}:{q.question_id}" for r in q.responses.tolist()],
                     dtype=str)
    order = np.lexsort((ids, texts))
    return TextSummary(q.question_id, "text", int(texts.size), distinct(q.companies),
                       tuple(texts[order].tolist()), tuple(ids[order].tolist()))
