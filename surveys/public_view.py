"""Pure: each question of the public results document as a chart, a data table and notes.

Everything here reads the gated document only (surveys/public_document.py), so a figure the
gate suppressed can only appear as the word "suppressed". Likert questions and matrices are
built in surveys/public_scale.py; cells and sentences come from surveys/public_format.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from surveys.charts import Bar, bar_chart, dot_interval_chart
from surveys.public_document import SUPPRESSED
from surveys.public_format import DASH, Table, describe_test, num, pct
from surveys.public_scale import scale_parts


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
TIE = "Chosen most often: a tie between two or more options, not named here."
MERGED = "not shown separately"  # an option or item recoded into a coarser figure
KIND_WORDS = {"likert": "Likert scale", "matrix": "Likert matrix", "single": "single choice",
              "multiple": "multiple choice", "ranking": "ranking of roadmap items",
              "budget": "budget allocation", "number": "number", "text": "free text"}


def question_views(document: dict[str, Any]) -> list[QuestionView]:
    """Build the view of every question of the document, in order."""
    return [question_view(q, document.get("note", "")) for q in document["questions"]]


def question_view(q: dict[str, Any], note: str = "") -> QuestionView:
    """Build one question's view; note: the gate's note, shown where a cell is suppressed."""
    base = {"question_id": q["question_id"], "text": q["text"], "section": q["section"],
            "kind": KIND_WORDS.get(q["question_type"], q["question_type"])}
    if not q["published"]:
        return QuestionView(**base, published=False, reason=q["reason"])
    build = {"likert": scale_parts, "matrix": scale_parts, "ranking": _ranking, "budget": _budget,
             "single": _choice, "multiple": _choice, "number": _number, "text": _text}
    parts = build[q["question_type"]](q)
    table = parts.get("table")
    hidden = table is not None and any(SUPPRESSED in row for row in table.rows)
    return QuestionView(**base, published=True, suppressed_note=note if hidden else "", **parts)


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
            "notes": tuple(x for x in (f"n = {n} respondents.", _majority(f),
                                       f["method"] if _shares_shown(f) else "",
                                       f.get("recoding_note")) if x)}


def _shares_shown(f: dict) -> bool:
    """Tell whether any share is on the page: else the note on how shares are read is moot."""
    return any((o.get("share") or {}).get("value") is not None for o in f["options"])


def _majority(f: dict) -> str:
    """Say which option (or item) most respondents chose, when that is all that is shown."""
    if f.get("recoding") == "order" and f.get("tiers"):
        return "Items in order of total points: " + " > ".join(" = ".join(t) for t in f["tiers"])
    held = f.get("majority") or []
    if f.get("recoding") == "top":
        if not held:
            return TIE if f.get("tied") else ""
        return f"Chosen most often{' (tied)' if len(held) > 1 else ''}: {', '.join(held)}."
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
