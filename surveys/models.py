"""Roadmap items and surveys: Survey, Section, Question, and the companies eligible to respond."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    exists,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db import UTCDateTime, db
from core.members import Company
from core.users import User
from surveys import rules
from surveys.catalog import Size, Stage, Team, WorkKind
from surveys.rules import Phase, QuestionSpec, QuestionType, RespondentUnit, SurveyError, SurveyState


def _enum(cls: type[StrEnum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


QUESTION_TYPE_ENUM = _enum(QuestionType, "question_type")  # shared by questions and proposals


class RoadmapItem(db.Model):
    """A roadmap work item of the catalog that surveys rank and budget (never deleted)."""

    __tablename__ = "roadmap_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    team: Mapped[Team] = mapped_column(_enum(Team, "roadmap_team"))
    kind: Mapped[WorkKind] = mapped_column(_enum(WorkKind, "roadmap_kind"))
    components: Mapped[list[str]] = mapped_column(JSON, default=list)
    size: Mapped[Size | None] = mapped_column(_enum(Size, "roadmap_size"))
    target_release: Mapped[str] = mapped_column(String(40), default="")
    stage: Mapped[Stage] = mapped_column(_enum(Stage, "roadmap_stage"), default=Stage.BACKLOG)
    member_value: Mapped[str] = mapped_column(Text, default="")
    community_value: Mapped[str] = mapped_column(Text, default="")
    blueprint_url: Mapped[str] = mapped_column(String(500), default="")
    spec_url: Mapped[str] = mapped_column(String(500), default="")
    review_url: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    def __str__(self) -> str:
        return self.title


survey_company = Table(
    "survey_company",
    db.metadata,
    Column("survey_id", ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True),
    Column("company_id", ForeignKey("company.id"), primary_key=True),
)


class Survey(db.Model):
    """A roadmap survey: settings, sections of questions, and its state."""

    __tablename__ = "survey"
    __table_args__ = (
        CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at",
                        name="window_ordered"),
        CheckConstraint("state IN ('draft', 'proposed') OR (opens_at IS NOT NULL AND "
                        "closes_at IS NOT NULL)", name="open_has_window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    cycle: Mapped[str] = mapped_column(String(40), default="")
    state: Mapped[SurveyState] = mapped_column(_enum(SurveyState, "survey_state"),
                                               default=SurveyState.DRAFT)
    unit: Mapped[RespondentUnit] = mapped_column(_enum(RespondentUnit, "respondent_unit"),
                                                 default=RespondentUnit.COMPANY)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("survey.id"))

    sections: Mapped[list[Section]] = relationship(
        back_populates="survey", order_by="Section.position, Section.id",
        cascade="all, delete-orphan")
    eligible: Mapped[list[Company]] = relationship(secondary=survey_company,
                                                   order_by=Company.name)
    created_by: Mapped[User | None] = relationship()

    def __init__(self, **kwargs: Any) -> None:
        # Column defaults apply only at INSERT; the state rules need them before the flush.
        kwargs.setdefault("state", SurveyState.DRAFT)
        kwargs.setdefault("unit", RespondentUnit.COMPANY)
        super().__init__(**kwargs)

    def __str__(self) -> str:
        return self.title

    @property
    def questions(self) -> list[Question]:
        """Return every question in order, section by section."""
        return [q for s in self.sections for q in s.questions]

    def specs(self) -> list[QuestionSpec]:
        """Return what answer validation needs of each question."""
        return [q.spec for q in self.questions]

    def phase(self, now: datetime | None = None) -> Phase:
        """Return the phase respondents see now."""
        return rules.phase(self.state, self.opens_at, self.closes_at, now or clock.now())

    def has_responses(self) -> bool:
        """Tell whether anyone has saved a response (even a draft)."""
        from surveys.responses import Response

        return bool(db.session.scalar(select(exists().where(Response.survey_id == self.id))))

    def check_editable(self) -> None:
        """Refuse question edits once a response exists or the survey is closed."""
        rules.check_editable(self.state, self.has_responses())

    def change_settings(self, title: str, introduction: str, cycle: str, unit: RespondentUnit,
                        opens_at: datetime | None, closes_at: datetime | None) -> None:
        """Change the survey's settings while it is a draft or proposed."""
        if self.state not in (SurveyState.DRAFT, SurveyState.PROPOSED):
            raise SurveyError(f"the settings of a {self.state.value} survey are fixed")
        if opens_at and closes_at and closes_at <= opens_at:
            raise SurveyError("the survey must close after it opens")
        self.title, self.introduction, self.cycle = title, introduction, cycle
        self.unit, self.opens_at, self.closes_at = unit, opens_at, closes_at

    def propose(self) -> None:
        """Put the draft up for question proposals and +1 endorsements."""
        if not self.sections:
            raise SurveyError("add a section before proposing the survey")
        rules.check_transition(self.state, SurveyState.PROPOSED)
        self.state = SurveyState.PROPOSED

    def back_to_draft(self) -> None:
        """Take a proposed survey back to draft."""
        rules.check_transition(self.state, SurveyState.DRAFT)
        self.state = SurveyState.DRAFT

    def open(self) -> list[Company]:
        """Open the survey and snapshot the member companies eligible to respond."""
        from surveys.proposals import Proposal

        rules.check_transition(self.state, SurveyState.OPEN)
        rules.check_can_open(self.opens_at, self.closes_at, len(self.questions),
                             Proposal.pending_count(self), clock.now())
        day = max(clock.today(), self.opens_at.date())  # type: ignore[union-attr]
        self.eligible = Company.members_on(day)
        if not self.eligible:
            raise SurveyError(f"no company is a member on {day.isoformat()}")
        self.state = SurveyState.OPEN
        return self.eligible

    def close(self) -> None:
        """Close the survey now (or keep its earlier closing time)."""
        rules.check_transition(self.state, SurveyState.CLOSED)
        now = clock.now()
        self.state = SurveyState.CLOSED
        self.closes_at = min(self.closes_at or now, now)
        # Closing a survey that has not opened yet cancels it; keep the window well-formed.
        self.opens_at = min(self.opens_at or now, self.closes_at - timedelta(seconds=1))

    def add_section(self, title: str) -> Section:
        """Append a section."""
        self.check_editable()
        section = Section(title=title, position=len(self.sections) + 1)
        self.sections.append(section)
        return section

    def duplicate(self, by: User) -> Survey:
        """Copy settings, sections and questions into a new draft (to run it next quarter)."""
        copy = Survey(title=f"{self.title} (copy)"[:200], introduction=self.introduction,
                      cycle=self.cycle, unit=self.unit, created_by=by, copied_from_id=self.id,
                      state=SurveyState.DRAFT)
        for section in self.sections:
            new = Section(title=section.title, position=section.position)
            new.questions = [q.copy() for q in section.questions]
            copy.sections.append(new)
        db.session.add(copy)
        return copy

    def is_eligible(self, company: Company | None) -> bool:
        """Tell whether a company was a member when the survey opened."""
        return company is not None and company in self.eligible



class Section(db.Model):
    """A titled, ordered group of questions."""

    __tablename__ = "survey_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"),
                                           index=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)

    survey: Mapped[Survey] = relationship(back_populates="sections")
    questions: Mapped[list[Question]] = relationship(
        back_populates="section", order_by="Question.position, Question.id",
        cascade="all, delete-orphan")


class Question(db.Model):
    """A question of a section; `config` holds the type's normalized settings."""

    __tablename__ = "survey_question"
    __table_args__ = (CheckConstraint("length(text) > 0", name="text_given"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("survey_section.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[QuestionType] = mapped_column(QUESTION_TYPE_ENUM)
    text: Mapped[str] = mapped_column(Text)
    help_text: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)

    section: Mapped[Section] = relationship(back_populates="questions")

    @property
    def survey(self) -> Survey:
        """Return the survey the question belongs to."""
        return self.section.survey

    @property
    def spec(self) -> QuestionSpec:
        """Return the pure view of the question used by validation."""
        return QuestionSpec(self.id, self.type, self.required, self.config)

    def copy(self) -> Question:
        """Return an unsaved copy (for duplication and accepted proposals)."""
        return Question(position=self.position, type=self.type, text=self.text,
                        help_text=self.help_text, required=self.required, config=dict(self.config))

    def change(self, section: Section, text: str, help_text: str, required: bool,
               config: dict[str, Any]) -> None:
        """Change wording, settings or section (refused once a response exists)."""
        self.survey.check_editable()
        if section.survey_id != self.section.survey_id:
            raise SurveyError("a question moves only between sections of its own survey")
        if section is not self.section:
            position = _next_position(section)
            self.section.questions.remove(self)
            self.position = position
            section.questions.append(self)
        self.text, self.help_text, self.required, self.config = text, help_text, required, config

    def remove(self) -> None:
        """Delete the question (refused once a response exists)."""
        self.survey.check_editable()
        self.section.questions.remove(self)

    def shift(self, delta: int) -> None:
        """Swap the question with its neighbour above (-1) or below (+1)."""
        self.survey.check_editable()
        siblings = self.section.questions
        index = siblings.index(self)
        other = index + delta
        if not 0 <= other < len(siblings):
            raise SurveyError("the question is already at that end of its section")
        for n, q in enumerate(siblings):
            q.position = n + 1
        self.position, siblings[other].position = siblings[other].position, self.position


def _next_position(section: Section) -> int:
    return max((q.position for q in section.questions), default=0) + 1


def add_question(section: Section, qtype: QuestionType, text: str, help_text: str,
                 required: bool, config: dict[str, Any]) -> Question:
    """Append a question to a section (refused once the survey has a response)."""
    section.survey.check_editable()
    question = Question(position=_next_position(section), type=qtype, text=text,
                        help_text=help_text, required=required, config=config)
    section.questions.append(question)
    return question


def item_titles(ids: list[int] | None = None) -> dict[int, str]:
    """Return roadmap item titles by id (all of them, or the given ones)."""
    stmt = select(RoadmapItem.id, RoadmapItem.title)
    if ids is not None:
        stmt = stmt.where(RoadmapItem.id.in_(ids))
    return dict(db.session.execute(stmt.order_by(func.lower(RoadmapItem.title))).tuples().all())
