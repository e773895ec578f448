"""Free-text summaries: the answers sorted by text (no response order shows), with their ids."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.json_ready import NOT_JSON, JsonReady
from surveys.results.data import QuestionData, distinct


@dataclass(frozen=True)
class TextSummary(JsonReady):
    """Free-text answers sorted by text (no response order shows), with their answer ids."""

    question_id: str
    question_type: str
    n: int
    n_companies: int
    # Written as one "answers" list of {answer_id, text} (json_extra), not as two columns.
    texts: tuple[str, ...] = field(metadata=NOT_JSON)
    answer_ids: tuple[str, ...] = field(metadata=NOT_JSON)  # the chair approves by these

    def json_extra(self) -> dict:
        """Return the answers paired with their ids."""
        return {"answers": [{"answer_id": i, "text": t}
                            for t, i in zip(self.texts, self.answer_ids, strict=True)]}


def summarize_text(q: QuestionData) -> TextSummary:
    """Collect the free-text answers of a question."""
    texts = np.asarray(q.values, dtype=str)
    ids = np.asarray(q.answer_ids or [f"{r}:{q.question_id}" for r in q.responses.tolist()],
                     dtype=str)
    order = np.lexsort((ids, texts))
    return TextSummary(q.question_id, "text", int(texts.size), distinct(q.companies),
                       tuple(texts[order].tolist()), tuple(ids[order].tolist()))
