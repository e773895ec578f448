"""Pure: global recoding of a small group's Likert statement until the attack fails.

Candidates, finest first: every scale point (with median, quartiles and top-2-box); three
bands (disagree / neutral / agree, "don't know" on its own); the neutral band joined with
"don't know"; agree against the rest; disagree against the rest; only which band holds a
majority. The first candidate that surveys.disclosure finds safe is published, with a note
saying what was merged and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.stats import proportion
from surveys.disclosure import Level, majority, sums, threshold
from surveys.partition import choose
from surveys.results.scale import ScaleSummary
from surveys.suppression import GateSettings

DK = "don't know"


@dataclass(frozen=True)
class Band:
    """A published group of answer types (indexes into points, then "don't know")."""

    label: str
    types: tuple[int, ...]
    points: tuple[int, ...]
    dont_know: bool = False


def bands_of(s: ScaleSummary, dk: bool) -> dict[str, Band]:
    """Return the bands of the statement's scale: low side, middle point, high side, dk."""
    low, high = s.scale
    points = list(range(low, high + 1))
    mid = (low + high) / 2
    side = {"disagree": [p for p in points if p < mid], "neutral": [p for p in points if p == mid],
            "agree": [p for p in points if p > mid]}
    out = {name: Band(f"{name} ({_span(ps)})", tuple(p - low for p in ps), tuple(ps))
           for name, ps in side.items() if ps}
    if dk:
        out["dk"] = Band(DK, (len(points),), (), True)
    return out


def _span(points: list[int]) -> str:
    return str(points[0]) if len(points) == 1 else f"{points[0]}\u2013{points[-1]}"


def _join(label: str, *parts: Band | None) -> Band:
    present = [p for p in parts if p is not None]
    return Band(label, tuple(t for p in present for t in p.types),
                tuple(x for p in present for x in p.points), any(p.dont_know for p in present))


def candidates(s: ScaleSummary, dk: bool) -> list[tuple[str, list[Band], str]]:
    """Return (name, bands, why) candidates from the finest to the coarsest."""
    b = bands_of(s, dk)
    low, mid, high, know = b.get("disagree"), b.get("neutral"), b.get("agree"), b.get("dk")
    out = [("bands", [x for x in (low, mid, high, know) if x],
            "scale points merged into disagree / neutral / agree")]
    if know and mid:
        out.append(("bands", [x for x in (low, _join(f"neutral or {DK}", mid, know), high) if x],
                    f"scale points merged into bands, \u201c{DK}\u201d joined with neutral"))
    if high and (low or mid or know):
        out.append(("two bands", [_join("other answers", low, mid, know), high],
                    "only agreement is told apart from every other answer"))
    if low and (mid or high or know):
        out.append(("two bands", [low, _join("other answers", mid, high, know)],
                    "only disagreement is told apart from every other answer"))
    return out


def _agree_or_not(s: ScaleSummary, dk: bool) -> list[Band]:
    """Return the agree band and every other answer joined, when the scale has both."""
    b = bands_of(s, dk)
    if "agree" not in b or len(b) < 2:
        return list(b.values())
    rest = _join("", *(x for name, x in b.items() if name != "agree"))
    words = _span(list(rest.points)) + (f" or {DK}" if rest.dont_know else "")
    return [Band(f"not agree ({words})", rest.types, rest.points, rest.dont_know), b["agree"]]


def truth_of(s: ScaleSummary, dk: bool) -> list[int]:
    """Return the statement's counts per answer type: points, then "don't know" if offered."""
    return [p.count for p in s.points] + ([s.dont_know] if dk else [])


def recode(s: ScaleSummary, settings: GateSettings,
           full: Callable[[], dict]) -> dict:
    """Return the finest safe figures of one statement of a small group (full(): every point)."""
    # "Don't know" is always an answer type (possibly chosen by nobody): one map for every
    # statement of this scale, so whether anybody said it shows only where a figure tells.
    # An attacker who knows "don't know" was not offered reads the map within the profiles
    # without one (the view), where every cell must be safe too.
    dk = True
    truth, k = truth_of(s, dk), threshold(settings)
    total = sum(truth)
    singles = [[t] for t in range(len(truth))]
    ladder = candidates(s, dk)
    # Every count published: the median, quartiles and top-2-box follow from the counts.
    levels = [Level("points", (sums(singles),), True)]
    levels += [Level(name, (sums([list(b.types) for b in bands]),), True)
               for name, bands, _ in ladder]
    all_bands = list(bands_of(s, dk).values())
    levels.append(Level("majority", (majority([list(b.types) for b in all_bands]),)))
    agree = _agree_or_not(s, dk)
    levels.append(Level("agree or not", (majority([list(b.types) for b in agree]),)))
    chosen = choose(truth, levels, None, k, settings.allow_unanimous,
                    key=("scale", tuple(s.scale)), views=lambda rows: rows[None, :, -1] == 0)
    if chosen == 0:
        return full()
    if chosen <= len(ladder):
        name, bands, why = ladder[chosen - 1]
        return banded(s, name, bands, truth, why, k)
    if chosen == len(ladder) + 1:
        held = [b for b in all_bands if 2 * sum(truth[t] for t in b.types) > total]
        return banded(s, "majority", [], truth, "only the band most answers fall in is told", k,
                      held[0].label if held else None)
    if chosen == len(ladder) + 2:
        held = [b for b in agree if 2 * sum(truth[t] for t in b.types) > total]
        return banded(s, "majority", [], truth, "only whether most answers agree is told", k,
                      held[0].label if held else None)
    return {"statement": s.statement, "published": False,
            "reason": "withheld: even the coarsest summary would show a small count"}


def banded(s: ScaleSummary, name: str, bands: list[Band], truth: list[int], why: str, k: int,
           held: str | None = None) -> dict:
    """Return the published figures of a recoded statement."""
    total = sum(truth)
    # A "don't know" band nobody chose is left out: the survey may not have offered it.
    rows = [{"label": b.label, "points": list(b.points), "dont_know": b.dont_know,
             "count": sum(truth[t] for t in b.types),
             "share": proportion(sum(truth[t] for t in b.types), total).to_dict()} for b in bands
            if b.points or sum(truth[t] for t in b.types)]
    reason = (f"{why}, because with {total} answers the finer figures would let a reader work "
              f"out that between 1 and {k - 1} respondents gave a particular answer"
              + ("" if name != "majority" else " or that every respondent gave the same one"))
    method = (f"scale {s.scale[0]}-{s.scale[1]}; counts and percentages of all {total} who "
              f"answered the statement (\u201c{DK}\u201d answers, if any, included); Wilson 95% "
              "intervals in the downloads")
    return {"statement": s.statement, "published": True, "recoding": name,
            "recoding_note": reason, "answered": total, "bands": rows, "majority": held,
            "scale": list(s.scale), "points": [], "n": None, "dont_know": None,
            "dont_know_suppressed": False, "median": None, "top2": None,
            "top2_points": list(s.top2_points), "method": method}
