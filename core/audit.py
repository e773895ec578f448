"""Append-only, hash-chained audit log written in the same transaction as the change it records."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import (
    DDL,
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    bindparam,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import clock
from core.db import UTCDateTime, db
from core.text import loads as read_json

GENESIS = "0" * 64
# The chain is striped into lanes, each a hash chain of its own with its own advisory lock on
# PostgreSQL: an append holds one lane until commit, so up to LANES transactions append (and
# wait for their commit to reach the disk) at once instead of queueing behind one lock.
# Lane 0 is the first tried, so a quiet site (and SQLite, one writer at a time) uses lane 0
# only, hashed exactly as the single chain was before there were lanes.
LANES = 8
PG_LOCK_KEY = 0x436F6E63
LOCKED = "concord.audit_lane"  # connection.info: (transaction holding the lane, lane)
# Tries lanes 0, 1, ... and stops at the first free one (the filter runs row by row).
TRY_LANE = text("SELECT lane FROM generate_series(0, :last) AS lane "
                "WHERE pg_try_advisory_xact_lock(:k, lane) LIMIT 1")
WAIT_LANE = text("SELECT pg_advisory_xact_lock(:k, :lane)")
# The same try, for a caller's statement that takes a lane as it takes other locks (its
# parameters: lane_key and lane_last); `{ready}` is an SQL condition met once those are held.
TRY_LANE_SQL = ("(SELECT lane FROM generate_series(0, :lane_last) AS lane "
                "WHERE {ready} AND pg_try_advisory_xact_lock(:lane_key, lane) LIMIT 1)")
SQLITE_TAKE_WRITE_LOCK = text("UPDATE audit_event SET seq = seq WHERE 0")


class AuditError(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


class AuditEvent(db.Model):
    """One audited action; `hash` covers the row and the previous row's hash in its lane."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("lane", "seq"),
                      CheckConstraint(f"lane >= 0 AND lane < {LANES}", name="lane_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    lane: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the lane
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[str | None] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


def _canonical(value: Any) -> Any:
    """Round-trip through JSON so what is hashed is exactly what the database returns."""
    return read_json(json.dumps(value, default=str, sort_keys=True))


def compute_hash(fields: dict[str, Any]) -> str:
    """Hash an event's fields (canonical JSON, sorted keys) with SHA-256."""
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # "surrogatepass" gives valid text the same bytes as before (stored hashes stay valid) and
    # lets a lone surrogate that reached the details be hashed instead of failing the action.
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def genesis(lane: int) -> str:
    """Return the link before a lane's first row (lane 0 keeps the chain's original one)."""
    return GENESIS if lane == 0 else hashlib.sha256(f"concord audit lane {lane}".encode()).hexdigest()


def _fields(ev: Any) -> dict[str, Any]:
    """The hashed fields of an event (a stored row or one about to be)."""
    # Lane 0 rows hash exactly as rows did before lanes, so older chains still verify.
    return {**({"lane": ev.lane} if ev.lane else {}),
        "seq": ev.seq,
        "occurred_at": ev.occurred_at.isoformat(),
        "actor_id": ev.actor_id,
        "actor_label": ev.actor_label,
        "action": ev.action,
        "subject_type": ev.subject_type,
        "subject_id": ev.subject_id,
        "details": ev.details,
        "prev_hash": ev.prev_hash,
    }


def _subject(subject: Any) -> tuple[str, str | None]:
    """Name a subject by its table and primary key (or a plain string)."""
    if subject is None:
        return "site", None
    if isinstance(subject, str):
        return subject, None
    return subject.__tablename__, str(getattr(subject, "id", None))


def _actor(actor: Any) -> tuple[int | None, str]:
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if actor is None:
        return None, "system"
    return actor.id, str(actor)


def lock_chain() -> int:
    """Hold a lane of the chain for the rest of the transaction and return it (re-entrant).

    A caller that stamps a time which must hold at commit (a vote before the close) takes it
    before reading the clock, so no wait for the lock falls between the stamp and the commit.
    """
    held = held_lane()
    if held is not None:
        return held
    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        # SQLite lets one writer in at a time, so one lane is all it needs; a write (even of
        # nothing) takes that turn now, before the head is read, not at the first real write.
        conn.execute(SQLITE_TAKE_WRITE_LOCK)
        return _hold(conn, 0)
    return adopt_lane(conn.execute(TRY_LANE, {"k": PG_LOCK_KEY, "last": LANES - 1}).scalar())


def held_lane(conn: Any = None) -> int | None:
    """Return the lane this transaction holds, if any (on `conn`, default the session's)."""
    held = (conn or db.session.connection()).info.get(LOCKED)
    # The lock lasts until its transaction ends (a rolled-back savepoint releases it too).
    return held[1] if held is not None and held[0].is_active else None


def adopt_lane(taken: int | None, conn: Any = None) -> int:
    """Hold the lane a caller's own statement took with TRY_LANE_SQL (None: wait for one)."""
    conn = conn or db.session.connection()
    if taken is None:  # every lane busy: queue on one, processes spread over the lanes
        taken = os.getpid() % LANES
        conn.execute(WAIT_LANE, {"k": PG_LOCK_KEY, "lane": taken})
    return _hold(conn, taken)


def _hold(conn: Any, lane: int) -> int:
    conn.info[LOCKED] = (conn.get_nested_transaction() or conn.get_transaction(), lane)
    return lane


def record(action: str, subject: Any = None, *, actor: Any = None, **details: Any) -> dict[str, Any]:
    """Append an event to the chain inside the current transaction (the caller commits)."""
    session = db.session
    session.flush()  # give new subjects their ids
    lane = lock_chain()
    conn = session.connection()
    # Core statements built once: every change in the site passes here, under a lane's lock.
    head = conn.execute(LAST_IN_LANE, {"lane": lane}).first()
    row = next_event(lane, head, clock.now(), action, subject, actor, details)
    conn.execute(APPEND, row)
    return row


def next_event(lane: int, head: Any, occurred_at: datetime, action: str, subject: Any,
               actor: Any, details: dict[str, Any]) -> dict[str, Any]:
    """Build, hash included, the row that follows `head` (the lane's last seq and hash, or None)."""
    subject_type, subject_id = _subject(subject)
    actor_id, actor_label = _actor(actor)
    first = head is None or head.seq is None
    row = {"lane": lane, "seq": 1 if first else head.seq + 1, "occurred_at": occurred_at,
           "actor_id": actor_id, "actor_label": actor_label, "action": action,
           "subject_type": subject_type, "subject_id": subject_id,
           "details": _canonical(details), "prev_hash": genesis(lane) if first else head.hash}
    row["hash"] = compute_hash(_fields(SimpleNamespace(**row)))
    return row


_T = AuditEvent.__table__
_LAST = select(_T.c.seq, _T.c.hash).where(_T.c.lane == bindparam("lane")).order_by(
    _T.c.seq.desc()).limit(1)
LAST_IN_LANE = _LAST
# The head as two columns, for a caller that reads it in the same statement as something else.
HEAD_COLUMNS = (_LAST.with_only_columns(_T.c.seq).scalar_subquery().label("seq"),
                _LAST.with_only_columns(_T.c.hash).scalar_subquery().label("hash"))
APPEND = insert(_T)


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying the chain."""

    checked: int
    broken_seq: int | None = None
    reason: str = ""
    broken_lane: int = 0

    @property
    def ok(self) -> bool:
        """Tell whether every row verified."""
        return self.broken_seq is None

    @property
    def where(self) -> str:
        """Name the first broken row: its seq, and its lane if not the first."""
        lane = f" of lane {self.broken_lane}" if self.broken_lane else ""
        return f"seq {self.broken_seq}{lane}"


def verify_chain(events: Iterable[AuditEvent]) -> ChainReport:
    """Check each row's hash and link, lane by lane in seq order; report the first broken row."""
    lane, expected_prev, expected_seq, checked = None, GENESIS, 1, 0
    for ev in events:
        if ev.lane != lane:
            lane, expected_prev, expected_seq = ev.lane, genesis(ev.lane), 1
        if ev.seq != expected_seq:
            return ChainReport(checked, ev.seq, f"sequence gap: expected {expected_seq}", lane)
        if ev.prev_hash != expected_prev:
            return ChainReport(checked, ev.seq, "link to the previous row does not match", lane)
        if compute_hash(_fields(ev)) != ev.hash:
            return ChainReport(checked, ev.seq, "row content does not match its hash", lane)
        expected_prev, expected_seq, checked = ev.hash, expected_seq + 1, checked + 1
    return ChainReport(checked)


def verify_database() -> ChainReport:
    """Verify the whole chain stored in the database, streaming rows lane by lane."""
    stmt = (select(AuditEvent).order_by(AuditEvent.lane, AuditEvent.seq)
            .execution_options(yield_per=1000))
    result = db.session.scalars(stmt)
    try:
        return verify_chain(result)
    finally:
        result.close()  # an early return must not leave a server-side cursor open


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, flush_context, instances) -> None:
    """Refuse any ORM update or delete of an audit row."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditError("audit events are append-only")


# The database refuses updates and deletes too, whatever client writes to it.
SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]
PG_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    # A lane's head, read with a snapshot of its own: PostgreSQL runs each query of a
    # VOLATILE function with a fresh snapshot, so a statement that takes a lane part-way
    # through still reads the rows committed before it held the lane. PL/pgSQL keeps the
    # query's plan for the session (an SQL function would plan it on every call).
    "CREATE OR REPLACE FUNCTION audit_lane_head(lane_number integer) "
    "RETURNS TABLE (seq integer, hash varchar) LANGUAGE plpgsql VOLATILE AS $$ BEGIN "
    "RETURN QUERY SELECT e.seq, e.hash FROM audit_event AS e WHERE e.lane = lane_number "
    "ORDER BY e.seq DESC LIMIT 1; END $$",
]
for _sql in SQLITE_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
for _sql in PG_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))
