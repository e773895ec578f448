"""Pure: cell suppression for published tables (thresholds, primary and complementary).

A table is a set of count cells plus the totals (margins) published over them. A cell with
fewer than k respondents or k companies behind it is suppressed (primary); whenever a
published total covers exactly one suppressed cell, that cell could be recomputed, so the
smallest other cell of the total is suppressed too, or the total itself withheld when it is a
derived figure (``hide_first``), until no total reveals a cell. The publication gate
(surveys/anonymize.py) builds the cells and totals of each question.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

MIN_K = 3


@dataclass(frozen=True)
class GateSettings:
    """Disclosure thresholds; neither may be set below MIN_K."""

    k_respondents: int = 5
    k_companies: int = 3
    allow_unanimous: bool = False  # the chair may let a unanimous answer show as such

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
