"""What waits for me: the home page's lists for a representative, the chair and an administrator.

`core.views.home` knows no feature; `cycles.views.init_app` registers `waiting_for` in
`core.views.home_sections`, and the dashboard renders what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from core import clock
from core.db import db
from core.members import ChairTerm, Invitation, Representative
from core.users import Role, User
from cycles.models import Nomination
from cycles.rules import WindowRule
from surveys.models import Survey, survey_company
from surveys.publication import Publication
from surveys.responses import Response
from surveys.rules import Phase as SurveyPhase
from surveys.rules import RespondentUnit, SurveyState
from voting.actions import called_vote
from voting.ballot_rules import Phase, Stage
from voting.models import Ballot, Elector
from voting.outcome import Kind, Status
from voting.votes import Vote


@dataclass
class Item:
    """One thing to do: what, where, by when, and a word on its state."""

    title: str
    endpoint: str
    args: dict[str, Any]
    due: datetime | None = None
    note: str = ""
    tag: str = ""
    due_word: str = "closes"


@dataclass
class Waiting:
    """The lists of one person's home page (empty lists are not shown)."""

    ballots: list[Item] = field(default_factory=list)
    surveys: list[Item] = field(default_factory=list)
    plus_one: list[Item] = field(default_factory=list)
    chair: dict[str, list[Item]] = field(default_factory=dict)
    admin: dict[str, list[Item]] = field(default_factory=dict)
    window: Any = None  # the invitation window open today, if any
    window_next: Any = None  # otherwise the next one


def _answered(ballot_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(select(Vote.ballot_id, func.count(Vote.id))
                              .where(Vote.ballot_id.in_(ballot_ids)).group_by(Vote.ballot_id))
    return dict(rows.all())


def _representative(user: User, out: Waiting, now: datetime) -> None:
    company = user.company()
    if company is None:
        return
    open_ballots = db.session.scalars(
        select(Ballot).join(Elector, Elector.ballot_id == Ballot.id)
        .where(Elector.company_id == company.id, Ballot.stage == Stage.OPEN,
               Ballot.withdrawn_at.is_(None), Ballot.opens_at <= now, Ballot.closes_at > now)
        .order_by(Ballot.closes_at)).all()
    voted = set(db.session.scalars(select(Vote.ballot_id).where(Vote.company_id == company.id)))
    out.ballots = [Item(b.title, "voting.show", {"ballot_id": b.id}, b.closes_at,
                        "consensus round" if b.kind is Kind.CONSENSUS else "vote")
                   for b in open_ballots if b.id not in voted]
    surveys = db.session.scalars(
        select(Survey).join(survey_company, survey_company.c.survey_id == Survey.id)
        .where(survey_company.c.company_id == company.id, Survey.state == SurveyState.OPEN)
        .order_by(Survey.closes_at)).all()
    for survey in surveys:
        if survey.phase(now) is not SurveyPhase.OPEN:
            continue
        response = Response.find(survey, company, user)
        if response is not None and response.submitted_number is not None:
            continue
        draft = response is not None
        out.surveys.append(Item(survey.title, "surveys.answer", {"survey_id": survey.id},
                                survey.closes_at, "draft saved" if draft else "",
                                "draft" if draft else ""))
        if survey.unit is RespondentUnit.REPRESENTATIVE:
            out.surveys[-1].note = (out.surveys[-1].note + "; " if draft else "") + \
                "each representative answers"
    proposed = db.session.scalars(select(Survey).where(Survey.state == SurveyState.PROPOSED))
    out.plus_one = [Item(s.title, "surveys.proposal_list", {"survey_id": s.id},
                         note="suggest questions and +1 those you want asked")
                    for s in proposed]


def _chair(out: Waiting, now: datetime, user: User) -> None:
    ballots = db.session.scalars(select(Ballot).where(
        Ballot.withdrawn_at.is_(None), Ballot.stage.in_([Stage.OPEN, Stage.DECIDED]))
        .order_by(Ballot.closes_at)).all()
    counts = _answered([b.id for b in ballots])
    lists: dict[str, list[Item]] = {k: [] for k in (
        "count", "casting", "publish", "close", "call", "surveys", "nominations")}
    for b in ballots:
        current, link = b.phase(now), {"ballot_id": b.id}
        answered, eligible = counts.get(b.id, 0), len(b.electors)
        if current is Phase.CLOSED:
            lists["count"].append(Item(b.title, "voting.show", link, b.closes_at,
                                       f"{answered} of {eligible} companies answered",
                                       due_word="closed"))
        elif current is Phase.OPEN and eligible and answered >= eligible:
            lists["close"].append(Item(b.title, "voting.show", link, b.closes_at,
                                       f"all {eligible} companies have answered: close it now",
                                       "ready"))
        elif current is Phase.DECIDED:
            if (b.outcome or {}).get("status") == Status.AWAITING_CASTING_VOTE.value:
                mine = b.casting_voter_id == user.id
                lists["casting"].append(Item(
                    b.title, "voting.show", link, note="your casting vote" if mine else
                    f"awaiting the casting vote of {b.casting_voter}", tag="tie"))
            else:
                lists["publish"].append(Item(b.title, "voting.show", link,
                                             note=(b.outcome or {}).get("summary", "")))
    failed = db.session.scalars(select(Ballot).where(
        Ballot.kind == Kind.CONSENSUS, Ballot.stage.in_([Stage.DECIDED, Stage.PUBLISHED]))
        .order_by(Ballot.decided_at.desc())).all()
    lists["call"] = [Item(b.title, "voting.show", {"ballot_id": b.id}, note="no consensus")
                     for b in failed if (b.outcome or {}).get("status") == Status.NOT_REACHED
                     and called_vote(b) is None]
    _chair_surveys(lists["surveys"], now)
    nominations = db.session.scalars(select(Nomination).where(Nomination.resolution.is_(None)))
    lists["nominations"] = [Item(n.company.name, "cycles.nomination", {"nomination_id": n.id},
                                 n.ballot.closes_at if n.ballot else None,
                                 n.ballot.phase(now).value if n.ballot else "")
                            for n in nominations]
    out.chair = lists


def _chair_surveys(items: list[Item], now: datetime) -> None:
    published = set(db.session.scalars(select(Publication.survey_id).where(
        Publication.published_at.is_not(None), Publication.revoked_at.is_(None))))
    surveys = db.session.scalars(select(Survey).where(
        Survey.state.in_([SurveyState.OPEN, SurveyState.CLOSED])).order_by(Survey.closes_at))
    for s in surveys:
        if s.phase(now) is SurveyPhase.OPEN:
            eligible = len(s.eligible)
            done = db.session.scalar(select(func.count(func.distinct(Response.company_id))).where(
                Response.survey_id == s.id, Response.submitted_number.is_not(None))) or 0
            items.append(Item(s.title, "surveys.detail", {"survey_id": s.id}, s.closes_at,
                              f"{done} of {eligible} companies have answered; close it when "
                              "you are ready", "ready" if eligible and done >= eligible else ""))
        elif s.phase(now) is SurveyPhase.CLOSED and s.id not in published:
            items.append(Item(s.title, "surveys.publication", {"survey_id": s.id},
                              note="closed: choose what to publish"))


def _admin(out: Waiting, now: datetime) -> None:
    invitations = db.session.scalars(select(Invitation).where(
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
        Invitation.expires_at > now).order_by(Invitation.expires_at)).all()
    reps = db.session.scalars(select(Representative).where(
        *Representative.active_on(now.date()))).all()
    out.admin = {
        "invitations": [Item(f"{i.email} for {i.company.name}", "admin.invitations", {},
                             i.expires_at, due_word="expires") for i in invitations],
        "unverified": [Item(f"{r.user.name} ({r.company.name})", "admin.representatives", {},
                            note="has never signed in" if r.user.last_login_at is None else
                            "e-mail address not verified")
                       for r in reps
                       if r.user.last_login_at is None or not r.user.email_verified],
    }


def waiting_for(user: User) -> dict[str, Any]:
    """Return the dashboard's lists for this person (an empty dict when nothing applies)."""
    now, out = clock.now(), Waiting()
    roles = user.roles()
    if Role.REPRESENTATIVE in roles:
        _representative(user, out, now)
    if Role.CHAIR in roles or (user.is_admin and ChairTerm.current() is None):
        _chair(out, now, user)
    if user.is_admin:
        _admin(out, now)
    if Role.REPRESENTATIVE in roles or Role.CHAIR in roles:
        rule = WindowRule.from_settings(current_app.config["INVITATION_WINDOW_START"],
                                        current_app.config["INVITATION_WINDOW_DAYS"])
        out.window = rule.containing(now.date())
        out.window_next = None if out.window else rule.next_after(now.date())
    return {"waiting": out}
