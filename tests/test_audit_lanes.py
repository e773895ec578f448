"""The audit chain in lanes: each lane its own hash chain and advisory lock, verified lane by lane."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from core import audit
from core.audit import AuditEvent
from core.db import db

START = datetime(2026, 5, 2, 9, tzinfo=UTC)
TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:k, :lane)")
WAITING = text("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'advisory'")


def _lane(lane: int, rows: int) -> list[SimpleNamespace]:
    """Build a lane's rows the way `audit.record` does (through `audit.next_event`)."""
    built, head = [], None
    for n in range(rows):
        row = audit.next_event(lane, head, START + timedelta(minutes=n), "test.action", "site",
                               None, {"n": n, "lane": lane})
        built.append(SimpleNamespace(**row))
        head = built[-1]
    return built


def _chain(**rows_per_lane: int) -> list[SimpleNamespace]:
    """Build lanes (`lane0=3, lane2=2`) concatenated in the order verify_database reads them."""
    lanes = sorted((int(name.removeprefix("lane")), rows) for name, rows in rows_per_lane.items())
    return [ev for lane, rows in lanes for ev in _lane(lane, rows)]


def _old_fields(ev) -> dict:
    """Hash fields as written before there were lanes (no "lane" key)."""
    return {"seq": ev.seq, "occurred_at": ev.occurred_at.isoformat(), "actor_id": ev.actor_id,
            "actor_label": ev.actor_label, "action": ev.action, "subject_type": ev.subject_type,
            "subject_id": ev.subject_id, "details": ev.details, "prev_hash": ev.prev_hash}


def _rehash(ev: SimpleNamespace, **changes) -> SimpleNamespace:
    """Return a copy of a row with changes and a hash that matches them (a forged, consistent row)."""
    forged = SimpleNamespace(**{**vars(ev), **changes})
    forged.hash = audit.compute_hash(audit._fields(forged))
    return forged


def test_lanes_each_start_from_their_genesis_and_verify():
    events = _chain(lane0=3, lane1=2, lane2=4)
    report = audit.verify_chain(events)
    assert report.ok and report.checked == 9, report
    firsts = {ev.lane: ev.prev_hash for ev in events if ev.seq == 1}
    assert firsts == {0: audit.GENESIS, 1: audit.genesis(1), 2: audit.genesis(2)}
    assert len(set(firsts.values())) == 3  # prev_hash is unique: each lane needs its own genesis


def test_a_changed_row_in_lane_2_is_named():
    events = _chain(lane0=3, lane1=2, lane2=3)
    at = next(i for i, ev in enumerate(events) if (ev.lane, ev.seq) == (2, 2))
    events[at] = SimpleNamespace(**{**vars(events[at]), "action": "test.forged"})
    report = audit.verify_chain(events)
    assert not report.ok
    assert (report.broken_lane, report.broken_seq) == (2, 2)
    assert report.where == "seq 2 of lane 2"
    assert "content does not match" in report.reason
    assert report.checked == 3 + 2 + 1


def test_a_row_missing_in_the_middle_of_lane_1_is_a_gap():
    events = [ev for ev in _chain(lane0=2, lane1=4, lane2=2) if (ev.lane, ev.seq) != (1, 2)]
    report = audit.verify_chain(events)
    assert not report.ok
    assert report.where == "seq 3 of lane 1"
    assert report.reason == "sequence gap: expected 2"


def test_a_missing_first_row_of_a_lane_is_a_gap():
    events = [ev for ev in _chain(lane0=2, lane3=3) if (ev.lane, ev.seq) != (3, 1)]
    report = audit.verify_chain(events)
    assert report.where == "seq 2 of lane 3" and report.reason.startswith("sequence gap")


def test_a_lane_1_row_linked_to_the_lane_0_genesis_is_refused():
    events = _chain(lane0=2, lane1=2)
    at = next(i for i, ev in enumerate(events) if (ev.lane, ev.seq) == (1, 1))
    events[at] = _rehash(events[at], prev_hash=audit.GENESIS)  # its own hash is consistent
    assert audit.genesis(1) != audit.GENESIS
    report = audit.verify_chain(events)
    assert not report.ok
    assert report.where == "seq 1 of lane 1"
    assert "link to the previous row" in report.reason


def test_a_row_moved_to_another_lane_breaks_its_hash():
    """The lane is hashed (lanes other than 0): relabelling a row's lane is detected."""
    events = _chain(lane0=1, lane1=1, lane2=1)
    events[2] = SimpleNamespace(**{**vars(events[2]), "lane": 3})
    events[2].prev_hash = audit.genesis(3)  # the link would fit lane 3; the hash must not
    report = audit.verify_chain(events)
    assert report.where == "seq 1 of lane 3" and "content does not match" in report.reason


def test_lane_0_rows_hash_without_a_lane_key_and_others_with_it():
    lane0, lane1 = _lane(0, 2), _lane(1, 2)
    assert "lane" not in audit._fields(lane0[0])
    assert all(audit.compute_hash(_old_fields(ev)) == ev.hash for ev in lane0)
    assert audit._fields(lane1[0])["lane"] == 1
    assert all(audit.compute_hash(_old_fields(ev)) != ev.hash for ev in lane1)


def test_a_chain_written_before_lanes_still_verifies():
    """Rows hashed the old way (fields without a lane), read back as lane 0, verify."""
    events, prev = [], audit.GENESIS
    for n in range(1, 5):
        ev = SimpleNamespace(lane=0, seq=n, occurred_at=START + timedelta(seconds=n), actor_id=None,
                             actor_label="system", action="old.action", subject_type="site",
                             subject_id=None, details={"n": n}, prev_hash=prev)
        ev.hash = audit.compute_hash(_old_fields(ev))
        events.append(ev)
        prev = ev.hash
    report = audit.verify_chain(events)
    assert report.ok and report.checked == 4, report
    assert report.where == "seq None"  # lane 0 adds no suffix
    events[1].details = {"n": 99}
    report = audit.verify_chain(events)
    assert report.where == "seq 2" and report.broken_lane == 0


def test_cli_verify_names_the_broken_lane(app, make_company, runner):
    for name in ("AT&T", "NTT", "Orange"):
        make_company(name)  # lane 0, seq 1..3
    first = audit.next_event(2, None, START, "test.lane", "site", None, {"n": 1})
    second = audit.next_event(2, SimpleNamespace(**first), START, "test.lane", "site", None, {"n": 2})
    second["details"] = {"n": 3}  # changed after hashing: insertable, never updatable
    db.session.execute(audit.APPEND, [first, second])
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert "BROKEN at seq 2 of lane 2" in result.output
    assert "content does not match" in result.output
    assert "(4 events verified before it)" in result.output


def test_cli_verify_counts_every_lane(app, make_company, runner):
    make_company("AT&T")
    first = audit.next_event(5, None, START, "test.lane", "site", None, {})
    db.session.execute(audit.APPEND, first)
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "2 events verified" in result.output


def test_sqlite_takes_the_write_lock_before_reading_the_head(app, is_postgres, make_company):
    """On SQLite, lock_chain holds the database's write lock at once (no duplicate seq)."""
    import sqlite3

    if is_postgres:
        pytest.skip("PostgreSQL holds lanes with advisory locks (tested below)")
    make_company("AT&T")
    assert audit.lock_chain() == 0
    other = sqlite3.connect(db.engine.url.database, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        db.session.rollback()
        other.execute("BEGIN IMMEDIATE")  # free again once the transaction ends
        other.rollback()
    finally:
        other.close()
    assert audit.lock_chain() == 0 and audit.record("test.after", "site")["seq"] == 2
    db.session.commit()


def _require_postgres(is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("SQLite has one writer and one lane; the PostgreSQL pass of `make test` runs this")


def _rows() -> list[tuple[int, int, str, str]]:
    db.session.expire_all()
    return [tuple(r) for r in db.session.execute(select(
        AuditEvent.lane, AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.action)
        .order_by(AuditEvent.lane, AuditEvent.seq))]


def test_a_busy_lane_0_sends_the_append_to_lane_1(app, is_postgres, make_company):
    _require_postgres(is_postgres)
    make_company("AT&T")  # lane 0, seq 1
    with db.engine.connect() as holder, holder.begin():
        assert holder.execute(TRY_LOCK, {"k": audit.PG_LOCK_KEY, "lane": 0}).scalar()
        db.session.execute(text("SET LOCAL lock_timeout = '5s'"))  # waiting on lane 0 fails
        audit.record("test.first", "site", actor=None)
        audit.record("test.second", "site", actor=None)  # re-entrant: the same lane
        db.session.commit()
    audit.record("test.quiet", "site", actor=None)  # lane 0 is free again
    db.session.commit()
    rows = _rows()
    assert [(lane, seq, action) for lane, seq, _, action in rows] == [
        (0, 1, "company.create"), (0, 2, "test.quiet"), (1, 1, "test.first"), (1, 2, "test.second")]
    assert rows[2][2] == audit.genesis(1)
    report = audit.verify_database()
    assert report.ok and report.checked == 4, report


def test_every_lane_busy_waits_on_one_and_appends_there(app, app_factory, database_url,
                                                        is_postgres, make_company):
    _require_postgres(is_postgres)
    make_company("AT&T")
    holders = [db.engine.connect() for _ in range(audit.LANES)]
    worker_app, outcome = app_factory(database_url), []
    try:
        for lane, holder in enumerate(holders):
            holder.begin()
            assert holder.execute(TRY_LOCK, {"k": audit.PG_LOCK_KEY, "lane": lane}).scalar()

        def append() -> None:
            with worker_app.app_context():
                try:
                    outcome.append(audit.record("test.waited", "site", actor=None)["lane"])
                    db.session.commit()
                except Exception as exc:
                    outcome.append(f"{type(exc).__name__}: {exc}")
                finally:
                    db.session.remove()

        worker = threading.Thread(target=append)
        worker.start()
        waited = 0.0
        while waited < 10 and not db.session.scalar(WAITING):
            time.sleep(0.05)
            waited += 0.05
        assert waited < 10, "the append never waited for a lane"
        db.session.rollback()
        assert outcome == [] and worker.is_alive()
        expected = os.getpid() % audit.LANES
        holders[expected].rollback()
        worker.join(timeout=30)
        assert outcome == [expected]
    finally:
        for holder in holders:
            holder.close()
        with worker_app.app_context():
            db.engine.dispose()
    assert audit.verify_database().ok
    appended = (expected, 2 if expected == 0 else 1)  # after "company.create" in lane 0
    assert [(lane, seq) for lane, seq, *_ in _rows()] == sorted([(0, 1), appended])


def test_a_lane_taken_in_a_rolled_back_savepoint_is_taken_again(app, is_postgres, make_company):
    _require_postgres(is_postgres)
    make_company("AT&T")
    savepoint = db.session.begin_nested()
    audit.record("test.undone", "site", actor=None)
    savepoint.rollback()  # PostgreSQL releases the lane taken inside the savepoint
    lane = audit.record("test.kept", "site", actor=None)["lane"]
    with db.engine.connect() as other, other.begin():
        assert not other.execute(TRY_LOCK, {"k": audit.PG_LOCK_KEY, "lane": lane}).scalar(), \
            "the append wrote to a lane whose lock it no longer held"
    db.session.commit()
    assert [(lane, seq, action) for lane, seq, _, action in _rows()] == [
        (0, 1, "company.create"), (0, 2, "test.kept")]


THREADS, APPENDS = 8, 12


def test_concurrent_appends_spread_over_lanes_and_verify(app, app_factory, database_url,
                                                          is_postgres, make_company):
    _require_postgres(is_postgres)
    make_company("AT&T")
    worker_app = app_factory(database_url)
    barrier, errors = threading.Barrier(THREADS), []

    def work(index: int) -> None:
        with worker_app.app_context():
            barrier.wait()
            for n in range(APPENDS):
                try:
                    audit.record("test.parallel", "site", actor=None, thread=index, n=n)
                    if n % 3 == 0:
                        audit.record("test.parallel.again", "site", actor=None, thread=index)
                    time.sleep(0.005)  # hold the lane a moment, as a commit's flush does
                    db.session.commit()
                except Exception as exc:
                    db.session.rollback()
                    errors.append(f"{type(exc).__name__}: {exc}")
            db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with worker_app.app_context():
        db.engine.dispose()
    assert errors == []
    rows = _rows()
    assert len(rows) == 1 + THREADS * (APPENDS + (APPENDS + 2) // 3)
    lanes: dict[int, list[int]] = {}
    for lane, seq, *_ in rows:
        lanes.setdefault(lane, []).append(seq)
    assert max(lanes) > 0, "no append ever took a lane other than 0"
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in lanes.values()), lanes
    report = audit.verify_database()
    assert report.ok and report.checked == len(rows), report
    # Two events recorded in one transaction sit next to each other in one lane.
    pairs = db.session.execute(select(AuditEvent.lane, AuditEvent.seq, AuditEvent.action)
                               .order_by(AuditEvent.lane, AuditEvent.seq)).all()
    for before, after in pairwise(pairs):
        if after.action == "test.parallel.again":
            assert (before.lane, before.seq + 1, before.action) == (
                after.lane, after.seq, "test.parallel")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == len(rows)
