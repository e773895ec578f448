"""HTTP benchmark: gunicorn + PostgreSQL on loopback, driven by Locust in headless mode.

A fresh database is created, migrated to the heads and loaded at scale outside the timed
part (companies, representatives, their API tokens, one open motion ballot). One gunicorn
serves three measured phases with the same settings and the same number of Locust users:
a bare constant endpoint, a bare one-row insert, and the cast-vote API (a deadline surge
where every user votes again as soon as answered), then a paced vote phase.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
PHASES = [("bare constant", "ConstantUser"), ("bare insert", "InsertUser"),
          ("cast vote", "VoteUser"), ("cast vote, paced 1-3 s", "PacedVoteUser")]


@dataclass(frozen=True)
class Phase:
    """One Locust run's figures."""

    label: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


def machine() -> str:
    """Describe the CPU, cores and memory from /proc."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        memory = f"{kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration):
        memory = "unknown RAM"
    return f"{model}, {os.cpu_count()} cores, {memory}"


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_database(admin_url: str) -> str:
    """Create an empty database for this run and return its URL."""
    url = make_url(admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"concord_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(db_url: str) -> None:
    """Drop the run's database."""
    url = make_url(db_url)
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    engine.dispose()


def app_settings(db_url: str) -> dict[str, str]:
    """Settings shared by the loader and the server: limits on, but far above the surge."""
    return {"DATABASE_URL": db_url, "CONCORD_ENV": "development", "SECRET_KEY": "bench-secret",
            "BENCH_ENDPOINTS": "true", "RATELIMIT_VOTE": "100000 per minute",
            "RATELIMIT_API": "100000 per minute", "LOG_LEVEL": "INFO"}


def prepare(db_url: str, companies: int, reps: int, workdir: Path) -> tuple[int, Path, float]:
    """Migrate to the heads, load the data and write the tokens file (outside the timed part)."""
    from flask_migrate import upgrade

    from bench.scale_data import load_scale
    from core import create_app
    from core.db import db
    from devtools import bench_endpoints

    started = time.perf_counter()
    app = create_app({**app_settings(db_url), "BENCH_ENDPOINTS": True})
    with app.app_context():
        upgrade(revision="heads")  # several heads until the parallel branches are merged
        bench_endpoints.create_table()
        ballot_id, people = load_scale(companies, reps)
        db.session.remove()
        db.engine.dispose()
    tokens = workdir / "tokens.json"
    tokens.write_text(json.dumps(people))
    return ballot_id, tokens, time.perf_counter() - started


def start_gunicorn(db_url: str, workers: int, port: int, log: Path,
                   settings: dict[str, str] | None = None,
                   probe: str = "/readyz") -> subprocess.Popen:
    """Start gunicorn on 127.0.0.1 and wait until `probe` answers 200."""
    env = {**os.environ, **(settings if settings is not None else app_settings(db_url))}
    cmd = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
           f"127.0.0.1:{port}", "--backlog", "2048", "wsgi:app"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}{probe}", timeout=1).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"gunicorn did not become ready; see {log}")


def run_locust(host: str, user_class: str, users: int, seconds: int, workdir: Path,
               env: dict[str, str]) -> Path:
    """Run Locust headless for one phase and return its stats CSV."""
    prefix = workdir / user_class
    cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
           "--headless", "--users", str(users), "--spawn-rate", str(users), "--run-time",
           f"{seconds}s", "--host", host, "--csv", str(prefix), "--reset-stats",
           "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING", user_class]
    with (workdir / f"{user_class}.log").open("w") as out:
        subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, check=False,
                       timeout=seconds + 60)
    return Path(f"{prefix}_stats.csv")


def parse_stats(label: str, path: Path) -> Phase:
    """Read the aggregated row of a Locust stats CSV."""
    with path.open() as fh:
        row = next(r for r in csv.DictReader(fh) if r["Name"] == "Aggregated")
    return Phase(label, int(row["Request Count"]), int(row["Failure Count"]),
                 float(row["Requests/s"]), float(row["50%"]), float(row["95%"]),
                 float(row["99%"]))


def check_votes(db_url: str) -> dict[str, object]:
    """Count the stored votes and verify the audit chain after the run."""
    from core import create_app
    from core.audit import verify_database
    from core.db import db
    from voting.models import Vote, VoteRevision

    app = create_app({**app_settings(db_url), "BENCH_ENDPOINTS": False})
    with app.app_context():
        report = verify_database()
        result = {"votes": db.session.scalar(select(func.count()).select_from(Vote)),
                  "revisions": db.session.scalar(select(func.count()).select_from(VoteRevision)),
                  "audit_ok": report.ok, "audit_events": report.checked}
        db.session.remove()
        db.engine.dispose()
    return result


def run(admin_url: str, companies: int, reps: int, users: int, seconds: int,
        workers: int) -> tuple[list[Phase], dict[str, object]]:
    """Run every phase against one server; return the phases and facts about the run."""
    if importlib.util.find_spec("locust") is None:
        raise RuntimeError("Locust is not installed: pip install -e '.[bench]' (make bench does)")
    db_url = create_database(admin_url)
    server = None
    try:
        with tempfile.TemporaryDirectory(prefix="concord-bench-") as tmp:
            workdir = Path(tmp)
            ballot_id, tokens, load_s = prepare(db_url, companies, reps, workdir)
            port = free_port()
            server = start_gunicorn(db_url, workers, port, workdir / "gunicorn.log")
            env = {**os.environ, "BENCH_TOKENS": str(tokens), "BENCH_BALLOT": str(ballot_id)}
            phases = [parse_stats(label, run_locust(f"http://127.0.0.1:{port}", cls, users,
                                                    seconds, workdir, env))
                      for label, cls in PHASES]
            server.terminate()
            server.wait(timeout=30)
            server = None
            facts = {"load_seconds": load_s, **check_votes(db_url)}
    finally:
        if server is not None:
            server.kill()
        drop_database(db_url)
    return phases, facts
