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
