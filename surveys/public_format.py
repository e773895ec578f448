"""Pure: the cells and sentences of the public results page (numbers, shares, tests).

Shared by the question views (surveys/public_view.py, surveys/public_scale.py).
"""

from __future__ import annotations

from dataclasses import dataclass

DASH = "\u2013"  # en dash, for ranges and missing figures


@dataclass(frozen=True)
class Table:
    """A data table: a caption, column headers and rows of already formatted cells."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def num(x: float | None, digits: int = 2) -> str:
    """Format a number without trailing zeros, or a dash."""
    if x is None:
        return DASH
    text = f"{x:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pct(share: dict | None, interval: bool = True) -> str:
    """Format a proportion as a percentage with its 95% interval."""
    if not share or share.get("value") is None:
        return DASH
    ci = share.get("ci")
    tail = f" ({ci['low']:.0%}{DASH}{ci['high']:.0%})" if interval and ci else ""
    return f"{share['value']:.0%}{tail}"


def describe_test(test: dict | None) -> str:
    """Say in words which test ran, on what n, and what came out."""
    if not test:
        return ""
    if test.get("statistic") is None:
        return f"{test['test']}: {test.get('note') or 'not computable'}."
    p = test["p_value"]
    p_text = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    effect = f", {test['effect_name']} = {num(test['effect'])}" if test.get("effect_name") else ""
    return (f"{test['test']} on n = {test['n']}: statistic {num(test['statistic'])}, "
            f"{p_text}{effect}. Why: {test['method']}.")
