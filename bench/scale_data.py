"""Load a consortium at scale for the HTTP benchmark: companies, representatives, tokens, a ballot."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from pathlib import Path

from core import audit, clock
from core.db import db
from core.member_rules import CompanyStatus
from core.members import Company, RepKind, Representative
from core.tokens import PREFIX, ApiToken
from core.users import User
from voting.models import Ballot
from voting.outcome import Kind

ISSUER = "https://openstackid.org"


def load_scale(companies: int, reps_per_company: int) -> tuple[int, list[dict]]:
    """Create the data in one transaction; return the open ballot's id and one entry per rep.

    Entries are ordered round-robin over companies (the first `companies` entries are one
    person per company) and carry the plaintext token, which only the benchmark ever sees.
    """
    since = date(2020, 1, 1)
    people: list[list[dict]] = []
    for c in range(companies):
        company = Company(name=f"Member {c:04d}", slug=f"member-{c:04d}")
        db.session.add(company)
        company.change_status(CompanyStatus.MEMBER, since, "benchmark", None)
        audit.record("company.create", company, actor=None, name=company.name)
        staff = []
        for r in range(reps_per_company):
            user = User(issuer=ISSUER, subject=f"bench-{c}-{r}", name=f"Rep {c}-{r}",
                        email=f"rep{r}@member{c}.example", email_verified=True)
            kind = RepKind.REPRESENTATIVE if r == 0 else RepKind.ALTERNATE
            Representative.appoint(user, company, kind, since)
            token = PREFIX + secrets.token_urlsafe(32)
            db.session.add(ApiToken(user=user, name="bench",
                                    token_hash=hashlib.sha256(token.encode()).hexdigest()))
            staff.append({"company": company.name, "user": user.name, "token": token})
        audit.record("representative.appoint", company, actor=None, count=reps_per_company)
        people.append(staff)
    now = clock.now()
    ballot = Ballot(title="Adopt the 2025 charter (benchmark)", text="Deadline surge.",
                    kind=Kind.MOTION, opens_at=now - timedelta(minutes=1),
                    closes_at=now + timedelta(hours=2))
    db.session.add(ballot)
    ballot.open()
    audit.record("ballot.open", ballot, actor=None, title=ballot.title)
    db.session.commit()
    ordered = [staff[r] for r in range(reps_per_company) for staff in people]
    return ballot.id, ordered


def write_tokens(people: list[dict], path: Path) -> Path:
    """Write the plaintext API tokens, one a line in load_scale's order, for bench/wrk/vote.lua."""
    path.write_text("".join(f"{person['token']}\n" for person in people))
    path.chmod(0o600)  # bearer credentials, even if only for a throwaway database
    return path
