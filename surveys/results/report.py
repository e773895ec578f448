"""Plain-text rendering of a SurveySummary (the report of ``python -m surveys.summarize``)."""

from __future__ import annotations

from core.stats import Proportion, TestResult, format_p
from surveys.results.budget import BudgetSummary
from surveys.results.choice import ChoiceSummary
from surveys.results.number import NumberSummary
from surveys.results.ranking import RankingSummary
from surveys.results.scale import ScaleQuestionSummary
from surveys.results.summary import SurveySummary
from surveys.results.text import TextSummary


def _count(n: int, word: str) -> str:
    """Return '1 company' or '2 companies'."""
    if n == 1:
        return f"1 {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def _pct(p: Proportion) -> str:
    """Format a proportion with its interval."""
    if p.value is None:
        return "-"
    ci = f" ({p.ci.low:.1%}-{p.ci.high:.1%})" if p.ci else ""
    return f"{p.value:.1%}{ci}"


def _num(x: float | None, digits: int = 2) -> str:
    """Format a number or a dash."""
    if x is None:
        return "-"
    text = f"{x:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _test_line(test: TestResult) -> str:
    """Describe a test result on one line."""
    if not test.computable:
        return f"{test.test}: {test.note}"
    adj = "" if test.p_adjusted is None else f", FDR-adjusted {format_p(test.p_adjusted)}"
    return (f"{test.test}: statistic {_num(test.statistic)}, {format_p(test.p_value)}{adj}, "
            f"{test.effect_name} {_num(test.effect)}, n = {test.n} ({test.method})")


def _scale_lines(q: ScaleQuestionSummary) -> list[str]:
    """Render a likert or matrix question."""
    out = []
    for s in q.statements:
        title = f"  statement {s.statement!r}: " if q.question_type == "matrix" else "  "
        out.append(f"{title}n = {s.n} on the scale ({_count(s.n_companies, 'company')}), "
                   f"don't know: {s.dont_know} (not in the base)")
        out += [f"    {p.point:>3}  {p.count:>6}  {_pct(p.share)}" for p in s.points]
        m = s.median
        ci = f", 95% CI {_num(m.ci.low)}-{_num(m.ci.high)}" if m.ci else f" ({m.note})"
        out.append(f"    median {_num(m.median)} (IQR {_num(m.q1)}-{_num(m.q3)}){ci}"
                   if m.median is not None else f"    median {m.note}")
        out.append(f"    top-2-box (points {s.top2_points[0]}-{s.top2_points[-1]}): "
                   f"{_pct(s.top2)}")
        out.append(f"    {s.method}")
    if q.friedman is not None:
        out.append(f"  {_test_line(q.friedman)}")
    return out


def _ranking_lines(q: RankingSummary) -> list[str]:
    """Render a ranking question."""
    out = [f"  {'item':<28} {'mean rank (95% CI)':<22} {'Borda (95% CI)':<22} first"]
    for i in q.items:
        rci = f" ({_num(i.mean_rank_ci.low)}-{_num(i.mean_rank_ci.high)})" if i.mean_rank_ci else ""
        bci = f" ({_num(i.borda_ci.low, 0)}-{_num(i.borda_ci.high, 0)})" if i.borda_ci else ""
        out.append(f"  {i.item[:28]:<28} {_num(i.mean_rank) + rci:<22} "
                   f"{_num(i.borda, 1) + bci:<22} {i.first_place}")
    out.append(f"  agreement: {q.agreement.words}")
    out.append(f"  {_test_line(q.friedman)}")
    if q.consensus:
        out.append("  consensus order: " + " > ".join(" = ".join(t) for t in q.consensus))
    out.append(f"  {q.method}")
    return out


def _other_lines(q) -> list[str]:
    """Render budget, choice, number and text questions."""
    if isinstance(q, BudgetSummary):
        return [f"  total points {_num(q.total_points)}"] + [
            f"  {i.item[:28]:<28} total {_num(i.total_points):>8}  mean {_num(i.mean_points):>7}"
            f"  funded by {_pct(i.funders)}" for i in q.items] + [f"  {q.method}"]
    if isinstance(q, ChoiceSummary):
        return [f"  {o.option[:28]:<28} {o.count:>6}  {_pct(o.share)}" for o in q.options] + [
            f"  {q.method}"]
    if isinstance(q, NumberSummary):
        if q.note:
            return [f"  {q.note}"]
        return [f"  mean {_num(q.mean)}, median {_num(q.median)}, min {_num(q.minimum)}, "
                f"max {_num(q.maximum)}, sum {_num(q.total)}"]
    if isinstance(q, TextSummary):
        return [f"  - {t}" for t in q.texts]
    return []


def render_text(summary: SurveySummary) -> str:
    """Render the plain-text report."""
    out = [f"Survey summary: {_count(summary.n_responses, 'response')} from "
           f"{_count(summary.n_companies, 'company')}, "
           f"{_count(len(summary.questions), 'question')}"]
    for q in summary.questions:
        out += ["", f"{q.question_id} ({q.question_type}), n = {q.n} "
                    f"({_count(q.n_companies, 'company')})"]
        if isinstance(q, ScaleQuestionSummary):
            out += _scale_lines(q)
        elif isinstance(q, RankingSummary):
            out += _ranking_lines(q)
        else:
            out += _other_lines(q)
    if summary.comparisons:
        out += ["", "Comparisons between groups (Benjamini-Hochberg FDR over all tests shown)"]
        for c in summary.comparisons:
            groups = ", ".join(f"{g.group} n = {g.n}" for g in c.groups)
            label = f"{c.question_id} {c.statement!r}" if c.statement else c.question_id
            out.append(f"  {label} [{groups}]: {_test_line(c.test)}")
    return "\n".join(out) + "\n"


