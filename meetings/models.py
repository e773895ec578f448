"""Meetings: the meeting, its agenda and +1s, attendance, decisions, action items, reminders."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db import UTCDateTime, db
from core.members import Company
from core.users import User
from meetings.rules import ActionStatus, MeetingState
from voting.models import Ballot

STATES = "', '".join(s.value for s in MeetingState)
ACTION_STATES = "', '".join(s.value for s in ActionStatus)


class Meeting(db.Model):
    """A video call of the consortium; its minutes are public once published."""

    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint(f"state IN ('{STATES}')", name="state_known"),
        CheckConstraint("duration_minutes BETWEEN 1 AND 1440", name="duration_range"),
        CheckConstraint("(state = 'published') = (published_at IS NOT NULL)",
                        name="published_when_published"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(32), default="", index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    call_link: Mapped[str] = mapped_column(String(500), default="")
    members_notes: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default=MeetingState.SCHEDULED.value)
    minutes: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar: bumped on change
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position, AgendaItem.id")
    attendees: Mapped[list[MeetingAttendance]] = relationship(
        back_populates="meeting", order_by="MeetingAttendance.id", cascade="all, delete-orphan")
    actions: Mapped[list[ActionItem]] = relationship(
        back_populates="meeting", order_by="ActionItem.id")

    @property
    def ends_at(self) -> datetime:
        """Return the planned end."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        """Tell whether the agenda, attendance and decisions may still change."""
        return self.state == MeetingState.SCHEDULED

    @property
    def is_published(self) -> bool:
        """Tell whether the minutes are public."""
        return self.state == MeetingState.PUBLISHED

    def attending_companies(self) -> list[Company]:
        """Return the companies represented by an attending representative, by name."""
        found = {a.company.id: a.company for a in self.attendees if a.company is not None}
        return sorted(found.values(), key=lambda c: c.name)

    @staticmethod
    def next_after(moment: datetime) -> Meeting | None:
        """Return the first scheduled meeting starting after a moment."""
        stmt = select(Meeting).where(Meeting.state == MeetingState.SCHEDULED.value,
                                     Meeting.starts_at > moment).order_by(Meeting.starts_at)
        return db.session.scalars(stmt.limit(1)).first()


class AgendaItem(db.Model):
    """A topic proposed for a meeting; it may point to a proposal, ballot, survey or item."""

    __tablename__ = "agenda_item"
    __table_args__ = (
        CheckConstraint("link_kind IN ('', 'proposal', 'ballot', 'survey', 'roadmap_item')",
                        name="link_kind_known"),
        CheckConstraint("(link_kind = '') = (link_id IS NULL)", name="link_complete"),
        # An open action item is carried to a meeting's agenda once.
        Index("uq_agenda_item_carried", "meeting_id", "carried_action_id", unique=True,
              sqlite_where=text("carried_action_id IS NOT NULL"),
              postgresql_where=text("carried_action_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    link_kind: Mapped[str] = mapped_column(String(20), default="")
    link_id: Mapped[int | None] = mapped_column(Integer)
    carried_action_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_item.id"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    proposed_by: Mapped[User | None] = relationship()
    company: Mapped[Company | None] = relationship()
    endorsements: Mapped[list[AgendaEndorsement]] = relationship(order_by="AgendaEndorsement.id")
    decision: Mapped[MeetingDecision | None] = relationship(back_populates="item")
    carried_action: Mapped[ActionItem | None] = relationship(foreign_keys=[carried_action_id])

    def endorser_ids(self) -> set[int]:
        """Return the ids of the companies that +1'd the item."""
        return {e.company_id for e in self.endorsements}


class AgendaEndorsement(db.Model):
    """A company's +1 on an agenda item (once per company: a unique key)."""

    __tablename__ = "agenda_endorsement"
    __table_args__ = (UniqueConstraint("agenda_item_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    company: Mapped[Company] = relationship()


class MeetingAttendance(db.Model):
    """Who attended: a representative (with the company) or a guest by name."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        CheckConstraint("(user_id IS NOT NULL AND company_id IS NOT NULL) OR "
                        "(user_id IS NULL AND guest_name <> '')", name="person_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"))
    guest_name: Mapped[str] = mapped_column(String(120), default="")
    organisation: Mapped[str] = mapped_column(String(120), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    user: Mapped[User | None] = relationship()
    company: Mapped[Company | None] = relationship()

    @property
    def name(self) -> str:
        """Return the person's name."""
        return str(self.user) if self.user is not None else self.guest_name

    @property
    def group(self) -> str:
        """Return the company (or the guest's organisation) the person is listed under."""
        if self.company is not None:
            return self.company.name
        return self.organisation or "Guests"


class MeetingDecision(db.Model):
    """An agenda item decided: the sense of the meeting, or a ballot opened to all members."""

    __tablename__ = "meeting_decision"
    __table_args__ = (
        CheckConstraint("method IN ('sense', 'consensus_round', 'vote')", name="method_known"),
        CheckConstraint("method = 'sense' OR ballot_id IS NOT NULL", name="ballot_when_ballot"),
        CheckConstraint("method <> 'sense' OR outcome IS NOT NULL", name="outcome_when_sense"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), unique=True)
    method: Mapped[str] = mapped_column(String(20))
    proposal: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The consensus round or vote: opened here, or confirming the sense of the meeting.
    ballot_id: Mapped[int | None] = mapped_column(ForeignKey("ballot.id"), unique=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    item: Mapped[AgendaItem] = relationship(back_populates="decision")
    ballot: Mapped[Ballot | None] = relationship()
    positions: Mapped[list[SensePosition]] = relationship(
        order_by="SensePosition.id", cascade="all, delete-orphan")

    def words(self) -> str:
        """Say the decision and where it stands, in one line."""
        parts = [self.outcome["summary"]] if self.outcome else []
        if self.ballot is not None:
            what = "Confirmation round" if self.method == "sense" else (
                "Consensus round" if self.method == "consensus_round" else "Vote")
            ballot = self.ballot
            if ballot.published_at is not None and ballot.outcome:
                parts.append(f"{what} #{ballot.id}: {ballot.outcome['summary']}")
            else:
                parts.append(f"{what} #{ballot.id} open to all member companies until "
                             f"{ballot.closes_at:%Y-%m-%d %H:%M} UTC")
        return " ".join(parts)


class SensePosition(db.Model):
    """One attending company's position when the chair took the sense of the meeting."""

    __tablename__ = "meeting_position"
    __table_args__ = (
        UniqueConstraint("decision_id", "company_id"),
        CheckConstraint("response IN ('support', 'stand_aside', 'object')", name="response_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("meeting_decision.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    response: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")

    company: Mapped[Company] = relationship()


class ActionItem(db.Model):
    """Work agreed in a meeting: an owner (person and company), a due date and a status."""

    __tablename__ = "action_item"
    __table_args__ = (
        CheckConstraint(f"status IN ('{ACTION_STATES}')", name="status_known"),
        CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="closed_when_closed"),
        CheckConstraint("owner_user_id IS NOT NULL OR owner_name <> ''", name="owner_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    owner_company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"))
    owner_name: Mapped[str] = mapped_column(String(120), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.OPEN.value, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship()
    owner_company: Mapped[Company | None] = relationship()

    @property
    def owner_label(self) -> str:
        """Say who owns it: 'Name (Company)'."""
        who = str(self.owner) if self.owner is not None else self.owner_name
        return f"{who} ({self.owner_company.name})" if self.owner_company else who


class ActionReminder(db.Model):
    """The one reminder of an action item's due date: claimed, then sent (cycles.notify runs it)."""

    __tablename__ = "action_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_item.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    email: Mapped[str] = mapped_column(String(254))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
