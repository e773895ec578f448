"""Append-only, hash-chained audit log written in the same transaction as the change it records."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import DDL, JSON, ForeignKey, Integer, String, event, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import clock
from core.db import UTCDateTime, db
from core.text import loads as read_json

GENESIS = "0" * 64
# One advisory-lock key serializes appends on PostgreSQL so the chain never forks.
PG_LOCK_KEY = 0x436F6E63


class AuditError(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


class AuditEvent(db.Model):
    """One audited action; `hash` covers the row and the previous row's hash."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
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


def _fields(ev: AuditEvent) -> dict[str, Any]:
    return {
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


def lock_chain() -> None:
    """Take the chain's append lock for the rest of the transaction (PostgreSQL; re-entrant).

    A caller that stamps a time which must hold at commit (a vote before the close) takes it
    before reading the clock, so no wait for the lock falls between the stamp and the commit.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})


def record(action: str, subject: Any = None, *, actor: Any = None, **details: Any) -> AuditEvent:
    """Append an event to the chain inside the current transaction (the caller commits)."""
    session = db.session
    session.flush()  # give new subjects their ids
    lock_chain()
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    subject_type, subject_id = _subject(subject)
    actor_id, actor_label = _actor(actor)
    ev = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        occurred_at=clock.now(),
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=_canonical(details),
        prev_hash=last.hash if last else GENESIS,
    )
    ev.hash = compute_hash(_fields(ev))
    session.add(ev)
    session.flush()
    return ev


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying the chain."""

    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """Tell whether every row verified."""
        return self.broken_seq is None


def verify_chain(events: Iterable[AuditEvent]) -> ChainReport:
    """Check each row's hash and link in seq order; report the first broken row."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for ev in events:
        if ev.seq != expected_seq:
            return ChainReport(checked, ev.seq, f"sequence gap: expected {expected_seq}")
        if ev.prev_hash != expected_prev:
            return ChainReport(checked, ev.seq, "link to the previous row does not match")
        if compute_hash(_fields(ev)) != ev.hash:
            return ChainReport(checked, ev.seq, "row content does not match its hash")
        expected_prev, expected_seq, checked = ev.hash, expected_seq + 1, checked + 1
    return ChainReport(checked)


def verify_database() -> ChainReport:
    """Verify the whole chain stored in the database, streaming rows in order."""
    stmt = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000)
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
]
for _sql in SQLITE_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
for _sql in PG_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))
