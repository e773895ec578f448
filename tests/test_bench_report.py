"""`make bench`'s bare app stays outside Concord, and its report computes the ratios right."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench/ is run from a checkout (`python -m bench`), not installed

from bench.__main__ import _votelib_ratio, http_rows  # noqa: E402
from bench.bare_app import create_app, db  # noqa: E402
from bench.wrk_run import Phase  # noqa: E402

CONCORD = {"core", "voting", "surveys", "cycles", "meetings", "devtools", "wsgi"}


def test_bare_app_imports_nothing_of_concord():
    tree = ast.parse((ROOT / "bench" / "bare_app.py").read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert {name.split(".")[0] for name in names} & CONCORD == set()


def test_bare_app_serves_a_constant_and_an_insert(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'bare.sqlite3'}")
    with app.app_context():
        db.create_all()
        client = app.test_client()
        assert client.get("/constant").get_json() == {"ok": True}
        assert client.post("/insert").status_code == 201
        assert db.session.scalar(db.select(db.func.count()).select_from(db.metadata.tables["bare_row"])) == 1
        db.session.remove()
        db.engine.dispose()


def phase(label: str, rps: float, p99: float = 50.0) -> Phase:
    return Phase(label, int(rps * 20), 0, rps, 10.0, 20.0, p99, 90.0, 50, 0.1)


def test_ratios_and_verdicts():
    rows = {r[0]: r[1:] for r in http_rows([
        phase("bare constant", 1000), phase("Concord constant", 790),
        phase("bare insert", 400), phase("Concord insert", 300),
        phase("bare insert, beside the vote", 400), phase("cast vote", 200),
        phase("cast vote, paced 1-3 s", 90, p99=120)])}
    assert rows["HTTP ratio Concord constant / bare constant (throughput)"] == (
        "0.79", ">= 0.8: MISSED")
    assert rows["HTTP ratio cast vote / bare insert, beside the vote (throughput)"] == (
        "0.50", ">= 0.5: met")
    assert rows["HTTP ratio Concord insert / bare insert (throughput)"] == ("0.75", "")
    assert rows["HTTP cast vote, paced 1-3 s"][1] == "p99 < 100 ms: MISSED"


def test_slices_of_a_phase_combine_into_its_totals():
    from bench.wrk_run import combine

    slow = Phase("cast vote", 1000, 1, 200.0, 10.0, 20.0, 50.0, 90.0, 50, 0.5)  # 5 s
    fast = Phase("cast vote", 3000, 0, 600.0, 6.0, 12.0, 40.0, 120.0, 50, 0.5)  # 5 s
    both = combine([slow, fast])
    assert (both.label, both.requests, both.failures, both.connections) == (
        "cast vote", 4000, 1, 50)
    assert both.rps == 400.0 and both.wrk_cpu == 1.0  # 4,000 requests in 10 s
    assert (both.p50, both.p90, both.p99, both.max) == (7.0, 14.0, 50.0, 120.0)


def test_votelib_ratio_is_read_from_the_tally_output():
    out = "winners agree: yes\nvotelib / concord from ballot dicts: 24.5x; target >= 20x: met\n"
    assert _votelib_ratio(out)[1:] == ("24.5x", ">= 20x: met")
    assert _votelib_ratio("votelib (not installed)")[1].startswith("n/a")


def test_tally_counts_are_interleaved_and_each_keeps_its_best_run(monkeypatch):
    from bench import bench_tally

    clock = iter(range(1000))
    monkeypatch.setattr(bench_tally.time, "perf_counter", lambda: next(clock))
    calls, costs = [], {"fast": iter([5, 1, 3, 2, 9, 9]), "slow": iter([7, 4, 8])}

    def count(label):
        def run():
            calls.append(label)
            for _ in range(next(costs[label]) - 1):
                next(clock)  # the run takes this many ticks
            return label
        return run

    best = bench_tally.best_times({"fast": (count("fast"), 2), "slow": (count("slow"), 1)}, 3)
    assert calls == ["fast", "fast", "slow"] * 3
    assert best == {"fast": (1, "fast"), "slow": (4, "slow")}
