"""Pure: each question of the public results document as a chart, a data table and notes.

Everything here reads the gated document only (surveys/public_document.py), so a figure the
gate suppressed can only appear as the word "suppressed".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from surveys.charts import Bar, bar_chart, diverging_chart, dot_interval_chart
from surveys.public_document import SUPPRESSED


@dataclass(frozen=True)
class Table:
    """A data table: a caption, column headers and rows of already formatted cells."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class QuestionView:
    """What the results page shows of one question."""

    question_id: str
    text: str
    section: str
    kind: str
    published: bool
    reason: str = ""
    chart: str = ""  # an <svg role="img"> from surveys.charts (escaped there), or ""
    table: Table | None = None
    agreement: str = ""  # ranking only: Kendall's W in words
    consensus: str = ""
    answers: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    legend: tuple[tuple[str, str], ...] = ()  # (CSS class of the colour, scale point label)
    suppressed_note: str = ""  # the gate's note, when a cell of the table is suppressed

    @property
    def wide(self) -> bool:
        """Tell whether the table needs the full width (below the chart, not beside it)."""
        return self.table is not None and len(self.table.headers) > 3


UNRANKED_NOTE = ("Unranked items are read the same way everywhere: below every ranked item, "
                 "sharing the remaining places, in the mean ranks, the Borda points and the "
                 "consensus order (Schulze method, winning votes).")
HEADROOM = 1.15  # bar charts leave room right of the longest bar for its value label
DASH = "\u2013"  # en dash, for ranges and missing figures
MERGED = "not shown separately"  # an option or item recoded into a coarser figure
KIND_WORDS = {"likert": "Likert scale", "matrix": "Likert matrix", "single": "single choice",
              "multiple": "multiple choice", "ranking": "ranking of roadmap items",
              "budget": "budget allocation", "number": "number", "text": "free text"}


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


def question_views(document: dict[str, Any]) -> list[QuestionView]:
    """Build the view of every question of the document, in order."""
    return [question_view(q, document.get("note", "")) for q in document["questions"]]


def question_view(q: dict[str, Any], note: str = "") -> QuestionView:
    """Build one question's view; note: the gate's note, shown where a cell is suppressed."""
    base = {"question_id": q["question_id"], "text": q["text"], "section": q["section"],
            "kind": KIND_WORDS.get(q["question_type"], q["question_type"])}
    if not q["published"]:
        return QuestionView(**base, published=False, reason=q["reason"])
    build = {"likert": _scale, "matrix": _scale, "ranking": _ranking, "budget": _budget,
             "single": _choice, "multiple": _choice, "number": _number, "text": _text}
    parts = build[q["question_type"]](q)
    table = parts.get("table")
    hidden = table is not None and any(SUPPRESSED in row for row in table.rows)
    return QuestionView(**base, published=True, suppressed_note=note if hidden else "", **parts)


def _point_label(labels: list[str], low: int, point: int) -> str:
    """Name a scale point: its label when the survey gave one."""
    index = point - low
    return f"{point} {labels[index]}" if 0 <= index < len(labels) else str(point)


BANDED = ("bands", "two bands", "majority")


def _band_colour(band: dict) -> int | None:
    """Place a band on the 5-point palette: disagree 1, neutral or mixed 3, agree 5."""
    name = band["label"]
    if band["dont_know"] and not band["points"]:
        return None
    return 1 if name.startswith("disagree") else 5 if name.startswith("agree") else 3


def _answers_text(s: dict, labels: list[str]) -> str:
    """Describe one statement's published answers in words, for the banded table."""
    if s.get("recoding") == "majority":
        return (f"most answers: {s['majority']}" if s["majority"]
                else "no band holds a majority of the answers")
    if s.get("recoding") in BANDED:
        return "; ".join(f"{b['label']}: {b['count']} ({pct(b['share'], interval=False)})"
                         for b in s["bands"])
    parts = [f"{_point_label(labels, s['scale'][0], p['point'])}: {_count_share(p)}"
             for p in s["points"]]
    dk = SUPPRESSED if s["dont_know_suppressed"] else num(s["dont_know"])
    return "; ".join([*parts, f"don't know: {dk}"])


def _banded_scale(q: dict[str, Any]) -> dict[str, Any]:
    """A question with a statement recoded into bands: one row of words per statement."""
    f, labels = q["figures"], q.get("labels") or []
    rows, notes, bars = [], [], []
    for s in f["statements"]:
        name = s["statement"] or "All answers"
        if not s["published"]:
            rows.append((name, s["reason"], ""))
            continue
        answered = s.get("answered") if s.get("recoding") in BANDED else s.get("n")
        rows.append((name, _answers_text(s, labels), DASH if answered is None else str(answered)))
        notes += [s["method"], s.get("recoding_note") or ""]
        if s.get("recoding") in ("bands", "two bands"):
            bars.append((name, [(c, b["share"]["value"]) for b in s["bands"]
                                if (c := _band_colour(b)) is not None]))
    chart = diverging_chart(q["text"], bars, 5) if bars else ""
    legend = (("sw5-1", "disagree"), ("sw5-3", "neutral or other answers"),
              ("sw5-5", "agree")) if bars else ()
    if f.get("n") is not None:
        notes.insert(0, f"n = {f['n']} respondents answered this question.")
    if f.get("friedman"):
        notes.append(describe_test(f["friedman"]))
    return {"chart": chart, "legend": legend, "notes": tuple(n for n in dict.fromkeys(notes) if n),
            "table": Table("Answers per band of the scale (count and share of all who answered)",
                           ("Statement", "Answers", "Answered"), tuple(rows))}


def _scale(q: dict[str, Any]) -> dict[str, Any]:
    """A diverging stacked bar per statement, with counts, median and top-2-box."""
    f, labels, matrix = q["figures"], q.get("labels") or [], q["question_type"] == "matrix"
    if any(s.get("recoding") in BANDED for s in f["statements"]):
        return _banded_scale(q)
    shown = [s for s in f["statements"] if s["published"]]
    scale = shown[0]["scale"] if shown else [1, 5]
    headers = ("Statement", *[_point_label(labels, scale[0], p)
                              for p in range(scale[0], scale[1] + 1)],
               "Don't know", "n", "Median (IQR)", "Median 95% CI", "Top-2-box (95% CI)")
    rows, notes = [], []
    for s in f["statements"]:
        name = s["statement"] or "All answers"
        if not s["published"]:
            rows.append((name, *[s["reason"]] + [""] * (len(headers) - 2)))
            continue
        m = s["median"]
        rows.append((name, *[_count_share(p) for p in s["points"]],
                     SUPPRESSED if s["dont_know_suppressed"] else num(s["dont_know"]),
                     SUPPRESSED if s["n"] is None else str(s["n"]),
                     "withheld" if m["median"] is None
                     else f"{num(m['median'])} ({num(m['q1'])}{DASH}{num(m['q3'])})",
                     f"{num(m['ci']['low'])}{DASH}{num(m['ci']['high'])}" if m.get("ci")
                     else (m.get("note") or DASH),
                     pct(s["top2"]) if s["top2"] else "withheld"))
        notes.append(s["method"])
    chart, legend, points = "", (), scale[1] - scale[0] + 1
    drawn = [s for s in shown if s["n"] is not None]  # without n the gate gives no shares
    if drawn:
        bars = [(s["statement"] or "All answers",
                 [(p["point"], None if p["suppressed"] else p["share"]["value"])
                  for p in s["points"]]) for s in drawn]
        chart = diverging_chart(q["text"], bars, points)
        legend = tuple((f"sw{points}-{p - scale[0] + 1}", _point_label(labels, scale[0], p))
                       for p in range(scale[0], scale[1] + 1))
    if matrix and f.get("friedman"):
        notes.append(describe_test(f["friedman"]))
    if f.get("n") is not None:
        notes.insert(0, f"n = {f['n']} respondents answered this question.")
    return {"chart": chart, "legend": legend, "notes": tuple(dict.fromkeys(notes)),
            "table": Table("Answers per scale point (count and share of the answers on the "
                           "scale)", headers, tuple(rows))}


def _count_share(cell: dict) -> str:
    """Format a count cell: 'count (share)' or 'suppressed'."""
    if cell.get("suppressed"):
        return SUPPRESSED
    if cell.get("share") is None:  # the gate withheld the statement's base
        return str(cell["count"])
    return f"{cell['count']} ({pct(cell['share'], interval=False)})"


def _ranking(q: dict[str, Any]) -> dict[str, Any]:
    """Borda points with bootstrap intervals as dots, the agreement and the consensus order."""
    f = q["figures"]
    if f.get("recoding", "none") != "none":
        tiers = f.get("tiers") or []
        rows = tuple((i["item"], DASH if i.get("tier") is None else str(i["tier"]))
                     for i in f["items"])
        consensus = " > ".join(" = ".join(t) for t in f["consensus"]) if f.get("consensus") else ""
        notes = [f"n = {f['n']} rankings.", f["recoding_note"], UNRANKED_NOTE]
        return {"consensus": consensus, "notes": tuple(notes),
                "table": Table("Items in tiers of equal mean rank (1 = best)",
                               ("Item", "Tier"), rows) if tiers else None}
    rows = tuple((i["item"], _with_ci(i["mean_rank"], i.get("mean_rank_ci")),
                  _with_ci(i["borda"], i.get("borda_ci"), 1)) for i in f["items"])
    chart = ""
    if all(i["borda"] is not None for i in f["items"]):
        bars = [Bar(i["item"], i["borda"], *(_bounds(i.get("borda_ci")))) for i in f["items"]]
        chart = dot_interval_chart(q["text"], bars, "Borda points (95% interval)")
    consensus = " > ".join(" = ".join(t) for t in f["consensus"]) if f.get("consensus") else ""
    notes = [f"n = {f['n']} rankings.", f["method"], describe_test(f["friedman"]), UNRANKED_NOTE]
    if f.get("note"):
        notes.append(f["note"])
    return {"chart": chart, "agreement": f["agreement"]["words"], "consensus": consensus,
            "table": Table("Mean rank (1 = most important) and Borda points, with 95% intervals",
                           ("Item", "Mean rank (95% CI)", "Borda points (95% CI)"), rows),
            "notes": tuple(n for n in notes if n)}


def _bounds(ci: dict | None) -> tuple[float | None, float | None]:
    return (ci["low"], ci["high"]) if ci else (None, None)


def _with_ci(value: float | None, ci: dict | None, digits: int = 2) -> str:
    if value is None:
        return "withheld"
    tail = f" ({num(ci['low'], digits)}{DASH}{num(ci['high'], digits)})" if ci else ""
    return f"{num(value, digits)}{tail}"


def _budget(q: dict[str, Any]) -> dict[str, Any]:
    """Bars of total points per item; suppressed items only in the table."""
    f = q["figures"]
    hide = MERGED if f.get("recoding") else SUPPRESSED
    rows = tuple((i["item"], hide if i["total_points"] is None else num(i["total_points"]),
                  hide if i["mean_points"] is None else num(i["mean_points"]),
                  hide if i["funders"] is None else pct(i["funders"]))
                 for i in f["items"])
    bars = [Bar(i["item"], i["total_points"]) for i in f["items"] if i["total_points"] is not None]
    total = "withheld" if f["total_points"] is None else num(f["total_points"])
    notes = tuple(x for x in (f"n = {f['n']} respondents; {total} points in all.", _majority(f),
                              f["method"], f.get("recoding_note")) if x)
    top = max((b.value for b in bars), default=0) * HEADROOM
    return {"chart": bar_chart(q["text"], bars, " pts", maximum=top or None) if bars else "",
            "notes": notes,
            "table": Table("Points per roadmap item", ("Item", "Total points", "Mean points",
                                                       "Funded by (95% CI)"), rows)}


def _choice(q: dict[str, Any]) -> dict[str, Any]:
    """Bars of the share choosing each option, with Wilson intervals."""
    f = q["figures"]
    rows = tuple((o["option"], MERGED if o.get("merged") else SUPPRESSED if o["suppressed"]
                  else str(o["count"]), MERGED if o.get("merged") else SUPPRESSED
                  if o["suppressed"] else pct(o["share"])) for o in f["options"])
    bars = [Bar(o["option"], 100 * o["share"]["value"], *[100 * b if b is not None else None
                                                         for b in _bounds(o["share"]["ci"])])
            for o in f["options"] if not o["suppressed"] and (o["share"] or {}).get("value")
            is not None]
    n = "withheld" if f["n"] is None else str(f["n"])
    return {"chart": bar_chart(q["text"], bars, "%", maximum=100 * HEADROOM) if bars else "",
            "table": Table("Respondents choosing each option", ("Option", "Count",
                                                                "Share (95% CI)"), rows),
            "notes": tuple(x for x in (f"n = {n} respondents.", _majority(f), f["method"],
                                       f.get("recoding_note")) if x)}


def _majority(f: dict) -> str:
    """Say which option (or item) most respondents chose, when that is all that is shown."""
    if f.get("recoding") == "order" and f.get("tiers"):
        return "Items in order of total points: " + " > ".join(" = ".join(t) for t in f["tiers"])
    held = f.get("majority") or []
    if f.get("recoding") == "top":
        return (f"Chosen most often{' (tied)' if len(held) > 1 else ''}: {', '.join(held)}."
                if held else "")
    if f.get("recoding") != "majority":
        return ""
    return (f"Chosen by more than half of the respondents: {', '.join(held)}." if held
            else "No option was chosen by more than half of the respondents.")


def _number(q: dict[str, Any]) -> dict[str, Any]:
    """A small table: n, mean, median, total."""
    f = q["figures"]
    rows = (("Respondents (n)", str(f["n"])), ("Mean", num(f["mean"])),
            ("Median", "withheld" if f["median"] is None else num(f["median"])), ("Total", num(f["total"])))
    return {"table": Table("Summary of the answers", ("Figure", "Value"), rows),
            "notes": (f["note"],)}


def _text(q: dict[str, Any]) -> dict[str, Any]:
    """The approved answers, sorted by text."""
    f = q["figures"]
    return {"answers": tuple(f["answers"]), "notes": (f["note"],)}
