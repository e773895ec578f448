"""The chair election: the chair (or an administrator) calls it, members nominate, nominees accept, it opens.

The ballot is ranked (Schulze) or single choice among the accepted candidates; a tie goes to
the outgoing chair's casting vote or to lot. Publishing the outcome records the winner's term
(cycles.effects).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from core import audit, clock
from core.db import db
from core.member_rules import CompanyStatus
from core.members import Representative
from core.users import Role, User, acting_for_chair
from cycles.actions import CycleError, member_company, open_ballot
from cycles.models import ChairCandidacy, ChairElection
from cycles.rules import candidate_label
from voting.ballot_rules import Secrecy
from voting.models import Ballot, Option
from voting.outcome import Kind
from voting.tiebreak import TieBreak


def stand_in() -> dict[str, bool]:
    """Return the audit flag of an administrator acting for the chair (empty otherwise)."""
    return {"acting_for_chair": True} if acting_for_chair() else {}


def create(by: User, title: str, method: str, tie_break: str, secrecy: str,
           term_starts_on: date, closes_at: datetime) -> ChairElection:
    """Call a chair election; refuse a second one while one is unresolved."""
    if closes_at <= clock.now():
        raise CycleError("the vote must close in the future")
    if term_starts_on < closes_at.date():
        raise CycleError("the new term can start only once the vote has closed")
    # Under way: unresolved, and either voting or still able to open (one never opened whose
    # closing time has passed is abandoned and does not block the next).
    under_way = select(ChairElection.id).where(
        ChairElection.resolved_at.is_(None),
        ChairElection.ballot_id.is_not(None) | (ChairElection.closes_at > clock.now()))
    if db.session.scalars(under_way).first():
        raise CycleError("a chair election is already under way; finish it first", 409)
    election = ChairElection(title=title.strip(), method=method, tie_break=tie_break,
                             secrecy=secrecy, term_starts_on=term_starts_on,
                             closes_at=closes_at, created_by=by)
    db.session.add(election)
    audit.record("chair_election.create", election, title=election.title, method=method,
                 tie_break=tie_break, secrecy=secrecy, term_starts_on=term_starts_on,
                 closes_at=closes_at, **stand_in())
    return election


def eligible_representatives() -> list[Representative]:
    """Return today's representatives of member companies (who may stand for chair)."""
    rows = db.session.scalars(select(Representative).where(
        *Representative.active_on(clock.today()))).all()
    members = [r for r in rows if r.company.status is CompanyStatus.MEMBER]
    return sorted(members, key=lambda r: (r.company.name, r.user.name))


def _require_nominating(election: ChairElection) -> None:
    if election.ballot_id is not None or election.resolution is not None:
        raise CycleError("the candidates are fixed: the election's ballot has opened", 409)


def nominate(election: ChairElection, by: User, rep: Representative) -> ChairCandidacy:
    """Nominate a member representative; nominating yourself is accepting."""
    if not by.roles() & {Role.CHAIR, Role.ADMIN}:
        member_company(by)
    _require_nominating(election)
    if rep not in eligible_representatives():
        raise CycleError("a candidate must be a representative of a member company")
    if any(c.user_id == rep.user_id for c in election.candidacies):
        raise CycleError(f"{rep.user} is already nominated")
    now = clock.now()
    candidacy = ChairCandidacy(election=election, user=rep.user, company=rep.company,
                               label=candidate_label(rep.user.name, rep.company.name),
                               nominated_by=by, accepted_at=now if by.id == rep.user_id else None)
    db.session.add(candidacy)
    audit.record("chair_candidacy.nominate", candidacy, election=election.id,
                 candidate=candidacy.label, accepted=candidacy.accepted_at is not None)
    return candidacy


def answer(candidacy: ChairCandidacy, by: User, accept: bool) -> None:
    """Record the nominee's acceptance or refusal (they may change it until the ballot opens)."""
    if candidacy.user_id != by.id:
        raise CycleError("only the nominee can accept or decline a nomination", 403)
    _require_nominating(candidacy.election)
    now = clock.now()
    candidacy.accepted_at, candidacy.declined_at = (now, None) if accept else (None, now)
    audit.record("chair_candidacy.answer", candidacy, election=candidacy.election_id,
                 candidate=candidacy.label, accepted=accept)


def open_voting(election: ChairElection, by: User) -> Ballot:
    """Open the election's ballot now, with the accepted candidates as its options."""
    _require_nominating(election)
    accepted = election.accepted()
    labels = [c.label for c in accepted]
    if len(labels) < 2:
        raise CycleError("an election needs at least two candidates who accepted", 409)
    if election.closes_at <= clock.now():
        raise CycleError("the election's closing time has passed; call a new election", 409)
    ballot = Ballot(title=election.title, kind=Kind(election.method),
                    text=f"Elect the chairperson for one year from "
                         f"{election.term_starts_on.isoformat()}.",
                    secrecy=Secrecy(election.secrecy), tie_break=TieBreak(election.tie_break),
                    opens_at=clock.now(), closes_at=election.closes_at, created_by=by)
    # Each option names its candidate, so a chair who stands cannot break the tie.
    ballot.options = [Option(position=i, label=c.label, user_id=c.user_id)
                      for i, c in enumerate(accepted, 1)]
    open_ballot(ballot)
    election.ballot = ballot
    audit.record("chair_election.open", election, ballot=ballot.id, candidates=labels,
                 **stand_in())
    return ballot
