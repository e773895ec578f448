"""Benchmark: the public results page of a published survey, served warm by gunicorn.

    .venv/bin/python -m bench.bench_results_page [--pg URL | --sqlite] [--companies 30]
        [--workers 2] [--clients 8] [--seconds 10]

Outside the timed part: a fresh database (PostgreSQL by default, SQLite with --sqlite) is
migrated, filled with member companies that each answer a nine-question survey (every
question type, a ranking of 8 roadmap items, a 5-statement matrix), the survey is closed
and published (the gated document is computed once, at publication). Then gunicorn serves
/results/<id>, is warmed up, and a pool of keep-alive clients requests the page for the
given time. main() returns the figures; the target (issue 6) is p99 under 100 ms.
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import requests

from bench.http_bench import create_database, drop_database, free_port, start_gunicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
P99_TARGET_MS = 100.0
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"


def _settings(db_url: str) -> dict[str, str]:
    return {"DATABASE_URL": db_url, "CONCORD_ENV": "development", "SECRET_KEY": "bench-secret",
            "LOG_LEVEL": "INFO"}  # one JSON access line per request, as in production


QUESTIONS = [
    ("likert", "Publish the roadmap quarterly?", {"points": 5, "dont_know": True}),
    ("matrix", "Rate the tools", {"points": 5, "dont_know": True,
                                  "statements": "Fast\nCheap\nDocumented\nStable\nUpgradable"}),
    ("single", "Main project", {"options": "Nova\nNeutron\nHorizon\nKeystone", "other": True}),
    ("multiple", "Teams you staff", {"options": "Ops\nNet\nContainers\nSecurity",
                                     "max_choices": 2}),
    ("ranking", "Rank the work items", {}),
    ("budget", "Spread 100 points", {"total": 100}),
    ("number", "FTEs", {"min_value": "0", "max_value": "500", "integer": True}),
    ("text", "Anything else", {"max_length": 200}),
    ("likert", "The survey was easy to answer", {"points": 7}),
]


def _answer(qtype: str, config: dict, rng: random.Random):
    """Return a random canonical answer of a question type."""
    if qtype == "likert":
        return rng.choice([*range(1, config["points"] + 1), "dk"]
                          if config.get("dont_know") else range(1, config["points"] + 1))
    if qtype == "matrix":
        return [rng.choice([1, 2, 3, 4, 5, 4, 5, "dk"]) for _ in config["statements"]]
    if qtype == "single":
        return {"option": rng.choice(config["options"][:2] * 3 + config["options"])}
    if qtype == "multiple":
        return sorted(rng.sample(config["options"], 2), key=config["options"].index)
    if qtype == "ranking":
        items = list(config["items"])
        rng.shuffle(items)
        return {str(i): r for r, i in enumerate(items, 1)}
    if qtype == "budget":
        cut = sorted(rng.sample(range(1, 100), len(config["items"]) - 1))
        parts = [b - a for a, b in zip([0, *cut], [*cut, 100], strict=True)]
        return {str(i): p for i, p in zip(config["items"], parts, strict=True)}
    if qtype == "number":
        return str(rng.randint(1, 40))
    return rng.choice(["More reviews", "Fewer meetings", "Upgrade pain", "Keep it short"])


def load(companies: int, seed: int = 7) -> int:
    """Create companies and representatives, a survey they all answer, closed and published."""
    from core import clock
    from core.db import db
    from core.member_rules import CompanyStatus
    from core.members import Company, RepKind, Representative
    from core.users import User
    from surveys import responses
    from surveys.catalog import Team, WorkKind
    from surveys.models import RoadmapItem, Survey, add_question
    from surveys.publication import Publication
    from surveys.question_settings import normalize
    from surveys.results_source import public_document
    from surveys.rules import QuestionType

    rng = random.Random(seed)
    people = []
    for n in range(companies):
        company = Company(name=f"Company {n:03d}", slug=f"company-{n:03d}")
        db.session.add(company)
        company.change_status(CompanyStatus.MEMBER, date(2020, 1, 1), "bench", None)
        user = User(issuer="http://bench", subject=f"rep-{n}", name=f"Rep {n}",
                    email=f"rep{n}@bench.example", email_verified=True)
        db.session.add(user)
        Representative.appoint(user, company, RepKind.REPRESENTATIVE, date(2020, 1, 1))
        people.append(user)
    items = [RoadmapItem(title=f"Work item {i}", team=Team.OPERATIONS, kind=WorkKind.NEW)
             for i in range(8)]
    db.session.add_all(items)
    db.session.flush()
    ids = [i.id for i in items]
    now = clock.now()
    survey = Survey(title="Bench roadmap survey", cycle="Bench", opens_at=now - timedelta(hours=1),
                    closes_at=now + timedelta(hours=1))
    db.session.add(survey)
    section = survey.add_section("Priorities")
    for qtype, text, settings in QUESTIONS:
        settings = {**settings, "items": ids} if qtype in ("ranking", "budget") else settings
        kind = QuestionType(qtype)
        add_question(section, kind, text, "", False, normalize(kind, settings, ids))
    survey.propose()
    survey.open()
    for user in people:
        values = {q.id: _answer(q.type.value, q.config, rng) for q in survey.questions}
        responses.save(survey, user.company(), user, 0, values, submit=True)
    survey.close()
    publication = Publication.start(survey, 5, 3)
    publication.choose([str(q.id) for q in survey.questions], 5, 3, (5, 3))
    publication.publish(public_document(survey, publication), people[0])
    db.session.commit()
    return survey.id


def _prepare(db_url: str, companies: int) -> tuple[int, float]:
    from flask_migrate import upgrade

    from core import create_app
    from core.db import db

    started = time.perf_counter()
    app = create_app(_settings(db_url))
    with app.app_context():
        upgrade(revision="heads")
        survey_id = load(companies)
        db.session.remove()
        db.engine.dispose()
    return survey_id, time.perf_counter() - started


def _gunicorn(db_url: str, workers: int, port: int, log: Path) -> subprocess.Popen:
    """Start the shared gunicorn runner with this benchmark's settings."""
    return start_gunicorn(db_url, workers, port, log, settings=_settings(db_url), probe="/healthz")


def _hammer(port: int, path: str, clients: int, seconds: float) -> tuple[list[float], int]:
    """GET path from `clients` keep-alive connections for `seconds`; return latencies (ms).

    http.client, not requests: the clients share this machine's cores with gunicorn, so the
    lighter the client, the more the figures measure the server.
    """
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        mine, bad = [], 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                mine.append((time.perf_counter() - t0) * 1000)
                bad += resp.status != 200
        finally:
            conn.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures[0]


def main(pg: str | None = PG_DEFAULT, companies: int = 30, workers: int = 2, clients: int = 8,
         seconds: float = 10.0) -> dict:
    """Run the benchmark and return its figures (pg=None: SQLite in a temporary folder)."""
    workdir = Path(tempfile.mkdtemp(prefix="concord-results-bench-"))
    db_url = create_database(pg) if pg else f"sqlite:///{workdir / 'bench.sqlite3'}"
    server = None
    try:
        survey_id, load_s = _prepare(db_url, companies)
        port = free_port()
        server = _gunicorn(db_url, workers, port, workdir / "gunicorn.log")
        path = f"/results/{survey_id}"
        page = requests.get(f"http://127.0.0.1:{port}{path}", timeout=10)
        page.raise_for_status()
        _hammer(port, path, clients, min(3.0, seconds))  # warm: every worker built its views
        latencies, failures = _hammer(port, path, clients, seconds)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if pg:
            drop_database(db_url)
    cuts = statistics.quantiles(latencies, n=100)
    return {"database": "postgresql" if pg else "sqlite", "companies": companies,
            "questions": len(QUESTIONS), "page_kb": round(len(page.content) / 1024, 1),
            "svg_charts": page.text.count('role="img"'), "workers": workers, "clients": clients,
            "seconds": seconds, "requests": len(latencies), "failures": failures,
            "rps": round(len(latencies) / seconds, 1), "p50_ms": round(cuts[49], 2),
            "p95_ms": round(cuts[94], 2), "p99_ms": round(cuts[98], 2),
            "p99_target_ms": P99_TARGET_MS, "p99_met": cuts[98] < P99_TARGET_MS,
            "load_s": round(load_s, 2)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL admin URL")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead")
    parser.add_argument("--companies", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    figures = main(None if args.sqlite else args.pg, args.companies, args.workers, args.clients,
                   args.seconds)
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
