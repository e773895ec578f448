"""The audit chain: appends in the change's transaction, verifies, detects tampering."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from core import audit
from core.audit import AuditError, AuditEvent
from core.db import db


def _events():
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def test_chain_links_and_verifies(app, make_company):
    make_company("AT&T")
    make_company("NTT")
    audit.record("test.action", "site", actor=None, note="hello", n=3)
    db.session.commit()
    events = _events()
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == audit.GENESIS
    assert events[1].prev_hash == events[0].hash
    assert events[2].details == {"note": "hello", "n": 3}
    report = audit.verify_database()
    assert report.ok and report.checked == 3


def test_rolled_back_change_leaves_no_audit_row(app, make_company):
    make_company("AT&T")
    audit.record("test.action", "site", actor=None)
    db.session.rollback()
    assert len(_events()) == 1


def test_orm_refuses_update_and_delete(app, make_company):
    make_company("AT&T")
    ev = _events()[0]
    ev.action = "forged"
    with pytest.raises(AuditError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(_events()[0])
    with pytest.raises(AuditError):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_raw_update(app, make_company):
    make_company("AT&T")
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("UPDATE audit_event SET action = 'forged'"))
    db.session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("DELETE FROM audit_event"))
    db.session.rollback()


def _disable_triggers() -> None:
    """Play an attacker with owner rights on the database."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change"))
    else:
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))


def _enable_triggers() -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change"))
        db.session.commit()


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("action", "'company.forged'", "content does not match"),
        ("details", "'{}'", "content does not match"),
        ("prev_hash", "'" + "f" * 64 + "'", "link to the previous row"),
    ],
)
def test_tampered_row_is_detected(app, make_company, runner, column, value, reason):
    for name in ("AT&T", "NTT", "Orange"):
        make_company(name)
    _disable_triggers()
    db.session.execute(text(f"UPDATE audit_event SET {column} = {value} WHERE seq = 2"))
    db.session.commit()
    try:
        report = audit.verify_database()
        assert not report.ok
        assert report.broken_seq == 2 and report.checked == 1
        assert reason in report.reason
        result = runner.invoke(args=["audit", "verify"])
        assert result.exit_code == 1
        assert "BROKEN at seq 2" in result.output
    finally:
        _enable_triggers()


def test_cli_verify_ok(app, make_company, runner):
    make_company("AT&T")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "1 events verified" in result.output
