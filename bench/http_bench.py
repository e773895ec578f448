"""HTTP benchmark: a bare Flask app and Concord under gunicorn + PostgreSQL, driven by wrk.

A fresh database is created, migrated to the heads and loaded at scale outside the timed
part (companies, representatives, their API tokens, one open motion ballot). Two servers,
each gunicorn with the same number of sync workers, run side by side and are measured in
alternating slices (bare, Concord, bare, Concord...) with the same wrk threads, connections
and duration:

- bench/bare_app.py, a bare Flask + Flask-SQLAlchemy app (no Concord code, no middleware):
  a constant, and a one-row insert into its own table of the same database -- the real limit;
- Concord with its benchmark extension (devtools/bench_endpoints.py): the same constant and
  insert behind Concord's per-request machinery, the cast-vote API as a deadline surge (each
  connection votes again the moment it is answered), and a paced phase (one connection per
  voter, pausing 1-3 s between votes) through nginx, as in production (bench/proxy.py says why).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.proxy import nginx_path, start_nginx
from bench.wrk_run import Phase, combine, run_wrk, wrk_path

ROOT = Path(__file__).resolve().parents[1]
BENCH_EXTENSION = "devtools.bench_endpoints"  # the bench may name development tools; core may not
# (label, server, path, script). Each ratio's two sides are measured in alternating slices
# (PAIRS), so the machine's drift in speed, often 30 % from one minute to the next on shared
# vCPUs, falls on both sides alike instead of on whichever phase came later.
BARE_CONSTANT = ("bare constant", "bare", "/constant", "get.lua")
CONCORD_CONSTANT = ("Concord constant", "concord", "/_bench/constant", "get.lua")
BARE_INSERT = ("bare insert", "bare", "/insert", "post.lua")
CONCORD_INSERT = ("Concord insert", "concord", "/_bench/insert", "post.lua")
CAST_VOTE = ("cast vote", "concord", "/api/v1/ballots/{ballot}/vote", "vote.lua")
PAIRS = [(BARE_CONSTANT, CONCORD_CONSTANT), (BARE_INSERT, CONCORD_INSERT),
         (("bare insert, beside the vote", *BARE_INSERT[1:]), CAST_VOTE)]
PACED = ("cast vote, paced 1-3 s", "concord", "/api/v1/ballots/{ballot}/vote", "vote_paced.lua")
SLICES = 4  # alternating slices per pair


def machine() -> str:
    """Describe the CPU, cores, memory and load average from /proc."""
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
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{model}, {os.cpu_count()} cores, {memory}; load average {load} at start"


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
    """Concord's settings for the loader and the server: limits on, but far above the surge."""
    return {"DATABASE_URL": db_url, "CONCORD_ENV": "development", "SECRET_KEY": "bench-secret",
            "DEV_EXTENSIONS": BENCH_EXTENSION, "RATELIMIT_VOTE": "100000 per minute",
            "RATELIMIT_API": "100000 per minute", "LOG_LEVEL": "INFO"}


def prepare(db_url: str, companies: int, reps: int, workdir: Path) -> tuple[int, Path, float]:
    """Migrate, load the data, write the tokens file, create both insert tables (untimed)."""
    from flask_migrate import upgrade

    from bench import bare_app
    from bench.scale_data import load_scale, write_tokens
    from core import create_app
    from core.db import db
    from devtools import bench_endpoints

    started = time.perf_counter()
    app = create_app(app_settings(db_url))
    with app.app_context():
        upgrade(revision="heads")  # several heads until the parallel branches are merged
        bench_endpoints.create_table()
        ballot_id, people = load_scale(companies, reps)
        db.session.remove()
        db.engine.dispose()
    tokens = write_tokens(people, workdir / "tokens.txt")
    bare_app.create_table(db_url)
    return ballot_id, tokens, time.perf_counter() - started


def start_gunicorn(target: str, env: dict[str, str], workers: int, port: int, log: Path,
                   probe: str) -> subprocess.Popen:
    """Start gunicorn serving `target` on 127.0.0.1 and wait until `probe` answers 200."""
    cmd = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
           f"127.0.0.1:{port}", "--backlog", "2048", target]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
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


def stop(proc: subprocess.Popen | None) -> None:
    """Stop a server we started (gunicorn finishes the requests in flight)."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def check_votes(db_url: str) -> dict[str, object]:
    """Count the stored votes and verify the audit chain after the run."""
    from core import create_app
    from core.audit import verify_database
    from core.db import db
    from voting.votes import Vote, VoteRevision

    app = create_app({**app_settings(db_url), "DEV_EXTENSIONS": ""})
    with app.app_context():
        report = verify_database()
        result = {"votes": db.session.scalar(select(func.count()).select_from(Vote)),
                  "revisions": db.session.scalar(select(func.count()).select_from(VoteRevision)),
                  "audit_ok": report.ok, "audit_events": report.checked}
        db.session.remove()
        db.engine.dispose()
    return result


SERVERS = {  # server -> (gunicorn target, readiness probe)
    "bare": ("bench.bare_app:create_app()", "/constant"),
    "concord": ("wsgi:app", "/readyz"),
}


def run(admin_url: str, *, companies: int, reps: int, seconds: int, workers: int, threads: int,
        connections: int, voters: int, warmup: int = 5) -> tuple[list[Phase], dict[str, object]]:
    """Run every phase; return the phases and facts about the run."""
    wrk_path(), nginx_path()  # fail before loading anything if a tool is missing
    db_url = create_database(admin_url)
    workdir = Path(tempfile.mkdtemp(prefix="concord-bench-"))  # kept if a phase fails: its logs
    servers: list[subprocess.Popen] = []
    phases = []
    try:
        ballot_id, tokens, load_s = prepare(db_url, companies, reps, workdir)
        env = {**os.environ, "BENCH_TOKENS": str(tokens), "BENCH_BALLOT": str(ballot_id)}
        settings = {"bare": {"BARE_DATABASE_URL": db_url}, "concord": app_settings(db_url)}
        ports = {}  # (server, behind nginx) -> port; both apps are up, idle while not measured
        for name, (target, probe) in SERVERS.items():
            ports[name, False] = free_port()
            servers.append(start_gunicorn(target, settings[name], workers, ports[name, False],
                                          workdir / f"gunicorn-{name}.log", probe))
        ports["concord", True] = free_port()
        servers.append(start_nginx(ports["concord", True], ports["concord", False], workdir))
        def url(name: str, path: str, paced: bool = False) -> str:
            return f"http://127.0.0.1:{ports[name, paced]}{path.format(ballot=ballot_id)}"

        # Warm-up, not measured: every surge once, so both apps are measured in their steady
        # state (pooled connections, prepared statements, each worker's token-to-user map).
        for label, name, path, script in [side for pair in PAIRS[1:] for side in pair] + [
                BARE_CONSTANT, CONCORD_CONSTANT] if warmup > 0 else []:
            run_wrk(f"warm-up: {label}", url(name, path), script, threads=threads,
                    connections=connections, seconds=warmup, env=env,
                    log=workdir / f"wrk-warmup-{label.replace(' ', '-')}.log")
        for pair in PAIRS:
            slices: dict[str, list[Phase]] = {label: [] for label, *_ in pair}
            for n in range(SLICES):
                for label, name, path, script in pair:
                    slices[label].append(run_wrk(
                        label, url(name, path), script, threads=threads,
                        connections=connections, seconds=max(1, seconds // SLICES), env=env,
                        log=workdir / f"wrk-{label.replace(' ', '-')}-{n}.log"))
            phases += [combine(parts) for parts in slices.values()]
        label, name, path, script = PACED
        phases.append(run_wrk(label, url(name, path, paced=True), script, threads=threads,
                              connections=voters, seconds=seconds, env=env,
                              log=workdir / "wrk-paced.log"))
        while servers:
            stop(servers.pop())
        facts = {"load_seconds": load_s, **check_votes(db_url)}
    finally:
        while servers:
            stop(servers.pop())
        drop_database(db_url)
    shutil.rmtree(workdir)
    return phases, facts
