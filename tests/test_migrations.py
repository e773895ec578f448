"""Migrations: `upgrade head` on an empty database yields the models' schema; `downgrade base` works."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from core.db import db


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """Yield the URL of a brand-new empty database of the run's kind."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    url = make_url(database_url)
    name = f"concord_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
