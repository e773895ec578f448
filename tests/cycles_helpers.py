"""Shared steps for the annual-cycle tests: respond to a ballot, count and publish it, read audit rows."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core.audit import AuditEvent
from core.db import db

IN_WINDOW = datetime(2027, 6, 10, 12, 0, tzinfo=UTC)  # the default window: 1 to 30 June
AFTER_WINDOW = datetime(2027, 7, 2, 9, 0, tzinfo=UTC)


def nomination_data(**changes) -> dict:
    """Return a valid nomination form for Comcast."""
    data = {"company_name": "Comcast", "operator_or_nsp": "y", "participates": "y",
            "dedicated_ftes": "8", "upstream_ftes": "2",
            "contacts": "dana@comcast.example\nlee@comcast.example", "notes": "Runs a large cloud.",
            "member_from": "2027-07-15"}
    return data | changes


def respond(client, login, user, ballot_id: int, **data) -> None:
    """Cast the user's company's vote through HTTP and check it was recorded."""
    login(user)
    resp = client.post(f"/ballots/{ballot_id}/vote", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)


def count_and_publish(client, login, chair, ballot_id: int, casting: str | None = None) -> None:
    """Count a closed ballot, settle a tie with the casting vote if asked, publish it."""
    login(chair)
    assert client.post(f"/ballots/{ballot_id}/decide").status_code == 302
    if casting:
        assert client.post(f"/ballots/{ballot_id}/casting-vote",
                           data={"choice": casting}).status_code == 302
    resp = client.post(f"/ballots/{ballot_id}/publish", data={"statement": ""})
    assert resp.status_code == 302, resp.get_data(as_text=True)


def audit_rows(action: str) -> list[AuditEvent]:
    """Return the audit events of one action, in order."""
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.seq)))


def cycle_ids(att, rep_user, chair) -> dict[str, int]:
    """Create one record of each cycle for the authorization matrix; return their ids."""
    from datetime import date, timedelta

    from core import clock
    from core.member_rules import CompanyStatus
    from core.members import Company
    from cycles.models import ChairCandidacy, ChairElection, Nomination, RevocationProposal
    from voting.models import Ballot
    from voting.outcome import Kind

    now = clock.now()
    comcast, ntt = Company(name="Comcast", slug="comcast"), Company(name="NTT", slug="ntt")
    db.session.add_all([comcast, ntt])
    comcast.change_status(CompanyStatus.CANDIDATE, date(2020, 1, 1), "test", None)
    ntt.change_status(CompanyStatus.MEMBER, date(2020, 1, 1), "test", None)
    window = {"opens_at": now - timedelta(minutes=1), "closes_at": now + timedelta(days=1)}
    round_, motion = Ballot(title="Admit Comcast", kind=Kind.CONSENSUS, **window), \
        Ballot(title="Revoke NTT", kind=Kind.MOTION, **window)
    db.session.add_all([round_, motion])
    round_.open()
    motion.open(excluded_company_id=ntt.id)
    nomination = Nomination(company=comcast, ballot=round_, nominated_by=rep_user,
                            nominating_company=att, operator_or_nsp=True, participates=True,
                            dedicated_ftes=8, upstream_ftes=2, contacts=["dana@comcast.example"],
                            member_from=now.date() + timedelta(days=30), objections=[])
    revocation = RevocationProposal(company=ntt, ballot=motion, proposed_by=rep_user,
                                    proposer_company=att, grounds="Left the roadmap work.",
                                    effective_on=now.date() + timedelta(days=30))
    election = ChairElection(title="Chair election", term_starts_on=now.date() + timedelta(days=60),
                             closes_at=now + timedelta(days=30), created_by=chair)
    candidacy = ChairCandidacy(election=election, user=rep_user, company=att,
                               label=f"{rep_user.name} (AT&T)", nominated_by=chair)
    db.session.add_all([nomination, revocation, election, candidacy])
    db.session.commit()
    return {"nomination": nomination.id, "revocation": revocation.id, "election": election.id,
            "candidacy": candidacy.id}
