"""Load the demo consortium: five members, two candidates, their people, a year of chairs, an admin,
surveys (one answered in part, with a draft; one published) and decisions (two open)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from core import audit, clock
from core.db import db
from core.member_rules import CompanyStatus
from core.members import ChairTerm, Company, Invitation, RepKind, Representative
from core.users import User
from devtools.demo_decisions import load_demo_decisions
from devtools.demo_history import (
    answer_open_survey,
    awaiting_the_chair,
    past_chairs,
    published_survey,
    vote_on_open_ballots,
)
from devtools.demo_meetings import load_demo_meetings
from devtools.demo_people import DEMO_PEOPLE
from devtools.demo_surveys import load_demo_surveys
from surveys.models import Survey

# name, slug, status, since, operator/NSP, dedicated FTEs, upstream FTEs
COMPANIES = [
    ("AT&T", "att", CompanyStatus.MEMBER, date(2016, 11, 1), True, 40, 12),
    ("NTT", "ntt", CompanyStatus.MEMBER, date(2016, 11, 1), True, 25, 8),
    ("Orange", "orange", CompanyStatus.MEMBER, date(2016, 11, 1), True, 18, 6),
    ("Reliance Jio", "reliance-jio", CompanyStatus.MEMBER, date(2017, 2, 1), True, 12, 4),
    ("Walmart", "walmart", CompanyStatus.MEMBER, date(2017, 2, 1), True, 10, 3),
    ("Comcast", "comcast", CompanyStatus.CANDIDATE, date(2017, 6, 1), True, 8, 2),
    ("Intel", "intel", CompanyStatus.CANDIDATE, date(2017, 6, 1), False, 30, 10),
]


def load_demo() -> bool:
    """Create the demo data in one transaction; return False if companies already exist."""
    if db.session.scalars(select(Company).limit(1)).first() is not None:
        return False
    companies = {}
    for name, slug, status, since, nsp, ftes, upstream in COMPANIES:
        company = Company(name=name, slug=slug, operator_or_nsp=nsp, dedicated_ftes=ftes,
                          upstream_ftes=upstream, criteria_notes="Demo data.")
        db.session.add(company)
        company.change_status(status, since, "demo data", None)
        audit.record("company.create", company, actor=None, name=name, status=str(status))
        companies[slug] = company
    issuer = current_app.config["OIDC_ISSUER"].rstrip("/")
    start = date(2017, 2, 1)
    for person in DEMO_PEOPLE:
        if person.get("email_verified") is False:
            continue  # unverified people show how invitations refuse to bind
        user = User(issuer=issuer, subject=person["sub"], name=person["name"],
                    email=person["email"], email_verified=True,
                    is_admin=bool(person.get("admin")))
        db.session.add(user)
        audit.record("user.create", user, actor=None, email=user.email, demo=True)
        if "company" in person:
            rep = Representative.appoint(user, companies[person["company"]],
                                         RepKind(person["role"]), start)
            audit.record("representative.appoint", rep, actor=None, user=user.name,
                         company=rep.company.name)
        if person.get("chair"):
            # In office since before the demo decisions, for a year: she holds their casting vote.
            began = clock.today() - timedelta(days=200)
            term = ChairTerm.record(user, companies[person["company"]], began,
                                    began + timedelta(days=365))
            audit.record("chair_term.create", term, actor=None, user=user.name)
    for email, slug in (("uma@orange.example", "orange"), ("dana@comcast.example", "comcast")):
        inv = Invitation.create(companies[slug], email, RepKind.ALTERNATE, None, 365)
        audit.record("invitation.create", inv, actor=None, email=email)
    past_chairs(term)
    load_demo_surveys()
    db.session.commit()
    load_demo_decisions()
    chair = term.user
    published_survey(chair)
    answer_open_survey(db.session.scalars(select(Survey).where(
        Survey.title == "Pike roadmap priorities")).one())
    db.session.commit()
    vote_on_open_ballots()
    awaiting_the_chair(chair)
    load_demo_meetings()
    return True
