"""Votes: a company's current vote on a ballot (one row per ballot and company) and every revision."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


def new_receipt() -> str:
    """Return a fresh receipt code such as 'K7QM-2XWA-9PLD-RT4C'."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def current_votes(ballot_id: int) -> list[Vote]:
    """Return the counted votes of a ballot, by company name."""
    stmt = (select(Vote).join(Company, Company.id == Vote.company_id)
            .where(Vote.ballot_id == ballot_id).order_by(Company.name))
    return list(db.session.scalars(stmt))


triggers.attach({name: db.metadata.tables[name] for name in ("vote", "vote_revision")})
