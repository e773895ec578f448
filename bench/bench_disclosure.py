"""How much the publication gate shows, and how long it takes, for small consortia (issue 12).

    python bench/bench_disclosure.py [--surveys 10] [--companies 5 8 12]

Generates consortia of each size (one respondent per company) answering the demo's question
types (Likert, a 3-statement matrix, single and multiple choice with 4 options, a ranking of
4 items, a budget over 3 items, a number), plus the demo's published survey, and gates every
question with the default thresholds (k = 5 respondents, 3 companies). It reports:

* questions: the share that show at least one figure beyond n;
* figures: per answer category (scale point or "don't know", option, ranked or funded item),
  whether its own figure shows exactly, coarsened (in a band, merged with others, or as a
  place in an order or tier) or not at all;
* the gate's time per survey, cold (no cached profile maps) and warm.

Run it from another checkout (PYTHONPATH=that checkout) to compare before and after.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np

from surveys.anonymize import GateSettings, gate_survey
from surveys.results.data import TIDY_COLUMNS, survey_from_tidy
from surveys.results.summary import summarize_survey

OPTIONS, ITEMS, BUDGET = ("a", "b", "c", "d"), ("I1", "I2", "I3", "I4"), ("B1", "B2", "B3")
DEMO = [(5, ("Upgrades", "Logging")), (4, ("Upgrades", "Networking")), (5, ("Upgrades", "Logging")),
        (4, ("Networking", "Capacity planning", "Upgrades")), (2, ("Logging",))]


def consortium(companies: int, rng: np.random.Generator) -> list[tuple]:
    """Return tidy rows of one generated survey answered by one person per company."""
    rows = []
    for c in range(companies):
        def put(qid, qtype, item, value, c=c):
            rows.append((f"r{c}", f"c{c}", f"p{c}", qid, qtype, item, str(value)))
        put("lik", "likert", "", "dk" if rng.random() < 0.1 else int(np.clip(
            np.rint(rng.normal(3.8, 1.0)), 1, 5)))
        for s, centre in zip(("S1", "S2", "S3"), (4.2, 3.0, 2.2), strict=True):
            put("mat", "matrix", s, int(np.clip(np.rint(rng.normal(centre, 0.9)), 1, 5)))
        put("one", "single", rng.choice(OPTIONS, p=[0.5, 0.25, 0.15, 0.1]), 1)
        chosen = [o for o, p in zip(OPTIONS, (0.7, 0.45, 0.3, 0.15), strict=True)
                  if rng.random() < p] or [OPTIONS[0]]
        for o in chosen:
            put("many", "multiple", o, 1)
        utility = np.array([3.0, 2.0, 1.5, 0.5]) + rng.normal(0, 1.0, 4)
        for rank, i in enumerate(np.argsort(-utility)):
            put("rank", "ranking", ITEMS[i], rank + 1)
        split = rng.dirichlet([4, 2, 1]) * 100
        points = np.floor(split).astype(int)
        points[0] += 100 - points.sum()
        for item, p in zip(BUDGET, points, strict=True):
            put("bud", "budget", item, int(p))
        put("fte", "number", "", int(rng.integers(0, 6)))
    return rows


def demo_rows() -> list[tuple]:
    """The demo's published survey: five companies, a Likert statement and a multiple choice."""
    rows = []
    for c, (agree, areas) in enumerate(DEMO):
        rows.append((f"r{c}", f"c{c}", f"p{c}", "lik", "likert", "", str(agree)))
        rows += [(f"r{c}", f"c{c}", f"p{c}", "many", "multiple", a, "1") for a in areas]
    return rows


def survey(rows: list[tuple]):
    columns = {name: [str(r[i]) for r in rows] for i, name in enumerate(TIDY_COLUMNS)}
    # The options and items come from the question, as in the app: every one is listed,
    # also those nobody chose (the demo's areas are those its answers name).
    items = {"one": OPTIONS, "many": OPTIONS, "rank": ITEMS, "bud": BUDGET}
    if not any(r[3] == "one" for r in rows):
        items = None
    return survey_from_tidy(columns, scales={"lik": (1, 5), "mat": (1, 5)}, items=items)


def classify(q: dict) -> list[str]:
    """Return exact / coarse / hidden per answer category of one gated question."""
    f, kind = q["figures"], q["question_type"]
    if not q["published"]:
        return ["hidden"]
    if kind in ("likert", "matrix"):
        out = []
        for s in f["statements"]:
            width = len(range(s["scale"][0], s["scale"][1] + 1)) + 1 if s["published"] else 6
            if not s["published"]:
                out += ["hidden"] * width
            elif s.get("recoding"):
                out += ["coarse" if s["bands"] or s.get("majority") else "hidden"] * width
            else:
                out += ["exact" if p["count"] is not None else "hidden" for p in s["points"]]
                out.append("hidden" if s["dont_know_suppressed"] else "exact")
        return out
    if kind in ("single", "multiple"):
        merged = {g for o in f["options"] for g in o.get("group", ())}
        coarse = f.get("recoding") in ("majority", "top") and f.get("majority") is not None
        return ["exact" if o["count"] is not None and not o.get("group") else
                "coarse" if o["option"] in merged or coarse else "hidden"
                for o in f["options"] if not o.get("group")]
    if kind == "ranking":
        if f.get("recoding", "none") == "none" and f["items"] and f["items"][0]["mean_rank"] is not None:
            return ["exact"] * len(f["items"])
        return ["coarse" if f.get("consensus") or f.get("tiers") else "hidden"] * len(f["items"])
    if kind == "budget":
        return ["exact" if i["total_points"] is not None else
                "coarse" if f.get("tiers") else "hidden" for i in f["items"]]
    if kind == "number":
        return ["exact" if f.get("mean") is not None else "hidden"]
    return []


def clear_caches() -> None:
    """Forget every cached profile list and map, so the next gate runs cold."""
    import importlib

    for name, caches, dicts in (("surveys.disclosure", ("profiles", "capped"), ("_PARTITIONS",)),
                                ("surveys.profiles", ("profiles", "capped"), ()),
                                ("surveys.partition", (), ("_PARTITIONS",)),
                                ("surveys.shipped_maps", ("_archive",), ()),
                                ("surveys.coarsen_ranking", ("ranking_types",), ())):
        try:  # a checkout before issue 12 (or before the maps were split out) lacks some
            module = importlib.import_module(name)
        except ImportError:
            continue
        for attr in caches:
            if hasattr(module, attr):
                getattr(module, attr).cache_clear()
        for attr in dicts:
            if hasattr(module, attr):
                getattr(module, attr).clear()


def measure(label: str, surveys: list) -> None:
    questions, shown, cells, cold, warm = 0, 0, Counter(), [], []
    for data in surveys:
        summary = summarize_survey(data)
        ids = [q.question_id for q in summary.questions]
        clear_caches()
        start = time.perf_counter()
        gated = gate_survey(summary, ids, GateSettings(5, 3)).to_dict()
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        gate_survey(summary, ids, GateSettings(5, 3))
        warm.append(time.perf_counter() - start)
        for q in gated["questions"]:
            kinds = classify(q)
            questions += 1
            shown += any(k != "hidden" for k in kinds)
            cells.update(kinds)
    total = sum(cells.values())
    print(f"{label:>14}: questions {shown}/{questions} ({shown / questions:.0%}); figures "
          f"exact {cells['exact']}/{total} ({cells['exact'] / total:.0%}), coarsened "
          f"{cells['coarse']} ({cells['coarse'] / total:.0%}), hidden {cells['hidden']} "
          f"({cells['hidden'] / total:.0%}); gate per survey: cold median "
          f"{1000 * np.median(cold):.0f} ms (max {1000 * max(cold):.0f}), warm median "
          f"{1000 * np.median(warm):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--surveys", type=int, default=10)
    parser.add_argument("--companies", type=int, nargs="+", default=[5, 8, 12])
    args = parser.parse_args()
    measure("demo", [survey(demo_rows())])
    for n in args.companies:
        rng = np.random.default_rng(n)
        measure(f"{n} companies", [survey(consortium(n, rng)) for _ in range(args.surveys)])


if __name__ == "__main__":
    main()
