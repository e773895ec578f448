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
