"""Pure: a Likert question or matrix of the public document as chart, table and notes.

Statements the gate recoded into bands show one row of words each; otherwise each
statement is a diverging stacked bar with counts, median and top-2-box.
"""

from __future__ import annotations

from typing import Any

from surveys.charts import diverging_chart
from surveys.public_document import SUPPRESSED
from surveys.public_format import DASH, Table, describe_test, num, pct


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


def _legend(bands: list[dict]) -> tuple[tuple[str, str], ...]:
    """Name each colour by the bands it stands for on this chart, not every band it could."""
    names: dict[int, dict[str, None]] = {}
    for b in bands:
        if (c := _band_colour(b)) is not None:
            names.setdefault(c, {})[b["label"].split(" (")[0]] = None  # the points left out
    return tuple((f"sw5-{c}", " or ".join(names[c])) for c in sorted(names))


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
    rows, notes, bars, drawn = [], [], [], []
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
            drawn += s["bands"]
    chart = diverging_chart(q["text"], bars, 5) if bars else ""
    legend = _legend(drawn) if bars else ()
    if f.get("n") is not None:
        notes.insert(0, f"n = {f['n']} respondents answered this question.")
    if f.get("friedman"):
        notes.append(describe_test(f["friedman"]))
    return {"chart": chart, "legend": legend, "notes": tuple(n for n in dict.fromkeys(notes) if n),
            "table": Table("Answers per band of the scale (count and share of all who answered)",
                           ("Statement", "Answers", "Answered"), tuple(rows))}


def scale_parts(q: dict[str, Any]) -> dict[str, Any]:
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
