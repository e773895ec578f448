"""core.db.first_with_begin: a transaction's first statement sent with its BEGIN (PostgreSQL)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, exc, text

from core.config import normalize_database_url
from core.db import db, first_with_begin


@pytest.fixture
def engine(is_postgres, database_url):
    if not is_postgres:
        pytest.skip("psycopg's pipeline mode is PostgreSQL's; the PostgreSQL pass runs this")
    engine = create_engine(normalize_database_url(database_url))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS pipeline_probe (id int PRIMARY KEY)"))
        conn.execute(text("DELETE FROM pipeline_probe"))
        conn.execute(text("INSERT INTO pipeline_probe VALUES (1)"))
    yield engine
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE pipeline_probe"))
    engine.dispose()


LOCK_ROW = text("SELECT id, id * 10 AS tenfold FROM pipeline_probe WHERE id = :id FOR UPDATE")


def test_returns_the_first_row_by_name_or_none(engine):
    with engine.connect() as conn:
        row = first_with_begin(conn, LOCK_ROW, {"id": 1})
        assert (row.id, row.tenfold) == (1, 10)
    with engine.connect() as conn:
        assert first_with_begin(conn, LOCK_ROW, {"id": 2}) is None


def test_the_transaction_it_began_holds_its_locks_until_commit(engine):
    with engine.connect() as conn, engine.connect() as other:
        first_with_begin(conn, LOCK_ROW, {"id": 1})
        conn.execute(text("INSERT INTO pipeline_probe VALUES (2)"))  # the same transaction
        with pytest.raises(exc.OperationalError, match="could not obtain lock"):
            other.execute(text("SELECT 1 FROM pipeline_probe WHERE id = 1 FOR UPDATE NOWAIT"))
        other.rollback()
        conn.commit()
        assert other.execute(text(
            "SELECT count(*) FROM pipeline_probe WHERE id IN (1, 2)")).scalar() == 2


def test_a_failed_statement_is_sqlalchemys_error_and_rolls_back(engine):
    with engine.connect() as conn:
        with pytest.raises(exc.DataError, match="division by zero"):
            first_with_begin(conn, text("SELECT 1 / (:id - 1) AS x"), {"id": 1})
        conn.rollback()
        assert conn.execute(text("SELECT 1")).scalar() == 1


def test_a_lost_connection_is_an_operational_error_and_is_not_reused(engine, database_url):
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        conn.commit()
        killer = create_engine(normalize_database_url(database_url),
                               isolation_level="AUTOCOMMIT")
        with killer.connect() as k:
            k.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
        time.sleep(0.1)  # the server takes a moment to close the socket
        with pytest.raises(exc.OperationalError) as raised:
            first_with_begin(conn, LOCK_ROW, {"id": 1})
        assert raised.value.connection_invalidated
    with engine.connect() as conn:  # the pool connects afresh
        assert first_with_begin(conn, LOCK_ROW, {"id": 1}).id == 1


def test_the_app_engine_can_run_it(app, is_postgres):
    if not is_postgres:
        pytest.skip("PostgreSQL only")
    with db.engine.connect() as conn:
        assert first_with_begin(conn, text("SELECT 41 + 1 AS answer"), {}).answer == 42
