"""The vote's locks on PostgreSQL: ballot, then the company's elector row, then an audit lane."""

from __future__ import annotations

import os
import threading
import time

import pytest
from sqlalchemy import select, text

from core import audit
from core.audit import AuditEvent
from core.db import db
from core.users import User
from voting.casting import cast_vote
from voting.models import Elector
from voting.outcome import Kind

TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:k, :lane)")
LANES_HELD_BY = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                     "AND pid = :pid")
# Locks are the whole server's: only the voter's own backend counts (other test workers vote too).
WAITING_FOR = text("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = :kind "
                   "AND pid = :pid")


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("SQLite has no row or advisory locks; the PostgreSQL pass of `make test` "
                    "runs this")


def _vote_in_thread(worker_app, ballot_id: int, user_id: int, outcome: list) -> threading.Thread:
    """Cast a vote from another connection; its backend's pid, then its lane, go to `outcome`."""
    def run() -> None:
        with worker_app.app_context():
            try:
                outcome.append(db.session.execute(text("SELECT pg_backend_pid()")).scalar())
                cast_vote(ballot_id, db.session.get(User, user_id), {"vote": "yes"})
                outcome.append(db.session.execute(
                    select(AuditEvent.lane).order_by(AuditEvent.id.desc()).limit(1)).scalar())
            except Exception as exc:
                outcome.append(f"{type(exc).__name__}: {exc}")
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _voter_waits(scalar, outcome: list, kind: str) -> bool:
    """Tell whether the voting thread's backend (its pid, outcome[0]) waits for a `kind` lock."""
    return bool(outcome) and isinstance(outcome[0], int) and bool(
        scalar(WAITING_FOR, {"kind": kind, "pid": outcome[0]}))


def _wait_until(condition, what: str) -> None:
    for _ in range(200):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting until {what}")


def test_a_vote_waiting_for_its_companys_turn_holds_no_lane(app, app_factory, database_url,
                                                            consortium, make_ballot):
    ballot = make_ballot(Kind.MOTION)
    ntt = consortium["companies"]["NTT"]
    worker_app, outcome = app_factory(database_url), []
    with db.engine.connect() as colleague, colleague.begin():
        # A colleague's vote in flight: NTT's elector row is held until it commits.
        colleague.execute(select(Elector.id).where(
            Elector.ballot_id == ballot.id, Elector.company_id == ntt.id).with_for_update())
        voter = _vote_in_thread(worker_app, ballot.id, consortium["reps"]["NTT"].id, outcome)
        _wait_until(lambda: _voter_waits(db.session.scalar, outcome, "transactionid"),
                    "the vote waits for the elector row")
        # Waiting for its turn, it holds no lane: every other vote and audited change goes on.
        assert db.session.scalar(LANES_HELD_BY, {"pid": outcome[0]}) == 0
        db.session.rollback()
    voter.join(timeout=30)
    with worker_app.app_context():
        db.engine.dispose()
    assert outcome[1] == 0, outcome  # then it took the first free lane
    assert audit.verify_database().ok


def test_every_lane_busy_the_vote_waits_on_one_and_records_there(app, app_factory, database_url,
                                                                 consortium, make_ballot):
    ballot = make_ballot(Kind.MOTION)
    holders = [db.engine.connect() for _ in range(audit.LANES)]
    worker_app, outcome = app_factory(database_url), []
    try:
        for lane, holder in enumerate(holders):
            holder.begin()
            assert holder.execute(TRY_LOCK, {"k": audit.PG_LOCK_KEY, "lane": lane}).scalar()
        voter = _vote_in_thread(worker_app, ballot.id, consortium["reps"]["NTT"].id, outcome)
        _wait_until(lambda: _voter_waits(db.session.scalar, outcome, "advisory"),
                    "the vote waits for a lane")
        db.session.rollback()
        assert voter.is_alive()
        expected = os.getpid() % audit.LANES
        holders[expected].rollback()
        voter.join(timeout=30)
    finally:
        for holder in holders:
            holder.close()
        with worker_app.app_context():
            db.engine.dispose()
    assert outcome[1:] == [expected]
    assert audit.verify_database().ok


def test_a_vote_in_a_transaction_holding_a_lane_records_in_that_lane(app, consortium,
                                                                     make_ballot):
    ballot = make_ballot(Kind.MOTION)
    with db.engine.connect() as other, other.begin():
        assert other.execute(TRY_LOCK, {"k": audit.PG_LOCK_KEY, "lane": 0}).scalar()
        held = audit.record("test.before", "site", actor=None)["lane"]  # lane 1: 0 is busy
        other.rollback()  # lane 0 free again: the vote must still not take a second lane
        cast_vote(ballot.id, consortium["reps"]["NTT"], {"vote": "no"})
    lanes = db.session.scalars(select(AuditEvent.lane).where(
        AuditEvent.action.in_(["test.before", "vote.cast"]))).all()
    assert held == 1 and lanes == [1, 1]
    assert audit.verify_database().ok


def test_after_waiting_for_its_turn_a_vote_reads_what_the_colleague_committed(
        app, app_factory, database_url, consortium, make_ballot, monkeypatch):
    # The vote's one statement was planned before the colleague committed; what it reads
    # once it holds the rows (the vote's version, the lane's head) must still be current,
    # first time: a stale read would collide with a unique key and be tried again.
    from voting import casting
    from voting.votes import Vote, VoteRevision

    ballot = make_ballot(Kind.MOTION)
    ntt, reps = consortium["companies"]["NTT"], consortium["reps"]
    cast_vote(ballot.id, reps["NTT"], {"vote": "yes"})  # version 1
    attempts = []
    real_once = casting._cast_once

    def counted_once(*args):
        attempts.append(1)
        return real_once(*args)

    monkeypatch.setattr(casting, "_cast_once", counted_once)
    worker_app, outcome = app_factory(database_url), []
    # The colleague's vote, by hand: it holds NTT's turn, writes version 2 and appends to
    # lane 0, then commits while the other vote waits.
    db.session.execute(select(Elector.id).where(
        Elector.ballot_id == ballot.id, Elector.company_id == ntt.id).with_for_update())
    audit.record("test.colleague", "site", actor=None)
    first = db.session.scalars(select(Vote).where(Vote.ballot_id == ballot.id)).one()
    first.version = 2
    db.session.add(VoteRevision(ballot_id=ballot.id, company_id=ntt.id, version=2,
                                choice={"vote": "no"}, receipt="TEST-TEST-TEST-TEST",
                                cast_by_id=reps["NTT"].id, cast_at=first.cast_at))
    db.session.flush()
    voter = _vote_in_thread(worker_app, ballot.id, reps["NTT"].id, outcome)
    with db.engine.connect() as watcher:
        _wait_until(lambda: _voter_waits(lambda *a: watcher.execute(*a).scalar(), outcome,
                                         "transactionid"),
                    "the vote waits for the elector row")
    db.session.commit()
    voter.join(timeout=30)
    with worker_app.app_context():
        db.engine.dispose()
    assert isinstance(outcome[-1], int), outcome
    versions = db.session.scalars(select(VoteRevision.version).where(
        VoteRevision.ballot_id == ballot.id).order_by(VoteRevision.version)).all()
    assert versions == [1, 2, 3]
    assert attempts == [1], "the vote read a stale version or head and had to start again"
    assert audit.verify_database().ok
