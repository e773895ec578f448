"""Publication of a closed survey's anonymized results, and the free texts the chair approved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db import UTCDateTime, db
from core.users import User
from surveys.models import Survey
from surveys.responses import Answer
from surveys.rules import Phase, SurveyError

MIN_K = 3  # the floor of surveys.anonymize.GateSettings, also checked by the database


class PublicationError(SurveyError):
    """A publication step the rules refuse; the message says why."""


class Publication(db.Model):
    """What of a closed survey is public: chosen questions, thresholds, and the gated document.

    ``document`` is the gated results exactly as the public sees them, computed once at
    publication (a closed survey cannot change), so every app process serves the same bytes;
    it is cleared on revocation, which removes the results from the public pages at once.
    """

    __tablename__ = "survey_publication"
    __table_args__ = (
        CheckConstraint(f"k_respondents >= {MIN_K}", name="k_respondents_min"),
        CheckConstraint(f"k_companies >= {MIN_K}", name="k_companies_min"),
        CheckConstraint("(published_at IS NULL) = (published_by_id IS NULL)",
                        name="published_with_who"),
        CheckConstraint("(revoked_at IS NULL) = (revoked_by_id IS NULL)", name="revoked_with_who"),
        CheckConstraint("revoked_at IS NULL OR published_at IS NOT NULL",
                        name="revoked_after_published"),
        # The document exists exactly while the results are public.
        CheckConstraint("(document IS NOT NULL) = (published_at IS NOT NULL AND revoked_at IS NULL)",
                        name="document_iff_live"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), unique=True)
    question_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    k_respondents: Mapped[int] = mapped_column(Integer)
    k_companies: Mapped[int] = mapped_column(Integer)
    # The chair's choice: may a unanimous answer show as such (off: never shown that way).
    allow_unanimous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    survey: Mapped[Survey] = relationship()
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    approvals: Mapped[list[FreeTextApproval]] = relationship(
        back_populates="publication", cascade="all, delete-orphan",
        order_by="FreeTextApproval.id")

    @property
    def live(self) -> bool:
        """Tell whether the results are public now."""
        return self.published_at is not None and self.revoked_at is None

    @property
    def state(self) -> str:
        """Say where the publication stands, in words."""
        if self.live:
            return "published"
        return "revoked" if self.revoked_at else "not published"

    @staticmethod
    def of(survey: Survey) -> Publication | None:
        """Return the survey's publication, if the chair has started one."""
        return db.session.scalars(select(Publication).where(
            Publication.survey_id == survey.id)).first()

    @staticmethod
    def start(survey: Survey, k_respondents: int, k_companies: int) -> Publication:
        """Return the survey's publication, creating it (nothing chosen) when there is none."""
        check_closed(survey)
        publication = Publication.of(survey)
        if publication is None:
            publication = Publication(survey=survey, question_ids=[],
                                      k_respondents=k_respondents, k_companies=k_companies)
            db.session.add(publication)
        return publication

    def check_editable(self) -> None:
        """Refuse changes while the results are public: revoke first."""
        check_closed(self.survey)
        if self.live:
            raise PublicationError("the results are public; revoke the publication to change it")

    def choose(self, question_ids: list[str], k_respondents: int, k_companies: int,
               floor: tuple[int, int], allow_unanimous: bool = False) -> None:
        """Set which questions to publish, the thresholds (never below the floor) and whether
        a unanimous answer may show as such."""
        self.check_editable()
        if k_respondents < max(MIN_K, floor[0]) or k_companies < max(MIN_K, floor[1]):
            raise PublicationError(f"the thresholds cannot go below {max(MIN_K, floor[0])} "
                                   f"respondents and {max(MIN_K, floor[1])} companies")
        self.question_ids = list(dict.fromkeys(question_ids))
        self.k_respondents, self.k_companies = k_respondents, k_companies
        self.allow_unanimous = bool(allow_unanimous)

    def approved_answer_ids(self) -> set[int]:
        """Return the ids of the answers whose free text the chair approved."""
        return {a.answer_id for a in self.approvals}

    def approve(self, answer: Answer, by: User) -> FreeTextApproval:
        """Approve one free-text answer for publication."""
        self.check_editable()
        if answer.id in self.approved_answer_ids():
            raise PublicationError("this answer is already approved")
        approval = FreeTextApproval(answer_id=answer.id, approved_at=clock.now(), approved_by=by)
        self.approvals.append(approval)
        return approval

    def withdraw(self, answer: Answer) -> None:
        """Withdraw the approval of one free-text answer."""
        self.check_editable()
        approval = next((a for a in self.approvals if a.answer_id == answer.id), None)
        if approval is None:
            raise PublicationError("this answer is not approved")
        self.approvals.remove(approval)

    def publish(self, document: dict[str, Any], by: User) -> None:
        """Make the gated document public."""
        self.check_editable()
        if not self.question_ids:
            raise PublicationError("choose at least one question to publish")
        self.document, self.published_at, self.published_by = document, clock.now(), by
        self.revoked_at = self.revoked_by = None

    def revoke(self, by: User) -> None:
        """Take the results off the public pages."""
        if not self.live:
            raise PublicationError("the results are not public")
        self.document, self.revoked_at, self.revoked_by = None, clock.now(), by


class FreeTextApproval(db.Model):
    """The chair's approval of one free-text answer (a text question or an 'Other' choice)."""

    __tablename__ = "survey_free_text_approval"
    __table_args__ = (UniqueConstraint("publication_id", "answer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique constraint's leading column serves lookups by publication too.
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("survey_publication.id", ondelete="CASCADE"))
    answer_id: Mapped[int] = mapped_column(ForeignKey("survey_answer.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    publication: Mapped[Publication] = relationship(back_populates="approvals")
    answer: Mapped[Answer] = relationship()
    approved_by: Mapped[User] = relationship()


def check_closed(survey: Survey) -> None:
    """Refuse publication work before the survey has closed (answers could still change)."""
    if survey.phase() is not Phase.CLOSED:
        raise PublicationError("results can be published once the survey has closed, so that no "
                               "answer changes after publication")


def live_publications() -> list[Publication]:
    """Return the publications that are public now, most recent first."""
    stmt = (select(Publication).where(Publication.published_at.is_not(None),
                                      Publication.revoked_at.is_(None))
            .order_by(Publication.published_at.desc(), Publication.id.desc()))
    return list(db.session.scalars(stmt))
