"""Responses: one per company (or per representative), every saved version kept with who and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db import UTCDateTime, db
from core.members import Company
from core.users import User
from surveys.models import Survey
from surveys.rules import Phase, RespondentUnit, SurveyError


class ResponseConflict(SurveyError):
    """Someone else saved the same response since the form was loaded."""


class Response(db.Model):
    """A company's (or a representative's) answers to a survey; `version` counts saves."""

    __tablename__ = "survey_response"
    __table_args__ = (
        # One response per company, or per representative: the database enforces it.
        Index("uq_survey_response_company", "survey_id", "company_id", unique=True,
              sqlite_where=text("user_id IS NULL"), postgresql_where=text("user_id IS NULL")),
        Index("uq_survey_response_user", "survey_id", "user_id", unique=True,
              sqlite_where=text("user_id IS NOT NULL"),
              postgresql_where=text("user_id IS NOT NULL")),
        CheckConstraint("(submitted_at IS NULL AND submitted_number IS NULL) OR "
                        "(submitted_at IS NOT NULL AND submitted_number BETWEEN 1 AND version)",
                        name="submission_consistent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_number: Mapped[int | None] = mapped_column(Integer)

    # Optimistic locking: every UPDATE says WHERE version = <the version loaded>.
    __mapper_args__ = {"version_id_col": version}

    survey: Mapped[Survey] = relationship()
    company: Mapped[Company] = relationship()
    user: Mapped[User | None] = relationship()
    versions: Mapped[list[ResponseVersion]] = relationship(
        back_populates="response", order_by="ResponseVersion.number")

    @staticmethod
    def find(survey: Survey, company: Company, user: User) -> Response | None:
        """Return the response this person edits: their company's, or their own."""
        stmt = select(Response).where(Response.survey_id == survey.id,
                                      Response.company_id == company.id)
        if survey.unit is RespondentUnit.REPRESENTATIVE:
            stmt = stmt.where(Response.user_id == user.id)
        else:
            stmt = stmt.where(Response.user_id.is_(None))
        return db.session.scalars(stmt).first()

    def version_row(self, number: int | None) -> ResponseVersion | None:
        """Return the saved version with that number."""
        return next((v for v in self.versions if v.number == number), None)

    def current_values(self) -> dict[int, Any]:
        """Return the latest saved answers (a draft, or the submission) by question id."""
        latest = self.version_row(self.version)
        return latest.values() if latest else {}

    def submitted_values(self) -> dict[int, Any]:
        """Return the answers that count: those of the latest submission."""
        counted = self.version_row(self.submitted_number)
        return counted.values() if counted else {}

    @property
    def status(self) -> str:
        """Say where the response stands, in words."""
        if self.submitted_number is None:
            return "draft"
        if self.submitted_number == self.version:
            return "submitted"
        return "submitted, with unsubmitted changes"


class ResponseVersion(db.Model):
    """One save of a response: a draft or a submission, by whom and when."""

    __tablename__ = "survey_response_version"
    __table_args__ = (UniqueConstraint("response_id", "number"),
                      CheckConstraint("number >= 1", name="number_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_response.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    submitted: Mapped[bool] = mapped_column(Boolean)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    response: Mapped[Response] = relationship(back_populates="versions")
    saved_by: Mapped[User] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="version",
                                                 cascade="all, delete-orphan")

    def values(self) -> dict[int, Any]:
        """Return this version's answers by question id."""
        return {a.question_id: a.value for a in self.answers}


class Answer(db.Model):
    """One question's canonical answer within one version (see surveys/rules.py for shapes)."""

    __tablename__ = "survey_answer"
    __table_args__ = (UniqueConstraint("version_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_response_version.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id"), index=True)
    value: Mapped[Any] = mapped_column(JSON)

    version: Mapped[ResponseVersion] = relationship(back_populates="answers")


def check_respondent(survey: Survey, user: User) -> Company:
    """Return the company the user answers for, or raise SurveyError saying why they cannot."""
    company = user.company()
    if company is None:
        raise SurveyError("only representatives of member companies answer surveys")
    if survey.phase() in (Phase.DRAFT, Phase.PROPOSED):
        raise SurveyError("this survey is not open for answers yet")
    if not survey.is_eligible(company):
        raise SurveyError(f"{company.name} was not a member company when this survey opened, "
                          "so it does not take part in it")
    return company


def check_open(survey: Survey) -> None:
    """Refuse saving answers outside the survey's answering window."""
    phase = survey.phase()
    if phase is not Phase.OPEN:
        raise SurveyError(f"the survey is {phase.value}; answers can no longer be saved"
                          if phase is Phase.CLOSED else f"the survey is {phase.value}")


def save(survey: Survey, company: Company, user: User, base_version: int,
         values: dict[int, Any], submit: bool) -> ResponseVersion:
    """Save answers as a new version; refuse outside the window or over someone else's save."""
    check_open(survey)
    response = Response.find(survey, company, user)
    if (response.version if response else 0) != base_version:
        raise ResponseConflict("someone else saved this response since you opened it")
    now = clock.now()
    if response is None:
        response = Response(survey=survey, company=company, created_at=now,
                            user=user if survey.unit is RespondentUnit.REPRESENTATIVE else None)
        db.session.add(response)
    number = base_version + 1  # the ORM's version counter gives the row this number too
    response.updated_at = now  # always dirty, so the version check runs on every save
    if submit:
        response.submitted_at, response.submitted_number = now, number
    version = ResponseVersion(response=response, number=number, submitted=submit, saved_at=now,
                              saved_by=user)
    version.answers = [Answer(question_id=qid, value=value) for qid, value in values.items()]
    db.session.add(version)
    return version


def responses_of(survey: Survey) -> list[Response]:
    """Return a survey's responses, by company name then id."""
    stmt = (select(Response).join(Company).where(Response.survey_id == survey.id)
            .order_by(Company.name, Response.id))
    return list(db.session.scalars(stmt))
