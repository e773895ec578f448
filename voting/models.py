"""Ballots, their options and electorate, votes with every revision, and stored outcomes."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core import clock
from core.db import UTCDateTime, db
from core.members import ChairTerm, Company
from core.users import User
from voting import triggers
from voting.ballot_rules import BallotSpec, Phase, Secrecy, Stage, phase, phase_refusal
from voting.close_rules import CloseChange, CloseRuleError, plan_close_change
from voting.errors import BallotError, WrongPhase
from voting.outcome import CHOICE_KINDS, Kind
from voting.rules import Quorum, Threshold
from voting.schulze import Unranked
from voting.tiebreak import (
    TieBreak,
    TieBreakPlan,
    commitment,
    conflict_of_interest,
    plan_tie_break,
)

# Fixed when a ballot opens: the model refuses a change, and a database trigger backs it.
FROZEN = ("kind", "secrecy", "quorum_numerator", "quorum_denominator", "quorum_strict",
          "threshold", "tie_break", "tie_break_fallback", "casting_voter_id", "tie_break_note",
          "unranked", "allow_equal_ranks", "default_option", "opens_at", "opened_at",
          "lot_secret", "lot_commitment", "parent_id", "subject_company_id")


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class Ballot(db.Model):
    """A decision put to the member companies: consensus round, motion, or choice."""

    __tablename__ = "ballot"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="window_ordered"),
        CheckConstraint("quorum_denominator >= 1 AND quorum_numerator >= 0 AND "
                        "quorum_numerator <= quorum_denominator AND NOT "
                        "(quorum_strict AND quorum_numerator = quorum_denominator)",
                        name="quorum_fraction"),
        CheckConstraint("tie_break_fallback IN ('lot', 'status_quo')", name="fallback_known"),
        CheckConstraint("threshold IN ('simple_majority', 'absolute_majority', 'two_thirds', "
                        "'unanimity')", name="threshold_known"),
        CheckConstraint("stage = 'draft' OR opened_at IS NOT NULL", name="opened_when_open"),
        # A ballot opens when it is opened, never in the past: no one picks the electorate.
        CheckConstraint("opened_at IS NULL OR opens_at >= opened_at", name="opens_not_before"),
        # One called vote per failed consensus round, unless it was withdrawn.
        Index("uq_ballot_called_vote", "parent_id", unique=True,
              sqlite_where=text("withdrawn_at IS NULL AND parent_id IS NOT NULL"),
              postgresql_where=text("withdrawn_at IS NULL AND parent_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[Kind] = mapped_column(_enum(Kind, "ballot_kind"))
    stage: Mapped[Stage] = mapped_column(_enum(Stage, "ballot_stage"), default=Stage.DRAFT)
    secrecy: Mapped[Secrecy] = mapped_column(_enum(Secrecy, "ballot_secrecy"),
                                             default=Secrecy.OPEN)
    quorum_numerator: Mapped[int] = mapped_column(Integer, default=1)
    quorum_denominator: Mapped[int] = mapped_column(Integer, default=2)
    quorum_strict: Mapped[bool] = mapped_column(Boolean, default=True)
    threshold: Mapped[Threshold] = mapped_column(_enum(Threshold, "ballot_threshold"),
                                                 default=Threshold.SIMPLE_MAJORITY)
    tie_break: Mapped[TieBreak] = mapped_column(_enum(TieBreak, "ballot_tie_break"),
                                                default=TieBreak.STATUS_QUO)
    # What replaces the casting vote when no chair may cast it (conflict, or no chair).
    tie_break_fallback: Mapped[TieBreak] = mapped_column(
        _enum(TieBreak, "ballot_tie_break"), default=TieBreak.LOT)
    casting_voter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    tie_break_note: Mapped[str] = mapped_column(String(300), default="")
    unranked: Mapped[Unranked] = mapped_column(_enum(Unranked, "ballot_unranked"),
                                               default=Unranked.LAST)
    allow_equal_ranks: Mapped[bool] = mapped_column(Boolean, default=True)
    default_option: Mapped[str | None] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("ballot.id"))
    # The company a motion is about (a revocation): its chair may not break the tie.
    subject_company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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
    subject_company: Mapped[Company | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    casting_by: Mapped[User | None] = relationship(foreign_keys=[casting_by_id])
    casting_voter: Mapped[User | None] = relationship(foreign_keys=[casting_voter_id])

    def __init__(self, **kwargs: Any):
        # Column defaults apply only at INSERT; rules read these before the first flush.
        quorum = kwargs.pop("quorum", "more than 1/2")
        for name, value in (("stage", Stage.DRAFT), ("secrecy", Secrecy.OPEN),
                            ("threshold", Threshold.SIMPLE_MAJORITY),
                            ("tie_break", TieBreak.STATUS_QUO),
                            ("tie_break_fallback", TieBreak.LOT), ("unranked", Unranked.LAST),
                            ("allow_equal_ranks", True), ("statement", ""), ("text", ""),
                            ("tie_break_note", "")):
            kwargs.setdefault(name, value)
        super().__init__(**kwargs)
        self.quorum = quorum

    @property
    def quorum(self) -> Quorum:
        """Return the quorum rule, stored as a typed fraction."""
        return Quorum(Fraction(self.quorum_numerator, self.quorum_denominator),
                      strict=self.quorum_strict)

    @quorum.setter
    def quorum(self, rule: Quorum | str) -> None:
        """Set the quorum from a rule or its words ('more than 1/2', 'at least 2/3', 'none')."""
        rule = Quorum.parse(rule) if isinstance(rule, str) else rule
        fraction = rule.fraction
        self.quorum_numerator, self.quorum_denominator = fraction.numerator, fraction.denominator
        self.quorum_strict = rule.strict

    @validates("kind", "stage", "secrecy", "threshold", "tie_break", "tie_break_fallback",
               "unranked")
    def _coerce_enum(self, key: str, value: Any) -> Any:
        """Store enum members even when given their string values (frozen ones stay put)."""
        enum_type = {"kind": Kind, "stage": Stage, "secrecy": Secrecy, "threshold": Threshold,
                     "tie_break": TieBreak, "tie_break_fallback": TieBreak,
                     "unranked": Unranked}[key]
        return self._frozen_check(key, enum_type(value))

    @validates(*(name for name in FROZEN if name not in (
        "kind", "secrecy", "threshold", "tie_break", "tie_break_fallback", "unranked")))
    def _refuse_frozen(self, key: str, value: Any) -> Any:
        """Refuse a change of a rule once the ballot has opened."""
        return self._frozen_check(key, value)

    def _frozen_check(self, key: str, value: Any) -> Any:
        if key in FROZEN and self.stage not in (None, Stage.DRAFT) and \
                inspect(self).has_identity and getattr(self, key) != value:
            raise WrongPhase(f"the ballot's rules were fixed when it opened: {key} cannot "
                             "change")
        return value

    def phase(self, now: datetime | None = None) -> Phase:
        """Return the phase at a moment (now by default)."""
        return phase(self.stage, self.opens_at, self.closes_at, now or clock.now(),
                     withdrawn=self.withdrawn_at is not None)

    def tie_break_plan(self) -> TieBreakPlan:
        """Return the tie-break in force: as fixed at opening, or as it would be if opened now."""
        if self.stage is Stage.DRAFT:
            return self._plan_now()
        if self.tie_break is not TieBreak.CASTING_VOTE:
            return TieBreakPlan(self.tie_break, self.tie_break)
        if self.casting_voter is not None:
            return TieBreakPlan(self.tie_break, self.tie_break, str(self.casting_voter))
        return TieBreakPlan(self.tie_break, self.tie_break_fallback, note=self.tie_break_note)

    def _plan_now(self) -> TieBreakPlan:
        """Plan the tie-break against today's chair and the ballot's candidates and subject."""
        term = ChairTerm.current()
        if term is None:
            return plan_tie_break(self.tie_break, self.tie_break_fallback, None)
        candidates = {o.user_id for o in self.options if o.user_id is not None}
        conflict = conflict_of_interest(term.user_id, term.company_id, candidates,
                                        self.subject_company_id)
        return plan_tie_break(self.tie_break, self.tie_break_fallback, str(term.user), conflict)

    def spec(self) -> BallotSpec:
        """Return the counting rules fixed on the ballot (with the tie-break in force)."""
        labels = tuple(o.label for o in self.options) if self.kind in CHOICE_KINDS else ()
        return BallotSpec(self.kind, labels, self.quorum, self.threshold,
                          self.tie_break_plan().rule, self.unranked, self.allow_equal_ranks,
                          self.default_option)

    def elector_ids(self) -> set[int]:
        """Return the ids of the companies that may vote."""
        return {e.company_id for e in self.electors}

    def has_elector(self, company_id: int) -> bool:
        """Tell whether a company may vote (one indexed lookup, not the whole electorate)."""
        found = db.session.connection().execute(IS_ELECTOR, {"ballot": self.id,
                                                             "company": company_id})
        return found.first() is not None

    def open(self, excluded_company_id: int | None = None) -> list[Company]:
        """Open a draft now: snapshot today's members, fix the tie-break, commit the lot secret.

        A ballot never opens in the past (that would let whoever opens it choose the
        electorate); a later opening time set on the draft is kept.
        """
        if self.stage is not Stage.DRAFT or self.withdrawn_at is not None:
            raise WrongPhase(f"only a draft can be opened; this ballot is {self.phase()}")
        now = clock.now()
        if self.closes_at <= now:
            raise BallotError("the closing time has already passed; edit the dates first")
        if self.kind in CHOICE_KINDS and len(self.options) < 2:
            raise BallotError("a choice ballot needs at least two options")
        members = [c for c in Company.members_on(now.date()) if c.id != excluded_company_id]
        if not members:
            raise BallotError("no company is a member today")
        plan = self._plan_now()
        term = ChairTerm.current() if plan.casting_voter else None
        self.electors = [Elector(company=c) for c in members]
        self.opens_at = max(self.opens_at, now)
        self.casting_voter_id = term.user_id if term else None
        self.tie_break_note = plan.note[:300]
        self.lot_secret = secrets.token_hex(32)
        self.lot_commitment = commitment(self.lot_secret)
        db.session.flush()  # the electorate is stored while still a draft (a trigger checks)
        self.opened_at = now
        self.stage = Stage.OPEN
        return members

    def withdraw(self) -> None:
        """Withdraw a draft or open ballot (its votes, if any, are kept and never counted)."""
        if self.withdrawn_at is not None or self.stage not in (Stage.DRAFT, Stage.OPEN):
            raise WrongPhase(f"only a draft or an open ballot can be withdrawn; this ballot is "
                             f"{self.phase()}")
        self.withdrawn_at = clock.now()

    def move_close(self, new_close: datetime | None, answered: int,
                   notice: timedelta) -> CloseChange:
        """Close now (every company answered), or move the close later, or earlier with notice."""
        self.require_phase(Phase.OPEN)
        try:
            change = plan_close_change(now=clock.now(), opens_at=self.opens_at,
                                       closes_at=self.closes_at, new_close=new_close,
                                       eligible=len(self.electors), answered=answered,
                                       notice=notice)
        except CloseRuleError as exc:
            raise BallotError(str(exc)) from exc
        self.closes_at = change.new
        return change

    def require_phase(self, *allowed: Phase, now: datetime | None = None) -> None:
        """Refuse unless the ballot is in one of the allowed phases (at `now`)."""
        current = self.phase(now)
        if current not in allowed:
            raise WrongPhase(phase_refusal(current, allowed))


class Option(db.Model):
    """One option of a choice ballot."""

    __tablename__ = "ballot_option"
    __table_args__ = (UniqueConstraint("ballot_id", "label"),
                      UniqueConstraint("ballot_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    # A candidate in an election: a chair who stands does not break the tie.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    ballot: Mapped[Ballot] = relationship(back_populates="options")


class Elector(db.Model):
    """A company entitled to vote on a ballot (snapshot taken when the ballot opens)."""

    __tablename__ = "ballot_elector"
    __table_args__ = (UniqueConstraint("ballot_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))

    company: Mapped[Company] = relationship()


_ELECTOR = Elector.__table__
IS_ELECTOR = select(_ELECTOR.c.id).where(_ELECTOR.c.ballot_id == bindparam("ballot"),
                                         _ELECTOR.c.company_id == bindparam("company"))
triggers.attach({name: db.metadata.tables[name] for name in (
    "ballot", "ballot_option", "ballot_elector")})
