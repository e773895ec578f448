"""Fault-test helpers: gunicorn on loopback, bounded vote bursts, checks that nothing was lost.

Every server here listens on 127.0.0.1 and every burst stops by itself (a count and a clock).
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import select

from core import audit, clock
from core.audit import AuditEvent
from core.db import db
from core.member_rules import CompanyStatus
from core.members import Company, RepKind, Representative
from core.tokens import ApiToken
from core.users import User
from voting.models import Ballot
from voting.outcome import Kind
from voting.votes import Vote, VoteRevision

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_voters(companies: int) -> tuple[int, list[tuple[str, str]]]:
    """Create member companies with one representative and token each, and an open motion."""
    from datetime import date

    voters = []
    for n in range(companies):
        company = Company(name=f"Fault Co {n}", slug=f"fault-co-{n}")
        db.session.add(company)
        company.change_status(CompanyStatus.MEMBER, date(2020, 1, 1), "fault test", None)
        user = User(issuer="http://idp.test", subject=f"fault-{n}", name=f"Voter {n}",
                    email=f"voter{n}@fault.example", email_verified=True)
        Representative.appoint(user, company, RepKind.REPRESENTATIVE, date(2020, 1, 1))
        token = f"cnc_fault_{n}_{os.urandom(8).hex()}"
        db.session.add(ApiToken(user=user, name="fault", token_hash=hashlib.sha256(
            token.encode()).hexdigest()))
        audit.record("company.create", company, actor=None, name=company.name)
        voters.append((company.name, token))
    now = clock.now()
    ballot = Ballot(title="Fault ballot", text="", kind=Kind.MOTION,
                    opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(hours=1))
    db.session.add(ballot)
    ballot.open()
    db.session.commit()
    return ballot.id, voters


class Gunicorn:
    """A gunicorn master serving wsgi:app on 127.0.0.1 with the given settings."""

    def __init__(self, database_url: str, workers: int, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": database_url, "CONCORD_ENV": "development",
               "SECRET_KEY": "fault-secret", "RATELIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING"}
        with log.open("w") as out:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
                 f"127.0.0.1:{self.port}", "--graceful-timeout", "2", "wsgi:app"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.log = log
        self.wait_ready(workers)

    def wait_ready(self, workers: int, timeout: float = 60) -> None:
        """Wait until every worker is up and /healthz answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                if len(self.worker_pids()) == workers and requests.get(
                        f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready: {self.log.read_text()[-2000:]}")

    def worker_pids(self) -> list[int]:
        """Return the pids of the master's current workers."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def stop(self) -> None:
        """Stop the master and its workers."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Burst:
    """Voters posting votes in parallel threads until told to stop (or a bound is reached)."""

    url: str
    ballot_id: int
    voters: list[tuple[str, str]]
    max_seconds: float = 30.0
    acks: list[tuple[str, str, int]] = field(default_factory=list)  # company, receipt, version
    outcomes: list[tuple[float, float, object]] = field(default_factory=list)  # sent, done, result
    stop_event: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Burst:
        self.threads = [threading.Thread(target=self._vote, args=(v, i), daemon=True)
                        for i, v in enumerate(self.voters)]
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    def _vote(self, voter: tuple[str, str], n: int) -> None:
        with requests.Session() as session:  # closed at the end: no socket left to warn
            self._vote_with(session, voter, n)

    def _vote_with(self, session: requests.Session, voter: tuple[str, str], n: int) -> None:
        company, token = voter
        choices = ("yes", "no", "abstain")
        i = n
        while not self.stop_event.is_set() and time.monotonic() - self.started < self.max_seconds:
            i += 1
            sent = time.monotonic()
            try:
                resp = session.post(f"{self.url}/api/v1/ballots/{self.ballot_id}/vote",
                                    json={"vote": choices[i % 3]}, timeout=15,
                                    headers={"Authorization": f"Bearer {token}"})
                result: object = resp
                if resp.status_code == 201:
                    body = resp.json()
                    assert body["company"] == company
                    with self.lock:
                        self.acks.append((company, body["receipt"], body["version"]))
            except requests.RequestException as exc:
                result = exc
                time.sleep(0.05)
            with self.lock:
                self.outcomes.append((sent, time.monotonic(), result))

    def wait_for_acks(self, count: int, timeout: float = 20) -> None:
        """Block until `count` votes have been acknowledged in total."""
        deadline = time.monotonic() + timeout
        while len(self.acks) < count:
            assert time.monotonic() < deadline, f"only {len(self.acks)} acks, wanted {count}"
            time.sleep(0.02)

    def finish(self) -> None:
        """Stop the voters and wait for them."""
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=30)


def check_votes_intact(acks: list[tuple[str, str, int]]) -> None:
    """Every acknowledged vote is stored exactly once with its audit row; nothing half-written."""
    db.session.remove()
    revisions = db.session.scalars(select(VoteRevision)).all()
    by_receipt = Counter(r.receipt for r in revisions)
    names = {c.id: c.name for c in db.session.scalars(select(Company))}
    # Audit rows name the company and version (never the receipt, which would unmask a secret
    # ballot), so a revision and its audit row meet on (company, version).
    revised = Counter((names[r.company_id], r.version) for r in revisions)
    audited = Counter((e.details.get("company"), e.details.get("version")) for e in
                      db.session.scalars(select(AuditEvent).where(AuditEvent.action == "vote.cast")))
    for company, receipt, version in acks:
        assert by_receipt[receipt] == 1, f"acknowledged vote {receipt} stored {by_receipt[receipt]}x"
        assert audited[(company, version)] == 1, f"{company} v{version}: no single audit row"
        row = next(r for r in revisions if r.receipt == receipt)
        assert (names[row.company_id], row.version) == (company, version)
    # No half-written vote: every revision has its audit row and every audit row its revision.
    assert revised == audited, "revisions and audit rows differ"
    assert all(n == 1 for n in by_receipt.values())
    # The counted vote of each company is its latest revision, and versions have no gaps.
    latest: dict[int, VoteRevision] = {}
    versions: dict[int, list[int]] = {}
    for r in revisions:
        versions.setdefault(r.company_id, []).append(r.version)
        if r.company_id not in latest or r.version > latest[r.company_id].version:
            latest[r.company_id] = r
    for vote in db.session.scalars(select(Vote)).all():
        assert (vote.version, vote.receipt) == (latest[vote.company_id].version,
                                                latest[vote.company_id].receipt)
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in versions.values())
    report = audit.verify_database()
    assert report.ok, report
