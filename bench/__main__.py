"""`make bench`: run every benchmark and print one table.

    python -m bench [--seconds 20] [--workers 4] [--threads 2] [--connections 50] [--voters 200]
                    [--companies 200] [--reps 3] [--skip-http] [--markdown FILE]
                    [--pg postgresql://postgres@127.0.0.1:5432/postgres]

Runs bench/bench_tally.py (Schulze) and bench/bench_summary.py (survey summary) as
subprocesses, showing their own output, then the HTTP benchmark (bench/http_bench.py: a bare
Flask app beside Concord, both under gunicorn, driven by wrk). Targets are reported, not
asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

from bench import http_bench

ROOT = Path(__file__).resolve().parents[1]
# (numerator, denominator, target): throughput ratios measured in the same run (issue 14).
RATIOS = [("Concord constant", "bare constant", 0.8), ("Concord insert", "bare insert", None),
          ("cast vote", "bare insert, beside the vote", 0.5)]
P99_TARGET_MS, VOTELIB_TARGET = 100.0, 20


def run_script(name: str, timeout: int = 240) -> str:
    """Run one benchmark script, echo its output and return it ('' if it failed)."""
    print(f"\n=== {name} ===", flush=True)
    try:
        done = subprocess.run([sys.executable, str(ROOT / "bench" / name)], cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        print(f"{name} timed out after {timeout} s")
        return ""
    print(done.stdout + done.stderr, end="", flush=True)
    return done.stdout if done.returncode == 0 else ""


def seconds_on(output: str, label: str) -> float | None:
    """Pick the seconds figure printed after `label` (a regex) at the start of a line."""
    match = re.search(rf"^{label}\s+([0-9]+\.[0-9]+)s?\s", output, re.MULTILINE)
    return float(match.group(1)) if match else None


def timed_row(label: str, seconds: float | None, target: float | None) -> tuple[str, str, str]:
    """A row with a time and, if there is one, whether it meets its target."""
    if seconds is None:
        return label, "n/a (see the output above)", f"< {target} s" if target else ""
    verdict = "" if target is None else f"< {target} s: {'met' if seconds < target else 'MISSED'}"
    return label, f"{seconds:.3f} s", verdict


def script_rows(tally: str, summary: str) -> list[tuple[str, str, str]]:
    """Rows for the tally and summary benchmarks."""
    return [
        timed_row("Schulze, 10,000 ballots x 20 candidates",
                  seconds_on(tally, r"concord schulze, from ballot dicts"), 0.5),
        timed_row("  pure-Python reference, same ballots",
                  seconds_on(tally, r"pure-Python reference"), None),
        timed_row("  votelib Schulze, same ballots", seconds_on(tally, r"votelib \S+ Schulze"), None),
        _votelib_ratio(tally),
        timed_row("Survey summary, 10,000 responses x 40 questions",
                  seconds_on(summary, r"summarize_survey \(40 questions\)"), 2),
    ]


def _votelib_ratio(tally: str) -> tuple[str, str, str]:
    """The row for how many times faster than votelib the count from ballot dicts is."""
    match = re.search(r"^votelib / concord from ballot dicts: ([0-9.]+)x", tally, re.MULTILINE)
    label, target = "  Schulze speed-up over votelib (from ballot dicts)", f">= {VOTELIB_TARGET}x"
    if not match:
        return label, "n/a (votelib missing?)", target
    times = float(match.group(1))
    return label, f"{times:.1f}x", f"{target}: {'met' if times >= VOTELIB_TARGET else 'MISSED'}"


def http_rows(phases: list[http_bench.Phase]) -> list[tuple[str, str, str]]:
    """Rows for the HTTP phases and the throughput ratios."""
    rows = [(f"HTTP {p.label}", f"{p.rps:,.0f} req/s; p50 {p.p50:.0f} / p90 {p.p90:.0f} / "
             f"p99 {p.p99:.0f} ms; {p.requests:,} requests, {p.failures} failed; "
             f"{p.connections} conns, wrk CPU {p.wrk_share:.0%} of a core",
             _p99_target(p) if p.label.startswith("cast vote, paced") else "")
            for p in phases]
    by = {p.label: p for p in phases}
    for top, bottom, target in RATIOS:
        if top in by and bottom in by and by[bottom].rps:
            ratio = by[top].rps / by[bottom].rps
            verdict = "" if target is None else (
                f">= {target}: {'met' if ratio >= target else 'MISSED'}")
            rows.append((f"HTTP ratio {top} / {bottom} (throughput)", f"{ratio:.2f}", verdict))
    return rows


def _p99_target(phase: http_bench.Phase) -> str:
    return f"p99 < {P99_TARGET_MS:.0f} ms: {'met' if phase.p99 < P99_TARGET_MS else 'MISSED'}"


def table(rows: list[tuple[str, str, str]]) -> str:
    """Format the rows as a Markdown table (readable as plain text too)."""
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    head = ("benchmark", "figure", "target")
    width = [max(w, len(h)) for w, h in zip(width, head, strict=True)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, width, strict=True)) + " |",
             "| " + " | ".join("-" * w for w in width) + " |"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, width, strict=True)) + " |"
              for r in rows]
    return "\n".join(lines)


def main() -> None:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20, help="length of each HTTP phase")
    parser.add_argument("--warmup", type=int, default=5,
                        help="seconds of unmeasured load before the phases, each surge (0: none)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers, each app")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections (surges)")
    parser.add_argument("--voters", type=int, default=200, help="connections of the paced phase")
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--reps", type=int, default=3, help="representatives per company")
    parser.add_argument("--pg", default=os.environ.get(
        "BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args()

    started_on = http_bench.machine()
    rows = script_rows(run_script("bench_tally.py"), run_script("bench_summary.py"))
    facts: dict[str, object] = {}
    load = (f"gunicorn {args.workers} sync workers per app; wrk {args.threads} threads, "
            f"{args.connections} connections back to back ({args.voters} connections pausing "
            f"1-3 s in the paced phase), {args.seconds} s per figure (each ratio's two sides "
            f"in alternating slices) after {args.warmup} s of unmeasured warm-up per surge; "
            f"{args.companies} companies "
            f"x {args.reps} representatives, one API token each")
    if not args.skip_http:
        print(f"\n=== HTTP: {load} ===", flush=True)
        try:
            phases, facts = http_bench.run(
                args.pg, companies=args.companies, reps=args.reps, seconds=args.seconds,
                workers=args.workers, threads=args.threads, connections=args.connections,
                voters=args.voters, warmup=args.warmup)
            rows += http_rows(phases)
        except (RuntimeError, OSError) as exc:
            rows.append(("HTTP benchmark", f"not run: {exc}", ""))
    report = [f"Machine: {started_on}; Python {platform.python_version()}", "", table(rows)]
    if not args.skip_http:
        report[1:1] = [f"Load: {load}."]
    if facts:
        report += ["", f"Data load (outside the timed part): {facts['load_seconds']:.1f} s. "
                   f"After the run: {facts['votes']} company votes, {facts['revisions']} vote "
                   f"revisions, audit chain {'verified' if facts['audit_ok'] else 'BROKEN'} "
                   f"({facts['audit_events']} events)."]
    text = "\n".join(report)
    print("\n=== all benchmarks ===\n" + text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
