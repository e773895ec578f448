"""Pure: check and normalize the settings the builder gives each question type."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from surveys.rules import QuestionType, SurveyError, canonical_number

DEFAULT_LABELS = {
    5: ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
    7: ["Strongly disagree", "Disagree", "Somewhat disagree", "Neutral", "Somewhat agree",
        "Agree", "Strongly agree"],
}
MAX_OPTIONS, MAX_ITEMS, MAX_TEXT = 40, 40, 10_000
TYPE_LABELS = {
    QuestionType.LIKERT: "Likert scale", QuestionType.MATRIX: "Likert matrix",
    QuestionType.SINGLE: "Single choice", QuestionType.MULTIPLE: "Multiple choice",
    QuestionType.RANKING: "Ranking of roadmap items", QuestionType.BUDGET: "Budget allocation",
    QuestionType.NUMBER: "Number", QuestionType.TEXT: "Free text",
}


class SettingsError(SurveyError):
    """A question setting the builder refuses; `field` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def lines(text: str | None) -> list[str]:
    """Split a textarea into its non-empty, stripped lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _given(data: Mapping, field: str, default: Any) -> Any:
    """Return the field's value, or the default when it was left empty (0 is a value)."""
    value = data.get(field)
    return default if value is None or value == "" else value


def _distinct_lines(data: Mapping, field: str, least: int, most: int, width: int) -> list[str]:
    values = lines(data.get(field))
    if not least <= len(values) <= most:
        raise SettingsError(field, f"give {least} to {most} entries, one per line")
    if len(set(values)) != len(values):
        raise SettingsError(field, "each entry must be different")
    if any(len(v) > width for v in values):
        raise SettingsError(field, f"keep each entry under {width} characters")
    return values


def _scale(data: Mapping) -> dict[str, Any]:
    points = _given(data, "points", 5)
    if points not in DEFAULT_LABELS:
        raise SettingsError("points", "a scale has 5 or 7 points")
    labels = lines(data.get("labels")) or DEFAULT_LABELS[points]
    if len(labels) != points or any(len(label) > 60 for label in labels):
        raise SettingsError("labels", f"give {points} labels (under 60 characters), one per "
                                      "line, or leave empty for the standard ones")
    return {"points": points, "labels": labels, "dont_know": bool(data.get("dont_know"))}


def _matrix(data: Mapping) -> dict[str, Any]:
    return {**_scale(data), "statements": _distinct_lines(data, "statements", 1, 30, 300)}


def _single(data: Mapping) -> dict[str, Any]:
    return {"options": _distinct_lines(data, "options", 2, MAX_OPTIONS, 200),
            "other": bool(data.get("other"))}


def _multiple(data: Mapping) -> dict[str, Any]:
    options = _distinct_lines(data, "options", 2, MAX_OPTIONS, 200)
    least, most = _given(data, "min_choices", 0), _given(data, "max_choices", len(options))
    if not (0 <= least <= most <= len(options) and most >= 1):
        raise SettingsError("max_choices", f"need 0 <= at least <= at most <= {len(options)} "
                                           "(the number of options), and at most >= 1")
    return {"options": options, "min": least, "max": most}


def _items(data: Mapping, known: Collection[int]) -> list[int]:
    items = list(dict.fromkeys(data.get("items") or []))
    if not 2 <= len(items) <= MAX_ITEMS:
        raise SettingsError("items", f"choose 2 to {MAX_ITEMS} roadmap items")
    if set(items) - set(known):
        raise SettingsError("items", "choose items from the roadmap catalog")
    return items


def _ranking(data: Mapping, known: Collection[int]) -> dict[str, Any]:
    items = _items(data, known)
    top_k = _given(data, "top_k", None)
    if top_k is not None and not 1 <= top_k <= len(items):
        raise SettingsError("top_k", f"rank a top 1 to {len(items)}, or leave empty for all")
    return {"items": items, "top_k": None if top_k == len(items) else top_k}


def _budget(data: Mapping, known: Collection[int]) -> dict[str, Any]:
    total = _given(data, "total", 100)
    if not 1 <= total <= 100_000:
        raise SettingsError("total", "spread 1 to 100000 points")
    return {"items": _items(data, known), "total": total}


def _bound(data: Mapping, field: str) -> str | None:
    text = (data.get(field) or "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise SettingsError(field, "enter a number or leave empty") from None
    if not number.is_finite():
        raise SettingsError(field, "enter a number or leave empty")
    return canonical_number(number)


def _number(data: Mapping) -> dict[str, Any]:
    low, high = _bound(data, "min_value"), _bound(data, "max_value")
    if low is not None and high is not None and Decimal(low) > Decimal(high):
        raise SettingsError("max_value", "the highest value is below the lowest")
    return {"min": low, "max": high, "integer": bool(data.get("integer"))}


def _text(data: Mapping) -> dict[str, Any]:
    most = _given(data, "max_length", 2000)
    if not 1 <= most <= MAX_TEXT:
        raise SettingsError("max_length", f"allow 1 to {MAX_TEXT} characters")
    return {"max_length": most}


PLAIN: dict[QuestionType, Callable[[Mapping], dict[str, Any]]] = {
    QuestionType.LIKERT: _scale, QuestionType.MATRIX: _matrix, QuestionType.SINGLE: _single,
    QuestionType.MULTIPLE: _multiple, QuestionType.NUMBER: _number, QuestionType.TEXT: _text,
}
WITH_ITEMS = {QuestionType.RANKING: _ranking, QuestionType.BUDGET: _budget}


def normalize(qtype: QuestionType, data: Mapping[str, Any], known_items: Collection[int]) -> dict:
    """Return the question's settings for its type, or raise SettingsError naming the field."""
    if qtype in WITH_ITEMS:
        return WITH_ITEMS[qtype](data, known_items)
    return PLAIN[qtype](data)


def to_form_data(qtype: QuestionType, config: Mapping[str, Any]) -> dict[str, Any]:
    """Turn stored settings back into the builder form's fields."""
    data: dict[str, Any] = {
        "points": config.get("points"), "dont_know": config.get("dont_know", False),
        "labels": "\n".join(config.get("labels", [])),
        "statements": "\n".join(config.get("statements", [])),
        "options": "\n".join(config.get("options", [])), "other": config.get("other", False),
        "min_choices": config.get("min"), "max_choices": config.get("max"),
        "items": list(config.get("items", [])), "top_k": config.get("top_k"),
        "total": config.get("total"), "integer": config.get("integer", False),
        "max_length": config.get("max_length"),
    }
    if qtype is QuestionType.NUMBER:
        data.update(min_value=config.get("min") or "", max_value=config.get("max") or "",
                    min_choices=None, max_choices=None)
    return data
