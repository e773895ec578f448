"""The member register: companies with dated status, representatives, invitations, chair terms."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
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
    and_,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db import UTCDateTime, db
from core.member_rules import (
    CompanyStatus,
    RegisterError,
    StatusEntry,
    check_transition,
    joined_on,
    status_on,
)
from core.users import User

STATUS_ENUM = Enum(CompanyStatus, name="company_status", values_callable=lambda e: [m.value for m in e])


class RepKind(StrEnum):
    """A company's voting representative or an alternate; either may cast the company's vote."""

    REPRESENTATIVE = "representative"
    ALTERNATE = "alternate"


REP_KIND_ENUM = Enum(RepKind, name="rep_kind", values_callable=lambda e: [m.value for m in e])


class Company(db.Model):
    """A member or candidate company and the charter's criteria evidence."""

    __tablename__ = "company"
    __table_args__ = (
        CheckConstraint("dedicated_ftes >= 0", name="dedicated_ftes_nonneg"),
        CheckConstraint("upstream_ftes >= 0", name="upstream_ftes_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    operator_or_nsp: Mapped[bool] = mapped_column(Boolean, default=False)
    dedicated_ftes: Mapped[int] = mapped_column(Integer, default=0)
    upstream_ftes: Mapped[int] = mapped_column(Integer, default=0)
    criteria_notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    history: Mapped[list[CompanyStatusChange]] = relationship(
        back_populates="company", order_by="CompanyStatusChange.effective_on, CompanyStatusChange.id"
    )
    representatives: Mapped[list[Representative]] = relationship(back_populates="company")

    def __str__(self) -> str:
        return self.name

    def _entries(self) -> list[StatusEntry]:
        return [StatusEntry(h.status, h.effective_on) for h in self.history]

    def status_on(self, day: date | None = None) -> CompanyStatus | None:
        """Return the status in force on a day (today by default)."""
        return status_on(self._entries(), day or clock.today())

    @property
    def status(self) -> CompanyStatus | None:
        """Return today's status."""
        return self.status_on()

    @property
    def joined_on(self) -> date | None:
        """Return the start of the current (or latest) membership."""
        return joined_on(self._entries())

    def change_status(
        self, new: CompanyStatus, effective_on: date, reason: str, by: User | None
    ) -> CompanyStatusChange:
        """Append a dated status change, refusing moves the register's rules forbid."""
        check_transition(self._entries(), new, effective_on)
        change = CompanyStatusChange(
            status=new, effective_on=effective_on, reason=reason, recorded_by=by
        )
        self.history.append(change)
        return change

    @staticmethod
    def members_on(day: date) -> list[Company]:
        """Return the companies whose status on `day` is member, by name."""
        latest = (
            select(CompanyStatusChange.status)
            .where(
                CompanyStatusChange.company_id == Company.id,
                CompanyStatusChange.effective_on <= day,
            )
            .order_by(CompanyStatusChange.effective_on.desc(), CompanyStatusChange.id.desc())
            .limit(1)
            .correlate(Company)
            .scalar_subquery()
        )
        stmt = select(Company).where(latest == CompanyStatus.MEMBER).order_by(Company.name)
        return list(db.session.scalars(stmt))


class CompanyStatusChange(db.Model):
    """One dated entry of a company's status history."""

    __tablename__ = "company_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    status: Mapped[CompanyStatus] = mapped_column(STATUS_ENUM)
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    company: Mapped[Company] = relationship(back_populates="history")
    recorded_by: Mapped[User | None] = relationship()


class Representative(db.Model):
    """A user acting for a company between two dates (the end date is the last active day)."""

    __tablename__ = "representative"
    __table_args__ = (
        UniqueConstraint("user_id", "company_id", "start_on"),
        CheckConstraint("end_on IS NULL OR end_on >= start_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    kind: Mapped[RepKind] = mapped_column(REP_KIND_ENUM, default=RepKind.REPRESENTATIVE)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)

    user: Mapped[User] = relationship()
    company: Mapped[Company] = relationship(back_populates="representatives")

    @staticmethod
    def active_on(day: date) -> tuple:
        """Return SQL conditions selecting rows active on `day`."""
        return (
            Representative.start_on <= day,
            or_(Representative.end_on.is_(None), Representative.end_on >= day),
        )

    def is_active(self, day: date | None = None) -> bool:
        """Tell whether the row is active on a day (today by default)."""
        day = day or clock.today()
        return self.start_on <= day and (self.end_on is None or self.end_on >= day)

    @staticmethod
    def appoint(user: User, company: Company, kind: RepKind, start_on: date) -> Representative:
        """Create a representative row, refusing a second company for the same person."""
        clash = db.session.scalars(
            select(Representative).where(
                Representative.user_id == user.id,
                Representative.company_id != company.id,
                or_(Representative.end_on.is_(None), Representative.end_on >= start_on),
            )
        ).first()
        if clash is not None:
            raise RegisterError(f"{user} already acts for {clash.company}; end that first")
        same = db.session.scalars(
            select(Representative).where(
                Representative.user_id == user.id,
                Representative.company_id == company.id,
                or_(Representative.end_on.is_(None), Representative.end_on >= start_on),
            )
        ).first()
        if same is not None:
            raise RegisterError(f"{user} already acts for {company}")
        rep = Representative(user=user, company=company, kind=kind, start_on=start_on)
        db.session.add(rep)
        return rep

    def end(self, last_day: date) -> None:
        """Set the last active day, refusing one before the start."""
        if last_day < self.start_on:
            raise RegisterError("the last day cannot be before the first day")
        self.end_on = last_day


class Invitation(db.Model):
    """An invitation for an e-mail address to act for a company, bound at verified sign-in."""

    __tablename__ = "invitation"
    __table_args__ = (
        Index(
            "uq_invitation_open_email",
            "company_id",
            "email",
            unique=True,
            sqlite_where=text("accepted_at IS NULL AND revoked_at IS NULL"),
            postgresql_where=text("accepted_at IS NULL AND revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    kind: Mapped[RepKind] = mapped_column(REP_KIND_ENUM, default=RepKind.REPRESENTATIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    company: Mapped[Company] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])

    @property
    def state(self) -> str:
        """Return open, accepted, revoked or expired."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= clock.now() else "open"

    @staticmethod
    def create(company: Company, email: str, kind: RepKind, by: User | None, days: int) -> Invitation:
        """Invite an address, refusing a duplicate open invitation to the same company."""
        email = email.strip().lower()
        if Invitation.open_for(email, company_id=company.id):
            raise RegisterError(f"{email} already has an open invitation to {company}")
        inv = Invitation(
            company=company, email=email, kind=kind, created_by=by,
            expires_at=clock.now() + timedelta(days=days),
        )
        db.session.add(inv)
        return inv

    @staticmethod
    def open_for(email: str, company_id: int | None = None) -> list[Invitation]:
        """Return the open (unused, unrevoked, unexpired) invitations for an address."""
        stmt = select(Invitation).where(
            func.lower(Invitation.email) == email.strip().lower(),
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > clock.now(),
        )
        if company_id is not None:
            stmt = stmt.where(Invitation.company_id == company_id)
        return list(db.session.scalars(stmt.order_by(Invitation.id)))

    def revoke(self) -> None:
        """Withdraw an open invitation."""
        if self.state != "open":
            raise RegisterError(f"only an open invitation can be revoked; this one is {self.state}")
        self.revoked_at = clock.now()


class ChairTerm(db.Model):
    """A person (of a member company) holding the chair from one date until the day before `ends_on`."""

    __tablename__ = "chair_term"
    __table_args__ = (CheckConstraint("ends_on > starts_on", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    user: Mapped[User] = relationship()
    company: Mapped[Company] = relationship()

    @staticmethod
    def current(on: date | None = None) -> ChairTerm | None:
        """Return the term in force on a day (today by default)."""
        day = on or clock.today()
        stmt = select(ChairTerm).where(ChairTerm.starts_on <= day, ChairTerm.ends_on > day)
        return db.session.scalars(stmt.order_by(ChairTerm.starts_on.desc())).first()

    @staticmethod
    def record(user: User, company: Company, starts_on: date, ends_on: date) -> ChairTerm:
        """Record a term, refusing overlaps and a chair who is not of a member company."""
        if ends_on <= starts_on:
            raise RegisterError("the term must end after it starts")
        if company.status_on(starts_on) is not CompanyStatus.MEMBER:
            raise RegisterError(f"{company} is not a member on {starts_on.isoformat()}")
        overlap = db.session.scalars(
            select(ChairTerm).where(
                and_(ChairTerm.starts_on < ends_on, ChairTerm.ends_on > starts_on)
            )
        ).first()
        if overlap is not None:
            raise RegisterError(
                f"overlaps the term of {overlap.user} "
                f"({overlap.starts_on.isoformat()} to {overlap.ends_on.isoformat()})"
            )
        term = ChairTerm(user=user, company=company, starts_on=starts_on, ends_on=ends_on)
        db.session.add(term)
        return term
