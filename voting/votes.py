"""Votes: a company's current vote on a ballot (one row per ballot and company) and every revision."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    bindparam,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import audit
from core.db import UTCDateTime, db
from core.members import Company
from core.users import User
from voting import triggers


class Vote(db.Model):
    """A company's current vote on a ballot: exactly one row per (ballot, company)."""

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("ballot_id", "company_id"),
                      CheckConstraint("version >= 1", name="version_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    choice: Mapped[dict[str, Any]] = mapped_column(JSON)
    receipt: Mapped[str] = mapped_column(String(24), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime)

    company: Mapped[Company] = relationship()
    cast_by: Mapped[User] = relationship()


class VoteRevision(db.Model):
    """Every version of every vote, kept: who cast it, when, what, with which receipt."""

    __tablename__ = "vote_revision"
    __table_args__ = (UniqueConstraint("ballot_id", "company_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    version: Mapped[int] = mapped_column(Integer)
    choice: Mapped[dict[str, Any]] = mapped_column(JSON)
    receipt: Mapped[str] = mapped_column(String(24))
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime)

    cast_by: Mapped[User] = relationship()


RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_receipt() -> str:
    """Return a fresh receipt code such as 'K7QM-2XWA-9PLD-RT4C' (80 random bits)."""
    # One read of the system's randomness, not one per letter (secrets.choice); 32 letters
    # divide 256, so each random byte picks a letter uniformly.
    raw = "".join(RECEIPT_ALPHABET[byte % len(RECEIPT_ALPHABET)]
                  for byte in secrets.token_bytes(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def lock_for_vote(ballot_id: int, company_id: int, lane: int, conn: Any = None) -> tuple[int, Any]:
    """Lock the company's vote row and read the head of the audit lane held, in one statement.

    Returns the company's next version and the head (seq and hash). The caller holds the
    lane's lock, so neither can change before it commits.
    """
    found = (conn or db.session.connection()).execute(LOCK_AND_HEAD, {
        "ballot": ballot_id, "company": company_id, "lane": lane}).one()
    return (found.version or 0) + 1, found


def store_vote(vote: dict[str, Any], event: dict[str, Any], conn: Any = None) -> None:
    """Write the vote (new, or its next version), its revision and its audit event.

    Core statements built once, not the ORM's unit of work: this is the hot path of a
    deadline surge. On PostgreSQL the three rows go in one statement (one round trip under
    the lane's lock); SQLite, which has no writing CTEs, takes three.
    """
    conn = conn or db.session.connection()
    params = {**vote, **{f"audit_{name}": value for name, value in event.items()}}
    if conn.dialect.name == "postgresql":
        conn.execute(WRITE_ALL, params)
        return
    for statement in WRITE_EACH:
        conn.execute(statement, params)


def _write_statements() -> tuple[Any, tuple[Any, ...]]:
    """Build the PostgreSQL one-statement write and the SQLite three-statement one.

    Written as SQL text with typed parameters: SQLAlchemy does not cache the compiled form
    of an upsert with ON CONFLICT DO UPDATE, and compiling it took a third of a vote's time.
    """
    cols = ("ballot_id", "company_id", "choice", "receipt", "version", "cast_by_id", "cast_at")
    changed = ", ".join(f"{c} = excluded.{c}" for c in cols[2:])
    values = f"({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
    upsert = (f"INSERT INTO vote {values} "
              f"ON CONFLICT (ballot_id, company_id) DO UPDATE SET {changed}")
    revision = f"INSERT INTO vote_revision {values}"
    events = [c for c in audit.AuditEvent.__table__.c if c.name != "id"]
    event = (f"INSERT INTO audit_event ({', '.join(c.name for c in events)}) "
             f"VALUES ({', '.join(':audit_' + c.name for c in events)})")
    types = [*(bindparam(c, type_=VOTE.c[c].type) for c in cols),
             *(bindparam(f"audit_{c.name}", type_=c.type) for c in events)]

    def typed(sql: str) -> Any:
        return text(sql).bindparams(*(b for b in types if f":{b.key}" in sql))

    together = typed(f"WITH vote_row AS ({upsert}), revision_row AS ({revision}) {event}")
    return together, tuple(typed(sql) for sql in (upsert, revision, event))


def current_votes(ballot_id: int) -> list[Vote]:
    """Return the counted votes of a ballot, by company name."""
    stmt = (select(Vote).join(Company, Company.id == Vote.company_id)
            .where(Vote.ballot_id == ballot_id).order_by(Company.name))
    return list(db.session.scalars(stmt))


VOTE = Vote.__table__
LOCK_AND_HEAD = select(
    select(VOTE.c.version).where(VOTE.c.ballot_id == bindparam("ballot"),
                                 VOTE.c.company_id == bindparam("company"))
    .with_for_update().scalar_subquery().label("version"),
    *audit.HEAD_COLUMNS)
WRITE_ALL, WRITE_EACH = _write_statements()
triggers.attach({name: db.metadata.tables[name] for name in ("vote", "vote_revision")})
