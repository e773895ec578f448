"""Question proposals and their +1 endorsements (one per company), finalized by the chair."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db import UTCDateTime, db
from core.member_rules import CompanyStatus
from core.members import Company
from core.users import User
from surveys.models import QUESTION_TYPE_ENUM, Question, Section, Survey, add_question
from surveys.rules import QuestionType, SurveyError, SurveyState


class ProposalStatus(StrEnum):
    """A proposal waits for the chair, who accepts or declines it."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Proposal(db.Model):
    """A question a member representative suggests while the survey is proposed."""

    __tablename__ = "survey_proposal"
    __table_args__ = (
        CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name="decided_when"),
        CheckConstraint("length(text) > 0", name="text_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    type: Mapped[QuestionType] = mapped_column(QUESTION_TYPE_ENUM)
    text: Mapped[str] = mapped_column(Text)
    help_text: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[ProposalStatus] = mapped_column(
        Enum(ProposalStatus, name="proposal_status",
             values_callable=lambda e: [m.value for m in e]),
        default=ProposalStatus.PENDING)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_question.id", ondelete="SET NULL"))

    survey: Mapped[Survey] = relationship()
    company: Mapped[Company] = relationship()
    proposed_by: Mapped[User] = relationship()
    endorsements: Mapped[list[Endorsement]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="Endorsement.id")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("status", ProposalStatus.PENDING)  # before the INSERT, too
        super().__init__(**kwargs)

    @staticmethod
    def of(survey: Survey) -> list[Proposal]:
        """Return a survey's proposals, oldest first."""
        stmt = select(Proposal).where(Proposal.survey_id == survey.id).order_by(Proposal.id)
        return list(db.session.scalars(stmt))

    @staticmethod
    def pending_count(survey: Survey) -> int:
        """Count the proposals still waiting for the chair."""
        stmt = select(func.count()).where(Proposal.survey_id == survey.id,
                                          Proposal.status == ProposalStatus.PENDING)
        return db.session.scalar(stmt) or 0

    @staticmethod
    def suggest(survey: Survey, company: Company, by: User, qtype: QuestionType, text: str,
                help_text: str, required: bool, config: dict[str, Any]) -> Proposal:
        """Record a suggested question while the survey is proposed."""
        _check_proposed(survey)
        proposal = Proposal(survey=survey, company=company, proposed_by=by, type=qtype,
                            text=text, help_text=help_text, required=required, config=config)
        db.session.add(proposal)
        return proposal

    def endorsed_by(self, company: Company | None) -> bool:
        """Tell whether a company has given this proposal its +1."""
        return company is not None and any(e.company_id == company.id for e in self.endorsements)

    def endorse(self, company: Company, by: User) -> Endorsement:
        """Give the company's +1; a company endorses a proposal once."""
        self._check_pending()
        if self.endorsed_by(company):
            raise SurveyError(f"{company.name} has already given this question its +1")
        endorsement = Endorsement(company=company, user=by)
        self.endorsements.append(endorsement)
        return endorsement

    def withdraw(self, company: Company) -> None:
        """Take back the company's +1."""
        self._check_pending()
        mine = [e for e in self.endorsements if e.company_id == company.id]
        if not mine:
            raise SurveyError(f"{company.name} has not endorsed this question")
        self.endorsements.remove(mine[0])

    def _check_pending(self) -> None:
        _check_proposed(self.survey)
        if self.status is not ProposalStatus.PENDING:
            raise SurveyError(f"this proposal was {self.status.value} already")

    def decide(self, accept: bool, section: Section) -> Question | None:
        """Accept (the question joins the section) or decline the proposal."""
        self._check_pending()
        self.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED
        self.decided_at = clock.now()
        if not accept:
            return None
        question = add_question(section, self.type, self.text, self.help_text, self.required,
                                dict(self.config))
        db.session.flush()
        self.question_id = question.id
        return question


class Endorsement(db.Model):
    """A company's +1 for a proposed question; the database allows one per company."""

    __tablename__ = "survey_endorsement"
    __table_args__ = (UniqueConstraint("proposal_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("survey_proposal.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    proposal: Mapped[Proposal] = relationship(back_populates="endorsements")
    company: Mapped[Company] = relationship()
    user: Mapped[User] = relationship()


def _check_proposed(survey: Survey) -> None:
    if survey.state is not SurveyState.PROPOSED:
        raise SurveyError("questions are proposed and endorsed only while the survey is proposed")


def finalize(survey: Survey, accepted_ids: set[int], section: Section) -> list[Question]:
    """Decide every pending proposal: the accepted ones join the section, the rest are declined."""
    if section.survey_id != survey.id:
        raise SurveyError("choose a section of this survey")
    survey.check_editable()
    pending = [p for p in Proposal.of(survey) if p.status is ProposalStatus.PENDING]
    unknown = accepted_ids - {p.id for p in pending}
    if unknown:
        raise SurveyError("only pending proposals of this survey can be accepted")
    questions = [p.decide(p.id in accepted_ids, section) for p in pending]
    return [q for q in questions if q is not None]


def company_members_today(company: Company | None) -> bool:
    """Tell whether the company is a member today (proposing and endorsing need it)."""
    return company is not None and company.status is CompanyStatus.MEMBER
