"""Ballots, their options and electorate, votes with every revision, and stored outcomes."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core import clock
from core.db import UTCDateTime, db
from core.members import Company
from core.users import User
from voting.ballot_rules import BallotSpec, Phase, Secrecy, Stage, commitment, phase
from voting.rules import Kind, Threshold, TieBreak
from voting.tally import Unranked


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class BallotError(ValueError):
    """A ballot move or vote the rules refuse; the message says why (HTTP status: `status`)."""

    status = 422  # the request's content is wrong


class WrongPhase(BallotError):
    """The ballot is not in a phase that allows this (too early, closed, already counted)."""

    status = 409


class NotEntitled(BallotError):
    """The person may not do this on this ballot (not a voter of its electorate)."""

    status = 403


class Ballot(db.Model):
    """A decision put to the member companies: consensus round, motion, or choice."""

    __tablename__ = "ballot"
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="window_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[Kind] = mapped_column(_enum(Kind, "ballot_kind"))
    stage: Mapped[Stage] = mapped_column(_enum(Stage, "ballot_stage"), default=Stage.DRAFT)
    secrecy: Mapped[Secrecy] = mapped_column(_enum(Secrecy, "ballot_secrecy"),
                                             default=Secrecy.OPEN)
    quorum: Mapped[str] = mapped_column(String(40), default="more than 1/2")
    threshold: Mapped[Threshold] = mapped_column(_enum(Threshold, "ballot_threshold"),
                                                 default=Threshold.SIMPLE_MAJORITY)
    tie_break: Mapped[TieBreak] = mapped_column(_enum(TieBreak, "ballot_tie_break"),
                                                default=TieBreak.STATUS_QUO)
    unranked: Mapped[Unranked] = mapped_column(_enum(Unranked, "ballot_unranked"),
                                               default=Unranked.LAST)
    allow_equal_ranks: Mapped[bool] = mapped_column(Boolean, default=True)
    default_option: Mapped[str | None] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("ballot.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Lot: the secret is fixed when the ballot opens and only its hash is shown until decided.
    lot_secret: Mapped[str | None] = mapped_column(String(64))
    lot_commitment: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    casting_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    statement: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    options: Mapped[list[Option]] = relationship(
        back_populates="ballot", order_by="Option.position", cascade="all, delete-orphan")
    electors: Mapped[list[Elector]] = relationship(cascade="all, delete-orphan")
    parent: Mapped[Ballot | None] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    casting_by: Mapped[User | None] = relationship(foreign_keys=[casting_by_id])

    def __init__(self, **kwargs: Any):
        # Column defaults apply only at INSERT; rules read these before the first flush.
        for name, value in (("stage", Stage.DRAFT), ("secrecy", Secrecy.OPEN),
                            ("quorum", "more than 1/2"), ("threshold", Threshold.SIMPLE_MAJORITY),
                            ("tie_break", TieBreak.STATUS_QUO), ("unranked", Unranked.LAST),
                            ("allow_equal_ranks", True), ("statement", ""), ("text", "")):
            kwargs.setdefault(name, value)
        super().__init__(**kwargs)

    @validates("kind", "stage", "secrecy", "threshold", "tie_break", "unranked")
    def _coerce_enum(self, key: str, value: Any) -> Any:
        """Store enum members even when given their string values."""
        enum_type = {"kind": Kind, "stage": Stage, "secrecy": Secrecy, "threshold": Threshold,
                     "tie_break": TieBreak, "unranked": Unranked}[key]
        return enum_type(value)

    def phase(self, now: datetime | None = None) -> Phase:
        """Return the phase at a moment (now by default)."""
        return phase(self.stage, self.opens_at, self.closes_at, now or clock.now())

    def spec(self) -> BallotSpec:
        """Return the counting rules fixed on the ballot."""
        labels = () if self.kind in (Kind.CONSENSUS, Kind.MOTION) else tuple(
            o.label for o in self.options)
        return BallotSpec(self.kind, labels, self.quorum,
                          self.threshold, self.tie_break, self.unranked, self.allow_equal_ranks,
                          self.default_option)

    def elector_ids(self) -> set[int]:
        """Return the ids of the companies that may vote."""
        return {e.company_id for e in self.electors}

    def has_elector(self, company_id: int) -> bool:
        """Tell whether a company may vote (one indexed lookup, not the whole electorate)."""
        stmt = select(Elector.id).where(Elector.ballot_id == self.id,
                                        Elector.company_id == company_id)
        return db.session.scalar(stmt.limit(1)) is not None

    def open(self, excluded_company_id: int | None = None) -> list[Company]:
        """Move a draft to open, snapshotting the electorate and committing the lot secret."""
        if self.stage is not Stage.DRAFT:
            raise BallotError(f"only a draft can be opened; this ballot is {self.phase()}")
        if self.closes_at <= clock.now():
            raise BallotError("the closing time has already passed; edit the dates first")
        if self.kind in (Kind.PLURALITY, Kind.APPROVAL, Kind.RANKED) and len(self.options) < 2:
            raise BallotError("a choice ballot needs at least two options")
        members = [c for c in Company.members_on(self.opens_at.date())
                   if c.id != excluded_company_id]
        if not members:
            raise BallotError("no company is a member on the opening date")
        self.electors = [Elector(company=c) for c in members]
        self.lot_secret = secrets.token_hex(32)
        self.lot_commitment = commitment(self.lot_secret)
        self.stage, self.opened_at = Stage.OPEN, clock.now()
        return members

    def require_phase(self, *allowed: Phase) -> None:
        """Refuse unless the ballot is in one of the allowed phases."""
        current = self.phase()
        if current not in allowed:
            raise WrongPhase(f"this ballot is {current}; that is possible only when "
                              f"{' or '.join(p.value for p in allowed)}")


class Option(db.Model):
    """One option of a choice ballot."""

    __tablename__ = "ballot_option"
    __table_args__ = (UniqueConstraint("ballot_id", "label"),
                      UniqueConstraint("ballot_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))

    ballot: Mapped[Ballot] = relationship(back_populates="options")


class Elector(db.Model):
    """A company entitled to vote on a ballot (snapshot taken when the ballot opens)."""

    __tablename__ = "ballot_elector"
    __table_args__ = (UniqueConstraint("ballot_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))

    company: Mapped[Company] = relationship()


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
