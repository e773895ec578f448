"""Benchmark: summarize 10,000 responses x 40 questions (a script, not a test).

    .venv/bin/python bench/bench_summary.py [--responses N] [--companies C]

Builds a synthetic survey with a fixed seed (10 likert, 6 five-statement matrices, one
ranking of 20 roadmap items, 3 budgets over 20 items, 8 single and 5 multiple choice, 4 number,
3 text questions), then times (best of 3) the summary, the tidy-CSV parsing and the
publication gate, measures peak memory with tracemalloc in a separate run, and compares
the vectorized likert and ranking summaries with naive per-answer Python loops.
Targets (issue 6): summary under 2 s and under 500 MB.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.stats import friedman_and_w, median_summary, proportion, proportions
from surveys.anonymize import gate_survey
from surveys.results.data import QuestionData, SurveyData, survey_from_tidy
from surveys.results.grid import answer_grid
from surveys.results.ranking import normalized_ranks
from surveys.results.summary import summarize_question, summarize_survey

SEED = 12345
N_ITEMS = 20


def _q(qid, kind, resp, companies, items, codes, values, **extra) -> QuestionData:
    """Build one QuestionData."""
    return QuestionData(qid, kind, resp, companies[resp], tuple(items), codes, values, **extra)


def _scale_values(rng, size) -> np.ndarray:
    """Return Likert answers 1..5 with about 5 % "don't know" (NaN)."""
    v = rng.choice(np.arange(1.0, 6.0), size=size, p=[0.1, 0.15, 0.25, 0.3, 0.2])
    v[rng.random(size) < 0.05] = np.nan
    return v


def build(n: int, n_companies: int, seed: int = SEED) -> SurveyData:
    """Build the synthetic survey as QuestionData arrays."""
    rng = np.random.default_rng(seed)
    companies = rng.integers(0, n_companies, size=n)
    everyone = np.arange(n)
    qs = [_q(f"likert{i}", "likert", everyone, companies, [""], np.zeros(n, np.int64),
             _scale_values(rng, n), scale=(1, 5)) for i in range(10)]
    for i in range(6):
        resp, stmt = np.repeat(everyone, 5), np.tile(np.arange(5), n)
        qs.append(_q(f"matrix{i}", "matrix", resp, companies, [f"s{j}" for j in range(5)],
                     stmt, _scale_values(rng, 5 * n), scale=(1, 5)))
    prefs = rng.normal(size=(n, N_ITEMS)) + np.linspace(2, 0, N_ITEMS)  # some consensus
    ranks = (np.argsort(np.argsort(-prefs, axis=1), axis=1) + 1).astype(float)
    qs.append(_q("ranking", "ranking", np.repeat(everyone, N_ITEMS), companies,
                 [f"item{j:02d}" for j in range(N_ITEMS)], np.tile(np.arange(N_ITEMS), n),
                 ranks.ravel()))
    qs += [_budget(f"budget{i}", rng, everyone, companies) for i in range(3)]
    for i in range(8):
        qs.append(_q(f"single{i}", "single", everyone, companies, [f"o{j}" for j in range(5)],
                     rng.integers(0, 5, size=n), np.ones(n)))
    for i in range(5):
        picks = np.argsort(rng.random((n, 8)), axis=1)[:, :3]
        qs.append(_q(f"multiple{i}", "multiple", np.repeat(everyone, 3), companies,
                     [f"o{j}" for j in range(8)], picks.ravel(), np.ones(3 * n)))
    qs += [_q(f"number{i}", "number", everyone, companies, [""], np.zeros(n, np.int64),
              rng.integers(0, 40, size=n).astype(float)) for i in range(4)]
    qs += [_q(f"text{i}", "text", everyone, companies, [""], np.zeros(n, np.int64),
              np.array([f"comment {j}" for j in range(n)], dtype=object),
              answer_ids=tuple(f"{j}:text{i}" for j in range(n))) for i in range(3)]
    return SurveyData(tuple(qs), tuple(f"company{c:04d}" for c in range(n_companies)))


def _budget(qid, rng, everyone, companies) -> QuestionData:
    """Spread 100 points over 5 of 20 items per respondent."""
    n = everyone.size
    items = np.argsort(rng.random((n, N_ITEMS)), axis=1)[:, :5]
    points = rng.multinomial(100, [0.2] * 5, size=n).astype(float)
    return _q(qid, "budget", np.repeat(everyone, 5), companies,
              [f"item{j:02d}" for j in range(N_ITEMS)], items.ravel(), points.ravel())


def to_tidy(survey: SurveyData) -> dict[str, list[str]]:
    """Write the survey as tidy columns (what the export / the CLI reads)."""
    cols = defaultdict(list)
    for q in survey.questions:
        rows = q.responses.size
        whole = np.nan_to_num(q.values if q.question_type != "text" else np.zeros(rows))
        values = (q.values.astype(str) if q.question_type == "text" else
                  np.where(np.isnan(q.values), "dk", whole.astype(np.int64).astype(str)))
        cols["response_id"] += np.char.add("r", q.responses.astype(str)).tolist()
        cols["company"] += [survey.companies[c] for c in q.companies.tolist()]
        cols["respondent"] += [""] * rows
        cols["question_id"] += [q.question_id] * rows
        cols["question_type"] += [q.question_type] * rows
        cols["item"] += np.asarray(q.items)[q.item_codes].tolist()
        cols["value"] += values.tolist()
    return dict(cols)


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    """Return the best wall time of fn over repeat runs, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def naive_likert(q: QuestionData) -> dict:
    """Compute the likert figures one answer at a time (the loop the hot path avoids)."""
    counts, respondents, companies = defaultdict(int), defaultdict(set), defaultdict(set)
    answers, dont_know = [], 0
    for value, resp, company in zip(q.values.tolist(), q.responses.tolist(),
                                    q.companies.tolist(), strict=True):
        if value != value:  # NaN: "don't know"
            dont_know += 1
            continue
        counts[value] += 1
        respondents[value].add(resp)
        companies[value].add(company)
        answers.append(value)
    answers.sort()
    n = len(answers)
    q1, median, q3 = statistics.quantiles(answers, n=4, method="inclusive")  # = NumPy linear
    points = [1.0, 2.0, 3.0, 4.0, 5.0]
    return {"counts": [counts[p] for p in points], "median": median, "iqr": q3 - q1,
            "companies": [len(companies[p]) for p in points], "dont_know": dont_know,
            "shares": proportions([counts[p] for p in points], n),
            "top2": proportion(counts[4.0] + counts[5.0], n),
            "median_ci": median_summary(np.array(answers)).ci}


def vector_ranking_core(q: QuestionData) -> dict:
    """Mean rank, Borda and Kendall's W, vectorized (the bootstrap left out)."""
    ranks = normalized_ranks(answer_grid(q).values)  # per response, as the naive loop
    n_items = ranks.shape[1]
    _, agreement = friedman_and_w(ranks)
    return {"mean": ranks.mean(axis=0), "borda": (n_items - ranks).sum(axis=0),
            "w": agreement.w}


def naive_ranking_core(q: QuestionData) -> dict:
    """Mean rank, Borda and Kendall's W one answer at a time (full rankings, no ties)."""
    rows: dict[int, dict[int, float]] = defaultdict(dict)
    for resp, code, rank in zip(q.responses.tolist(), q.item_codes.tolist(), q.values.tolist(),
                                strict=True):
        rows[resp][code] = rank
    n_items, m = len(q.items), len(rows)
    sums, within, centre = [0.0] * n_items, 0.0, (n_items + 1) / 2
    for ranks in rows.values():
        for j in range(n_items):
            sums[j] += ranks[j]
            within += (ranks[j] - centre) ** 2
    spread = sum((s - m * centre) ** 2 for s in sums)
    return {"mean": [s / m for s in sums], "borda": [m * n_items - s for s in sums],
            "w": spread / (m * within)}


def peak_memory(fn) -> float:
    """Return fn's peak traced allocation in MB."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--companies", type=int, default=500)
    args = parser.parse_args()
    survey = build(args.responses, args.companies)
    rows = sum(q.responses.size for q in survey.questions)
    t_sum, summary = best_of(lambda: summarize_survey(survey))
    mem_sum = peak_memory(lambda: summarize_survey(survey))
    groups = {c: f"group {i % 4}" for i, c in enumerate(survey.companies)}
    t_grp, grouped = best_of(lambda: summarize_survey(survey, group_of=groups))
    tidy = to_tidy(survey)
    t_tidy, _ = best_of(lambda: survey_from_tidy(tidy), repeat=1)
    publish = [q.question_id for q in survey.questions]
    t_gate, _ = best_of(lambda: gate_survey(summary, publish))
    likert = survey.questions[0]
    ranking = next(q for q in survey.questions if q.question_type == "ranking")
    t_lv, vec = best_of(lambda: summarize_question(likert))
    t_ln, naive = best_of(lambda: naive_likert(likert))
    assert [p.count for p in vec.statements[0].points] == naive["counts"]
    assert vec.statements[0].median.median == naive["median"]
    t_rq, _ = best_of(lambda: summarize_question(ranking))
    t_rv, rvec = best_of(lambda: vector_ranking_core(ranking))
    t_rn, rnaive = best_of(lambda: naive_ranking_core(ranking))
    assert np.allclose(rvec["borda"], rnaive["borda"]) and np.isclose(rvec["w"], rnaive["w"])
    ok = "OK" if t_sum < 2 and mem_sum < 500 else "OVER TARGET"
    print(f"synthetic survey: {args.responses} responses, {args.companies} companies, "
          f"{len(survey.questions)} questions, {rows} answered values (seed {SEED})\n")
    print(f"{'step':<62}{'time':>10}{'peak MB':>9}")
    print(f"{'summarize_survey (40 questions)':<62}{t_sum:>9.3f}s{mem_sum:>9.1f}  {ok}")
    print(f"{'summarize_survey + comparisons of 4 groups':<62}{t_grp:>9.3f}s"
          f"   ({len(grouped.comparisons)} tests, BH-adjusted)")
    print(f"{'survey_from_tidy (parse the tidy columns)':<62}{t_tidy:>9.3f}s")
    print(f"{'gate_survey (publication gate, all questions)':<62}{t_gate:>9.3f}s")
    print(f"{'ranking question, full summary (2000 bootstraps)':<62}{t_rq:>9.4f}s")
    print("\nvectorized vs naive per-answer loop (same figures, checked equal):")
    print(f"{'likert question (10,000 answers), vectorized':<62}{t_lv:>9.4f}s")
    print(f"{'likert question, naive loop':<62}{t_ln:>9.4f}s   naive/vectorized "
          f"{t_ln / t_lv:.1f}x")
    print(f"{'ranking mean rank + Borda + W (200,000 answers), vectorized':<62}{t_rv:>9.4f}s")
    print(f"{'ranking mean rank + Borda + W, naive loop':<62}{t_rn:>9.4f}s   naive/vectorized "
          f"{t_rn / t_rv:.1f}x")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess max RSS {rss:.0f} MB (includes building the tidy columns)")


if __name__ == "__main__":
    main()
