"""The annual cycles' records: nominations, revocations, chair elections, notifications, preferences.

Each cycle record links one ballot (unique) and, once the chair publishes that ballot's
outcome, holds its resolution: applied to the register, rejected by the vote, or not applied
(the register refused; `resolution_note` says why).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db import UTCDateTime, db
from core.members import ChairTerm, Company
from core.users import User
from cycles.due import NoticeKind
from surveys.models import Survey
from voting.models import Ballot


class Resolution(StrEnum):
    """What publishing the linked ballot's outcome did to the register."""

    APPLIED = "applied"  # the proposal carried and the register changed
    REJECTED = "rejected"  # the proposal did not carry; nothing changed
    NOT_APPLIED = "not_applied"  # it carried but the register refused the change (see the note)


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


RESOLUTION_ENUM = _enum(Resolution, "cycle_resolution")
RESOLVED_TOGETHER = ("(resolution IS NULL AND resolved_at IS NULL) OR "
                     "(resolution IS NOT NULL AND resolved_at IS NOT NULL)")


def _pending_index(table: str) -> Index:
    """At most one unresolved proposal per company."""
    where = text("resolved_at IS NULL")
    return Index(f"uq_{table}_pending_company", "company_id", unique=True,
                 sqlite_where=where, postgresql_where=where)


class Resolved:
    """Columns and behaviour shared by records resolved when their ballot is published."""

    resolution: Mapped[Resolution | None] = mapped_column(RESOLUTION_ENUM)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_note: Mapped[str] = mapped_column(Text, default="")

    def resolve(self, resolution: Resolution, note: str = "") -> None:
        """Record the resolution once."""
        if self.resolution is not None:
            raise ValueError("this record is already resolved")
        self.resolution, self.resolved_at, self.resolution_note = resolution, clock.now(), note


class Nomination(Resolved, db.Model):
    """A candidate company nominated by a member's representative, put to a consensus round."""

    __tablename__ = "nomination"
    __table_args__ = (
        CheckConstraint("dedicated_ftes >= 0", name="dedicated_ftes_nonneg"),
        CheckConstraint("upstream_ftes >= 0", name="upstream_ftes_nonneg"),
        CheckConstraint("company_id <> nominating_company_id", name="not_self"),
        CheckConstraint(RESOLVED_TOGETHER, name="resolved_together"),
        _pending_index("nomination"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), unique=True)
    nominated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    nominating_company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    operator_or_nsp: Mapped[bool] = mapped_column(Boolean)
    participates: Mapped[bool] = mapped_column(Boolean)
    dedicated_ftes: Mapped[int] = mapped_column(Integer)
    upstream_ftes: Mapped[int] = mapped_column(Integer)
    contacts: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(Text, default="")
    member_from: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    # Objections (company and reason) copied from the round when it is published: members only.
    objections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    company: Mapped[Company] = relationship(foreign_keys=[company_id])
    nominating_company: Mapped[Company] = relationship(foreign_keys=[nominating_company_id])
    nominated_by: Mapped[User] = relationship()
    ballot: Mapped[Ballot] = relationship()


class RevocationProposal(Resolved, db.Model):
    """A board motion that a member no longer meets the criteria; that member does not vote."""

    __tablename__ = "revocation"
    __table_args__ = (
        CheckConstraint("company_id <> proposer_company_id", name="not_self"),
        CheckConstraint(RESOLVED_TOGETHER, name="resolved_together"),
        _pending_index("revocation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), unique=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    proposer_company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    grounds: Mapped[str] = mapped_column(Text)
    effective_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    company: Mapped[Company] = relationship(foreign_keys=[company_id])
    proposer_company: Mapped[Company] = relationship(foreign_keys=[proposer_company_id])
    proposed_by: Mapped[User] = relationship()
    ballot: Mapped[Ballot] = relationship()


class ChairElection(Resolved, db.Model):
    """The yearly chair election: candidacies, then a ranked or single-choice ballot."""

    __tablename__ = "chair_election"
    __table_args__ = (
        CheckConstraint("method IN ('ranked', 'plurality')", name="method_known"),
        CheckConstraint("tie_break IN ('casting_vote', 'lot')", name="tie_break_known"),
        CheckConstraint("secrecy IN ('open', 'secret')", name="secrecy_known"),
        CheckConstraint(RESOLVED_TOGETHER, name="resolved_together"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(20), default="ranked")
    tie_break: Mapped[str] = mapped_column(String(20), default="casting_vote")
    secrecy: Mapped[str] = mapped_column(String(10), default="secret")
    term_starts_on: Mapped[date] = mapped_column(Date)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    ballot_id: Mapped[int | None] = mapped_column(ForeignKey("ballot.id"), unique=True)
    chair_term_id: Mapped[int | None] = mapped_column(ForeignKey("chair_term.id"), unique=True)

    created_by: Mapped[User | None] = relationship()
    ballot: Mapped[Ballot | None] = relationship()
    chair_term: Mapped[ChairTerm | None] = relationship()
    candidacies: Mapped[list[ChairCandidacy]] = relationship(
        back_populates="election", order_by="ChairCandidacy.id", cascade="all, delete-orphan")

    def accepted(self) -> list[ChairCandidacy]:
        """Return the candidacies the nominees accepted, in nomination order."""
        return [c for c in self.candidacies if c.accepted_at is not None]


class ChairCandidacy(db.Model):
    """A member representative nominated for chair; on the ballot only once they accept."""

    __tablename__ = "chair_candidacy"
    __table_args__ = (
        UniqueConstraint("election_id", "user_id"),
        UniqueConstraint("election_id", "label"),
        CheckConstraint("accepted_at IS NULL OR declined_at IS NULL", name="one_answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("chair_election.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    label: Mapped[str] = mapped_column(String(200))
    nominated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    election: Mapped[ChairElection] = relationship(back_populates="candidacies")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    company: Mapped[Company] = relationship()
    nominated_by: Mapped[User] = relationship(foreign_keys=[nominated_by_id])

    @property
    def answer(self) -> str:
        """Return accepted, declined or awaiting."""
        if self.accepted_at:
            return "accepted"
        return "declined" if self.declined_at else "awaiting"


class UserPreference(db.Model):
    """A user's e-mail preferences (kept here so core's User needs no new column)."""

    __tablename__ = "user_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    @staticmethod
    def for_user(user_id: int) -> UserPreference:
        """Return the user's preferences (defaults when none are stored yet)."""
        return db.session.get(UserPreference, user_id) or UserPreference(user_id=user_id,
                                                                         reminders=True)


# A notice is about exactly one thing: a ballot or a survey (for one user), or an invitation.
ONE_SUBJECT = (
    "(ballot_id IS NOT NULL AND survey_id IS NULL AND invitation_id IS NULL AND user_id IS NOT NULL)"
    " OR (survey_id IS NOT NULL AND ballot_id IS NULL AND invitation_id IS NULL"
    " AND user_id IS NOT NULL)"
    " OR (invitation_id IS NOT NULL AND ballot_id IS NULL AND survey_id IS NULL)")


class NotificationLog(db.Model):
    """One notification: claimed, then sent or failed; the unique keys make sending idempotent."""

    __tablename__ = "notification_log"
    __table_args__ = (
        # A ballot or survey notice goes once per kind, subject and user; an invitation notice
        # once per kind and invitation.
        UniqueConstraint("kind", "ballot_id", "user_id"),
        UniqueConstraint("kind", "survey_id", "user_id"),
        UniqueConstraint("kind", "invitation_id"),
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
        CheckConstraint("attempts >= 0", name="attempts_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind, "notification_kind"))
    ballot_id: Mapped[int | None] = mapped_column(ForeignKey("ballot.id"), index=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey(Survey.id), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    email: Mapped[str] = mapped_column(String(254))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
