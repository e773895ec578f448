"""What people do in the annual cycles: nominate a company, propose a revocation, run a chair election.

Each step checks its rule, changes the records, opens the linked ballot where one is due and
writes the audit rows; the view commits once. A refusal is a `CycleError` carrying the HTTP
status the view answers with (403 not entitled, 409 wrong moment, 422 bad input).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select

from core import audit, clock
from core.db import db
from core.domain_errors import DomainError
from core.member_rules import CompanyStatus, RegisterError
from core.members import Company
from core.users import User
from cycles.models import Nomination, RevocationProposal
from cycles.rules import Window, nomination_failures, slugify
from voting.errors import BallotError
from voting.models import Ballot
from voting.outcome import Kind
from voting.rules import Threshold
from voting.tiebreak import TieBreak


class CycleError(DomainError):
    """A cycle step the rules refuse; `status` is the HTTP answer, the message says why."""


@dataclass(frozen=True)
class Evidence:
    """A nomination's evidence for the charter's minimum criteria."""

    operator_or_nsp: bool
    participates: bool
    dedicated_ftes: int
    upstream_ftes: int


def member_company(user: User) -> Company:
    """Return the member company the user represents today, or refuse."""
    company = user.company()
    if company is None or company.status is not CompanyStatus.MEMBER:
        raise CycleError("only a representative of a member company can do this", 403)
    return company


def open_ballot(ballot: Ballot, excluded: Company | None = None) -> None:
    """Add and open a cycle ballot now, auditing it as the chair's own opening is audited."""
    db.session.add(ballot)
    try:
        members = ballot.open(excluded_company_id=excluded.id if excluded else None)
    except BallotError as exc:
        raise CycleError(f"the ballot cannot open: {exc}", 409) from exc
    audit.record("ballot.create", ballot, title=ballot.title, kind=ballot.kind.value,
                 opens_at=ballot.opens_at, closes_at=ballot.closes_at,
                 options=[o.label for o in ballot.options])
    audit.record("ballot.open", ballot, electorate=[c.name for c in members],
                 excluded=excluded.name if excluded else None,
                 lot_commitment=ballot.lot_commitment)


def _find_company(name: str) -> Company | None:
    stmt = select(Company).where(func.lower(Company.name) == name.strip().lower())
    return db.session.scalars(stmt).first()


def _unique_slug(name: str) -> str:
    base, n = slugify(name), 1
    slug = base
    while db.session.scalars(select(Company.id).where(Company.slug == slug)).first():
        n += 1
        slug = f"{base[:56]}-{n}"
    return slug


def _candidate(name: str, evidence: Evidence, by: User, today: date) -> Company:
    """Return the company to nominate, creating it as a candidate (or re-admitting it as one)."""
    company = _find_company(name)
    reason = f"nominated for membership by {by} ({by.company()})"
    if company is None:
        company = Company(name=name.strip(), slug=_unique_slug(name),
                          operator_or_nsp=evidence.operator_or_nsp,
                          dedicated_ftes=evidence.dedicated_ftes,
                          upstream_ftes=evidence.upstream_ftes, criteria_notes="")
        db.session.add(company)
        company.change_status(CompanyStatus.CANDIDATE, today, reason, by)
        audit.record("company.create", company, name=company.name, status="candidate",
                     effective_on=today, by_nomination=True)
        return company
    status = company.status
    if status is CompanyStatus.MEMBER:
        raise CycleError(f"{company.name} is already a member company")
    pending = select(Nomination.id).where(Nomination.company_id == company.id,
                                          Nomination.resolved_at.is_(None))
    if db.session.scalars(pending).first():
        raise CycleError(f"{company.name} already has a nomination under way", 409)
    if status is not CompanyStatus.CANDIDATE:
        try:
            company.change_status(CompanyStatus.CANDIDATE, today, reason, by)
        except RegisterError as exc:
            raise CycleError(str(exc)) from exc
        audit.record("company.status", company, status="candidate", effective_on=today,
                     reason=reason)
    return company


def nominate(user: User, name: str, evidence: Evidence, contacts: list[str], notes: str,
             member_from: date, window: Window | None, refusal: str) -> Nomination:
    """Nominate a candidate company inside the window; its consensus round opens at once."""
    nominator = member_company(user)
    now = clock.now()
    if window is None:
        raise CycleError(refusal, 409)
    failures = nomination_failures(evidence.operator_or_nsp, evidence.participates,
                                   evidence.dedicated_ftes, evidence.upstream_ftes)
    if failures:
        raise CycleError("This nomination does not meet the charter's minimum criteria: the "
                         "candidate " + "; ".join(failures) + ".")
    if member_from < window.closes_on:
        raise CycleError(f"membership can start once the round has closed: on or after "
                         f"{window.closes_on.isoformat()}")
    company = _candidate(name, evidence, user, now.date())
    ballot = Ballot(
        title=f"Admit {company.name} as a member company"[:200], kind=Kind.CONSENSUS,
        text=_nomination_text(company, evidence, notes, member_from, nominator),
        opens_at=now, closes_at=datetime.combine(window.closes_on, time(0), UTC), created_by=user,
        subject_company_id=company.id)
    open_ballot(ballot)
    nom = Nomination(company=company, ballot=ballot, nominated_by=user, nominating_company=nominator,
                     contacts=contacts, notes=notes, member_from=member_from, objections=[],
                     **vars(evidence))
    db.session.add(nom)
    audit.record("nomination.create", nom, company=company.name, ballot=ballot.id,
                 member_from=member_from, contacts=len(contacts), **vars(evidence))
    return nom


def _nomination_text(company: Company, evidence: Evidence, notes: str, member_from: date,
                     nominator: Company) -> str:
    """Say the proposal and its evidence in the ballot's text (contacts stay off the ballot)."""
    lines = [
        f"{nominator.name} nominates {company.name} for membership, by consensus of the current "
        f"members, from {member_from.isoformat()}.",
        "",
        "Evidence for the charter's minimum criteria:",
        f"- large operator and/or network service provider: "
        f"{'yes' if evidence.operator_or_nsp else 'no'}",
        f"- commits to participate equally in meetings and activities: "
        f"{'yes' if evidence.participates else 'no'}",
        f"- dedicated FTEs contributing to OpenStack: {evidence.dedicated_ftes}",
        f"- FTEs on upstream roadmap work: {evidence.upstream_ftes}",
    ]
    if notes.strip():
        lines += ["", notes.strip()]
    return "\n".join(lines)


def propose_revocation(user: User, company: Company, grounds: str, effective_on: date,
                       closes_at: datetime, threshold: str) -> RevocationProposal:
    """Put a revocation motion to the board; the company concerned is not in its electorate."""
    proposer = member_company(user)
    if company.id == proposer.id:
        raise CycleError("a company cannot propose revoking its own membership")
    if company.status is not CompanyStatus.MEMBER:
        raise CycleError(f"{company.name} is not a member company")
    pending = select(RevocationProposal.id).where(RevocationProposal.company_id == company.id,
                                                  RevocationProposal.resolved_at.is_(None))
    if db.session.scalars(pending).first():
        raise CycleError(f"a revocation of {company.name} is already under way", 409)
    if closes_at <= clock.now():
        raise CycleError("the vote must close in the future")
    if effective_on < closes_at.date():
        raise CycleError("the revocation can take effect only after the vote closes")
    ballot = Ballot(title=f"Revoke the membership of {company.name}"[:200], kind=Kind.MOTION,
                    text=f"{proposer.name} proposes that {company.name} no longer meets the "
                         f"charter's minimum criteria and that its membership be revoked from "
                         f"{effective_on.isoformat()}.\n\n{grounds.strip()}",
                    threshold=Threshold(threshold), tie_break=TieBreak.STATUS_QUO,
                    opens_at=clock.now(), closes_at=closes_at, created_by=user,
                    subject_company_id=company.id)
    open_ballot(ballot, excluded=company)
    rev = RevocationProposal(company=company, ballot=ballot, proposed_by=user,
                             proposer_company=proposer, grounds=grounds.strip(),
                             effective_on=effective_on)
    db.session.add(rev)
    audit.record("revocation.create", rev, company=company.name, ballot=ballot.id,
                 effective_on=effective_on, threshold=threshold)
    return rev
