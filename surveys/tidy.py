"""Pure: one answer as rows of the tidy CSV that analysts and the statistics read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.csv_cells import neutral, restore
from surveys.rules import QuestionSpec, QuestionType

COLUMNS = ("response_id", "company", "respondent", "question_id", "question_type", "item", "value")

TidyRow = tuple[str, str, str, str, str, str, str]
TEXT_COLUMNS = ("company", "respondent", "item")  # free text in every row; `value` in text rows


def answer_rows(response_id: int, company: str, respondent: str, spec: QuestionSpec, value: Any,
                item_titles: Mapping[int, str]) -> list[TidyRow]:
    """Write one answer as tidy rows: response_id,company,respondent,question_id,type,item,value."""

    def row(item: str, val: Any, qid: str = str(spec.id), qtype: str = spec.type.value) -> TidyRow:
        """Build one row of this answer."""
        return (str(response_id), company, respondent, qid, qtype, item, str(val))

    if value is None:
        return []
    match spec.type:
        case QuestionType.MATRIX:
            return [row(s, v) for s, v in zip(spec.config["statements"], value, strict=True)
                    if v is not None]
        case QuestionType.SINGLE if "other" in value:
            # The free text goes out as a text question of its own, so it is gated like text.
            return [row("Other", 1), row("", value["other"], f"{spec.id}.other", "text")]
        case QuestionType.SINGLE:
            return [row(value["option"], 1)]
        case QuestionType.MULTIPLE:
            return [row(option, 1) for option in value]
        case QuestionType.RANKING:
            by_rank = sorted(value.items(), key=lambda pair: pair[1])
            return [row(item_titles[int(item)], rank) for item, rank in by_rank]
        case QuestionType.BUDGET:
            return [row(item_titles[int(item)], points) for item, points in value.items()]
    return [row("", value)]


def spreadsheet_safe(row: TidyRow) -> TidyRow:
    """Quote the row's free-text cells a spreadsheet would run as formulas (numbers stay)."""
    rid, company, respondent, qid, qtype, item, value = row
    return (rid, neutral(company), neutral(respondent), qid, qtype, neutral(item),
            neutral(value) if qtype == "text" else value)


def restored(columns: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Undo `spreadsheet_safe` on columns read from a tidy CSV export."""
    out = {name: list(values) for name, values in columns.items()}
    for name in TEXT_COLUMNS:
        if name in out:
            out[name] = [restore(cell) for cell in out[name]]
    if "value" in out and "question_type" in out:
        out["value"] = [restore(v) if t.strip().lower() == "text" else v
                        for v, t in zip(out["value"], out["question_type"], strict=True)]
    return out
