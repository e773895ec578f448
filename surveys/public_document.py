"""Pure: the public results document (gated figures plus question wording) and its CSV rows.

The document is built once from a ``PublicSummary`` and is then the only thing the public
pages, the printable report, the CSV and the JSON exports read, so they cannot disagree and
none of them can show what the gate took out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.csv_cells import neutral

FORMAT = 1
CSV_COLUMNS = ("question_id", "question", "statement_or_item", "figure", "value")
SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class QuestionMeta:
    """The wording of a publishable question (its gate id, type, text, section, labels)."""

    question_id: str
    question_type: str
    text: str
    section: str
    labels: tuple[str, ...] = ()  # scale point labels, lowest point first
    items: tuple[str, ...] = ()  # options, statements or roadmap items in survey order


def compose(survey: dict[str, Any], metas: Sequence[QuestionMeta], chosen: Sequence[str],
            gated: Any) -> dict[str, Any]:
    """Join the gated summary with the wording of the chosen questions, in survey order."""
    full = gated.to_dict()
    by_id = {q["question_id"]: q for q in full["questions"]}
    withheld = gated.settings.withheld()
    questions = []
    for meta in metas:
        if meta.question_id not in set(chosen):
            continue
        # A chosen question nobody answered has no summary: withheld like any small one.
        q = by_id.get(meta.question_id) or {"question_id": meta.question_id,
                                             "question_type": meta.question_type,
                                             "published": False, "reason": withheld,
                                             "figures": {}}
        _hide_order(q, meta.items)
        questions.append({**q, "text": meta.text, "section": meta.section,
                          "labels": list(meta.labels)})
    return {"format": FORMAT, "survey": survey, "k_respondents": full["k_respondents"],
            "k_companies": full["k_companies"], "note": full["note"], "questions": questions}


def _hide_order(q: dict[str, Any], survey_order: Sequence[str]) -> None:
    """Move suppressed options and items to the end, in survey order.

    The summary lists options by count; left in place, a suppressed one would show where
    its count falls between its published neighbours.
    """
    figures = q.get("figures") or {}
    key = "options" if "options" in figures else "items" if q["question_type"] == "budget" else None
    if key is None:
        return
    rows = figures[key]
    name = "option" if key == "options" else "item"
    position = {label: i for i, label in enumerate(survey_order)}
    shown = [r for r in rows if not r.get("suppressed")]
    hidden = sorted((r for r in rows if r.get("suppressed")),
                    key=lambda r: (position.get(r[name], len(position)), r[name]))
    figures[key] = shown + hidden


def _cell(value: Any, suppressed: bool = False) -> str:
    """Write one figure for the CSV."""
    if suppressed:
        return SUPPRESSED
    if value is None:
        return ""
    if isinstance(value, float):
        return "0" if abs(value) < 1e-12 else f"{value:.6g}"  # no floating-point dust
    return str(value)


def _share(share: dict | None) -> list[tuple[str, Any]]:
    """Return a proportion's figures: share and its 95% interval."""
    if not share or share.get("value") is None:
        return []
    ci = share.get("ci") or {}
    return [("share", share["value"]), ("share_ci_low", ci.get("low")),
            ("share_ci_high", ci.get("high"))]


def _scale_rows(f: dict) -> list[tuple[str, str, Any, bool]]:
    """Return (statement, figure, value, suppressed) rows of a likert or matrix question."""
    out: list[tuple[str, str, Any, bool]] = []
    for s in f["statements"]:
        label = s["statement"]
        if not s["published"]:
            out.append((label, "withheld", s["reason"], False))
            continue
        if s.get("recoding") in ("bands", "two bands", "majority"):
            out += _band_rows(label, s)
            continue
        out.append((label, "n", s["n"], s["n"] is None))
        for p in s["points"]:
            out.append((label, f"count_point_{p['point']}", p["count"], p["suppressed"]))
            out += [(label, f"{k}_point_{p['point']}", v, False) for k, v in _share(p["share"])]
        out.append((label, "dont_know", s["dont_know"], s["dont_know_suppressed"]))
        m = s["median"]
        out += [(label, k, m.get(k), False) for k in ("median", "q1", "q3")]
        if m.get("ci"):
            out += [(label, "median_ci_low", m["ci"]["low"], False),
                    (label, "median_ci_high", m["ci"]["high"], False)]
        if s["top2"]:
            out += [(label, k.replace("share", "top2"), v, False) for k, v in _share(s["top2"])]
    return out


def _band_rows(label: str, s: dict) -> list[tuple[str, str, Any, bool]]:
    """Return the rows of a statement published in bands (or by its majority band only)."""
    out: list[tuple[str, str, Any, bool]] = [(label, "answered", s["answered"], False)]
    for b in s["bands"]:
        out.append((label, f"count_{b['label']}", b["count"], False))
        out += [(label, f"{k}_{b['label']}", v, False) for k, v in _share(b["share"])]
    if s["recoding"] == "majority":
        out.append((label, "majority_band", s["majority"] or "no band holds a majority", False))
    out.append((label, "recoding", s["recoding_note"], False))
    return out


def _ranking_rows(f: dict) -> list[tuple[str, str, Any, bool]]:
    """Return the rows of a ranking question."""
    out: list[tuple[str, str, Any, bool]] = [("", "n", f["n"], False)]
    if f.get("recoding", "none") != "none":
        if f.get("tiers"):
            out.append(("", "mean_rank_tiers", " > ".join(" = ".join(t) for t in f["tiers"]),
                        False))
        if f.get("consensus"):
            out.append(("", "consensus_order", " > ".join(" = ".join(t) for t in f["consensus"]),
                        False))
        out.append(("", "recoding", f["recoding_note"], False))
        return out
    for i in f["items"]:
        for name in ("mean_rank", "borda"):
            out.append((i["item"], name, i[name], False))
            ci = i.get(f"{name}_ci") or {}
            out += [(i["item"], f"{name}_ci_low", ci.get("low"), False),
                    (i["item"], f"{name}_ci_high", ci.get("high"), False)] if ci else []
    agreement = f["agreement"]
    out.append(("", "kendall_w", agreement.get("w"), False))
    out.append(("", "agreement", agreement.get("words"), False))
    out.append(("", "friedman_p", f["friedman"].get("p_value"), False))
    if f.get("consensus"):
        out.append(("", "consensus_order", " > ".join(" = ".join(t) for t in f["consensus"]),
                    False))
    return out


def _other_rows(qtype: str, f: dict) -> list[tuple[str, str, Any, bool]]:
    """Return the rows of budget, choice, number and text questions."""
    out: list[tuple[str, str, Any, bool]] = [("", "n", f.get("n"), f.get("n") is None)]
    if qtype == "budget":
        out.append(("", "total_points", f["total_points"], f["total_points"] is None))
        for i in f["items"]:
            out += [(i["item"], k, i[k], i["suppressed"])
                    for k in ("total_points", "mean_points")]
            out += [(i["item"], k.replace("share", "funders_share"), v, False)
                    for k, v in _share(i["funders"])]
    elif qtype in ("single", "multiple"):
        for o in f["options"]:
            out.append((o["option"], "count", o["count"], o["suppressed"]))
            out += [(o["option"], k, v, False) for k, v in _share(o["share"])]
    if f.get("recoding") and qtype in ("budget", "single", "multiple"):
        out = [(label, figure, value, hidden) for label, figure, value, hidden in out
               if not (hidden and figure in ("total_points", "mean_points", "count"))]
        if f.get("tiers"):
            out.append(("", "order_of_total_points",
                        " > ".join(" = ".join(t) for t in f["tiers"]), False))
        elif f.get("majority") is not None:
            out.append(_leaders(qtype, f))
        out.append(("", "recoding", f["recoding_note"], False))
    elif qtype == "number":
        out += [("", k, f[k], False) for k in ("mean", "median", "total")]
    elif qtype == "text":
        out += [("", "answer", text, False) for text in f["answers"]]
    return out


def _leaders(qtype: str, f: dict) -> tuple[str, str, Any, bool]:
    """Return the row naming the leading options: most chosen, or chosen by more than half."""
    held = ", ".join(f["majority"])
    if qtype == "budget":
        return ("", "most_points", held, False)
    if f.get("recoding") == "majority":  # several options of a multiple choice can hold one
        return ("", "chosen_by_more_than_half", held or "none", False)
    tie = "a tie between two or more options, not named" if f.get("tied") else ""
    return ("", "most_chosen", held or tie, False)


def csv_text(document: dict[str, Any]) -> str:
    """Write the document as long-format CSV: one figure per row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for q in document["questions"]:
        qid, text, f = q["question_id"], q["text"], q["figures"]
        if not q["published"]:
            rows = [("", "withheld", q["reason"], False)]
        elif q["question_type"] in ("likert", "matrix"):
            rows = _scale_rows(f)
        elif q["question_type"] == "ranking":
            rows = _ranking_rows(f)
        else:
            rows = _other_rows(q["question_type"], f)
        # Wording, labels and answers are free text: quote what a spreadsheet would run.
        writer.writerows((qid, neutral(text), neutral(part), figure, neutral(_cell(value, hidden)))
                         for part, figure, value, hidden in rows)
    return out.getvalue()
