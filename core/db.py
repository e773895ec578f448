"""Database handle, declarative base with a constraint naming convention, and shared column types."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, TypeDecorator, event, exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints make Alembic migrations deterministic on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
INT_MAX = 2**31 - 1  # the largest PostgreSQL `integer`: ids and counts above it cannot be stored
PING_AFTER_IDLE = 1.0  # seconds a pooled connection may rest before it is pinged at checkout


def ping_when_idle(engine: Engine, after: float = PING_AFTER_IDLE) -> None:
    """Ping a pooled connection at checkout if it rested `after` seconds or more, else trust it.

    SQLAlchemy's pre-ping costs a round trip on every request (a tenth of a vote). A server
    restart or a dropped connection happens while connections rest; one in use a moment ago
    is alive, and if it has just died the statement fails, SQLAlchemy discards the whole pool
    and the request gets the usual 503 with Retry-After. A dead rested one is replaced here
    (DisconnectionError makes the pool connect afresh), so no request sees it.
    """
    @event.listens_for(engine, "checkin")
    def _rested_from(dbapi_connection: Any, record: Any) -> None:
        record.info["rested_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_rested(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        rested_from = record.info.pop("rested_from", None)
        if rested_from is None or time.monotonic() - rested_from < after:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            if engine.dialect.is_disconnect(err, dbapi_connection, None):
                raise exc.DisconnectionError("connection lost while resting in the pool") from err
            raise


class UTCDateTime(TypeDecorator):
    """Store aware datetimes as UTC and always read them back aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        """Refuse naive datetimes; convert aware ones to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Concord stores aware UTC datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        """Attach UTC to values the backend returned naive."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def first_with_begin(conn: Connection, statement: Any, params: dict[str, Any]) -> Any | None:
    """Run a transaction's first statement with its BEGIN in the same round trip; first row.

    psycopg sends BEGIN on its own before a transaction's first statement: a round trip of
    its own. In psycopg's pipeline mode the two go together. SQLAlchemy cannot read results
    in pipeline mode, so this one statement goes to the driver's cursor (PostgreSQL only;
    the caller goes on with the same connection, whose transaction is then open). Values
    come back as the driver gives them (enums as text, times aware).
    """
    cached = _COMPILED.get(id(statement))
    if cached is None or cached[0] is not statement:  # compiled once per statement built
        cached = _COMPILED[id(statement)] = (statement, str(statement.compile(
            dialect=conn.dialect)))
    compiled = cached[1]
    if not conn.in_transaction():
        conn.begin()  # SQLAlchemy's side of it (psycopg sends BEGIN with the first statement)
    dbapi_connection = conn.connection.dbapi_connection
    try:
        with dbapi_connection.cursor() as cursor:
            with dbapi_connection.pipeline():
                cursor.execute(compiled, params)
            row = cursor.fetchone()
            names = [column.name for column in cursor.description]
    except conn.dialect.loaded_dbapi.Error as err:
        # As SQLAlchemy would: its own exception type (a lost database is a 503, not a 500),
        # and a connection the driver says is dead is not put back in the pool.
        lost = conn.dialect.is_disconnect(err, dbapi_connection, None)
        if lost:
            conn.invalidate(err)
        raise exc.DBAPIError.instance(compiled, params, err, conn.dialect.loaded_dbapi.Error,
                                      connection_invalidated=lost,
                                      dialect=conn.dialect) from err
    return None if row is None else SimpleNamespace(**dict(zip(names, row, strict=True)))


_COMPILED: dict[int, tuple[Any, str]] = {}  # holds the statement: its id stays its own
