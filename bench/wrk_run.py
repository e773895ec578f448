"""Run one wrk phase (a Lua script of bench/wrk/) and read its JSON summary line.

wrk is an event-loop load generator in C: at these rates it needs a few percent of one core,
so the cores stay with the servers being measured (each phase reports wrk's own CPU time).
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "bench" / "wrk"


@dataclass(frozen=True)
class Phase:
    """One wrk run's figures; failures are non-2xx answers plus socket errors and timeouts."""

    label: str
    requests: int
    failures: int
    rps: float
    p50: float
    p90: float
    p99: float
    max: float
    connections: int
    wrk_cpu: float  # seconds of CPU the load generator itself used

    @property
    def wrk_share(self) -> float:
        """wrk's CPU as a share of one core over the phase."""
        return self.wrk_cpu / (self.requests / self.rps) if self.rps else 0.0


def wrk_path() -> str:
    """Return wrk's path, or explain how to install it."""
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk (Debian's package)")
    return found


def run_wrk(label: str, url: str, script: str, *, threads: int, connections: int, seconds: int,
            env: dict[str, str], log: Path) -> Phase:
    """Drive `url` with bench/wrk/<script> and return the phase's figures."""
    cmd = [wrk_path(), "--threads", str(threads), "--connections", str(connections),
           "--duration", f"{seconds}s", "--timeout", "10s", "--script", str(SCRIPTS / script),
           url]
    env = {**env, "BENCH_WRK_DIR": str(SCRIPTS), "BENCH_THREADS": str(threads)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=seconds + 60, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    log.write_text(done.stdout + done.stderr)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed for {label} (exit {done.returncode}); see {log}")
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Phase(label, figures["requests"],
                 figures["non2xx"] + figures["socket_errors"] + figures["timeouts"],
                 figures["requests"] / figures["seconds"] if figures["seconds"] else 0.0,
                 figures["p50_ms"], figures["p90_ms"], figures["p99_ms"], figures["max_ms"],
                 connections, cpu)


def combine(parts: list[Phase]) -> Phase:
    """Merge the slices of one phase: totals and throughput over their summed time; p50 and p90
    weighted by requests (wrk reports percentiles, not its histogram); p99 and max the worst."""
    requests = sum(p.requests for p in parts)
    seconds = sum(p.requests / p.rps for p in parts if p.rps)

    def weighted(field: str) -> float:
        return sum(getattr(p, field) * p.requests for p in parts) / requests if requests else 0.0

    first = parts[0]
    return Phase(first.label, requests, sum(p.failures for p in parts),
                 requests / seconds if seconds else 0.0, weighted("p50"), weighted("p90"),
                 max(p.p99 for p in parts), max(p.max for p in parts), first.connections,
                 sum(p.wrk_cpu for p in parts))
