"""Migrations: `upgrade head` on an empty database yields the models' schema; `downgrade base` works."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from core.db import db


def test_upgrade_matches_models_and_downgrade_empties(empty_database_url, app_factory):
    app = app_factory(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"migrations and models differ: {diff}"
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()  # and back up again: downgrade left nothing behind (e.g. enum types)
        db.engine.dispose()


def test_audit_triggers_exist_after_migration(empty_database_url, app_factory):
    app = app_factory(empty_database_url)
    with app.app_context():
        upgrade()
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO audit_event (seq, occurred_at, actor_label, action, subject_type,"
                " details, prev_hash, hash) VALUES (1, CURRENT_TIMESTAMP, 's', 'a', 't', '{}',"
                " 'p', 'h')"))
            conn.execute(text("DELETE FROM audit_event"))
        db.engine.dispose()


def test_0019_adds_the_lane_head_function_on_postgresql(empty_database_url, app_factory,
                                                       is_postgres):
    if not is_postgres:
        pytest.skip("the function is PostgreSQL's (SQLite votes read the head after the lock)")
    app = app_factory(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            for seq in (1, 2):
                conn.execute(text(
                    "INSERT INTO audit_event (lane, seq, occurred_at, actor_label, action, "
                    "subject_type, details, prev_hash, hash) VALUES (3, :seq, CURRENT_TIMESTAMP,"
                    " 's', 'a', 't', '{}', :prev, :hash)"), {"seq": seq, "prev": f"p{seq}",
                                                           "hash": f"h{seq}"})
            assert conn.execute(text("SELECT * FROM audit_lane_head(3)")).all() == [(2, "h2")]
            assert conn.execute(text("SELECT * FROM audit_lane_head(4)")).all() == []
            volatility = conn.execute(text(
                "SELECT provolatile FROM pg_proc WHERE proname = 'audit_lane_head'")).scalar()
            assert volatility == "v"  # a fresh snapshot for its query, the reason it exists
        downgrade(revision="0018")
        with db.engine.connect() as conn:
            assert conn.execute(text(
                "SELECT count(*) FROM pg_proc WHERE proname = 'audit_lane_head'")).scalar() == 0
        db.engine.dispose()


def test_0007_keeps_the_rules_of_ballots_already_open(empty_database_url, app_factory):
    """Existing ballots: the quorum becomes a typed fraction, an open casting-vote ballot keeps the
    chair who was in office when it opened, and a past opening time becomes the opening moment."""
    from datetime import UTC, date, datetime

    from sqlalchemy import MetaData, Table

    app = app_factory(empty_database_url)
    opened = datetime(2026, 5, 2, 9, tzinfo=UTC)
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as conn:
            meta = MetaData()
            table = {name: Table(name, meta, autoload_with=conn)
                     for name in ("user_account", "company", "chair_term", "ballot")}
            user = conn.execute(table["user_account"].insert().values(
                issuer="i", subject="s", name="Carol", email_verified=True, timezone="UTC",
                is_admin=False, created_at=opened)).inserted_primary_key[0]
            company = conn.execute(table["company"].insert().values(
                name="AT&T", slug="att", operator_or_nsp=True, dedicated_ftes=1, upstream_ftes=1,
                criteria_notes="", created_at=opened)).inserted_primary_key[0]
            conn.execute(table["chair_term"].insert().values(
                user_id=user, company_id=company, starts_on=date(2026, 1, 1),
                ends_on=date(2027, 1, 1), created_at=opened))
            common = {"text": "", "kind": "motion", "secrecy": "open", "threshold":
                      "simple_majority", "unranked": "last", "allow_equal_ranks": True,
                      "closes_at": datetime(2026, 5, 9, tzinfo=UTC), "created_at": opened,
                      "statement": ""}
            conn.execute(table["ballot"].insert().values(
                title="Open", stage="open", quorum="at least 2/3", tie_break="casting_vote",
                opens_at=datetime(2026, 5, 1, tzinfo=UTC), opened_at=opened, **common))
            conn.execute(table["ballot"].insert().values(
                title="Draft", stage="draft", quorum="none", tie_break="casting_vote",
                opens_at=datetime(2026, 5, 1, tzinfo=UTC), **common))
        upgrade()
        rows = {r.title: r for r in db.session.execute(text(
            "SELECT title, quorum_numerator, quorum_denominator, quorum_strict, casting_voter_id,"
            " opens_at, tie_break_fallback FROM ballot"))}
        assert (rows["Open"].quorum_numerator, rows["Open"].quorum_denominator) == (2, 3)
        assert not rows["Open"].quorum_strict and rows["Open"].casting_voter_id == user
        assert str(rows["Open"].opens_at).startswith("2026-05-02 09:00")
        assert (rows["Draft"].quorum_numerator, rows["Draft"].casting_voter_id) == (0, None)
        assert rows["Draft"].tie_break_fallback == "lot"
        db.session.remove()
        db.engine.dispose()


def test_0018_keeps_an_existing_chain_valid_in_lane_0(empty_database_url, app_factory):
    """Rows written before lanes verify as lane 0; (lane, seq) is unique; rows stay append-only."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import MetaData, Table

    from core import audit

    def old_hash(row: dict) -> str:
        """Hash a row as before lanes: no "lane" field."""
        return audit.compute_hash({**{k: row[k] for k in (
            "seq", "actor_id", "actor_label", "action", "subject_type", "subject_id", "details",
            "prev_hash")}, "occurred_at": row["occurred_at"].isoformat()})

    def refuses_changes() -> None:
        for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
            with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
                conn.execute(text(statement))

    app = app_factory(empty_database_url)
    with app.app_context():
        upgrade(revision="0017")
        with db.engine.begin() as conn:
            table = Table("audit_event", MetaData(), autoload_with=conn)
            assert "lane" not in table.c
            prev = audit.GENESIS
            for seq in (1, 2, 3):
                row = {"seq": seq, "occurred_at": datetime(2026, 5, 2, 9, tzinfo=UTC)
                       + timedelta(minutes=seq), "actor_id": None, "actor_label": "system",
                       "action": "old.action", "subject_type": "site", "subject_id": str(seq),
                       "details": {"n": seq, "note": "before lanes"}, "prev_hash": prev}
                row["hash"] = prev = old_hash(row)
                conn.execute(table.insert().values(**row))
        upgrade()
        report = audit.verify_database()
        assert report.ok and report.checked == 3, report
        assert db.session.execute(text("SELECT DISTINCT lane FROM audit_event")).scalars().all() == [0]
        uniques = {tuple(u["column_names"]) for u in inspect(db.engine).get_unique_constraints(
            "audit_event")}
        assert ("lane", "seq") in uniques and ("seq",) not in uniques
        db.session.rollback()
        refuses_changes()
        audit.record("new.action", "site", actor=None)  # the chain goes on in lane 0
        db.session.commit()
        report = audit.verify_database()
        assert report.ok and report.checked == 4, report
        assert db.session.execute(text("SELECT lane, seq FROM audit_event WHERE action = "
                                        "'new.action'")).one() == (0, 4)
        db.session.remove()
        downgrade(revision="0017")
        assert "lane" not in {c["name"] for c in inspect(db.engine).get_columns("audit_event")}
        uniques = {tuple(u["column_names"]) for u in inspect(db.engine).get_unique_constraints(
            "audit_event")}
        assert ("seq",) in uniques
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT seq FROM audit_event ORDER BY seq")).scalars().all() \
                == [1, 2, 3, 4]
        refuses_changes()
        db.engine.dispose()
