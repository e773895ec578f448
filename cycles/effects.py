"""Apply a published cycle ballot's outcome to the member register (runs inside the publish).

`voting.actions.publish` calls its `on_publish` hooks in the same transaction; `cycles.views`
registers one that calls `apply_outcome(ballot, by=..., invitation_days=...)`, so the register
changes, the audit rows and the publication commit together or not at all. A proposal that
carried but that the register refuses (say the company withdrew meanwhile) is resolved as not
applied, with the reason, rather than blocking the publication of a result that is a fact.
Nothing here is request-bound: the publisher comes as a parameter, and what the person should
be told comes back as notices for the view to show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from core import audit, clock
from core.db import db
from core.member_rules import CompanyStatus, RegisterError
from core.members import ChairTerm, Invitation, RepKind
from core.users import User
from cycles.models import ChairElection, Nomination, Resolution, RevocationProposal
from cycles.rules import TermSpan, effective_on, plan_succession, term_end, winner
from voting.models import Ballot
from voting.outcome import Status
from voting.votes import current_votes

log = logging.getLogger("concord.cycles")


@dataclass
class Publishing:
    """Who publishes (None from the command line), the settings used, and notices to show."""

    by: User | None
    invitation_days: int
    notices: list[str] = field(default_factory=list)


def _not_applied(record, action: str, exc: RegisterError, ctx: Publishing, **details) -> None:
    """Resolve a carried proposal the register refused, audit it, and leave a notice."""
    record.resolve(Resolution.NOT_APPLIED, str(exc))
    audit.record(action, record, applied=False, reason=str(exc), **details)
    log.warning("%s #%s not applied: %s", action, record.id, exc)
    ctx.notices.append(f"The outcome carried but the register refused the change: {exc}. "
                       "An administrator must resolve it by hand.")


def apply_outcome(ballot: Ballot, *, by: User | None, invitation_days: int) -> list[str]:
    """Apply the outcome of whichever cycle record this ballot belongs to; return the notices."""
    ctx = Publishing(by, invitation_days)
    for model, apply in ((Nomination, _nomination), (RevocationProposal, _revocation),
                         (ChairElection, _election)):
        record = db.session.scalars(select(model).where(model.ballot_id == ballot.id)).first()
        if record is not None and record.resolution is None:
            apply(record, ballot, ctx)
    return ctx.notices


def _nomination(nom: Nomination, ballot: Ballot, ctx: Publishing) -> None:
    """Admit the candidate from the stated date and invite its contacts, or keep the objections."""
    status = (ballot.outcome or {}).get("status")
    if status != Status.REACHED.value:
        nom.objections = [{"company": v.company.name, "reason": v.choice.get("reason", "")}
                          for v in current_votes(ballot.id) if v.choice.get("response") == "object"]
        nom.resolve(Resolution.REJECTED, "; ".join((ballot.outcome or {}).get("reasons", [])))
        audit.record("nomination.reject", nom, company=nom.company.name, ballot=ballot.id,
                     objections=len(nom.objections))
        return
    company, by, day = nom.company, ctx.by, effective_on(nom.member_from, clock.today())
    reason = (f"admitted by consensus of the members: ballot #{ballot.id} \"{ballot.title}\", "
              f"published {clock.today().isoformat()} (nomination #{nom.id})")
    try:
        company.change_status(CompanyStatus.MEMBER, day, reason, by)
    except RegisterError as exc:
        _not_applied(nom, "nomination.admit", exc, ctx, company=company.name, ballot=ballot.id)
        return
    company.operator_or_nsp, company.dedicated_ftes = nom.operator_or_nsp, nom.dedicated_ftes
    company.upstream_ftes = nom.upstream_ftes
    invited = _invite(nom, by, ctx.invitation_days)
    nom.resolve(Resolution.APPLIED, f"member from {day.isoformat()}")
    audit.record("nomination.admit", nom, company=company.name, ballot=ballot.id,
                 member_from=day, invitations=invited)


def _invite(nom: Nomination, by: User | None, days: int) -> list[str]:
    """Invite the nomination's contacts (the first as representative, then alternates)."""
    invited = []
    for number, email in enumerate(nom.contacts):
        if Invitation.open_for(email, company_id=nom.company_id):
            continue  # already invited; the open invitation stands
        kind = RepKind.REPRESENTATIVE if number == 0 else RepKind.ALTERNATE
        Invitation.create(nom.company, email, kind, by, days)
        invited.append(email)
    return invited


def _revocation(rev: RevocationProposal, ballot: Ballot, ctx: Publishing) -> None:
    """Revoke the membership from the stated date if the motion passed; delete nothing."""
    if (ballot.outcome or {}).get("status") != Status.PASSED.value:
        rev.resolve(Resolution.REJECTED, (ballot.outcome or {}).get("summary", ""))
        audit.record("revocation.reject", rev, company=rev.company.name, ballot=ballot.id)
        return
    day = effective_on(rev.effective_on, clock.today())
    reason = (f"membership revoked by board motion: ballot #{ballot.id} \"{ballot.title}\", "
              f"published {clock.today().isoformat()} (revocation #{rev.id})")
    try:
        rev.company.change_status(CompanyStatus.REVOKED, day, reason, ctx.by)
    except RegisterError as exc:
        _not_applied(rev, "revocation.apply", exc, ctx, company=rev.company.name, ballot=ballot.id)
        return
    rev.resolve(Resolution.APPLIED, f"revoked from {day.isoformat()}")
    audit.record("revocation.apply", rev, company=rev.company.name, ballot=ballot.id,
                 effective_on=day)


def _election(election: ChairElection, ballot: Ballot, ctx: Publishing) -> None:
    """Record the winner's one-year term from the stated start; the outgoing term ends that day."""
    outcome = ballot.outcome or {}
    label = winner(outcome.get("status", ""), outcome.get("winners", []))
    if label is None:
        election.resolve(Resolution.REJECTED, outcome.get("summary", "no winner"))
        audit.record("chair_election.no_winner", election, ballot=ballot.id)
        return
    candidacy = next(c for c in election.candidacies if c.label == label)
    start = effective_on(election.term_starts_on, clock.today())
    end = term_end(start)
    try:
        term = _succeed(candidacy.user, start, end)
    except RegisterError as exc:
        _not_applied(election, "chair_election.apply", exc, ctx, winner=label, ballot=ballot.id)
        return
    election.chair_term = term
    election.resolve(Resolution.APPLIED, f"{label} chairs from {start.isoformat()}")
    audit.record("chair_election.apply", election, winner=label, ballot=ballot.id,
                 starts_on=start, ends_on=end)


def _succeed(user: User, start, end) -> ChairTerm:
    """End the running term on `start` and record the new one (RegisterError if impossible)."""
    company = user.company(start)
    if company is None:
        raise RegisterError(f"{user} does not represent a company on {start.isoformat()}")
    if company.status_on(start) is not CompanyStatus.MEMBER:
        # Checked before any term is shortened, so a refusal leaves the register untouched.
        raise RegisterError(f"{company} is not a member on {start.isoformat()}")
    terms = db.session.scalars(select(ChairTerm)).all()
    plan = plan_succession([TermSpan(t.id, str(t.user), t.starts_on, t.ends_on) for t in terms],
                           start, end)
    if plan.conflict:
        raise RegisterError(plan.conflict)
    for term_id, new_end in plan.shorten:
        outgoing = db.session.get(ChairTerm, term_id)
        audit.record("chair_term.end", outgoing, user=str(outgoing.user),
                     ends_on_before=outgoing.ends_on, ends_on=new_end)
        outgoing.ends_on = new_end
    db.session.flush()  # the shortened term must be stored before the overlap check
    term = ChairTerm.record(user, company, start, end)
    audit.record("chair_term.create", term, user=str(user), company=company.name,
                 starts_on=start, ends_on=end)
    return term


def is_nomination_round(ballot: Ballot) -> bool:
    """Tell whether a ballot decides a new-member nomination (its objections stay with members)."""
    return db.session.scalar(select(Nomination.id).where(Nomination.ballot_id == ballot.id)) \
        is not None
